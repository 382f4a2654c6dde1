using Microxen.Events;
using Microxen.Xen;

namespace Microxen.Hypercalls
{
    /// <summary>
    /// HYPERVISOR_event_channel_op (public/event_channel.h), 2-level ABI only (init_control for
    /// the FIFO ABI gets -ENOSYS, so Linux stays on 2-level). One domain: send on an IPI or
    /// unbound port marks it pending locally.
    /// </summary>
    public static unsafe class EventChannelOps
    {
        public static long Op(ulong cmd, ulong arg)
        {
            switch (cmd)
            {
                case EvtchnOp.EVTCHNOP_bind_virq:
                {
                    var b = (EvtchnBindVirq*)arg;
                    if (b->Vcpu != 0) return -XenErrno.ENOENT;
                    if (b->Virq >= Evtchn.NrVirqs) return -XenErrno.EINVAL;
                    if (Evtchn.VirqPort(b->Virq) != 0) return -XenErrno.EEXIST;
                    return Bound(Evtchn.Alloc(Evtchn.PortState.Virq, b->Virq), &b->Port);
                }
                case EvtchnOp.EVTCHNOP_bind_ipi:
                {
                    var b = (EvtchnBindIpi*)arg;
                    if (b->Vcpu != 0) return -XenErrno.ENOENT;
                    return Bound(Evtchn.Alloc(Evtchn.PortState.Ipi, 0), &b->Port);
                }
                case EvtchnOp.EVTCHNOP_alloc_unbound:
                {
                    var b = (EvtchnAllocUnbound*)arg;
                    return Bound(Evtchn.Alloc(Evtchn.PortState.Unbound, b->RemoteDom), &b->Port);
                }
                case EvtchnOp.EVTCHNOP_close:
                {
                    uint port = ((EvtchnClose*)arg)->Port;
                    if (port == 0 || port >= Evtchn.MaxPorts || Evtchn.State(port) == Evtchn.PortState.Free) return -XenErrno.EINVAL;
                    Evtchn.Close(port);
                    return 0;
                }
                case EvtchnOp.EVTCHNOP_send:
                {
                    uint port = ((EvtchnSend*)arg)->Port;
                    if (port == 0 || port >= Evtchn.MaxPorts || Evtchn.State(port) == Evtchn.PortState.Free) return -XenErrno.EINVAL;
                    // An unbound port has no other end: Xen drops the notification (evtchn_send, ECS_UNBOUND).
                    if (Evtchn.State(port) == Evtchn.PortState.Unbound) return 0;
                    if (Evtchn.State(port) == Evtchn.PortState.Interdomain) { DomUBackend.Send(port); return 0; }
                    Evtchn.SetPending(port);
                    return 0;
                }
                case EvtchnOp.EVTCHNOP_unmask:
                {
                    uint port = ((EvtchnUnmask*)arg)->Port;
                    if (port >= Evtchn.MaxPorts) return -XenErrno.EINVAL;
                    Evtchn.Unmask(port);
                    return 0;
                }
                case EvtchnOp.EVTCHNOP_bind_vcpu:
                    return ((EvtchnBindVcpu*)arg)->Vcpu == 0 ? 0 : -XenErrno.ENOENT;
                case EvtchnOp.EVTCHNOP_status:
                {
                    var st = (EvtchnStatus*)arg;
                    if (st->Port >= Evtchn.MaxPorts) return -XenErrno.EINVAL;
                    var s = Evtchn.State(st->Port);
                    // EVTCHNSTAT_closed 0, unbound 1, interdomain 2, pirq 3, virq 4, ipi 5
                    st->Status = s == Evtchn.PortState.Free ? 0u : s == Evtchn.PortState.Unbound ? 1u
                        : s == Evtchn.PortState.Virq ? 4u : s == Evtchn.PortState.Ipi ? 5u : 3u;
                    st->Vcpu = 0;
                    if (s == Evtchn.PortState.Virq) st->UVirq = Evtchn.Arg(st->Port);
                    if (s == Evtchn.PortState.Interdomain) { st->Status = EvtchnStatus.EVTCHNSTAT_interdomain; st->UDom = 0; st->UPort = st->Port; }
                    return 0;
                }
                default:
                    return HypercallStats.Unimplemented("event_channel_op", Hypercall.EventChannelOp, cmd, arg, 0, 0, 0);
            }
        }

        static long Bound(int port, uint* outPort)
        {
            if (port < 0) return -XenErrno.ENOSPC;
            *outPort = (uint)port;
            return 0;
        }
    }
}
