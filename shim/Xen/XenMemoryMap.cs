namespace Microxen.Xen
{
    /// <summary>
    /// struct xen_memory_map, 16 bytes: argument of XENMEM_memory_map / XENMEM_machine_memory_map.
    /// The buffer holds e820 entries (20 bytes each: u64 addr, u64 size, u32 type).
    /// Source: xen/include/public/memory.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct XenMemoryMap
    {
        /// <summary>IN: capacity of the buffer in entries; OUT: entries stored.</summary>
        [FieldOffset(0)] public uint NrEntries;
        /// <summary>Guest handle (virtual address) of the e820 entry buffer.</summary>
        [FieldOffset(8)] public ulong Buffer;

        /// <summary>Size in bytes of one e820 entry in <see cref="Buffer"/>.</summary>
        public const int E820EntrySize = 20;
    }
}
