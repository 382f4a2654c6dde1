namespace Microxen.Xen
{
    /// <summary>
    /// struct xen_memory_reservation, 32 bytes: argument of XENMEM_increase_reservation,
    /// decrease_reservation, populate_physmap, claim_pages. Extents are 2^extent_order pages.
    /// Source: xen/include/public/memory.h (interface version &gt;= 0x00030209: mem_flags).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public struct XenMemoryReservation
    {
        /// <summary>Guest handle (virtual address) of an array of xen_pfn_t (8 bytes each).</summary>
        [FieldOffset(0)] public ulong ExtentStart;
        /// <summary>Number of extents.</summary>
        [FieldOffset(8)] public ulong NrExtents;
        /// <summary>log2 of the extent size in pages.</summary>
        [FieldOffset(16)] public uint ExtentOrder;
        /// <summary>XENMEMF_* flags (address bits in bits 0-7, node in 8-15, ...).</summary>
        [FieldOffset(20)] public uint MemFlags;
        /// <summary>Domain (DOMID_SELF = 0x7FF0 for the caller).</summary>
        [FieldOffset(24)] public ushort Domid;
    }
}
