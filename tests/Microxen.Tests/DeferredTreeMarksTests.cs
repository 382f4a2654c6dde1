namespace Microxen.Tests
{
    /// <summary>Fast mode's deferred marking of the tables under pinned L4s (shim/Memory/DeferredTreeMarks.cs).</summary>
    public unsafe class DeferredTreeMarksTests
    {
        private const ulong Frames = 64;
        private const ulong Tab = PageTables.Present | PageTables.Rw;

        [Fact]
        public void PinDefersTheWalkUntilAMarkIsAskedFor()
        {
            byte* ram = (byte*)NativeMemory.AllocZeroed((nuint)(Frames * 4096));
            ulong* bits = (ulong*)NativeMemory.AllocZeroed(8);
            try
            {
                var mem = new PhysMem(ram);
                var frames = new PageTableFrames { Bits = bits, FrameCount = Frames };
                DeferredTreeMarks.Mem = mem;
                DeferredTreeMarks.Flush(ref frames);
                // L4 10 -> L3 11 (slot 0) -> L2 12 -> L1 13; L4 20 -> L3 21; shim slots of both set.
                ulong* l4 = (ulong*)mem.Frame(10), l3 = (ulong*)mem.Frame(11), l2 = (ulong*)mem.Frame(12);
                l4[0] = (11UL << 12) | Tab; l3[5] = (12UL << 12) | Tab; l2[7] = (13UL << 12) | Tab;
                l4[Layout.FirstReservedL4Slot + 5] = (40UL << 12) | Tab;
                ulong* m4 = (ulong*)mem.Frame(20);
                m4[3] = (21UL << 12) | Tab;
                m4[Layout.FirstReservedL4Slot + 5] = (40UL << 12) | Tab;
                frames.Mark(10);
                DeferredTreeMarks.Add(ref frames, 10);
                frames.Mark(20);
                DeferredTreeMarks.Add(ref frames, 20);
                Assert.Equal(2, DeferredTreeMarks.Count);
                Assert.Equal(0UL, *bits & (1UL << 13));              // nothing walked yet
                m4[Layout.FirstReservedL4Slot + 5] = 0;                 // L4 20 no longer the shim's: its walk is skipped
                ulong walked = DeferredTreeMarks.Walked;
                Assert.True(frames.IsMarked(13));                       // asking walks the recorded trees
                Assert.Equal(0, DeferredTreeMarks.Count);
                Assert.Equal(walked + 1, DeferredTreeMarks.Walked);
                Assert.True(frames.IsMarked(11));
                Assert.True(frames.IsMarked(12));
                Assert.False(frames.IsMarked(21));
                Assert.False(frames.IsMarked(40));                      // the hypervisor slots are not walked
                Assert.False(frames.IsMarked(Frames));
            }
            finally { NativeMemory.Free(ram); NativeMemory.Free(bits); }
        }
    }
}
