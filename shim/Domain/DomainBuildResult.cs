namespace Microxen.Domain
{
    /// <summary>What <see cref="DomainBuilder.Build"/> produced: the start state and the layout, for logging.</summary>
    public struct DomainBuildResult
    {
        /// <summary>Initial RIP (XEN_ELFNOTE_ENTRY).</summary>
        public ulong EntryRip;
        /// <summary>Initial RSP: top of the boot stack (vstack_end).</summary>
        public ulong StackPointer;
        /// <summary>Initial RSI: virtual address of start_info.</summary>
        public ulong StartInfoVa;
        /// <summary>Initial CR3: machine address of the guest L4.</summary>
        public ulong Cr3;
        /// <summary>Machine frame of start_info.</summary>
        public ulong StartInfoMfn;

        public ulong NrPages;
        /// <summary>The layout as computed (every address for logging).</summary>
        public DomainLayout Layout;

        /// <summary>Guest virtual address of the hypercall transfer page, or ElfDomainParams.Unset. The caller fills it.</summary>
        public ulong HypercallPageVa;
        /// <summary>Machine frame of the transfer page, or ElfDomainParams.Unset.</summary>
        public ulong HypercallPageMfn;

        /// <summary>Guest pages whose frame is the same number (pfn == mfn).</summary>
        public ulong IdentityFrames;
        /// <summary>Guest pages that got another frame because frame pfn was not free.</summary>
        public ulong SubstituteFrames;
        /// <summary>Guest pages that are the initrd's own frames.</summary>
        public ulong InitrdFrames;
        /// <summary>Pages (data + page tables) of the separately mapped p2m list: start_info.nr_p2m_frames.</summary>
        public ulong P2mFrames;
    }
}
