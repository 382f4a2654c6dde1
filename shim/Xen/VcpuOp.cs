namespace Microxen.Xen
{
    /// <summary>
    /// vcpu_op commands (VCPUOP_*), runstates (RUNSTATE_*) and singleshot timer flags.
    /// Source: xen/include/public/vcpu.h.
    /// </summary>
    public static class VcpuOp
    {
        public const int VCPUOP_initialise = 0;
        public const int VCPUOP_up = 1;
        public const int VCPUOP_down = 2;
        public const int VCPUOP_is_up = 3;
        public const int VCPUOP_get_runstate_info = 4;
        public const int VCPUOP_register_runstate_memory_area = 5;
        public const int VCPUOP_set_periodic_timer = 6;
        public const int VCPUOP_stop_periodic_timer = 7;
        public const int VCPUOP_set_singleshot_timer = 8;
        public const int VCPUOP_stop_singleshot_timer = 9;
        public const int VCPUOP_register_vcpu_info = 10;
        public const int VCPUOP_send_nmi = 11;
        public const int VCPUOP_get_physid = 12;
        public const int VCPUOP_register_vcpu_time_memory_area = 13;

        public const int RUNSTATE_running = 0;
        public const int RUNSTATE_runnable = 1;
        public const int RUNSTATE_blocked = 2;
        public const int RUNSTATE_offline = 3;

        /// <summary>XEN_RUNSTATE_UPDATE: bit 63 of state_entry_time while updating.</summary>
        public const ulong XEN_RUNSTATE_UPDATE = 1ul << 63;

        /// <summary>VCPU_SSHOTTMR_future: fail with -ETIME if the deadline has passed.</summary>
        public const uint VCPU_SSHOTTMR_future = 1u << 0;

        /// <summary>sizeof(struct vcpu_guest_context) on x86_64 (public/arch-x86/xen.h): what VCPUOP_initialise copies in.</summary>
        public const int VcpuGuestContextSize = 5168;

        /// <summary>Xen's STIME_DELTA_MAX (xen/include/xen/time.h): the longest VCPUOP_set_periodic_timer period, ns.</summary>
        public const ulong StimeDeltaMax = ulong.MaxValue >> 2;

        /// <summary>MILLISECS(1): the shortest VCPUOP_set_periodic_timer period, ns (common/domain.c).</summary>
        public const ulong PeriodMinNs = 1000000;
    }
}
