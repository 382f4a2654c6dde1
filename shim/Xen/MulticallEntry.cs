namespace Microxen.Xen
{
    /// <summary>
    /// multicall_entry_t, 64 bytes: hypercall number, result, six arguments.
    /// Source: xen/include/public/xen.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public unsafe struct MulticallEntry
    {
        /// <summary>Hypercall number (<see cref="Hypercall"/>).</summary>
        [FieldOffset(0)] public ulong Op;
        /// <summary>Return value written back by the hypervisor.</summary>
        [FieldOffset(8)] public ulong Result;
        /// <summary>Arguments 1-6.</summary>
        [FieldOffset(16)] public fixed ulong Args[6];
    }
}
