namespace Microxen.Memory
{
    /// <summary>Result of a page-table edit.</summary>
    public enum PageTableError
    {
        Ok = 0,
        /// <summary>The virtual address is not canonical (bits 48-63 must copy bit 47).</summary>
        NonCanonical,
        /// <summary>A page-table frame was needed and none was left.</summary>
        NoMemory,
        /// <summary>A 2 MiB or 1 GiB mapping covers the address; it is not split.</summary>
        LargePageInTheWay,
        /// <summary>The machine frame number does not fit in a page-table entry (52-bit addresses).</summary>
        BadFrame,
    }

    /// <summary>
    /// Where <see cref="PageTables"/> takes the frames of new page tables from: either a
    /// <see cref="FrameAllocator"/> or a caller-supplied list of frames used in order (the domain
    /// builder puts the guest's initial tables in frames it chose beforehand).
    /// </summary>
    public unsafe struct TableFramePool
    {
        /// <summary>Allocator to draw from (lowest free frame first), or null to use <see cref="List"/>.</summary>
        public FrameAllocator* Allocator;
        /// <summary>When <see cref="Allocator"/> is null: frames to use, in order.</summary>
        public ulong* List;
        public ulong Count;
        /// <summary>Entries of <see cref="List"/> used so far.</summary>
        public ulong Used;

        public static TableFramePool FromList(ulong* list, ulong count)
        {
            TableFramePool p;
            p.Allocator = null; p.List = list; p.Count = count; p.Used = 0;
            return p;
        }

        public static TableFramePool FromAllocator(FrameAllocator* allocator)
        {
            TableFramePool p;
            p.Allocator = allocator; p.List = null; p.Count = 0; p.Used = 0;
            return p;
        }

        /// <summary>Next frame, or <see cref="FrameAllocator.None"/>.</summary>
        public ulong Take()
        {
            if (Allocator != null) return Allocator->Alloc();
            if (Used >= Count) return FrameAllocator.None;
            return List[Used++];
        }
    }

    /// <summary>
    /// 4-level x86-64 paging over <see cref="PhysMem"/>: tables are machine frames, entries hold
    /// machine addresses. Level numbers: 4 = L4 (PML4), 3 = L3 (PDPT), 2 = L2 (PD), 1 = L1 (PT).
    /// </summary>
    public static unsafe class PageTables
    {
        // Architectural PTE bits, from Microxen.Xen.PageFlags (same values as Xen's _PAGE_*).
        public const ulong Present = Microxen.Xen.PageFlags.Present;
        public const ulong Rw = Microxen.Xen.PageFlags.RW;
        public const ulong User = Microxen.Xen.PageFlags.User;
        public const ulong Accessed = Microxen.Xen.PageFlags.Accessed;
        public const ulong Dirty = Microxen.Xen.PageFlags.Dirty;
        /// <summary>PSE in L2/L3 entries (a 2 MiB / 1 GiB leaf); PAT in L1 entries.</summary>
        public const ulong Pse = Microxen.Xen.PageFlags.PSE;
        public const ulong Nx = Microxen.Xen.PageFlags.NX;
        /// <summary>Bits 12..51 of an entry: the machine address of the next table or of the page.</summary>
        public const ulong AddrMask = Microxen.Xen.PageFlags.PADDR_MASK;
        public const ulong MaxMfn = (1UL << 40) - 1;

        /// <summary>True when bits 48-63 of <paramref name="va"/> all equal bit 47.</summary>
        public static bool IsCanonical(ulong va)
        {
            ulong top = va >> 47;
            return top == 0 || top == 0x1FFFF;
        }

        /// <summary>Sign-extends a 48-bit address (bit 47 into bits 48-63).</summary>
        public static ulong Canonicalize(ulong va)
        {
            return (va & (1UL << 47)) != 0 ? (va | 0xFFFF000000000000UL) : (va & 0x0000FFFFFFFFFFFFUL);
        }

        /// <summary>Index of <paramref name="va"/> in its table at <paramref name="level"/> (1..4).</summary>
        public static int Index(ulong va, int level) => (int)((va >> (12 + 9 * (level - 1))) & 511);

        /// <summary>Machine frame an entry points to.</summary>
        public static ulong EntryMfn(ulong pte) => (pte & AddrMask) >> 12;

        /// <summary>Pointer to the 512 entries of the table in machine frame <paramref name="mfn"/>.</summary>
        public static ulong* Table(PhysMem mem, ulong mfn) => (ulong*)mem.Frame(mfn);

        /// <summary>
        /// Maps the 4 KiB page at <paramref name="va"/> to machine frame <paramref name="mfn"/> with
        /// <paramref name="leafFlags"/> (Present included by the caller), creating missing L3/L2/L1
        /// tables from <paramref name="frames"/> (zeroed, entered with <paramref name="tableFlags"/>).
        /// Present intermediate entries are kept as they are; an existing leaf is replaced.
        /// <paramref name="tablesCreated"/> counts the new table frames.
        /// </summary>
        public static PageTableError Map4K(ref PhysMem mem, ulong l4Mfn, ulong va, ulong mfn,
            ulong leafFlags, ulong tableFlags, ref FrameAllocator frames, out ulong tablesCreated)
        {
            fixed (FrameAllocator* fa = &frames)
            {
                TableFramePool pool = TableFramePool.FromAllocator(fa);
                return Map4K(ref mem, l4Mfn, va, mfn, leafFlags, tableFlags, ref pool, out tablesCreated);
            }
        }

        /// <summary>As the allocator overload, taking new table frames from <paramref name="pool"/>.</summary>
        public static PageTableError Map4K(ref PhysMem mem, ulong l4Mfn, ulong va, ulong mfn,
            ulong leafFlags, ulong tableFlags, ref TableFramePool pool, out ulong tablesCreated)
        {
            tablesCreated = 0;
            if (!IsCanonical(va)) return PageTableError.NonCanonical;
            if (mfn > MaxMfn) return PageTableError.BadFrame;
            ulong table = l4Mfn;
            for (int level = 4; level > 1; level--)
            {
                ulong* t = Table(mem, table);
                int idx = Index(va, level);
                ulong e = t[idx];
                if ((e & Present) == 0)
                {
                    ulong nf = pool.Take();
                    if (nf == FrameAllocator.None) return PageTableError.NoMemory;
                    mem.ZeroFrame(nf);
                    t[idx] = (nf << 12) | (tableFlags & ~(AddrMask | Pse)) | Present;
                    tablesCreated++;
                    table = nf;
                }
                else
                {
                    if (level < 4 && (e & Pse) != 0) return PageTableError.LargePageInTheWay;
                    table = EntryMfn(e);
                }
            }
            ulong* l1 = Table(mem, table);
            l1[Index(va, 1)] = (mfn << 12) | (leafFlags & ~AddrMask);
            return PageTableError.Ok;
        }

        /// <summary>
        /// Walks the tables for <paramref name="va"/>. Returns true when a present leaf was found:
        /// <paramref name="pte"/> is that entry and <paramref name="level"/> its level (1 = 4 KiB,
        /// 2 = 2 MiB, 3 = 1 GiB). Returns false when an entry on the way is not present (then
        /// <paramref name="pte"/> is that entry and <paramref name="level"/> its level) or the
        /// address is not canonical (level 0, pte 0).
        /// </summary>
        public static bool Walk(PhysMem mem, ulong l4Mfn, ulong va, out ulong pte, out int level)
        {
            ulong eff;
            return Walk(mem, l4Mfn, va, out pte, out level, out eff);
        }

        /// <summary>
        /// As <see cref="Walk(PhysMem, ulong, ulong, out ulong, out int)"/>, also giving the
        /// effective access bits of the whole walk in <paramref name="effective"/>: Rw and User
        /// set only when set at every level, Nx set when set at any level.
        /// </summary>
        public static bool Walk(PhysMem mem, ulong l4Mfn, ulong va, out ulong pte, out int level, out ulong effective)
        {
            pte = 0; level = 0; effective = 0;
            if (!IsCanonical(va)) return false;
            ulong andBits = Rw | User;
            ulong nx = 0;
            ulong table = l4Mfn;
            for (int l = 4; l >= 1; l--)
            {
                ulong e = Table(mem, table)[Index(va, l)];
                pte = e; level = l;
                if ((e & Present) == 0) return false;
                andBits &= e;
                nx |= e & Nx;
                if (l == 1 || (l < 4 && (e & Pse) != 0))
                {
                    effective = andBits | nx;
                    return true;
                }
                table = EntryMfn(e);
            }
            return false;
        }

        /// <summary>Machine address <paramref name="va"/> maps to, following large pages too.</summary>
        public static bool Translate(PhysMem mem, ulong l4Mfn, ulong va, out ulong ma)
        {
            ulong pte; int level;
            ma = 0;
            if (!Walk(mem, l4Mfn, va, out pte, out level)) return false;
            ulong pageMask = (1UL << (12 + 9 * (level - 1))) - 1;
            ma = ((pte & AddrMask) & ~pageMask) | (va & pageMask);
            return true;
        }

        /// <summary>One-line English description of <paramref name="e"/>.</summary>
        public static string Describe(PageTableError e)
        {
            switch (e)
            {
                case PageTableError.Ok: return "success";
                case PageTableError.NonCanonical: return "virtual address is not canonical (bits 48-63 must copy bit 47)";
                case PageTableError.NoMemory: return "no free frame left for a page table";
                case PageTableError.LargePageInTheWay: return "a 2 MiB or 1 GiB mapping already covers the address";
                case PageTableError.BadFrame: return "machine frame number does not fit in a page-table entry";
                default: return "unknown page-table error";
            }
        }
    }
}
