using System.Text;

namespace Microxen.Tests;

/// <summary>
/// Multiboot v1 (spec 3.3) and multiboot2 (spec 3.6) information read into BootInfo, from
/// structures built here in a buffer that stands for physical memory (address 0 = buffer start).
/// </summary>
public unsafe class MultibootTests : IDisposable
{
    const int Size = 1 << 16;
    readonly byte* _mem = (byte*)NativeMemory.AllocZeroed(Size);
    readonly BootInfo* _bi = (BootInfo*)NativeMemory.AllocZeroed((nuint)sizeof(BootInfo));
    public void Dispose() { NativeMemory.Free(_mem); NativeMemory.Free(_bi); }

    void Str(int at, string s) { var b = Encoding.ASCII.GetBytes(s + "\0"); for (int i = 0; i < b.Length; i++) _mem[at + i] = b[i]; }
    void U32(int at, uint v) => *(uint*)(_mem + at) = v;
    void U64(int at, ulong v) => *(ulong*)(_mem + at) = v;
    static string CStr(byte* p) { int n = 0; while (p[n] != 0) n++; return Encoding.ASCII.GetString(p, n); }

    /// <summary>mb1 info at 0x100: flags cmdline|mods|mmap|loader; modules at 0x200; mmap at 0x300.</summary>
    void BuildV1(string loader)
    {
        U32(0x100, (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
        U32(0x100 + 16, 0x1000); Str(0x1000, "/boot/microxen.bin mode=fast loglevel=debug");
        U32(0x100 + 20, 2); U32(0x100 + 24, 0x200);
        U32(0x200, 0x400000); U32(0x204, 0x500000); U32(0x208, 0x1100);
        U32(0x210, 0x600000); U32(0x214, 0x601000); U32(0x218, 0x1200);
        Str(0x1100, "vmlinux console=hvc0 earlyprintk=xen"); Str(0x1200, "initrd.cpio");
        // two mmap entries: size(4) base(8) len(8) type(4), size excludes itself
        U32(0x100 + 44, 48); U32(0x100 + 48, 0x300);
        U32(0x300, 20); U64(0x304, 0); U64(0x30c, 0x9fc00); U32(0x314, 1);
        U32(0x318, 20); U64(0x31c, 0x100000); U64(0x324, 0x3fee0000); U32(0x32c, 1);
        U32(0x100 + 64, 0x1300); Str(0x1300, loader);
    }

    [Fact]
    public void V1FromQemuDropsTheFileNamesAndReadsMapAndModules()
    {
        BuildV1("qemu");
        Assert.True(Multiboot.Parse(Multiboot.Magic1, 0x100, _mem, _bi));
        Assert.False(_bi->Multiboot2);
        Assert.Equal("mode=fast loglevel=debug", CStr(_bi->CmdLine));
        Assert.Equal(2, _bi->ModuleCount);
        Assert.Equal(0x400000UL, _bi->Module(0).Start);
        Assert.Equal(0x500000UL, _bi->Module(0).End);
        Assert.Equal("console=hvc0 earlyprintk=xen", CStr(_bi->Module(0).CmdLine));
        Assert.Equal("", CStr(_bi->Module(1).CmdLine));
        Assert.Equal(2, _bi->MemoryRegionCount);
        Assert.Equal(0x100000UL, _bi->Region(1)->Addr);
        Assert.Equal(0x3fee0000UL, _bi->Region(1)->Size);
        Assert.Equal(1u, _bi->Region(1)->Type);
    }

    [Fact]
    public void V1FromGrub2KeepsTheCommandLinesWhole()
    {
        BuildV1("GRUB 2.06-13+deb12u2");
        Assert.True(Multiboot.Parse(Multiboot.Magic1, 0x100, _mem, _bi));
        Assert.Equal("/boot/microxen.bin mode=fast loglevel=debug", CStr(_bi->CmdLine));
    }

    [Fact]
    public void V1WithoutAMemoryMapIsRefused()
    {
        BuildV1("qemu");
        U32(0x100, (1u << 2) | (1u << 3));
        Assert.False(Multiboot.Parse(Multiboot.Magic1, 0x100, _mem, _bi));
    }

    [Fact]
    public void AnUnknownMagicIsRefused()
    {
        BuildV1("qemu");
        Assert.False(Multiboot.Parse(0x12345678, 0x100, _mem, _bi));
    }

    [Fact]
    public void V2TagsGiveCommandLineLoaderModulesAndMap()
    {
        int p = 0x2000, at = p + 8;
        void Tag(uint type, int size) { U32(at, type); U32(at + 4, (uint)size); }
        Tag(1, 8 + 14); Str(at + 8, "mode=checked "); at += (8 + 14 + 7) & ~7;
        Tag(2, 8 + 7); Str(at + 8, "GRUB 2"); at += (8 + 7 + 7) & ~7;
        Tag(3, 16 + 13); U32(at + 8, 0x400000); U32(at + 12, 0x480000); Str(at + 16, "console=hvc0"); at += (16 + 13 + 7) & ~7;
        Tag(6, 16 + 2 * 24); U32(at + 8, 24); U32(at + 12, 0);
        U64(at + 16, 0); U64(at + 24, 0x9fc00); U32(at + 32, 1);
        U64(at + 40, 0xf0000); U64(at + 48, 0x10000); U32(at + 56, 2);
        at += 16 + 48;
        Tag(0, 8); at += 8;
        U32(p, (uint)(at - p));
        Assert.True(Multiboot.Parse(Multiboot.Magic2, (ulong)p, _mem, _bi));
        Assert.True(_bi->Multiboot2);
        Assert.Equal("GRUB 2", CStr(_bi->LoaderName));
        Assert.Equal("mode=checked ", CStr(_bi->CmdLine));
        Assert.Equal(1, _bi->ModuleCount);
        Assert.Equal("console=hvc0", CStr(_bi->Module(0).CmdLine));
        Assert.Equal(0x480000UL, _bi->Module(0).End);
        Assert.Equal(2, _bi->MemoryRegionCount);
        Assert.Equal(2u, _bi->Region(1)->Type);
        Assert.Equal(0xf0000UL, _bi->Region(1)->Addr);
    }
}
