namespace Microxen.Memory
{
    /// <summary>
    /// One e820 memory map entry (20 bytes, packed: addr u64, size u64, type u32), the element
    /// of the buffer that XENMEM_memory_map / XENMEM_machine_memory_map fill (public/memory.h,
    /// <c>xen_memory_map.buffer</c>) and of the multiboot memory maps.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 20)]
    public struct E820Entry
    {
        [FieldOffset(0)] public ulong Addr;   // bytes
        [FieldOffset(8)] public ulong Size;   // bytes
        [FieldOffset(16)] public uint Type;   // E820Type

        public const uint Ram = 1;
        public const uint Reserved = 2;
        public const uint Acpi = 3;
        public const uint Nvs = 4;
        public const uint Unusable = 5;
    }
}
