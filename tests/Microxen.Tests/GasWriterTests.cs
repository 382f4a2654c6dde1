using System.Diagnostics;
using System.IO;
using System.Text;
using Microxen.Tools.AsmGen;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace Microxen.Tests;

/// <summary>
/// tools/AsmGen/GasWriter.cs (Block): the GNU as text it writes for the shim's and kernel-test's
/// blobs, assembled here with binutils' <c>as</c> and read back with <c>nm</c> and <c>objdump</c>.
/// </summary>
public class GasWriterTests
{
    /// <summary>
    /// One line per instruction with its text as a comment; a 4-byte placeholder at the end of an
    /// instruction becomes <c>.long sym</c> after its other bytes, and <c>as</c> turns it into an
    /// R_X86_64_32 relocation at that offset; the comment names the symbol.
    /// </summary>
    [Fact]
    public void PlaceholdersBecomeRelocationsAndCommentsNameThem()
    {
        var b = new Block(64);
        var a = b.Asm;
        b.Global("gw_start");
        a.push(rbx);
        b.WithSymbol("gw_target32", 4, () => a.mov(ecx, 0));
        b.WithSymbol("gw_target64", 8, () => a.mov(rax, 0x1122334455667788UL));
        a.ret();
        string text = Write(b);
        Assert.Contains("\t.byte 0x53", text);
        Assert.Matches(@"\t\.byte 0xb9; \.long gw_target32 +# mov +\$gw_target32,%ecx", text);
        Assert.Matches(@"\t\.byte 0x48,0xb8; \.quad gw_target64 +# movabs +\$gw_target64,%rax", text);
        string relocs = Run("objdump", "-r " + Assemble(text));
        Assert.Matches(@"0*2 R_X86_64_32 +gw_target32", relocs);
        Assert.Matches(@"0*8 R_X86_64_64 +gw_target64", relocs);
    }

    /// <summary>
    /// Block.Align pads so that what follows (pv_state) is aligned in the linked section, even when
    /// a branch crosses the pad; a global symbol on qword data is 8-byte aligned by itself.
    /// </summary>
    [Fact]
    public void AlignPadsToTheBoundary()
    {
        var b = new Block(64);
        var a = b.Asm;
        var after = a.CreateLabel();
        b.Global("gw_code");
        a.nop();
        a.jmp(after);
        b.Global("gw_table");
        a.dq(1UL);
        a.db(0x90);
        b.Align(64);
        b.Place(ref after);
        b.Global("gw_aligned");
        a.dd(0u);
        string symbols = Run("nm", Assemble(Write(b)));
        Assert.Equal(0UL, Address(symbols, "gw_aligned") % 64);
        Assert.Equal(0UL, Address(symbols, "gw_table") % 8);
    }

    static string Write(Block b)
    {
        var sb = new StringBuilder();
        sb.AppendLine("\t.text");
        b.WriteTo(sb);
        return sb.ToString();
    }

    static ulong Address(string nm, string symbol)
    {
        foreach (var line in nm.Split('\n'))
        {
            var f = line.Trim().Split(' ');
            if (f.Length == 3 && f[2] == symbol) return System.Convert.ToUInt64(f[0], 16);
        }
        Assert.Fail($"no symbol {symbol} in\n{nm}");
        return 0;
    }

    static string Assemble(string text)
    {
        string dir = Directory.CreateTempSubdirectory("gaswriter").FullName;
        string s = Path.Combine(dir, "t.s"), o = Path.Combine(dir, "t.o");
        File.WriteAllText(s, text);
        Run("as", $"--64 -o {o} {s}");
        return o;
    }

    static string Run(string tool, string args)
    {
        var p = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string output = p.StandardOutput.ReadToEnd();
        string errors = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} {args}: {errors}");
        return output;
    }
}
