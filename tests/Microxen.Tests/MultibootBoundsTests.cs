namespace Microxen.Tests;

/// <summary>
/// Multiboot.Parse's bounded view (the fuzz target's contract): references outside physical
/// 0..view, tags shorter than their header, zero-sized map entries and strings without a NUL are
/// refused instead of read past or looped on.
/// </summary>
public unsafe class MultibootBoundsTests : IDisposable
{
    const int View = 0x1000;
    readonly byte* _mem = (byte*)NativeMemory.AllocZeroed(View);
    readonly BootInfo* _bi = (BootInfo*)NativeMemory.AllocZeroed((nuint)sizeof(BootInfo));
    public void Dispose() { NativeMemory.Free(_mem); NativeMemory.Free(_bi); }

    void U32(int at, uint v) => *(uint*)(_mem + at) = v;
    bool V2() => Multiboot.Parse(Multiboot.Magic2, 0, _mem, View, _bi);

    /// <summary>v2 information: a memory map tag (one RAM entry) at 8, then the tag <paramref name="type"/>/<paramref name="size"/> at 48, then the end tag.</summary>
    void BuildV2(uint type, uint size)
    {
        U32(8, Multiboot.TagMemoryMap); U32(12, 40); U32(16, 24); U32(24 + 8, 0x1000); U32(24 + 16, 1);
        U32(48, type); U32(52, size);
        U32(0, 48 + 8 + 8);
    }

    [Fact]
    public void AWellFormedV2IsRead()
    {
        BuildV2(Multiboot.TagLoaderName, 8 + 4);
        *(uint*)(_mem + 56) = 0x00425547;   // "GUB\0"
        U32(0, 72);
        Assert.True(V2());
        Assert.Equal(1, _bi->MemoryRegionCount);
    }

    [Fact]
    public void MalformedV2IsRefused()
    {
        BuildV2(Multiboot.TagCmdLine, 0);            // size below the tag header: was an endless loop
        Assert.False(V2());
        BuildV2(Multiboot.TagCmdLine, 8 + 4);         // "aaaa" without its NUL inside the tag
        *(uint*)(_mem + 56) = 0x61616161; U32(60, 0x61616161); U32(0, 64);
        Assert.False(V2());
        BuildV2(Multiboot.TagLoaderName, 8);
        U32(16, 0);                                   // memory map entry size 0: was an endless loop
        Assert.False(V2());
        U32(0, View + 8);                             // total beyond the view
        Assert.False(V2());
    }

    [Fact]
    public void V1PointersOutsideTheViewAreRefused()
    {
        U32(0, 1u << 6); U32(44, 24); U32(48, 0x800);
        U32(0x800, 20); U32(0x800 + 12, 0x1000); U32(0x800 + 20, 1);
        Assert.True(Multiboot.Parse(Multiboot.Magic1, 0, _mem, View, _bi));
        U32(48, View - 8);                            // the map runs past the view
        Assert.False(Multiboot.Parse(Multiboot.Magic1, 0, _mem, View, _bi));
        U32(48, 0x800); U32(0, (1u << 6) | (1u << 2)); U32(16, View);   // command line at the view's end
        Assert.False(Multiboot.Parse(Multiboot.Magic1, 0, _mem, View, _bi));
        Assert.False(Multiboot.Parse(Multiboot.Magic1, View - 16, _mem, View, _bi));   // info itself past the end
    }
}
