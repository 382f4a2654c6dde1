// The FIFO event-channel ABI: EVTCHNOP_init_control / expand_array / set_priority / reset
// arguments, the per-vCPU control block and the event word bits.
// Source: xen/include/public/event_channel.h (Xen 4.17).
namespace Microxen.Xen
{
    /// <summary>The FIFO ABI's constants (event_channel.h EVTCHN_FIFO_*).</summary>
    public static class EvtchnFifoAbi
    {
        /// <summary>EVTCHN_FIFO_PRIORITY_MAX: the highest priority (queue 0).</summary>
        public const uint PriorityMax = 0;
        /// <summary>EVTCHN_FIFO_PRIORITY_DEFAULT: every port's priority when it is bound.</summary>
        public const uint PriorityDefault = 7;
        /// <summary>EVTCHN_FIFO_PRIORITY_MIN: the lowest priority; set_priority above it is -EINVAL.</summary>
        public const uint PriorityMin = 15;
        /// <summary>EVTCHN_FIFO_MAX_QUEUES: one queue per priority.</summary>
        public const int MaxQueues = (int)PriorityMin + 1;

        /// <summary>Event word bit numbers (event_word_t, 32 bits): PENDING 31, MASKED 30, LINKED 29, BUSY 28.</summary>
        public const int Pending = 31;
        public const int Masked = 30;
        public const int Linked = 29;
        public const int Busy = 28;

        /// <summary>EVTCHN_FIFO_LINK_BITS: the LINK field's width (init_control returns it).</summary>
        public const int LinkBits = 17;
        /// <summary>EVTCHN_FIFO_LINK_MASK.</summary>
        public const uint LinkMask = (1u << LinkBits) - 1;
        /// <summary>EVTCHN_FIFO_NR_CHANNELS: ports the FIFO ABI can name.</summary>
        public const uint NrChannels = 1u << LinkBits;
        /// <summary>EVTCHN_FIFO_EVENT_WORDS_PER_PAGE: 32-bit event words in one 4 KiB array page.</summary>
        public const uint WordsPerPage = 4096 / 4;
        /// <summary>EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES (event_fifo.c): expand_array beyond it is -ENOSPC.</summary>
        public const int MaxArrayPages = (int)(NrChannels / WordsPerPage);
    }

    /// <summary>struct evtchn_fifo_control_block, 72 bytes: ready bitmap (one bit per priority) and queue heads. event_channel.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 72)]
    public unsafe struct EvtchnFifoControlBlock
    {
        [FieldOffset(0)] public uint Ready;
        [FieldOffset(4)] public uint Rsvd;
        /// <summary>head[EVTCHN_FIFO_MAX_QUEUES]: the first port of each priority's queue, 0 = empty.</summary>
        [FieldOffset(8)] public fixed uint Head[16];
    }

    /// <summary>struct evtchn_init_control, 24 bytes: EVTCHNOP_init_control (IN control_gfn, offset, vcpu; OUT link_bits). event_channel.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct EvtchnInitControl
    {
        [FieldOffset(0)] public ulong ControlGfn;
        [FieldOffset(8)] public uint Offset;
        [FieldOffset(12)] public uint Vcpu;
        [FieldOffset(16)] public byte LinkBits;
    }

    /// <summary>struct evtchn_expand_array, 8 bytes: EVTCHNOP_expand_array (IN array_gfn). event_channel.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct EvtchnExpandArray
    {
        [FieldOffset(0)] public ulong ArrayGfn;
    }

    /// <summary>struct evtchn_set_priority, 8 bytes: EVTCHNOP_set_priority (IN port, priority). event_channel.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct EvtchnSetPriority
    {
        [FieldOffset(0)] public uint Port;
        [FieldOffset(4)] public uint Priority;
    }

    /// <summary>struct evtchn_reset, 2 bytes: EVTCHNOP_reset (IN dom): closes every port, back to the 2-level ABI. event_channel.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 2)]
    public struct EvtchnReset
    {
        [FieldOffset(0)] public ushort Dom;
    }
}
