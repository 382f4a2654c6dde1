namespace Microxen.Xen
{
    /// <summary>
    /// struct vcpu_register_runstate_memory_area, 8 bytes: argument of
    /// VCPUOP_register_runstate_memory_area. The addr union (guest handle / pointer / u64) is one
    /// 64-bit guest virtual address of a <see cref="VcpuRunstateInfo"/>.
    /// Source: xen/include/public/vcpu.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct VcpuRegisterRunstateMemoryArea
    {
        /// <summary>addr.p: guest virtual address of the runstate area (0 = unregister).</summary>
        [FieldOffset(0)] public ulong Addr;
    }
}
