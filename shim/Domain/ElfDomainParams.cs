namespace Microxen.Domain
{
    /// <summary>
    /// What the domain builder needs to know about a PV kernel image: the values of its Xen ELF
    /// notes (public/elfnote.h) and the extent of its loadable segments, as Xen's libelf collects
    /// them in <c>struct elf_dom_parms</c> (xen/include/xen/libelf.h). Virtual addresses are the
    /// guest's; sizes are bytes. A field whose note is absent keeps the value Xen's libelf uses
    /// as "unset" (<see cref="Unset"/>) unless stated otherwise.
    /// </summary>
    public unsafe struct ElfDomainParams
    {
        public const ulong Unset = ulong.MaxValue;

        /// <summary>XEN_ELFNOTE_VIRT_BASE (Linux: 0xffffffff80000000).</summary>
        public ulong VirtBase;
        /// <summary>XEN_ELFNOTE_PADDR_OFFSET (Linux: 0).</summary>
        public ulong ElfPaddrOffset;
        /// <summary>XEN_ELFNOTE_ENTRY, else the ELF header's e_entry.</summary>
        public ulong VirtEntry;
        /// <summary>XEN_ELFNOTE_HYPERCALL_PAGE: guest virtual address of the transfer page, or Unset.</summary>
        public ulong VirtHypercall;
        /// <summary>XEN_ELFNOTE_HV_START_LOW, or Unset.</summary>
        public ulong VirtHvStartLow;
        /// <summary>XEN_ELFNOTE_INIT_P2M: where to map the p2m list (Linux: 0x8000000000), or Unset.</summary>
        public ulong P2mBase;
        /// <summary>Lowest virtual address of a PT_LOAD segment (after VirtBase/PaddrOffset adjustment as libelf does).</summary>
        public ulong VirtKStart;
        /// <summary>End (exclusive) of the highest PT_LOAD segment, memsz included.</summary>
        public ulong VirtKEnd;
        /// <summary>XEN_ELFNOTE_L1_MFN_VALID present.</summary>
        public bool L1MfnValid;
        /// <summary>XEN_ELFNOTE_MOD_START_PFN with a non-zero value: pass the initrd as a pfn.</summary>
        public bool ModStartPfn;
        /// <summary>XEN_ELFNOTE_SUSPEND_CANCEL present.</summary>
        public bool SuspendCancel;
        /// <summary>XEN_ELFNOTE_PAE_MODE says "yes" (or "yes[extended-cr3]", "bimodal").</summary>
        public bool PaeYes;
        /// <summary>Any Xen note (XEN_ELFNOTE_*) or __xen_guest section was found.</summary>
        public bool HasXenNotes;
        /// <summary>
        /// XENFEAT_* bits from XEN_ELFNOTE_FEATURES / SUPPORTED_FEATURES (public/features.h), one
        /// bit per feature number: Supported (named or "!"-required), Required ("!" prefix).
        /// </summary>
        public uint FeaturesSupported;
        public uint FeaturesRequired;
        /// <summary>XEN_ELFNOTE_SUPPORTED_FEATURES is present (Xen 4.17 then wants XENFEAT_dom0 in it for dom0).</summary>
        public bool HasSupportedFeaturesNote;
        /// <summary>XEN_ELFNOTE_GUEST_OS / XEN_VERSION / LOADER equal "linux" / "xen-3.0" / "generic".</summary>
        public bool GuestOsLinux;
        public bool XenVersion30;
        public bool LoaderGeneric;
    }
}
