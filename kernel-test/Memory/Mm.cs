namespace KernelTest.Memory
{
    /// <summary>
    /// What start_info says about memory, and the translations kernel-test needs: the p2m list
    /// (pfn -> mfn, start_info.mfn_list), the read-only M2P at HYPERVISOR_VIRT_START
    /// (mfn -> pfn), and the bootstrap mapping the domain builder made (pfn p at
    /// VIRT_BASE + p * 4 KiB for every frame of the bootstrap area, page tables included,
    /// read-only for those). Free frames are taken from the top of the p2m, far above the
    /// bootstrap area, so no mapping of them exists.
    /// </summary>
    public static unsafe class Mm
    {
        /// <summary>
        /// The image's physical address (kernel-test/kernel-test.ld, asserted there): the image,
        /// the transfer page first, lies at VIRT_BASE + 1 MiB in both builds.
        /// </summary>
        public const ulong ImagePhysAddr = 0x100000;
        /// <summary>
        /// v_start: XEN_ELFNOTE_VIRT_BASE of the kernel-half build (0xffffffff80000000), 0 for the
        /// build linked at 1 MiB (no note: libelf's default). Found from where the image runs.
        /// </summary>
        public static ulong VirtBase;
        public const ulong PageSize = 4096;
        /// <summary>Flags of a present, writable, accessed, dirty kernel mapping.</summary>
        public const ulong KernelRw = PageFlags.Present | PageFlags.RW | PageFlags.Accessed | PageFlags.Dirty;

        public static StartInfo* Start;
        public static ulong* P2m;
        public static ulong* M2p;
        public static ulong NrPages;
        /// <summary>Machine frame of the L4 the kernel runs on (start_info.pt_base).</summary>
        public static ulong KernelL4Mfn;
        static ulong s_nextFreePfn;
        static ulong s_lowestFreePfn;

        /// <summary>Reads start_info; false (with <paramref name="why"/>) when its layout is not the one expected.</summary>
        public static bool Init(StartInfo* si, out string why)
        {
            Start = si;
            VirtBase = KernelTest.Arch.Traps.Syms->HypercallPage - ImagePhysAddr;
            P2m = (ulong*)si->MfnList;
            M2p = (ulong*)Layout.MACH2PHYS_VIRT_START;
            NrPages = si->NrPages;
            ulong ptPfn = PfnOfVa(si->PtBase);
            KernelL4Mfn = P2m[ptPfn];
            why = null;
            if (M2p[KernelL4Mfn] != ptPfn) { why = "M2P[p2m[pfn(pt_base)]] != pfn(pt_base)"; return false; }
            // Everything the builder mapped lies below the page tables' end plus its padding
            // (Xen: 512 KiB, rounded to 4 MiB); leave 16 MiB to spare.
            s_lowestFreePfn = PfnOfVa(si->PtBase) + si->NrPtFrames + 4096;
            s_nextFreePfn = NrPages;
            if (s_lowestFreePfn + 256 > NrPages) { why = "too few pages above the bootstrap area"; return false; }
            return true;
        }

        public static ulong PfnOfVa(ulong va) => (va - VirtBase) >> 12;

        /// <summary>Machine frame behind a bootstrap-area virtual address (kernel image, stacks, page tables).</summary>
        public static ulong MfnOfVa(ulong va) => P2m[PfnOfVa(va)];

        /// <summary>The bootstrap-area virtual address of machine frame <paramref name="mfn"/> (page tables the builder made).</summary>
        public static ulong* VaOfMfn(ulong mfn) => (ulong*)(VirtBase + (M2p[mfn] << 12));

        /// <summary>A frame no mapping refers to (the next one down from the top of the p2m), or 0 when exhausted.</summary>
        public static ulong AllocFrame()
        {
            if (s_nextFreePfn <= s_lowestFreePfn) return 0;
            return P2m[--s_nextFreePfn];
        }

        public static ulong FramesUsed => NrPages - s_nextFreePfn;

        /// <summary>Index of <paramref name="va"/> in its level-<paramref name="level"/> table (1 = L1).</summary>
        public static int Index(ulong va, int level) => (int)((va >> (12 + 9 * (level - 1))) & 511);

        public static ulong EntryMfn(ulong e) => (e & PageFlags.PADDR_MASK) >> 12;
    }
}
