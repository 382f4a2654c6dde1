namespace Microxen.Tests
{
    public unsafe class PageTablesTests
    {
        private const ulong Frames = 4096; // 16 MiB of "machine RAM"

        private sealed class Env : System.IDisposable
        {
            public byte* Ram;
            public ulong* Bits;
            public PhysMem Mem;
            public FrameAllocator Alloc;
            public Env()
            {
                Ram = (byte*)NativeMemory.AllocZeroed((nuint)(Frames * 4096));
                Bits = (ulong*)NativeMemory.Alloc((nuint)(FrameAllocator.WordsFor(Frames) * 8));
                Mem = new PhysMem(Ram);
                Alloc = new FrameAllocator(Bits, Frames);
                Alloc.AddFree(1, Frames - 1);
            }
            public void Dispose() { NativeMemory.Free(Ram); NativeMemory.Free(Bits); }
        }

        private const ulong Leaf = PageTables.Present | PageTables.Rw | PageTables.Accessed | PageTables.Dirty;
        private const ulong Tab = Leaf;

        [Fact]
        public void Canonical()
        {
            Assert.True(PageTables.IsCanonical(0));
            Assert.True(PageTables.IsCanonical(0x00007FFFFFFFFFFFUL));
            Assert.False(PageTables.IsCanonical(0x0000800000000000UL));
            Assert.True(PageTables.IsCanonical(0xFFFF800000000000UL));
            Assert.False(PageTables.IsCanonical(0xFFFE800000000000UL));
            Assert.Equal(0xFFFF800000000000UL, PageTables.Canonicalize(0x0000800000000000UL));
            Assert.Equal(0x00007FFFFFFFF000UL, PageTables.Canonicalize(0x12347FFFFFFFF000UL));
        }

        [Fact]
        public void MapCreatesTablesAndWalks()
        {
            using var e = new Env();
            ulong l4 = e.Alloc.Alloc();
            e.Mem.ZeroFrame(l4);
            ulong va = 0xFFFFFFFF81234000UL;
            var r = PageTables.Map4K(ref e.Mem, l4, va, 0x777, Leaf | PageTables.Nx, Tab, ref e.Alloc, out ulong created);
            Assert.Equal(PageTableError.Ok, r);
            Assert.Equal(3UL, created);
            Assert.True(PageTables.Walk(e.Mem, l4, va, out ulong pte, out int level, out ulong eff));
            Assert.Equal(1, level);
            Assert.Equal(0x777UL, PageTables.EntryMfn(pte));
            Assert.Equal(PageTables.Rw | PageTables.Nx, eff);
            Assert.True(PageTables.Translate(e.Mem, l4, va + 0x123, out ulong ma));
            Assert.Equal(0x777123UL, ma);
            // L4 index of 0xffffffff8... is 511, L3 510.
            Assert.Equal(511, PageTables.Index(va, 4));
            Assert.Equal(510, PageTables.Index(va, 3));
            Assert.NotEqual(0UL, PageTables.Table(e.Mem, l4)[511] & PageTables.Present);

            // Neighbour in the same L1: no new tables.
            r = PageTables.Map4K(ref e.Mem, l4, va + 4096, 0x778, Leaf, Tab, ref e.Alloc, out created);
            Assert.Equal(PageTableError.Ok, r);
            Assert.Equal(0UL, created);
            // Next 2 MiB: one new L1.
            r = PageTables.Map4K(ref e.Mem, l4, va + (2UL << 20), 0x779, Leaf, Tab, ref e.Alloc, out created);
            Assert.Equal(1UL, created);

            Assert.False(PageTables.Walk(e.Mem, l4, va + 8192, out pte, out level));
            Assert.Equal(1, level);
            Assert.False(PageTables.Walk(e.Mem, l4, 0x1000, out pte, out level));
            Assert.Equal(4, level);
            Assert.False(PageTables.Translate(e.Mem, l4, 0x1000, out ma));
        }

        [Fact]
        public void RejectsNonCanonicalAndBadFrame()
        {
            using var e = new Env();
            ulong l4 = e.Alloc.Alloc();
            Assert.Equal(PageTableError.NonCanonical,
                PageTables.Map4K(ref e.Mem, l4, 0x0000800000000000UL, 5, Leaf, Tab, ref e.Alloc, out _));
            Assert.Equal(PageTableError.BadFrame,
                PageTables.Map4K(ref e.Mem, l4, 0x1000, 1UL << 41, Leaf, Tab, ref e.Alloc, out _));
            Assert.False(PageTables.Walk(e.Mem, l4, 0x0000800000000000UL, out _, out int level));
            Assert.Equal(0, level);
        }

        [Fact]
        public void OutOfMemory()
        {
            using var e = new Env();
            ulong l4 = e.Alloc.Alloc();
            e.Alloc.Reserve(0, Frames);
            e.Alloc.Free(100);
            e.Alloc.Free(101);
            var r = PageTables.Map4K(ref e.Mem, l4, 0x40000000, 5, Leaf, Tab, ref e.Alloc, out ulong created);
            Assert.Equal(PageTableError.NoMemory, r);
            Assert.Equal(2UL, created);
        }

        [Fact]
        public void LargePagesWalkAndBlock()
        {
            using var e = new Env();
            ulong l4 = e.Alloc.Alloc();
            ulong l3 = e.Alloc.Alloc();
            ulong l2 = e.Alloc.Alloc();
            PageTables.Table(e.Mem, l4)[0] = (l3 << 12) | Tab;
            PageTables.Table(e.Mem, l3)[1] = (0x40000UL << 12) | Leaf | PageTables.Pse; // 1 GiB at 1 GiB
            PageTables.Table(e.Mem, l3)[0] = (l2 << 12) | Tab;
            PageTables.Table(e.Mem, l2)[3] = (0x200UL << 12) | Leaf | PageTables.Pse; // 2 MiB at 6 MiB
            Assert.True(PageTables.Translate(e.Mem, l4, 0x40000000UL + 0x12345678, out ulong ma));
            Assert.Equal(0x40000000UL + 0x12345678, ma);
            Assert.True(PageTables.Walk(e.Mem, l4, 0x600000 + 0x1234, out _, out int level));
            Assert.Equal(2, level);
            Assert.True(PageTables.Translate(e.Mem, l4, 0x600000 + 0x1234, out ma));
            Assert.Equal(0x200000UL + 0x1234, ma);
            Assert.Equal(PageTableError.LargePageInTheWay,
                PageTables.Map4K(ref e.Mem, l4, 0x600000, 5, Leaf, Tab, ref e.Alloc, out _));
            Assert.Equal(PageTableError.LargePageInTheWay,
                PageTables.Map4K(ref e.Mem, l4, 0x40001000, 5, Leaf, Tab, ref e.Alloc, out _));
        }

        [Fact]
        public void ListPool()
        {
            using var e = new Env();
            ulong l4 = 10;
            ulong* list = stackalloc ulong[3];
            list[0] = 20; list[1] = 21; list[2] = 22;
            e.Alloc.Reserve(20, 3);
            var pool = TableFramePool.FromList(list, 3);
            var r = PageTables.Map4K(ref e.Mem, l4, 0x8000000000UL, 5, Leaf, Tab, ref pool, out ulong created);
            Assert.Equal(PageTableError.Ok, r);
            Assert.Equal(3UL, pool.Used);
            Assert.Equal(20UL, PageTables.EntryMfn(PageTables.Table(e.Mem, l4)[1]));
            r = PageTables.Map4K(ref e.Mem, l4, 0x8000000000UL + (1UL << 30), 5, Leaf, Tab, ref pool, out created);
            Assert.Equal(PageTableError.NoMemory, r);
        }

        [Fact]
        public void DescribeIsNonEmpty()
        {
            for (int i = 0; i <= (int)PageTableError.BadFrame; i++)
                Assert.False(string.IsNullOrEmpty(PageTables.Describe((PageTableError)i)));
        }
    }
}
