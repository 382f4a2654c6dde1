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
    /// its walk is skipped. Capacity entries; a full list is walked and emptied. Fast mode's native
    /// mmuext_op pins too (shim/FastPaths/FastPaths.Pin.asm.cs): its records (<see cref="NativeRecords"/>)
    /// are taken over before each Add and walk, so they count as if C# had pinned them in order.
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

        /// <summary>
        /// The native pins' records (fast_pin_records), or null: a qword count, then that many
        /// pairs (L4 frame, its <see cref="Tag"/> right after the pin). Set once at boot.
        /// </summary>
        public static ulong* NativeRecords;

        /// <summary>Moves the native pins' records into the list (the count back to 0).</summary>
        static void TakeNative(ref PageTableFrames frames)
        {
            ulong* r = NativeRecords;
            if (r == null || r[0] == 0) return;
            ulong n = r[0];
            r[0] = 0;
            for (ulong i = 0; i < n; i++) Put(ref frames, r[1 + 2 * i], r[2 + 2 * i]);
        }

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
            TakeNative(ref frames);
            Put(ref frames, l4Mfn, Tag(l4Mfn));
        }

        /// <summary>Records <paramref name="l4Mfn"/> with <paramref name="tag"/> (a pin already recorded gets the new tag).</summary>
        static void Put(ref PageTableFrames frames, ulong l4Mfn, ulong tag)
        {
            for (int i = 0; i < s_count; i++)
                if (s_list.Mfn[i] == l4Mfn) { s_list.Tag[i] = tag; return; }
            if (s_count == Capacity) Walk(ref frames);
            s_list.Mfn[s_count] = l4Mfn;
            s_list.Tag[s_count] = tag;
            s_count++;
        }

        /// <summary>Marks the user-half trees of the recorded L4s that are still L4s; empties the list. False when it was empty.</summary>
        public static bool Flush(ref PageTableFrames frames)
        {
            TakeNative(ref frames);
            return Walk(ref frames);
        }

        /// <summary><see cref="Flush"/> without taking the native records first.</summary>
        static bool Walk(ref PageTableFrames frames)
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
