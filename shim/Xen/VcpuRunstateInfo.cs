namespace Microxen.Xen
{
    /// <summary>
    /// struct vcpu_runstate_info, 48 bytes: the runstate area the guest registers with
    /// VCPUOP_register_runstate_memory_area. Times are ns of system time.
    /// Source: xen/include/public/vcpu.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 48)]
    public unsafe struct VcpuRunstateInfo
    {
        /// <summary>Current RUNSTATE_* (<see cref="VcpuOp"/>).</summary>
        [FieldOffset(0)] public int State;
        /// <summary>System time (ns) the current state was entered; bit 63 = XEN_RUNSTATE_UPDATE.</summary>
        [FieldOffset(8)] public ulong StateEntryTime;
        /// <summary>Time (ns) spent in each RUNSTATE_* state.</summary>
        [FieldOffset(16)] public fixed ulong Time[4];
    }
}
