using KernelTest.Smp;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// Events routed to a secondary vCPU other ways than bind_ipi (issue 11), as Xen 4.17 routes
    /// them (xen/common/event_channel.c, event_2l.c): a port moved to vCPU 1 with
    /// EVTCHNOP_bind_vcpu, VIRQ_TIMER bound to vCPU 1 firing from vCPU 1's one-shot timer, and a
    /// pending masked port whose EVTCHNOP_unmask by vCPU 0 raises the upcall on vCPU 1 (the port's
    /// vCPU, not the caller). Each event must arrive as an upcall on vCPU 1 while it spins in guest
    /// code with events unmasked, through its own callback.
    /// </summary>
    public static unsafe class SmpRoutingTests
    {
        const uint V = 1;

        static long BindVcpu(uint port, uint vcpu)
        {
            EvtchnBindVcpu b;
            b.Port = port; b.Vcpu = vcpu;
            return Hv.EventChannelOp(EvtchnOp.EVTCHNOP_bind_vcpu, &b);
        }

        /// <summary>
        /// A loopback pair (alloc_unbound to DOMID_SELF, bind_interdomain to it): bind_vcpu(1) of
        /// the unbound end is 0 and EVTCHNOP_status reports vCPU 1; a send on the other end
        /// arrives as an upcall on vCPU 1.
        /// </summary>
        public static bool BindVcpuUpcall()
        {
            if (!SmpRemoteTests.Ready()) return SmpRemoteTests.Skipped("smp_bind_vcpu_upcall");
            EvtchnAllocUnbound a;
            a.Dom = Hv.DomidSelf; a.RemoteDom = Hv.DomidSelf; a.Port = 0;
            if (!Check.Rc("EVTCHNOP_alloc_unbound", Hv.EventChannelOp(EvtchnOp.EVTCHNOP_alloc_unbound, &a))) return false;
            EvtchnBindInterdomain b;
            b.RemoteDom = Hv.DomidSelf; b.RemotePort = a.Port; b.LocalPort = 0;
            if (!Check.Rc("EVTCHNOP_bind_interdomain (loopback)", Hv.EventChannelOp(EvtchnOp.EVTCHNOP_bind_interdomain, &b))) return false;
            uint far = a.Port, near = b.LocalPort;
            EvtchnTests.Prepare(far);
            EvtchnTests.Prepare(near);
            bool ok = Check.Rc("bind_vcpu(1) of the loopback port", BindVcpu(far, V)) && OnVcpu1(far, near);
            EvtchnTests.Close(near);
            EvtchnTests.Close(far);
            return ok;
        }

        static bool OnVcpu1(uint far, uint near)
        {
            EvtchnStatus st = default;
            st.Dom = Hv.DomidSelf; st.Port = far;
            if (!Check.Rc("EVTCHNOP_status", Hv.EventChannelOp(EvtchnOp.EVTCHNOP_status, &st))) return false;
            if (!Check.Eq("EVTCHNOP_status vcpu", st.Vcpu, V)) return false;
            Secondary.Post(V, Secondary.CmdSpin, far, 2 * Pvclock.Second, 0);
            if (!SmpEventTests.WaitReady(V)) return false;
            *Secondary.Word(V, Secondary.WSent) = 1;
            long rc = EvtchnTests.Send(near);
            bool done = Secondary.WaitDone(V, 5 * Pvclock.Second);
            return Check.Rc("send on the loopback's other end", rc) && Check.True(done, "vCPU 1 did not finish")
                && SmpEventTests.Delivered(SecondaryTraps.OwnEvent);
        }

        /// <summary>VIRQ_TIMER bound to vCPU 1; vCPU 1 arms its one-shot timer 10 ms ahead and spins unmasked: the timer's upcall arrives on vCPU 1.</summary>
        public static bool TimerUpcall()
        {
            if (!SmpRemoteTests.Ready()) return SmpRemoteTests.Skipped("smp_timer_upcall");
            EvtchnBindVirq v;
            v.Virq = Virq.VIRQ_TIMER; v.Vcpu = V; v.Port = 0;
            if (!Check.Rc("EVTCHNOP_bind_virq(VIRQ_TIMER, vCPU 1)", Hv.EventChannelOp(EvtchnOp.EVTCHNOP_bind_virq, &v))) return false;
            EvtchnTests.Prepare(v.Port);
            bool answered = Secondary.Ask(V, Secondary.CmdSpin, v.Port, 2 * Pvclock.Second, 10 * Pvclock.Ms, 5 * Pvclock.Second);
            EvtchnTests.Close(v.Port);
            return Check.True(answered, "vCPU 1 did not finish")
                && Check.Rc("set_singleshot_timer on vCPU 1", (long)Secondary.Result(V, 6))
                && SmpEventTests.DeliveredOn1(SecondaryTraps.OwnEvent);
        }

        /// <summary>
        /// A port bound to vCPU 1, masked, sent by vCPU 0: pending, no upcall on vCPU 1 (which
        /// spins unmasked) for 50 ms; EVTCHNOP_unmask by vCPU 0 raises it on vCPU 1.
        /// </summary>
        public static bool UnmaskRaisesOnPortVcpu()
        {
            if (!SmpRemoteTests.Ready()) return SmpRemoteTests.Skipped("smp_unmask_raises_on_port_vcpu");
            uint port = SmpTests.BindIpi(V);
            if (port == 0) return false;
            Ev.SetMaskBit(port);
            Secondary.Post(V, Secondary.CmdSpin, port, 2 * Pvclock.Second, 0);
            bool ready = SmpEventTests.WaitReady(V);
            long sent = EvtchnTests.Send(port);
            SmpVcpuTests.Sleep(50 * Pvclock.Ms);
            ulong early = *Secondary.Word(V, Secondary.WWatchHits) + *Secondary.Word(V, Secondary.WOwnEvents) + *Secondary.Word(V, Secondary.WForeignEvents);
            bool pending = Ev.PendingBit(port);
            *Secondary.Word(V, Secondary.WSent) = 1;
            EvtchnUnmask u;
            u.Port = port;
            long rc = Hv.EventChannelOp(EvtchnOp.EVTCHNOP_unmask, &u);
            bool done = Secondary.WaitDone(V, 5 * Pvclock.Second);
            EvtchnTests.Close(port);
            return ready && Check.Rc("send (masked)", sent) && Check.True(pending, "a masked port's send set no pending bit")
                && Check.Eq("upcalls on vCPU 1 while the port was masked", early, 0)
                && Check.Rc("EVTCHNOP_unmask", rc) && Check.True(done, "vCPU 1 did not finish")
                && SmpEventTests.Delivered(SecondaryTraps.OwnEvent);
        }
    }
}
