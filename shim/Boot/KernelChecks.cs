namespace Microxen.Boot
{
    /// <summary>
    /// Maps what is wrong with a kernel image to the shim's exit codes, and the XENFEAT bits a
    /// kernel may require (XEN_ELFNOTE_FEATURES "!name") that the shim provides. What Xen 4.17's
    /// dom0 builder (xen/arch/x86/pv/dom0_build.c, dom0_construct_pv) refuses beyond libelf is
    /// <see cref="RefusedAsDom0"/>; nothing else is refused (PAE_MODE in particular is needed for
    /// 32-bit kernels only).
    /// </summary>
    public static class KernelChecks
    {
        /// <summary>
        /// Features the shim provides to a kernel that requires them: writable_page_tables,
        /// writable_descriptor_tables, pae_pgdir_above_4gb, mmu_pt_update_preserve_ad,
        /// highmem_assist, gnttab_map_avail_bits, dom0, memory_op_vnode_supported,
        /// linux_rsdp_unrestricted. Not auto_translated_physmap, not supervisor_mode_kernel,
        /// not the HVM ones.
        /// </summary>
        public const uint SupportedFeatures = (1u << 0) | (1u << 1) | (1u << 4) | (1u << 5) | (1u << 6)
            | (1u << 7) | (1u << 11) | (1u << 13) | (1u << 15);

        /// <summary>
        /// What dom0_construct_pv refuses in a 64-bit kernel that libelf accepted: a kernel that
        /// requires supervisor_mode_kernel (Xen panics with <see cref="SupervisorModeRefusal"/>).
        /// (Xen also refuses as dom0 a kernel whose SUPPORTED_FEATURES lacks XENFEAT_dom0: see
        /// <see cref="SupportsDom0"/>.)
        /// </summary>
        public static bool RefusedAsDom0(in ElfDomainParams p) =>
            (p.FeaturesRequired & (1u << Microxen.Xen.XenFeature.SupervisorModeKernel)) != 0;

        /// <summary>The line for <see cref="RefusedAsDom0"/> (Xen's panic text).</summary>
        public const string SupervisorModeRefusal = "Dom0 requires supervisor-mode execution (FEATURES !supervisor_mode_kernel)";

        /// <summary>
        /// dom0_construct_pv: a kernel with a SUPPORTED_FEATURES note must name XENFEAT_dom0 there
        /// ("Kernel does not support Dom0 operation", -EINVAL); one without the note is taken as dom0.
        /// </summary>
        public static bool SupportsDom0(in ElfDomainParams p) =>
            !p.HasSupportedFeaturesNote || (p.FeaturesSupported & (1u << Microxen.Xen.XenFeature.Dom0)) != 0;

        /// <summary>
        /// Required features (FEATURES "!name") that microxen does not provide and Xen 4.17's dom0
        /// builder ignores (it checks supervisor_mode_kernel only): the kernel is loaded as on Xen,
        /// and the shim warns. One bit per XENFEAT number.
        /// </summary>
        public static uint IgnoredRequiredFeatures(in ElfDomainParams p) =>
            p.FeaturesRequired & ~SupportedFeatures & ~(1u << Microxen.Xen.XenFeature.SupervisorModeKernel);

        public static ExitCode ForElfError(ElfError e)
        {
            switch (e)
            {
                case ElfError.TooSmall:
                case ElfError.BadProgramHeaders:
                case ElfError.BadSectionHeaders:
                case ElfError.SegmentOutOfFile:
                case ElfError.BadNote:
                    return ExitCode.TruncatedModule;
                case ElfError.NotElf64:
                case ElfError.NotLittleEndian:
                case ElfError.NotX86_64:
                    return ExitCode.NotX86_64;
                case ElfError.NoXenNotes:
                    return ExitCode.NoXenNotes;
                case ElfError.UnknownRequiredFeature:
                    return ExitCode.UnsupportedKernel;
                case ElfError.AddressesOutOfBounds:
                    return ExitCode.NoEntry;      // entry (or start) outside the kernel: no usable entry point
                default:
                    return ExitCode.BadKernel;
            }
        }

        public static ExitCode ForBuildError(BuildError e)
        {
            switch (e)
            {
                case BuildError.KernelDoesNotFit:
                case BuildError.P2mDoesNotFit:
                case BuildError.NoMemoryForPageTables:
                case BuildError.NotEnoughMemory:
                    return ExitCode.KernelTooBig;
                case BuildError.CommandLineTooLong:
                    return ExitCode.BadGuestCommandLine;
                default:
                    return ExitCode.BadKernel;
            }
        }
    }
}
