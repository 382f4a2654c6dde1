using Iced.Intel;

namespace Microxen.Tests;

/// <summary>Properties of the linked shim image that the entry stubs rely on.</summary>
public class ShimImageTests
{
    /// <summary>
    /// The stubs keep the guest's FPU/SSE state with fxsave/fxrstor, which do not cover the upper
    /// halves of the AVX registers: a VEX- or EVEX-encoded instruction in the shim would clobber a
    /// guest's AVX state. The Makefile pins ilc to x86-64-v2; this decodes .text to prove it.
    /// </summary>
    [Fact]
    public void ShimCodeHasNoVexOrEvexInstructions()
    {
        string elf = Path.Combine(DebianKernel.RepoRoot, "build", "microxen.elf");
        _ = Integration.Qemu.Image;   // builds the image if needed
        byte[] code = File.ReadAllBytes(elf);
        // Decode the .text section from the ELF (section headers give its file range).
        var (offset, size) = TextSection(code);
        // fast_path_table (addresses) lies among the fast paths' code: the decode skips it.
        ulong table = Symbol(elf, "fast_path_table") - TextAddress(code), tableEnd = table + Microxen.Hypercalls.HypercallTable.FastPathRows * 8UL;
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(code, (int)offset, (int)size));
        int vex = 0, total = 0;
        while (decoder.IP < size)
        {
            if (decoder.IP >= table && decoder.IP < tableEnd)
            {
                decoder = Decoder.Create(64, new ByteArrayCodeReader(code, (int)(offset + tableEnd), (int)(size - tableEnd)));
                decoder.IP = tableEnd;
            }
            decoder.Decode(out var ins);
            total++;
            if (ins.Encoding == EncodingKind.VEX || ins.Encoding == EncodingKind.EVEX) vex++;
        }
        Assert.True(total > 1000, $"decoded only {total} instructions");
        Assert.Equal(0, vex);
    }

    /// <summary>
    /// pv_state (shim/Arch/PvState.cs) is linked at a multiple of PvState.Alignment (64), so every
    /// qword field the native fast paths read and write on each hypercall is naturally aligned
    /// (it was once at an odd address). Read from the linked ELF's symbol table with nm.
    /// </summary>
    [Fact]
    public void PvStateIsCacheLineAligned()
    {
        string elf = Path.Combine(DebianKernel.RepoRoot, "build", "microxen.elf");
        _ = Integration.Qemu.Image;   // builds the image if needed
        var nm = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("nm", $"\"{elf}\"") { RedirectStandardOutput = true })!;
        string symbols = nm.StandardOutput.ReadToEnd();
        nm.WaitForExit();
        ulong? address = null;
        foreach (var line in symbols.Split('\n'))
        {
            var f = line.Split(' ');
            if (f.Length == 3 && f[2] == "pv_state") address = System.Convert.ToUInt64(f[0], 16);
        }
        Assert.True(address.HasValue, "no pv_state symbol in microxen.elf");
        Assert.Equal(0UL, address.Value % Microxen.Arch.PvState.Alignment);
        Assert.Equal(64, Microxen.Arch.PvState.Alignment);
    }

    static ulong Symbol(string elf, string name)
    {
        var nm = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("nm", $"\"{elf}\"") { RedirectStandardOutput = true })!;
        string symbols = nm.StandardOutput.ReadToEnd();
        nm.WaitForExit();
        foreach (var line in symbols.Split('\n'))
        {
            var f = line.Split(' ');
            if (f.Length == 3 && f[2] == name) return System.Convert.ToUInt64(f[0], 16);
        }
        Assert.Fail($"no {name} symbol in {elf}");
        return 0;
    }

    /// <summary>The virtual address .text is linked at (its sh_addr).</summary>
    static ulong TextAddress(byte[] elf)
    {
        var (offset, _) = TextSection(elf);
        ulong shoff = System.BitConverter.ToUInt64(elf, 0x28);
        int shentsize = System.BitConverter.ToUInt16(elf, 0x3a), shnum = System.BitConverter.ToUInt16(elf, 0x3c);
        for (int i = 0; i < shnum; i++)
        {
            int sh = (int)shoff + i * shentsize;
            if (System.BitConverter.ToUInt64(elf, sh + 0x18) == offset && System.BitConverter.ToUInt32(elf, sh + 4) == 1)   // SHT_PROGBITS at .text's offset
                return System.BitConverter.ToUInt64(elf, sh + 0x10);
        }
        Assert.Fail("no .text address");
        return 0;
    }

    static (ulong Offset, ulong Size) TextSection(byte[] elf)
    {
        ulong shoff = System.BitConverter.ToUInt64(elf, 0x28);
        int shentsize = System.BitConverter.ToUInt16(elf, 0x3a), shnum = System.BitConverter.ToUInt16(elf, 0x3c);
        int shstrndx = System.BitConverter.ToUInt16(elf, 0x3e);
        ulong strOff = System.BitConverter.ToUInt64(elf, (int)(shoff + (ulong)(shstrndx * shentsize) + 0x18));
        for (int i = 0; i < shnum; i++)
        {
            int sh = (int)shoff + i * shentsize;
            uint name = System.BitConverter.ToUInt32(elf, sh);
            int n = (int)strOff + (int)name;
            if (elf[n] == (byte)'.' && elf[n + 1] == (byte)'t' && elf[n + 2] == (byte)'e' && elf[n + 3] == (byte)'x' && elf[n + 4] == (byte)'t' && elf[n + 5] == 0)
                return (System.BitConverter.ToUInt64(elf, sh + 0x18), System.BitConverter.ToUInt64(elf, sh + 0x20));
        }
        Assert.Fail("no .text section");
        return (0, 0);
    }
}
