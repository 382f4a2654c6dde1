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
    
        [Fact]
        public void NativePinRecordsAreTakenOverBeforeAWalkAndBeforeAnAdd()
        {
            byte* ram = (byte*)NativeMemory.AllocZeroed((nuint)(Frames * 4096));
            ulong* bits = (ulong*)NativeMemory.AllocZeroed(8);
            ulong* records = (ulong*)NativeMemory.AllocZeroed(8 * 7);
            try
            {
                var mem = new PhysMem(ram);
                var frames = new PageTableFrames { Bits = bits, FrameCount = Frames };
                DeferredTreeMarks.Mem = mem;
                DeferredTreeMarks.NativeRecords = null;
                DeferredTreeMarks.Flush(ref frames);
                // L4 10 -> L3 11 -> L2 12 -> L1 13 and L4 20 -> L3 21, both pinned natively (records
                // with their tags); L4 30 -> L3 31 pinned natively with a tag its slots no longer match.
                ulong* l4 = (ulong*)mem.Frame(10), l3 = (ulong*)mem.Frame(11), l2 = (ulong*)mem.Frame(12);
                l4[1] = (11UL << 12) | Tab; l3[2] = (12UL << 12) | Tab; l2[3] = (13UL << 12) | Tab;
                ulong shim = (40UL << 12) | Tab;
                l4[Layout.FirstReservedL4Slot] = shim;
                ((ulong*)mem.Frame(20))[4] = (21UL << 12) | Tab;
                ((ulong*)mem.Frame(20))[Layout.FirstReservedL4Slot] = shim;
                ((ulong*)mem.Frame(30))[5] = (31UL << 12) | Tab;
                records[0] = 3;
                records[1] = 10; records[2] = shim;
                records[3] = 30; records[4] = shim + 1;
                records[5] = 20; records[6] = shim;
                DeferredTreeMarks.NativeRecords = records;
                Assert.True(frames.IsMarked(13));                       // the walk takes the records first
                Assert.Equal(0UL, records[0]);
                Assert.True(frames.IsMarked(21));
                Assert.False(frames.IsMarked(31));                      // its tag no longer matches: not walked
                records[0] = 1;
                records[1] = 20; records[2] = shim;
                DeferredTreeMarks.Add(ref frames, 10);                  // a C# pin takes them over too
                Assert.Equal(0UL, records[0]);
                Assert.Equal(2, DeferredTreeMarks.Count);
                DeferredTreeMarks.Add(ref frames, 10);                  // the same L4 again: one entry
                Assert.Equal(2, DeferredTreeMarks.Count);
                DeferredTreeMarks.Flush(ref frames);                    // emptied for the other tests
            }
            finally
            {
                DeferredTreeMarks.NativeRecords = null;
                NativeMemory.Free(ram); NativeMemory.Free(bits); NativeMemory.Free(records);
            }
        }
}
}
