namespace Microxen.Domain
{
    /// <summary>
    /// The guest's initial 4-level page tables, built as Xen's dom0_construct_pv() builds them:
    /// the L4 is the first page of [vpt_start, vpt_end), the other tables follow in the order Xen
    /// creates them while it walks [v_start, v_end) ([L4], [L1], [L2], [L3], [L1], [L1], ...;
    /// Linux's xen_setup_kernel_pagetable() knows this order), every page of [v_start, v_end) is
    /// mapped, and the page-table pages themselves are mapped read-only.
    ///
    /// Access bits are Xen's (dom0_build.c BASE_PROT, L1_PROT, L2..L4_PROT): _PAGE_USER on every
    /// entry at every level, because Xen's 64-bit PV kernel runs in ring 3 and a PV kernel may rely
    /// on it (code of its own image run in user mode). microxen's guest kernel runs in ring 0, where
    /// USER does not hinder it: the shim leaves CR4.SMEP/SMAP clear and its CPUID hides both, as
    /// Xen's PV policy does. User processes are kept out of the kernel as on Xen: by the tables
    /// they run on (user_pt=switch: the guest's user L4, which holds what the guest put there;
    /// user_pt=shared: the kernel's own L4, whose upper levels the guest builds without USER, as
    /// Linux does for its kernel mappings). See README, "User-accessible kernel mappings".
    /// </summary>
    public static unsafe class InitialPageTables
    {
        /// <summary>Intermediate (L4/L3/L2) entries: Xen's L4/L3/L2_PROT, PRESENT|RW|ACCESSED|DIRTY|USER.</summary>
        public const ulong TableFlags = PageFlags.Present | PageFlags.RW | PageFlags.Accessed | PageFlags.Dirty | PageFlags.User;
        /// <summary>Leaves of the bootstrap area: Xen's L1_PROT, PRESENT|RW|ACCESSED|USER|_PAGE_GUEST_KERNEL (not DIRTY).</summary>
        public const ulong LeafFlags = PageFlags.Present | PageFlags.RW | PageFlags.Accessed | PageFlags.User | PageFlags.GuestKernel;
        /// <summary>Leaves of the p2m list at INIT_P2M: L1_PROT|_PAGE_DIRTY (setup_pv_physmap).</summary>
        public const ulong P2mLeafFlags = LeafFlags | PageFlags.Dirty;
        /// <summary>Leaves of page-table pages: L1_PROT without RW (PV page tables are never writable mappings).</summary>
        public const ulong ReadOnlyLeafFlags = LeafFlags & ~PageFlags.RW;

        const ulong None = FrameAllocator.None;

        static ulong* T(PhysMem mem, ulong mfn) => (ulong*)mem.Frame(mfn);
        static ulong Next(ulong e) => (e & PageFlags.Present) != 0 ? (e & PageFlags.PADDR_MASK) >> 12 : None;

        /// <summary>
        /// Creates the L4 and all tables for [v_start, v_end), taking table frames from the pfns
        /// of the vpt area in order, maps every page of the area except the vpt pages (whose
        /// frames are known only once the tables exist: see <see cref="MapTablePages"/>), zeroes
        /// each mapped page except initrd pages, and copies the shim's slots 256..271 into the L4.
        /// </summary>
        public static BuildError Build(PhysMem mem, in DomainLayout lay, ref P2mPlan plan, ulong* shimSlots, out ulong l4)
        {
            ulong used = 0;
            ulong ptPfn = lay.PtPfn;
            l4 = TakeTable(mem, ref plan, ptPfn, lay.NrPtPages, ref used);
            if (l4 == None) return plan.Error != BuildError.Ok ? plan.Error : BuildError.NoMemoryForPageTables;
            ulong* l4t = T(mem, l4);
            for (int i = 0; i < 16; i++) l4t[Layout.FirstReservedL4Slot + i] = shimSlots[i];

            for (ulong i = 0; i < lay.BootstrapPages; i++)
            {
                ulong va = lay.VStart + (i << 12);
                int i4 = PageTables.Index(va, 4), i3 = PageTables.Index(va, 3);
                int i2 = PageTables.Index(va, 2), i1 = PageTables.Index(va, 1);
                ulong l3 = Next(l4t[i4]);
                ulong l2 = l3 == None ? None : Next(T(mem, l3)[i3]);
                ulong l1 = l2 == None ? None : Next(T(mem, l2)[i2]);
                if (l1 == None)
                {
                    // Xen's order: the L1 first, then (at a new 1 GiB) the L2, then (at a new 512 GiB) the L3.
                    l1 = TakeTable(mem, ref plan, ptPfn, lay.NrPtPages, ref used);
                    if (l1 == None) return Fail(ref plan);
                    if (l2 == None)
                    {
                        l2 = TakeTable(mem, ref plan, ptPfn, lay.NrPtPages, ref used);
                        if (l2 == None) return Fail(ref plan);
                        if (l3 == None)
                        {
                            l3 = TakeTable(mem, ref plan, ptPfn, lay.NrPtPages, ref used);
                            if (l3 == None) return Fail(ref plan);
                            l4t[i4] = (l3 << 12) | TableFlags;
                        }
                        T(mem, l3)[i3] = (l2 << 12) | TableFlags;
                    }
                    T(mem, l2)[i2] = (l1 << 12) | TableFlags;
                }
                ulong pfn = i;
                if (pfn >= ptPfn && pfn - ptPfn < lay.NrPtPages) continue;   // a page-table page: later
                ulong mfn = plan.Assign(pfn);
                if (mfn == None) return plan.Error;
                if (!plan.IsInitrdPfn(pfn)) mem.ZeroFrame(mfn);
                T(mem, l1)[i1] = (mfn << 12) | LeafFlags;
            }
            if (used != lay.NrPtPages) return BuildError.PageTableMismatch;
            return BuildError.Ok;
        }

        static BuildError Fail(ref P2mPlan plan) => plan.Error != BuildError.Ok ? plan.Error : BuildError.NoMemoryForPageTables;

        static ulong TakeTable(PhysMem mem, ref P2mPlan plan, ulong firstPfn, ulong count, ref ulong used)
        {
            if (used >= count) return None;
            ulong mfn = plan.Assign(firstPfn + used);
            if (mfn == None) return None;
            used++;
            mem.ZeroFrame(mfn);
            return mfn;
        }

        /// <summary>
        /// Maps each page-table page of the bootstrap area read-only at its place in
        /// [vpt_start, vpt_end): visits the L4 and every table under [v_start, v_end), finds its
        /// pfn in the M2P and writes the leaf. Every vpt page must turn out to be a table.
        /// </summary>
        public static BuildError MapTablePages(PhysMem mem, in DomainLayout lay, ulong l4, ulong* m2p)
        {
            ulong seen = 0;
            BuildError e = MapTablePage(mem, lay, l4, m2p, l4, ref seen);
            if (e != BuildError.Ok) return e;
            ulong regions = DomainLayout.Regions(lay.VStart, lay.VEnd, 21);
            ulong va = lay.VStart & ~((1UL << 21) - 1);
            ulong lastL3 = None, lastL2 = None;
            for (ulong r = 0; r < regions; r++, va += 1UL << 21)
            {
                ulong l3 = Next(T(mem, l4)[PageTables.Index(va, 4)]);
                if (l3 == None) return BuildError.PageTableMismatch;
                ulong l2 = Next(T(mem, l3)[PageTables.Index(va, 3)]);
                if (l2 == None) return BuildError.PageTableMismatch;
                ulong l1 = Next(T(mem, l2)[PageTables.Index(va, 2)]);
                if (l1 == None) return BuildError.PageTableMismatch;
                if (l3 != lastL3) { e = MapTablePage(mem, lay, l4, m2p, l3, ref seen); if (e != BuildError.Ok) return e; lastL3 = l3; }
                if (l2 != lastL2) { e = MapTablePage(mem, lay, l4, m2p, l2, ref seen); if (e != BuildError.Ok) return e; lastL2 = l2; }
                e = MapTablePage(mem, lay, l4, m2p, l1, ref seen);
                if (e != BuildError.Ok) return e;
            }
            return seen == lay.NrPtPages ? BuildError.Ok : BuildError.PageTableMismatch;
        }

        static BuildError MapTablePage(PhysMem mem, in DomainLayout lay, ulong l4, ulong* m2p, ulong table, ref ulong seen)
        {
            ulong k = m2p[table] - lay.PtPfn;
            if (k >= lay.NrPtPages) return BuildError.PageTableMismatch;
            ulong va = lay.VPtStart + (k << 12);
            ulong l3 = Next(T(mem, l4)[PageTables.Index(va, 4)]);
            ulong l2 = l3 == None ? None : Next(T(mem, l3)[PageTables.Index(va, 3)]);
            ulong l1 = l2 == None ? None : Next(T(mem, l2)[PageTables.Index(va, 2)]);
            if (l1 == None) return BuildError.PageTableMismatch;
            T(mem, l1)[PageTables.Index(va, 1)] = (table << 12) | ReadOnlyLeafFlags;
            seen++;
            return BuildError.Ok;
        }

        /// <summary>
        /// Maps the p2m list at INIT_P2M (lay.VPhysmapStart) as Xen's setup_pv_physmap() does,
        /// with 4 KiB pages only: walking the list's pages in order, missing L3, L2 and L1 tables
        /// are created first, then the data page; every one takes the next pfn from
        /// lay.FirstP2mPfn on. Data pages are zeroed. <paramref name="frames"/> is the number of
        /// pfns used (start_info.nr_p2m_frames).
        /// </summary>
        public static BuildError MapP2m(PhysMem mem, in DomainLayout lay, ulong l4, ref P2mPlan plan, out ulong frames)
        {
            frames = 0;
            ulong pfn = lay.FirstP2mPfn;
            ulong limit = pfn + lay.P2mDataPages + lay.P2mTablesMax;
            for (ulong j = 0; j < lay.P2mDataPages; j++)
            {
                ulong va = lay.VPhysmapStart + (j << 12);
                ulong table = l4;
                for (int level = 4; level > 1; level--)
                {
                    ulong* t = T(mem, table);
                    int idx = PageTables.Index(va, level);
                    ulong next = Next(t[idx]);
                    if (next == None)
                    {
                        if (pfn >= limit) return BuildError.P2mDoesNotFit;
                        next = plan.Assign(pfn++);
                        if (next == None) return plan.Error;
                        mem.ZeroFrame(next);
                        t[idx] = (next << 12) | TableFlags;
                    }
                    else if ((t[idx] & PageFlags.PSE) != 0) return BuildError.P2mOverlapsBootstrap;
                    table = next;
                }
                if (pfn >= limit) return BuildError.P2mDoesNotFit;
                ulong mfn = plan.Assign(pfn++);
                if (mfn == None) return plan.Error;
                mem.ZeroFrame(mfn);
                T(mem, table)[PageTables.Index(va, 1)] = (mfn << 12) | P2mLeafFlags;
            }
            frames = pfn - lay.FirstP2mPfn;
            return BuildError.Ok;
        }

        /// <summary>
        /// For each frame of the separately mapped p2m (tables and data pages), writes its p2m
        /// entry from its M2P entry: p2m[m2p[f]] = f. Tables shared with the bootstrap area are
        /// written too (with their own, correct, pfn).
        /// </summary>
        public static BuildError FillP2mOfP2m(PhysMem mem, in DomainLayout lay, ulong l4, ulong* m2p, ref P2mWriter w)
        {
            ulong last3 = None, last2 = None, last1 = None;
            for (ulong j = 0; j < lay.P2mDataPages; j++)
            {
                ulong va = lay.VPhysmapStart + (j << 12);
                ulong l3 = Next(T(mem, l4)[PageTables.Index(va, 4)]);
                ulong l2 = l3 == None ? None : Next(T(mem, l3)[PageTables.Index(va, 3)]);
                ulong l1 = l2 == None ? None : Next(T(mem, l2)[PageTables.Index(va, 2)]);
                ulong d = l1 == None ? None : Next(T(mem, l1)[PageTables.Index(va, 1)]);
                if (d == None) return BuildError.PageTableMismatch;
                if (l3 != last3) { if (!w.Write(m2p[l3], l3)) return BuildError.PageTableMismatch; last3 = l3; }
                if (l2 != last2) { if (!w.Write(m2p[l2], l2)) return BuildError.PageTableMismatch; last2 = l2; }
                if (l1 != last1) { if (!w.Write(m2p[l1], l1)) return BuildError.PageTableMismatch; last1 = l1; }
                if (!w.Write(m2p[d], d)) return BuildError.PageTableMismatch;
            }
            return BuildError.Ok;
        }
    }

    /// <summary>Writes p2m entries (8 bytes, mfn per pfn) through the guest's page tables, caching the current page.</summary>
    public unsafe struct P2mWriter
    {
        public PhysMem Mem;
        public ulong L4;
        public ulong Base;       // virtual address of the p2m list
        public ulong NrPages;
        ulong _vpn;
        ulong* _page;

        public static P2mWriter Create(PhysMem mem, ulong l4, ulong baseVa, ulong nrPages)
        {
            P2mWriter w = default(P2mWriter);
            w.Mem = mem; w.L4 = l4; w.Base = baseVa; w.NrPages = nrPages;
            w._vpn = ulong.MaxValue; w._page = null;
            return w;
        }

        /// <summary>p2m[pfn] = mfn; false when pfn is out of range or the list is not mapped there.</summary>
        public bool Write(ulong pfn, ulong mfn)
        {
            if (pfn >= NrPages) return false;
            ulong va = Base + pfn * 8;
            ulong vpn = va >> 12;
            if (vpn != _vpn)
            {
                ulong ma;
                if (!PageTables.Translate(Mem, L4, va & ~0xFFFUL, out ma)) return false;
                _page = (ulong*)Mem.At(ma);
                _vpn = vpn;
            }
            _page[(va & 0xFFF) >> 3] = mfn;
            return true;
        }
    }
}
