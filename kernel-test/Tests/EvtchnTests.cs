namespace KernelTest.Tests
{
    /// <summary>
    /// Event channels, 2-level ABI (public/event_channel.h, xen/common/event_channel.c,
    /// event_2l.c): sends on an IPI port with events masked and unmasked, a masked port, and
    /// an unbound port (Xen drops the notification).
    /// </summary>
    public static unsafe class EvtchnTests
    {
        public static uint BindIpi()
        {
            EvtchnBindIpi b;
            b.Vcpu = 0;
            b.Port = 0;
            long rc = Hv.EventChannelOp(EvtchnOp.EVTCHNOP_bind_ipi, &b);
            if (rc != 0) { Runner.Fail("EVTCHNOP_bind_ipi", (ulong)rc, 0); return 0; }
            if (b.Port == 0 || b.Port >= Ev.MaxPorts) { Runner.Fail("EVTCHNOP_bind_ipi port", b.Port, 1); return 0; }
            Prepare(b.Port);
            return b.Port;
        }

        /// <summary>VIRQ_TIMER bound to vCPU 0 (EVTCHNOP_bind_virq) and prepared (<see cref="Prepare"/>); 0 after a failure, reported.</summary>
        public static uint BindTimer()
        {
            EvtchnBindVirq b;
            b.Virq = Virq.VIRQ_TIMER;
            b.Vcpu = 0;
            b.Port = 0;
            if (!Check.Rc("EVTCHNOP_bind_virq(VIRQ_TIMER)", Hv.EventChannelOp(EvtchnOp.EVTCHNOP_bind_virq, &b))) return 0;
            if (!Check.True(b.Port != 0 && b.Port < Ev.MaxPorts, "bind_virq gave an odd port")) return 0;
            Prepare(b.Port);
            return b.Port;
        }

        /// <summary>Clears the port's mask and pending bits and its counters.</summary>
        public static void Prepare(uint port)
        {
            Ev.Reset(port);
            Microxen.Xen.SharedInfo* s = Window.Shared;
            KernelTest.Arch.Native.LockAnd(&s->EvtchnMask[port >> 6], ~(1UL << (int)(port & 63)));
            Ev.ClearPendingBit(port);
        }

        public static long Close(uint port)
        {
            EvtchnClose c;
            c.Port = port;
            return Hv.EventChannelOp(EvtchnOp.EVTCHNOP_close, &c);
        }

        public static long Send(uint port)
        {
            EvtchnSend s;
            s.Port = port;
            return Hv.EventChannelOp(EvtchnOp.EVTCHNOP_send, &s);
        }

        /// <summary>
        /// Send with upcalls masked: evtchn_pending, the evtchn_pending_sel bit and
        /// evtchn_upcall_pending are set and no upcall arrives; unmasking and entering the
        /// hypervisor delivers exactly one upcall, which sees the port's pending and selector bits.
        /// </summary>
        public static bool IpiUpcall()
        {
            uint port = BindIpi();
            if (port == 0) return false;
            Ev.Mask();
            uint before = Ev.Upcalls;
            if (!Check.Rc("EVTCHNOP_send", Send(port))) return false;
            VcpuInfo* v = Window.Vcpu0;
            if (!Check.True(Ev.PendingBit(port), "evtchn_pending bit not set by the send")) return false;
            if (!Check.True((v->EvtchnPendingSel & (1UL << (int)(port >> 6))) != 0, "evtchn_pending_sel bit not set")) return false;
            if (!Check.Eq("evtchn_upcall_pending", v->EvtchnUpcallPending, 1)) return false;
            if (!Check.Eq("upcalls while masked", Ev.Upcalls - before, 0)) return false;
            Ev.Unmask();
            Hv.Force();
            Ev.Mask();
            if (!Check.Eq("upcalls after unmasking", Ev.Upcalls - before, 1)) return false;
            if (!Check.Eq("upcalls for the port", Ev.Hits(port), 1)) return false;
            if (!Check.True((Ev.LastSel & (1UL << (int)(port >> 6))) != 0, "the upcall saw no evtchn_pending_sel bit")) return false;
            if (!Check.True(port >= 64 || (Ev.LastPendingWord0 & (1UL << (int)port)) != 0, "the upcall saw no evtchn_pending bit")) return false;
            if (!Check.Eq("evtchn_upcall_pending seen by the upcall", Ev.LastUpcallPending, 1)) return false;
            return Check.Rc("EVTCHNOP_close", Close(port));
        }

        /// <summary>
        /// A port masked in evtchn_mask: a send (upcalls enabled) marks it pending but no upcall
        /// comes, even across a hypercall; EVTCHNOP_unmask delivers it.
        /// </summary>
        public static bool MaskUnmask()
        {
            uint port = BindIpi();
            if (port == 0) return false;
            Ev.SetMaskBit(port);
            Ev.Unmask();
            if (!Check.Rc("EVTCHNOP_send", Send(port))) return false;
            Hv.Force();
            bool pending = Ev.PendingBit(port);
            uint hitsMasked = Ev.Hits(port);
            EvtchnUnmask u;
            u.Port = port;
            long rc = Hv.EventChannelOp(EvtchnOp.EVTCHNOP_unmask, &u);
            uint hitsAfter = Ev.Hits(port);
            Ev.Mask();
            if (!Check.True(pending, "a masked port's send did not set evtchn_pending")) return false;
            if (!Check.Eq("upcalls for the masked port", hitsMasked, 0)) return false;
            if (!Check.Rc("EVTCHNOP_unmask", rc)) return false;
            if (!Check.Eq("upcalls after EVTCHNOP_unmask", hitsAfter, 1)) return false;
            return Check.Rc("EVTCHNOP_close", Close(port));
        }

        /// <summary>
        /// EVTCHNOP_alloc_unbound(DOMID_SELF, remote DOMID_SELF): EVTCHNOP_status says unbound;
        /// a send on it succeeds and sets nothing (event_channel.c evtchn_send: ECS_UNBOUND,
        /// "silently drop the notification").
        /// </summary>
        public static bool UnboundSend()
        {
            EvtchnAllocUnbound a;
            a.Dom = Hv.DomidSelf;
            a.RemoteDom = Hv.DomidSelf;
            a.Port = 0;
            if (!Check.Rc("EVTCHNOP_alloc_unbound", Hv.EventChannelOp(EvtchnOp.EVTCHNOP_alloc_unbound, &a))) return false;
            uint port = a.Port;
            if (!Check.True(port != 0 && port < Ev.MaxPorts, "alloc_unbound gave an odd port")) return false;
            Prepare(port);
            EvtchnStatus st;
            st.Dom = Hv.DomidSelf;
            st.Port = port;
            st.Status = 99;
            st.Vcpu = 0; st.UDom = 0; st.UPort = 0;
            if (!Check.Rc("EVTCHNOP_status", Hv.EventChannelOp(EvtchnOp.EVTCHNOP_status, &st))) return false;
            if (!Check.Eq("EVTCHNOP_status status", st.Status, EvtchnStatus.EVTCHNSTAT_unbound)) return false;
            if (!Check.Rc("EVTCHNOP_send on an unbound port", Send(port))) return false;
            if (!Check.True(!Ev.PendingBit(port), "a send on an unbound port set evtchn_pending")) return false;
            return Check.Rc("EVTCHNOP_close", Close(port));
        }
    
        static long BindVcpu(uint port, uint vcpu)
        {
            EvtchnBindVcpu b;
            b.Port = port; b.Vcpu = vcpu;
            return Hv.EventChannelOp(EvtchnOp.EVTCHNOP_bind_vcpu, &b);
        }

        /// <summary>
        /// evtchn_bind_vcpu by port state: an IPI port, a per-vCPU VIRQ (VIRQ_TIMER) and port 0
        /// -EINVAL, an unbound port 0; evtchn_send on a VIRQ port -EINVAL; alloc_unbound and status
        /// for a domain that does not exist -ESRCH; bind_virq of a global VIRQ on vCPU 1 -EINVAL.
        /// </summary>
        public static bool BindVcpuByState()
        {
            long einval = -Microxen.Xen.XenErrno.EINVAL, esrch = -Microxen.Xen.XenErrno.ESRCH;
            uint ipi = BindIpi();
            if (ipi == 0) return false;
            if (!Check.Eq("bind_vcpu of an IPI port", (ulong)BindVcpu(ipi, 0), (ulong)einval)) return false;
            if (!Check.Rc("EVTCHNOP_close", Close(ipi))) return false;
            if (!Check.Eq("bind_vcpu of port 0", (ulong)BindVcpu(0, 0), (ulong)einval)) return false;
            EvtchnAllocUnbound a;
            a.Dom = Hv.DomidSelf; a.RemoteDom = Hv.DomidSelf; a.Port = 0;
            if (!Check.Rc("EVTCHNOP_alloc_unbound", Hv.EventChannelOp(EvtchnOp.EVTCHNOP_alloc_unbound, &a))) return false;
            if (!Check.Rc("bind_vcpu of an unbound port", BindVcpu(a.Port, 0))) return false;
            if (!Check.Rc("EVTCHNOP_close", Close(a.Port))) return false;
            a.Dom = 7;
            if (!Check.Eq("alloc_unbound in dom 7", (ulong)Hv.EventChannelOp(EvtchnOp.EVTCHNOP_alloc_unbound, &a), (ulong)esrch)) return false;
            EvtchnStatus st = default;
            st.Dom = 7; st.Port = 1;
            if (!Check.Eq("status in dom 7", (ulong)Hv.EventChannelOp(EvtchnOp.EVTCHNOP_status, &st), (ulong)esrch)) return false;
            EvtchnBindVirq v;
            v.Virq = Virq.VIRQ_DOM_EXC; v.Vcpu = 1; v.Port = 0;
            if (!Check.Eq("bind_virq of a global VIRQ on vCPU 1", (ulong)Hv.EventChannelOp(EvtchnOp.EVTCHNOP_bind_virq, &v), (ulong)einval)) return false;
            v.Virq = Virq.VIRQ_TIMER; v.Vcpu = 0;
            if (!Check.Rc("EVTCHNOP_bind_virq(VIRQ_TIMER)", Hv.EventChannelOp(EvtchnOp.EVTCHNOP_bind_virq, &v))) return false;
            bool ok = Check.Eq("send on a VIRQ port", (ulong)Send(v.Port), (ulong)einval)
                && Check.Eq("bind_vcpu of VIRQ_TIMER's port", (ulong)BindVcpu(v.Port, 0), (ulong)einval);
            return Check.Rc("EVTCHNOP_close", Close(v.Port)) && ok;
        }

        /// <summary>
        /// evtchn_bind_pirq of a pirq that maps no IRQ: -EPERM (pirq_access_permitted); of a pirq
        /// past nr_pirqs: -EINVAL.
        /// </summary>
        public static bool BindPirqRefused()
        {
            EvtchnBindPirq b;
            b.Pirq = 0; b.Flags = 0; b.Port = 0;
            if (!Check.Eq("bind_pirq(0)", (ulong)Hv.EventChannelOp(EvtchnOp.EVTCHNOP_bind_pirq, &b), unchecked((ulong)-Microxen.Xen.XenErrno.EPERM))) return false;
            b.Pirq = 0xffffff;
            return Check.Eq("bind_pirq(0xffffff)", (ulong)Hv.EventChannelOp(EvtchnOp.EVTCHNOP_bind_pirq, &b), unchecked((ulong)-Microxen.Xen.XenErrno.EINVAL));
        }
}
}
