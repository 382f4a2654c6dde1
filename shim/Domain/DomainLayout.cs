namespace Microxen.Domain
{
    /// <summary>
    /// The virtual and pseudo-physical layout of a 64-bit PV initial domain, computed as Xen 4.17's
    /// dom0_construct_pv() (xen/arch/x86/pv/dom0_build.c) does:
    /// <code>
    /// v_start = VIRT_BASE
    ///   kernel            [vkern_start, vkern_end)          (PT_LOAD segments by paddr + VIRT_BASE - PADDR_OFFSET)
    ///   initrd            [vinitrd_start, vinitrd_end)      (only without MOD_START_PFN)
    ///   p2m list          [vphysmap_start, vphysmap_end)    (only without INIT_P2M; nr_pages * 8 bytes)
    ///   start_info        [vstartinfo_start, +sizeof(start_info) + sizeof(dom0_vga_console_info))
    ///   page tables       [vpt_start, vpt_end)              (nr_pt_pages, the L4 first)
    ///   boot stack        [vstack_start, vstack_end)        (one page)
    /// v_end = vstack_end rounded up to 4 MiB, with at least 512 KiB to spare
    /// </code>
    /// With INIT_P2M the p2m list is mapped at P2mBase instead, with its own page tables.
    /// Pseudo-physical frames: pfn = (va - v_start) / 4096 in the bootstrap area; then, as Xen numbers
    /// them, the remainder of the initial 2^order allocation, then the separately mapped p2m frames
    /// (first_p2m_pfn), then ordinary pages. With MOD_START_PFN the initrd takes the pfns right
    /// after those (microxen's choice: low, because Linux hands the initrd's address on in a
    /// 32-bit field, boot_params.hdr.ramdisk_image).
    /// </summary>
    public struct DomainLayout
    {
        public const ulong PageSize = 4096;
        public const ulong StartInfoSize = 1168;      // sizeof(start_info_t), x86_64
        public const ulong VgaConsoleInfoSize = 40;   // sizeof(dom0_vga_console_info_t)

        public ulong NrPages;

        public ulong VStart, VEnd;
        public ulong VKernStart, VKernEnd;
        public ulong VInitrdStart, VInitrdEnd;        // 0, 0 when the initrd is not mapped
        public ulong VPhysmapStart, VPhysmapEnd;      // at P2mBase when P2mSeparate
        public ulong VStartInfoStart, VStartInfoEnd;
        public ulong VPtStart, VPtEnd;
        public ulong NrPtPages;
        public ulong VStackStart, VStackEnd;

        /// <summary>The p2m list is mapped at INIT_P2M, outside the bootstrap area.</summary>
        public bool P2mSeparate;
        /// <summary>The initrd is mapped in the bootstrap area (no MOD_START_PFN).</summary>
        public bool InitrdMapped;

        /// <summary>Pages of [v_start, v_end): pfns 0 .. BootstrapPages-1.</summary>
        public ulong BootstrapPages;
        /// <summary>Order of Xen's initial allocation (get_order_from_bytes of the bootstrap area without a mapped initrd).</summary>
        public int AllocOrder;

        public ulong InitrdLength;
        public ulong InitrdPages;
        /// <summary>First pfn of the initrd (Unset when there is none).</summary>
        public ulong InitrdPfn;

        /// <summary>start_info.first_p2m_pfn: first pfn after the initial allocation.</summary>
        public ulong FirstP2mPfn;
        /// <summary>Data pages of the separately mapped p2m list (0 when not separate).</summary>
        public ulong P2mDataPages;
        /// <summary>Upper bound of the page-table pages that mapping needs.</summary>
        public ulong P2mTablesMax;

        public ulong StartInfoPfn => (VStartInfoStart - VStart) >> 12;
        public ulong PtPfn => (VPtStart - VStart) >> 12;
        public ulong StackPfn => (VStackStart - VStart) >> 12;

        static ulong RoundUp(ulong v, ulong a) => (v + a - 1) & ~(a - 1);

        /// <summary>Number of 2^shift-aligned regions [lo, hi) touches (Xen's NR macro).</summary>
        public static ulong Regions(ulong lo, ulong hi, int shift)
        {
            ulong a = (1UL << shift) - 1;
            return (((hi + a) & ~a) - (lo & ~a)) >> shift;
        }

        static bool Add(ulong a, ulong b, out ulong r)
        {
            r = a + b;
            return r >= a;
        }

        /// <summary>
        /// Computes the layout for <paramref name="nrPages"/> guest pages and an initrd of
        /// <paramref name="initrdLength"/> bytes. Checks what Xen checks at this stage (the kernel
        /// fits, no overlap with the hypervisor range or, for INIT_P2M, with the bootstrap area) and
        /// that every address is computed without wrapping and is canonical.
        /// </summary>
        public static BuildError Compute(in ElfDomainParams parms, ulong nrPages, ulong initrdLength, out DomainLayout lay)
        {
            lay = default(DomainLayout);
            const ulong Unset = ElfDomainParams.Unset;
            if (parms.VirtKStart == Unset || parms.VirtKEnd == Unset || parms.VirtKEnd < parms.VirtKStart ||
                parms.VirtBase == Unset || parms.VirtBase > parms.VirtKStart || (parms.VirtBase & (PageSize - 1)) != 0)
                return BuildError.BadKernelParams;
            if (nrPages == 0 || nrPages > (ulong.MaxValue >> 13)) return BuildError.LayoutOverflow;

            lay.NrPages = nrPages;
            lay.InitrdLength = initrdLength;
            lay.InitrdPages = (initrdLength + PageSize - 1) >> 12;
            lay.InitrdPfn = Unset;
            lay.P2mSeparate = parms.P2mBase != Unset;
            lay.InitrdMapped = !parms.ModStartPfn && initrdLength != 0;

            lay.VStart = parms.VirtBase;
            lay.VKernStart = parms.VirtKStart;
            lay.VKernEnd = parms.VirtKEnd;
            ulong t;
            if (lay.VKernEnd > ulong.MaxValue - PageSize) return BuildError.LayoutOverflow;
            if (!lay.InitrdMapped)
            {
                lay.VPhysmapStart = RoundUp(lay.VKernEnd, PageSize);
            }
            else
            {
                lay.VInitrdStart = RoundUp(lay.VKernEnd, PageSize);
                if (!Add(lay.VInitrdStart, lay.InitrdPages << 12, out t)) return BuildError.LayoutOverflow;
                lay.VInitrdEnd = lay.VInitrdStart + initrdLength;
                lay.VPhysmapStart = t;
            }
            if (lay.P2mSeparate) lay.VPhysmapEnd = lay.VPhysmapStart;
            else if (!Add(lay.VPhysmapStart, nrPages * 8, out lay.VPhysmapEnd)) return BuildError.LayoutOverflow;

            if (!Add(lay.VPhysmapEnd, PageSize - 1, out t)) return BuildError.LayoutOverflow;
            lay.VStartInfoStart = t & ~(PageSize - 1);
            lay.VStartInfoEnd = lay.VStartInfoStart + StartInfoSize;
            lay.VPtStart = RoundUp(lay.VStartInfoEnd, PageSize);
            lay.VStartInfoEnd += VgaConsoleInfoSize;
            if (lay.VPtStart < lay.VStartInfoStart || lay.VPtStart > ulong.MaxValue - (1UL << 30))
                return BuildError.LayoutOverflow;

            // Xen's search for the number of page-table pages: the bootstrap area's size depends
            // on it (the tables are mapped inside it), so try 2, 3, ... until the tables needed
            // to map [v_start, v_end) (1 L4 + L3s + L2s + L1s) fit.
            for (ulong n = 2; ; n++)
            {
                if (n > (1UL << 20)) return BuildError.LayoutOverflow;
                lay.VPtEnd = lay.VPtStart + n * PageSize;
                lay.VStackStart = lay.VPtEnd;
                lay.VStackEnd = lay.VStackStart + PageSize;
                if (lay.VStackEnd > ulong.MaxValue - (1UL << 23)) return BuildError.LayoutOverflow;
                lay.VEnd = RoundUp(lay.VStackEnd, 1UL << 22);
                if (lay.VEnd - lay.VStackEnd < (512UL << 10)) lay.VEnd += 1UL << 22; // at least 512 KiB of slack
                if (lay.VEnd == 0) return BuildError.LayoutOverflow;
                ulong need = 1 + Regions(lay.VStart, lay.VEnd, 39) + Regions(lay.VStart, lay.VEnd, 30)
                               + Regions(lay.VStart, lay.VEnd, 21);
                if (need <= n) { lay.NrPtPages = n; break; }
            }

            if (!PageTables.IsCanonical(lay.VStart) || !PageTables.IsCanonical(lay.VEnd - 1) ||
                ((lay.VStart ^ (lay.VEnd - 1)) >> 63) != 0)
                return BuildError.NonCanonicalLayout;
            if (lay.VStart < Layout.HYPERVISOR_VIRT_END && lay.VEnd > Layout.HYPERVISOR_VIRT_START)
                return BuildError.OverlapsHypervisorArea;

            lay.BootstrapPages = (lay.VEnd - lay.VStart) >> 12;
            ulong count = lay.VEnd - lay.VStart;
            if (lay.InitrdMapped) count -= lay.InitrdPages << 12;
            int order = 0;
            while ((PageSize << order) < count) order++;
            lay.AllocOrder = order;
            if (order >= 52 || (1UL << order) + lay.InitrdPages > nrPages) return BuildError.KernelDoesNotFit;

            // Pfns after the initial allocation (Xen: domain_tot_pages() after it, initrd included).
            lay.FirstP2mPfn = (1UL << order) + (lay.InitrdMapped ? lay.InitrdPages : 0);
            if (lay.InitrdPages != 0 && lay.InitrdMapped)
                lay.InitrdPfn = (lay.VInitrdStart - lay.VStart) >> 12;

            if (lay.P2mSeparate)
            {
                lay.VPhysmapStart = parms.P2mBase;
                if ((lay.VPhysmapStart & (PageSize - 1)) != 0) return BuildError.BadKernelParams;
                if (!Add(lay.VPhysmapStart, nrPages * 8, out lay.VPhysmapEnd)) return BuildError.LayoutOverflow;
                lay.P2mDataPages = (nrPages * 8 + PageSize - 1) >> 12;
                ulong mapEnd = lay.VPhysmapStart + (lay.P2mDataPages << 12);
                if (mapEnd < lay.VPhysmapStart) return BuildError.LayoutOverflow;
                if (!PageTables.IsCanonical(lay.VPhysmapStart) || !PageTables.IsCanonical(mapEnd - 1) ||
                    ((lay.VPhysmapStart ^ (mapEnd - 1)) >> 63) != 0)
                    return BuildError.NonCanonicalLayout;
                if (lay.VPhysmapStart < Layout.HYPERVISOR_VIRT_END && mapEnd > Layout.HYPERVISOR_VIRT_START)
                    return BuildError.OverlapsHypervisorArea;
                if (lay.VStart <= lay.VPhysmapEnd && lay.VPhysmapStart <= lay.VEnd)
                    return BuildError.P2mOverlapsBootstrap;
                lay.P2mTablesMax = Regions(lay.VPhysmapStart, mapEnd, 39) + Regions(lay.VPhysmapStart, mapEnd, 30)
                                 + Regions(lay.VPhysmapStart, mapEnd, 21);
                ulong tail = lay.InitrdMapped ? 0 : lay.InitrdPages;
                if (lay.FirstP2mPfn + lay.P2mDataPages + lay.P2mTablesMax + tail > nrPages)
                    return BuildError.P2mDoesNotFit;
            }
            // An unmapped initrd (MOD_START_PFN) follows the initial allocation and the p2m pages:
            // low pfns. Linux 6.1 passes the initrd's address on in the 32-bit
            // boot_params.hdr.ramdisk_image only, so it must lie below 4 GiB of pfn space.
            if (lay.InitrdPages != 0 && !lay.InitrdMapped)
            {
                lay.InitrdPfn = lay.FirstP2mPfn + (lay.P2mSeparate ? lay.P2mDataPages + lay.P2mTablesMax : 0);
                if (lay.InitrdPfn + lay.InitrdPages > nrPages) return BuildError.KernelDoesNotFit;
            }
            return BuildError.Ok;
        }
    }
}
