namespace Microxen.Xen
{
    /// <summary>
    /// struct xen_machphys_mapping, 24 bytes: result of XENMEM_machphys_mapping (where the
    /// read-only M2P table is mapped). Source: xen/include/public/memory.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct XenMachphysMapping
    {
        /// <summary>Start virtual address of the M2P.</summary>
        [FieldOffset(0)] public ulong VStart;
        /// <summary>End virtual address of the M2P (exclusive).</summary>
        [FieldOffset(8)] public ulong VEnd;
        /// <summary>Largest MFN that can be looked up.</summary>
        [FieldOffset(16)] public ulong MaxMfn;
    }
}
