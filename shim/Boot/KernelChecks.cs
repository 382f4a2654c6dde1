using Microxen.Domain;

namespace Microxen.Boot
{
    /// <summary>
    /// Maps what is wrong with a kernel image to the shim's exit codes, and the XENFEAT bits a
    /// kernel may require (XEN_ELFNOTE_FEATURES "!name") that the shim provides.
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
                case ElfError.NotExecutable:
                    return ExitCode.NotX86_64;
                case ElfError.NoXenNotes:
                    return ExitCode.NoXenNotes;
                case ElfError.NoEntry:
                    return ExitCode.NoEntry;
                case ElfError.UnknownRequiredFeature:
                    return ExitCode.UnsupportedKernel;
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
