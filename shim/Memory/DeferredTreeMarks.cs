using Microxen.Xen;

namespace Microxen.Memory
{
    /// <summary>
    /// Fast mode's pinned L4s whose trees are not marked yet (<see cref="PageTableFrames"/>).
    /// Marking the tables under a new L4's user half at MMUEXT_PIN_L4_TABLE walks up to 256 L3 and
    /// their L2 tables (about 40,000 instructions per fork of a small process), yet the marks are
    /// only read when a mark is asked for and missing: a write to a read-only page
    /// (Traps/PageTableWrite.cs) or a frame check of another hypercall. So the pin records the L4
    /// and <see cref="PageTableFrames.IsMarked"/> walks the recorded trees before it answers "not a
    /// page table": every answer is the one the walk at pin time would have given, plus the
    /// tables hooked in since (which mmu_update marks anyway). A recorded L4 whose hypervisor slots
    /// (256-271, the shim's, filled at the pin) changed since is no longer an L4 the guest uses:
    /// its walk is skipped. Capacity entries; a full list is walked and emptied.
    /// </summary>
    public static unsafe class DeferredTreeMarks
    {
        public const int Capacity = 64;
        struct List { public fixed ulong Mfn[Capacity]; public fixed ulong Tag[Capacity]; }
        static List s_list;
        static int s_count;
        public static PhysMem Mem;
        /// <summary>Trees walked so far (pins whose walk was needed), for the log and tests.</summary>
        public static ulong Walked;

        public static int Count => s_count;

        /// <summary>The sum of the L4's hypervisor slots (256-271): the mark of an L4 the shim prepared.</summary>
        static ulong Tag(ulong l4Mfn)
        {
            ulong* l4 = (ulong*)Mem.Frame(l4Mfn);
            ulong t = 0;
            for (int i = Layout.FirstReservedL4Slot; i <= Layout.LastReservedL4Slot; i++) t += l4[i];
            return t;
        }

        /// <summary>Records pinned L4 <paramref name="l4Mfn"/> (its hypervisor slots already filled).</summary>
        public static void Add(ref PageTableFrames frames, ulong l4Mfn)
        {
            for (int i = 0; i < s_count; i++)
                if (s_list.Mfn[i] == l4Mfn) { s_list.Tag[i] = Tag(l4Mfn); return; }
            if (s_count == Capacity) Flush(ref frames);
            s_list.Mfn[s_count] = l4Mfn;
            s_list.Tag[s_count] = Tag(l4Mfn);
            s_count++;
        }

        /// <summary>Marks the user-half trees of the recorded L4s that are still L4s; empties the list. False when it was empty.</summary>
        public static bool Flush(ref PageTableFrames frames)
        {
            if (s_count == 0) return false;
            int n = s_count;
            s_count = 0;
            for (int i = 0; i < n; i++)
            {
                ulong mfn = s_list.Mfn[i];
                if (Tag(mfn) != s_list.Tag[i]) continue;
                frames.MarkTree(Mem, mfn, 0, Layout.FirstReservedL4Slot);
                Walked++;
            }
            return true;
        }
    }
}
