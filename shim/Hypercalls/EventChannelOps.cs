using Microxen.Guest;
using Microxen.Xen;

namespace Microxen.Hypercalls
{
    /// <summary>
    /// HYPERVISOR_event_channel_op (public/event_channel.h), 2-level ABI: ports are allocated and
    /// bound; sending marks them pending in shared_info. Delivery comes with the event work.
    /// </summary>
    public static unsafe class EventChannelOps
    {
        public const int MaxPorts = 1024;
        public enum PortState : byte { Free = 0, Virq = 1, Ipi = 2, Unbound = 3 }

        struct Ports { public fixed byte State[MaxPorts]; public fixed uint Arg[MaxPorts]; }
        static Ports s_ports;

        public static long Op(ulong cmd, ulong arg)
        {
            switch (cmd)
            {
                case EvtchnOp.EVTCHNOP_bind_virq:
                {
                    var b = (EvtchnBindVirq*)arg;
                    if (b->Vcpu != 0) return -XenErrno.ENOENT;
                    int p = Alloc(PortState.Virq, b->Virq);
                    if (p < 0) return -XenErrno.ENOSPC;
                    b->Port = (uint)p;
                    return 0;
                }
                case EvtchnOp.EVTCHNOP_bind_ipi:
                {
                    var b = (EvtchnBindIpi*)arg;
                    if (b->Vcpu != 0) return -XenErrno.ENOENT;
                    int p = Alloc(PortState.Ipi, 0);
                    if (p < 0) return -XenErrno.ENOSPC;
                    b->Port = (uint)p;
                    return 0;
                }
                case EvtchnOp.EVTCHNOP_alloc_unbound:
                {
                    var b = (EvtchnAllocUnbound*)arg;
                    int p = Alloc(PortState.Unbound, b->RemoteDom);
                    if (p < 0) return -XenErrno.ENOSPC;
                    b->Port = (uint)p;
                    return 0;
                }
                case EvtchnOp.EVTCHNOP_close:
                {
                    uint port = ((EvtchnClose*)arg)->Port;
                    if (port == 0 || port >= MaxPorts) return -XenErrno.EINVAL;
                    fixed (Ports* t = &s_ports) t->State[port] = (byte)PortState.Free;
                    return 0;
                }
                case EvtchnOp.EVTCHNOP_send:
                {
                    uint port = ((EvtchnSend*)arg)->Port;
                    if (port == 0 || port >= MaxPorts) return -XenErrno.EINVAL;
                    SetPending(port);
                    return 0;
                }
                case EvtchnOp.EVTCHNOP_unmask:
                {
                    uint port = ((EvtchnUnmask*)arg)->Port;
                    if (port >= MaxPorts) return -XenErrno.EINVAL;
                    if (Vcpu.Shared != null) Vcpu.Shared->EvtchnMask[port >> 6] &= ~(1UL << (int)(port & 63));
                    return 0;
                }
                default:
                    return HypercallStats.Unimplemented("event_channel_op", Hypercall.EventChannelOp, cmd, arg, 0, 0, 0);
            }
        }

        static int Alloc(PortState state, uint what)
        {
            fixed (Ports* t = &s_ports)
                for (int p = 1; p < MaxPorts; p++)
                    if (t->State[p] == (byte)PortState.Free)
                    {
                        t->State[p] = (byte)state;
                        t->Arg[p] = what;
                        return p;
                    }
            return -1;
        }

        /// <summary>Marks a port pending and, when it is not masked, its selector bit and upcall_pending (Xen's evtchn_2l_set_pending).</summary>
        public static void SetPending(uint port)
        {
            SharedInfo* s = Vcpu.Shared;
            if (s == null) return;
            ulong bit = 1UL << (int)(port & 63);
            s->EvtchnPending[port >> 6] |= bit;
            if ((s->EvtchnMask[port >> 6] & bit) != 0) return;
            if (Vcpu.Info == null) return;
            Vcpu.Info->EvtchnPendingSel |= 1UL << (int)(port >> 6);
            Vcpu.Info->EvtchnUpcallPending = 1;
        }
    }
}
