// Event channel operation arguments. Ports are evtchn_port_t (uint32), domains domid_t (uint16).
// Source: xen/include/public/event_channel.h.
namespace Microxen.Xen
{
    /// <summary>struct evtchn_bind_virq, 12 bytes: EVTCHNOP_bind_virq (IN virq, vcpu; OUT port). event_channel.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 12)]
    public struct EvtchnBindVirq
    {
        /// <summary>VIRQ_* (<see cref="Virq"/>).</summary>
        [FieldOffset(0)] public uint Virq;
        [FieldOffset(4)] public uint Vcpu;
        [FieldOffset(8)] public uint Port;
    }

    /// <summary>struct evtchn_bind_ipi, 8 bytes: EVTCHNOP_bind_ipi (IN vcpu; OUT port). event_channel.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct EvtchnBindIpi
    {
        [FieldOffset(0)] public uint Vcpu;
        [FieldOffset(4)] public uint Port;
    }

    /// <summary>struct evtchn_send, 4 bytes: EVTCHNOP_send. event_channel.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct EvtchnSend
    {
        [FieldOffset(0)] public uint Port;
    }

    /// <summary>struct evtchn_close, 4 bytes: EVTCHNOP_close. event_channel.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct EvtchnClose
    {
        [FieldOffset(0)] public uint Port;
    }

    /// <summary>struct evtchn_unmask, 4 bytes: EVTCHNOP_unmask. event_channel.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct EvtchnUnmask
    {
        [FieldOffset(0)] public uint Port;
    }

    /// <summary>struct evtchn_alloc_unbound, 8 bytes: EVTCHNOP_alloc_unbound (IN dom, remote_dom; OUT port). event_channel.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct EvtchnAllocUnbound
    {
        [FieldOffset(0)] public ushort Dom;
        [FieldOffset(2)] public ushort RemoteDom;
        [FieldOffset(4)] public uint Port;
    }

    /// <summary>struct evtchn_bind_interdomain, 12 bytes: EVTCHNOP_bind_interdomain. event_channel.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 12)]
    public struct EvtchnBindInterdomain
    {
        [FieldOffset(0)] public ushort RemoteDom;
        [FieldOffset(4)] public uint RemotePort;
        [FieldOffset(8)] public uint LocalPort;
    }

    /// <summary>struct evtchn_bind_pirq, 12 bytes: EVTCHNOP_bind_pirq (flags: BIND_PIRQ__WILL_SHARE = 1). event_channel.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 12)]
    public struct EvtchnBindPirq
    {
        [FieldOffset(0)] public uint Pirq;
        [FieldOffset(4)] public uint Flags;
        [FieldOffset(8)] public uint Port;

        public const uint BIND_PIRQ__WILL_SHARE = 1;
    }

    /// <summary>struct evtchn_bind_vcpu, 8 bytes: EVTCHNOP_bind_vcpu. event_channel.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct EvtchnBindVcpu
    {
        [FieldOffset(0)] public uint Port;
        [FieldOffset(4)] public uint Vcpu;
    }

    /// <summary>
    /// struct evtchn_status, 24 bytes: EVTCHNOP_status. The u union is given as overlapping
    /// fields (unbound.dom / interdomain.dom, interdomain.port, pirq, virq). event_channel.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct EvtchnStatus
    {
        [FieldOffset(0)] public ushort Dom;
        [FieldOffset(4)] public uint Port;
        /// <summary>EVTCHNSTAT_*.</summary>
        [FieldOffset(8)] public uint Status;
        [FieldOffset(12)] public uint Vcpu;
        /// <summary>u.unbound.dom and u.interdomain.dom.</summary>
        [FieldOffset(16)] public ushort UDom;
        /// <summary>u.interdomain.port.</summary>
        [FieldOffset(20)] public uint UPort;
        /// <summary>u.pirq.</summary>
        [FieldOffset(16)] public uint UPirq;
        /// <summary>u.virq.</summary>
        [FieldOffset(16)] public uint UVirq;

        public const uint EVTCHNSTAT_closed = 0;
        public const uint EVTCHNSTAT_unbound = 1;
        public const uint EVTCHNSTAT_interdomain = 2;
        public const uint EVTCHNSTAT_pirq = 3;
        public const uint EVTCHNSTAT_virq = 4;
        public const uint EVTCHNSTAT_ipi = 5;
    }
}
