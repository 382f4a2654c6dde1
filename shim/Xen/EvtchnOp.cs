namespace Microxen.Xen
{
    /// <summary>
    /// event_channel_op commands (EVTCHNOP_*). Source: xen/include/public/event_channel.h.
    /// </summary>
    public static class EvtchnOp
    {
        public const int EVTCHNOP_bind_interdomain = 0;
        public const int EVTCHNOP_bind_virq = 1;
        public const int EVTCHNOP_bind_pirq = 2;
        public const int EVTCHNOP_close = 3;
        public const int EVTCHNOP_send = 4;
        public const int EVTCHNOP_status = 5;
        public const int EVTCHNOP_alloc_unbound = 6;
        public const int EVTCHNOP_bind_ipi = 7;
        public const int EVTCHNOP_bind_vcpu = 8;
        public const int EVTCHNOP_unmask = 9;
        public const int EVTCHNOP_reset = 10;
        public const int EVTCHNOP_init_control = 11;
        public const int EVTCHNOP_expand_array = 12;
        public const int EVTCHNOP_set_priority = 13;
        public const int EVTCHNOP_reset_cont = 14;

        /// <summary>EVTCHN_2L_NR_CHANNELS (x86_64): 64 * 64 ports.</summary>
        public const int EVTCHN_2L_NR_CHANNELS = 4096;
        /// <summary>Size of struct evtchn_op (cmd + 24-byte union) used by the compat hypercall 16.</summary>
        public const int EvtchnOpCompatSize = 28;
    }
}
