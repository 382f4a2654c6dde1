namespace Microxen.Xen
{
    /// <summary>
    /// struct vcpu_set_singleshot_timer, 16 bytes: argument of VCPUOP_set_singleshot_timer.
    /// Source: xen/include/public/vcpu.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct VcpuSetSingleshotTimer
    {
        /// <summary>Absolute system time of the deadline, ns.</summary>
        [FieldOffset(0)] public ulong TimeoutAbsNs;
        /// <summary>VCPU_SSHOTTMR_* flags.</summary>
        [FieldOffset(8)] public uint Flags;
    }

    /// <summary>
    /// struct vcpu_set_periodic_timer, 8 bytes: argument of VCPUOP_set_periodic_timer.
    /// Source: xen/include/public/vcpu.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct VcpuSetPeriodicTimer
    {
        /// <summary>Period, ns.</summary>
        [FieldOffset(0)] public ulong PeriodNs;
    }
}
