namespace Microxen.Xen
{
    /// <summary>
    /// struct vcpu_time_info (pvclock), 32 bytes. Times are nanoseconds since boot; the guest
    /// computes system_time + ((((tsc - tsc_timestamp) &lt;&lt; tsc_shift) * tsc_to_system_mul) &gt;&gt; 32).
    /// Version is odd while an update is in progress (seqlock).
    /// Source: xen/include/public/xen.h (interface version &gt; 0x040600: flags byte).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public unsafe struct VcpuTimeInfo
    {
        /// <summary>Update counter, incremented before and after each update.</summary>
        [FieldOffset(0)] public uint Version;
        [FieldOffset(4)] public uint Pad0;
        /// <summary>TSC value at the last update.</summary>
        [FieldOffset(8)] public ulong TscTimestamp;
        /// <summary>System time in ns at <see cref="TscTimestamp"/>.</summary>
        [FieldOffset(16)] public ulong SystemTime;
        /// <summary>32.32 fixed-point multiplier, TSC ticks (after shift) to ns.</summary>
        [FieldOffset(24)] public uint TscToSystemMul;
        /// <summary>Signed shift applied to the TSC delta before multiplying.</summary>
        [FieldOffset(28)] public sbyte TscShift;
        /// <summary>XEN_PVCLOCK_* flags.</summary>
        [FieldOffset(29)] public byte Flags;
        [FieldOffset(30)] public fixed byte Pad1[2];

        /// <summary>XEN_PVCLOCK_TSC_STABLE_BIT: TSC is stable (monotonic across vCPUs).</summary>
        public const byte PvclockTscStableBit = 1 << 0;
        /// <summary>XEN_PVCLOCK_GUEST_STOPPED.</summary>
        public const byte PvclockGuestStopped = 1 << 1;
    }
}
