using System.Text;

namespace Microxen.Tests;

/// <summary>
/// The multiboot2 tags of a UEFI boot (GRUB x86_64-efi): strings copied out of the loader's memory,
/// the EFI memory map classified as Xen's efi_arch_process_memory_map, the RSDP copy, the EFI
/// system table address and a GOP framebuffer as Xen's dom0_vga_console_info.
/// </summary>
public unsafe class MultibootEfiTests : IDisposable
{
    const int Size = 1 << 16;
    readonly byte* _mem = (byte*)NativeMemory.AllocZeroed(Size);
    readonly BootInfo* _bi = (BootInfo*)NativeMemory.AllocZeroed((nuint)sizeof(BootInfo));
    public void Dispose() { NativeMemory.Free(_mem); NativeMemory.Free(_bi); }
    void U32(int at, uint v) => *(uint*)(_mem + at) = v;
    void U64(int at, ulong v) => *(ulong*)(_mem + at) = v;
    static string CStr(byte* p) { int n = 0; while (p[n] != 0) n++; return Encoding.ASCII.GetString(p, n); }

    int _at;
    void Tag(uint type, int size) { U32(_at, type); U32(_at + 4, (uint)size); }
    void Next(int size) => _at += (size + 7) & ~7;
    void Str(int at, string s) { var b = Encoding.ASCII.GetBytes(s + "\0"); for (int i = 0; i < b.Length; i++) _mem[at + i] = b[i]; }
    void Desc(int at, uint type, ulong start, ulong pages, ulong attr) { U32(at, type); U64(at + 8, start); U64(at + 24, pages); U64(at + 32, attr); }

    int BuildUefi()
    {
        int p = 0x2000; _at = p + 8;
        Tag(2, 8 + 7); Str(_at + 8, "GRUB 2"); Next(15);
        Tag(3, 16 + 13); U32(_at + 8, 0x400000); U32(_at + 12, 0x480000); Str(_at + 16, "console=hvc0"); Next(29);
        Tag(6, 16 + 24); U32(_at + 8, 24); U64(_at + 16, 0); U64(_at + 24, 0x1000); U32(_at + 32, 1); Next(40);
        Tag(8, 38); U64(_at + 8, 0x80000000); U32(_at + 16, 4096); U32(_at + 20, 1024); U32(_at + 24, 768);
        _mem[_at + 28] = 32; _mem[_at + 29] = 1; _mem[_at + 32] = 16; _mem[_at + 33] = 8; _mem[_at + 34] = 8; _mem[_at + 35] = 8; _mem[_at + 36] = 0; _mem[_at + 37] = 8; Next(38);
        Tag(12, 16); U64(_at + 8, 0x3f9ee018); Next(16);
        Tag(15, 8 + 36); Str(_at + 8, "RSD PTR "); Next(44);
        // EFI map, 48-byte descriptors: conventional WB, boot data WB (adjacent: merges), runtime data, ACPI reclaim, loader data uncached.
        Tag(17, 16 + 5 * 48); U32(_at + 8, 48); U32(_at + 12, 1);
        Desc(_at + 16, 7, 0, 0x9f, 0x8);
        Desc(_at + 64, 4, 0x9f000, 1, 0x8);
        Desc(_at + 112, 6, 0x100000, 16, 0x8000000000000008);
        Desc(_at + 160, 9, 0x110000, 4, 0x8);
        Desc(_at + 208, 2, 0x200000, 16, 0x1);
        Next(16 + 5 * 48);
        Tag(0, 8); Next(8);
        U32(p, (uint)(_at - p));
        return p;
    }

    [Fact]
    public void EfiTagsGiveTheMapRsdpSystemTableAndFramebuffer()
    {
        int p = BuildUefi();
        Assert.True(Multiboot.Parse(Multiboot.Magic2, (ulong)p, _mem, _bi));
        Assert.Equal(0x3f9ee018UL, _bi->EfiSystemTable);
        Assert.Equal(36, _bi->RsdpLength);
        Assert.Equal((byte)'R', _bi->Rsdp[0]);
        // the EFI map replaces tag 6: RAM [0, 0xa0000), reserved (runtime), ACPI, unusable (not WB)
        Assert.Equal(4, _bi->MemoryRegionCount);
        Assert.Equal(0xa0000UL, _bi->Region(0)->Size);
        Assert.Equal(1u, _bi->Region(0)->Type);
        Assert.Equal(2u, _bi->Region(1)->Type);
        Assert.Equal(3u, _bi->Region(2)->Type);
        Assert.Equal(5u, _bi->Region(3)->Type);
        Assert.Equal(Dom0VgaConsoleInfo.XEN_VGATYPE_EFI_LFB, _bi->Vga.VideoType);
        Assert.Equal((ushort)1024, _bi->Vga.VesaWidth);
        Assert.Equal(0x80000000u, _bi->Vga.VesaLfbBase);
        Assert.Equal((uint)(4096 * 768 >> 16), _bi->Vga.VesaLfbSize);
        Assert.Equal((byte)24, _bi->Vga.VesaRsvdPos);
    }

    [Fact]
    public void StringsSurviveTheLoaderMemoryBeingReused()
    {
        int p = BuildUefi();
        Assert.True(Multiboot.Parse(Multiboot.Magic2, (ulong)p, _mem, _bi));
        for (int i = p; i < p + 0x400; i++) _mem[i] = 0;   // the shim's first allocations overwrite GRUB's information
        Assert.Equal("console=hvc0", CStr(_bi->Module(0).CmdLine));
        Assert.Equal("GRUB 2", CStr(_bi->LoaderName));
    }
}
