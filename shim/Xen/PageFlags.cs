namespace Microxen.Xen
{
    /// <summary>
    /// x86-64 page-table entry bits (64-bit PTE, 4-level paging) and the physical-address mask.
    /// Xen's PV guests use the hardware format (xen/include/asm-x86/x86_64/page.h, page.h).
    /// </summary>
    public static class PageFlags
    {
        /// <summary>_PAGE_PRESENT.</summary>
        public const ulong Present = 1ul << 0;
        /// <summary>_PAGE_RW: writable.</summary>
        public const ulong RW = 1ul << 1;
        /// <summary>_PAGE_USER: user (CPL 3) accessible.</summary>
        public const ulong User = 1ul << 2;
        /// <summary>_PAGE_PWT: write-through.</summary>
        public const ulong PWT = 1ul << 3;
        /// <summary>_PAGE_PCD: cache disable.</summary>
        public const ulong PCD = 1ul << 4;
        /// <summary>_PAGE_ACCESSED.</summary>
        public const ulong Accessed = 1ul << 5;
        /// <summary>_PAGE_DIRTY.</summary>
        public const ulong Dirty = 1ul << 6;
        /// <summary>_PAGE_PSE: large page (L2: 2 MiB, L3: 1 GiB). In an L1 entry this bit is PAT.</summary>
        public const ulong PSE = 1ul << 7;
        /// <summary>_PAGE_PAT in a 4 KiB (L1) entry.</summary>
        public const ulong PAT = 1ul << 7;
        /// <summary>_PAGE_GLOBAL.</summary>
        public const ulong Global = 1ul << 8;
        /// <summary>_PAGE_AVAIL0..2: bits 9-11, available to software (Xen: _PAGE_GUEST_KERNEL etc).</summary>
        public const ulong Avail = 7ul << 9;
        /// <summary>_PAGE_PSE_PAT: PAT bit in a large-page (L2/L3) entry.</summary>
        public const ulong PsePat = 1ul << 12;
        /// <summary>
        /// _PAGE_GUEST_KERNEL (xen/arch/x86/include/asm/x86_64/page.h: flag bit 12 of Xen's
        /// packed flags, i.e. PTE bit 52, ignored by the CPU): Xen marks a 64-bit PV guest's kernel
        /// leaf mappings with it (dom0_build.c L1_PROT, adjust_guest_l1e).
        /// </summary>
        public const ulong GuestKernel = 1ul << 52;
        /// <summary>_PAGE_NX: no-execute (bit 63).</summary>
        public const ulong NX = 1ul << 63;

        /// <summary>PADDR_MASK for a 4 KiB frame: bits 12-51.</summary>
        public const ulong PADDR_MASK = 0x000ffffffffff000ul;
        /// <summary>Frame address mask for a 2 MiB page (bits 21-51).</summary>
        public const ulong PADDR_MASK_2M = 0x000fffffffe00000ul;
        /// <summary>Frame address mask for a 1 GiB page (bits 30-51).</summary>
        public const ulong PADDR_MASK_1G = 0x000fffffc0000000ul;

        /// <summary>Page size in bytes (4 KiB).</summary>
        public const ulong PageSize = 4096;
        /// <summary>log2 of the page size.</summary>
        public const int PageShift = 12;
        /// <summary>Entries per page-table page.</summary>
        public const int EntriesPerTable = 512;
    }
}
