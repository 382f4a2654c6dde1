namespace Microxen.Domain
{
    /// <summary>Why <see cref="DomainBuilder.Build"/> failed. <see cref="DomainBuilder.Describe"/> names each.</summary>
    public enum BuildError
    {
        Ok = 0,
        /// <summary>The ELF parameters are unusable (no kernel extent, entry outside it, ...).</summary>
        BadKernelParams,
        /// <summary>The bootstrap area (kernel, p2m, start_info, page tables, stack) needs more pages than the domain gets.</summary>
        KernelDoesNotFit,
        /// <summary>A PT_LOAD segment would land outside the kernel's part of [v_start, v_end).</summary>
        SegmentOutsideLayout,
        /// <summary>More page-table frames were needed than the layout reserved (internal inconsistency).</summary>
        NoMemoryForPageTables,
        /// <summary>The command line is longer than 1023 bytes.</summary>
        CommandLineTooLong,
        /// <summary>The initrd's machine frames overlap the kernel image or lie outside machine memory.</summary>
        InitrdOverlapsKernel,
        /// <summary>A layout address computation wrapped around the 64-bit address space.</summary>
        LayoutOverflow,
        /// <summary>A part of the layout is not in canonical address space.</summary>
        NonCanonicalLayout,
        /// <summary>The bootstrap area or the p2m list overlaps the hypervisor's reserved virtual range.</summary>
        OverlapsHypervisorArea,
        /// <summary>The separately mapped p2m list (INIT_P2M) overlaps the bootstrap area.</summary>
        P2mOverlapsBootstrap,
        /// <summary>Too few guest pages remain for the separately mapped p2m list and its page tables.</summary>
        P2mDoesNotFit,
        /// <summary>Fewer free machine frames than the guest pages asked for.</summary>
        NotEnoughMemory,
        /// <summary>A guest frame lies beyond the end of the M2P table the caller supplied.</summary>
        M2pTooSmall,
        /// <summary>The hypercall page address (XEN_ELFNOTE_HYPERCALL_PAGE) lies outside [v_start, v_end).</summary>
        BadHypercallPage,
        /// <summary>The shared_info address is not page aligned or is a frame the builder could give to the guest.</summary>
        BadSharedInfo,
        /// <summary>The page tables came out differently from the layout's plan (internal inconsistency).</summary>
        PageTableMismatch,
        /// <summary>A required input pointer is null.</summary>
        MissingInput,
        /// <summary>The kernel ELF lies in machine frames the allocator could hand out (it would be overwritten).</summary>
        KernelImageNotReserved,
        /// <summary>The VGA console info is larger than dom0_vga_console_info (40 bytes).</summary>
        BadConsoleInfo,
    }
}
