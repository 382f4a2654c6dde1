namespace Microxen.Memory
{
    /// <summary>
    /// Which machine frames are the guest's page tables: one bit per frame. Fast mode keeps no
    /// page types, but writes to read-only page tables must be emulated (Linux writes its pinned
    /// tables directly) while a write to any other read-only page must fault as on Xen (Linux's
    /// xen_safe_write_ulong() relies on that fault to allocate p2m pages). A frame is marked when
    /// the builder makes it a table, when mmu_update writes an entry into it, and when it is
    /// pinned (an L4 pin marks the tables under its user half too). Marks are not cleared: a
    /// freed table is made writable again by the guest, so a stale mark costs nothing. Bits are
    /// only ever set, atomically (<see cref="Mark"/>), so readers need no lock.
    /// </summary>
    public unsafe partial struct PageTableFrames
    {
        public ulong* Bits;
        public ulong FrameCount;

        /// <summary>
        /// Sets <paramref name="mfn"/>'s bit. In the shim atomically (<see cref="SetAtomic"/>,
        /// shim/FastPaths/PageTableFrames.Atomic.cs: lock cmpxchg, only when the bit is clear):
        /// the native fast paths of other CPUs set bits of the same words with lock bts, without
        /// the C# lock (shim/FastPaths/FastPaths.Mmu.asm.cs), so a plain read-modify-write could
        /// lose theirs. Host builds (tests, fuzzing) have no CPU primitives: a plain or.
        /// </summary>
        public void Mark(ulong mfn)
        {
            if (mfn >= FrameCount) return;
            ulong* w = &Bits[mfn >> 6];
            ulong bit = 1UL << (int)(mfn & 63);
            if ((*w & bit) != 0) return;
            bool done = false;
            SetAtomic(w, bit, ref done);
            if (!done) *w |= bit;
        }

        /// <summary>Sets <paramref name="bit"/> in *<paramref name="w"/> atomically and says so in <paramref name="done"/> (the shim only).</summary>
        static partial void SetAtomic(ulong* w, ulong bit, ref bool done);

        /// <summary>True when <paramref name="mfn"/> is marked, after walking the trees of pins whose walk was deferred (<see cref="DeferredTreeMarks"/>).</summary>
        public bool IsMarked(ulong mfn)
        {
            if (mfn >= FrameCount) return false;
            if ((Bits[mfn >> 6] & (1UL << (int)(mfn & 63))) != 0) return true;
            return DeferredTreeMarks.Flush(ref this) && (Bits[mfn >> 6] & (1UL << (int)(mfn & 63))) != 0;
        }

        /// <summary>
        /// Marks the tables reachable from the L4 at <paramref name="l4Mfn"/> through slots
        /// [<paramref name="firstSlot"/>, <paramref name="endSlot"/>) (large pages end a walk).
        /// </summary>
        public void MarkTree(PhysMem mem, ulong l4Mfn, int firstSlot, int endSlot)
        {
            Mark(l4Mfn);
            ulong* l4 = (ulong*)mem.Frame(l4Mfn);
            for (int i = firstSlot; i < endSlot; i++)
            {
                if ((l4[i] & 1) == 0) continue;
                ulong l3Mfn = (l4[i] & PageTables.AddrMask) >> 12;
                if (l3Mfn >= FrameCount) continue;
                Mark(l3Mfn);
                ulong* l3 = (ulong*)mem.Frame(l3Mfn);
                for (int j = 0; j < 512; j++)
                {
                    if ((l3[j] & 1) == 0 || (l3[j] & PageTables.Pse) != 0) continue;
                    ulong l2Mfn = (l3[j] & PageTables.AddrMask) >> 12;
                    if (l2Mfn >= FrameCount) continue;
                    Mark(l2Mfn);
                    ulong* l2 = (ulong*)mem.Frame(l2Mfn);
                    for (int k = 0; k < 512; k++)
                        if ((l2[k] & 1) != 0 && (l2[k] & PageTables.Pse) == 0)
                            Mark((l2[k] & PageTables.AddrMask) >> 12);
                }
            }
        }
    }
}
