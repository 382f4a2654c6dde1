namespace Microxen.Xen
{
    /// <summary>
    /// mmu_update_t, 16 bytes: one request of the mmu_update hypercall. The low 2 bits of
    /// <see cref="Ptr"/> are the command (<see cref="MmuCmd"/>); the rest is the machine (byte)
    /// address of the PTE (or, for MMU_MACHPHYS_UPDATE, of the frame). Source: xen/include/public/xen.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct MmuUpdate
    {
        /// <summary>Machine address of the PTE, command in bits 0-1.</summary>
        [FieldOffset(0)] public ulong Ptr;
        /// <summary>New PTE contents (or pfn for MMU_MACHPHYS_UPDATE).</summary>
        [FieldOffset(8)] public ulong Val;
    }
}
