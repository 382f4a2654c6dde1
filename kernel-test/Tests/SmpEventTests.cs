using KernelTest.Smp;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// The SMP group's events and scheduling on a secondary vCPU (issue 11), as Xen 4.17 does them:
    /// an event sent by vCPU 0 to a port bound to vCPU 1 is delivered as an upcall on vCPU 1 while
    /// it runs guest code with events unmasked (its own callback from VCPUOP_initialise's context,
    /// on its own stack, evtchn_upcall_mask set during it: xen/arch/x86/pv/callback.c,
    /// xen/common/event_2l.c); callback_op on vCPU 1 changes its callback only; SCHEDOP_block on
    /// vCPU 1 (do_block enables event delivery) woken by the event; SCHEDOP_poll on vCPU 1 with
    /// events masked (do_poll: 0 when the port is pending or at the timeout, no upcall). vCPU 0
    /// sees a blocked vCPU with VCPUOP_get_runstate_info (RUNSTATE_blocked) before it sends.
    /// </summary>
    public static unsafe class SmpEventTests
    {
        const uint V = 1;

        /// <summary>Waits until vCPU n's command set its Ready word.</summary>
        public static bool WaitReady(uint n)
        {
            ulong giveUp = Pvclock.Now() + 2 * Pvclock.Second;
            while (*Secondary.Word(n, Secondary.WReady) == 0 && Pvclock.Now() < giveUp) Native.Pause();
            return Check.True(*Secondary.Word(n, Secondary.WReady) != 0, "the secondary did not start the command");
        }

        /// <summary>vCPU n's runstate as VCPUOP_get_runstate_info reports it to vCPU 0 (-1 after an error).</summary>
        public static int Runstate(uint n)
        {
            VcpuRunstateInfo r;
            r.State = -1;
            return Hv.VcpuOp(VcpuOp.VCPUOP_get_runstate_info, n, &r) == 0 ? r.State : -1;
        }

        /// <summary>Waits up to 2 s for vCPU n's runstate to become <paramref name="state"/>; true when it did.</summary>
        public static bool WaitRunstate(uint n, int state)
        {
            ulong giveUp = Pvclock.Now() + 2 * Pvclock.Second;
            while (Runstate(n) != state && Pvclock.Now() < giveUp) Native.Pause();
            return Runstate(n) == state;
        }

        /// <summary>
        /// Posts <paramref name="cmd"/> on port <paramref name="port"/> to vCPU 1, sends the port
        /// once it is ready (after it blocked when <paramref name="block"/>), the secondary's Sent
        /// word set just before; false on a failure.
        /// </summary>
        static bool SendWhile(ulong cmd, uint port, ulong b, bool block)
        {
            Secondary.Post(V, cmd, port, b, 0);
            if (!WaitReady(V)) return false;
            bool blocked = !block || WaitRunstate(V, VcpuOp.RUNSTATE_blocked);
            *Secondary.Word(V, Secondary.WSent) = 1;
            long rc = EvtchnTests.Send(port);
            bool done = Secondary.WaitDone(V, 5 * Pvclock.Second);
            if (!Check.True(blocked, "vCPU 1 never showed RUNSTATE_blocked (get_runstate_info) within 2 s")) return false;
            if (!Check.Rc("EVTCHNOP_send", rc)) return false;
            return Check.True(done, "vCPU 1 did not finish within 5 s of the event");
        }

        /// <summary>R0..R5 of a spin or block (<see cref="Secondary"/>.Report): one hit on the port, through the callback at <paramref name="stub"/>, masked inside, after the send (the Sent word set).</summary>
        public static bool Delivered(ulong stub) => DeliveredOn1(stub) && Check.Eq("vCPU 1 handled the port after the send (Sent word)", Secondary.Result(V, 4), 1);

        /// <summary><see cref="Delivered"/> but for the Sent word (an event vCPU 0 did not send).</summary>
        public static bool DeliveredOn1(ulong stub)
        {
            return Check.Eq("upcalls on vCPU 1 through vCPU 0's callback", Secondary.Result(V, 2), 0)
                && Check.True(Secondary.Result(V, 1) >= 1, "no upcall through vCPU 1's own event callback")
                && Check.Eq("the callback's stub vector (vCPU 1's callback)", Secondary.Result(V, 5), stub)
                && Check.Eq("the port handled by vCPU 1's upcall", Secondary.Result(V, 0), 1)
                && Check.Eq("evtchn_upcall_mask inside vCPU 1's callback", Secondary.Result(V, 3), 1);
        }

        /// <summary>vCPU 1 spins in guest code with events unmasked; vCPU 0's event interrupts it (its own callback, its own stack).</summary>
        public static bool UpcallWhileSpinning()
        {
            if (!SmpRemoteTests.Ready()) return SmpRemoteTests.Skipped("smp_upcall_while_spinning");
            uint port = SmpTests.BindIpi(V);
            if (port == 0) return false;
            bool sent = SendWhile(Secondary.CmdSpin, port, 2 * Pvclock.Second, false);
            EvtchnTests.Close(port);
            return sent && Delivered(SecondaryTraps.OwnEvent);
        }

        /// <summary>
        /// CALLBACKOP_register(event) on vCPU 1 moves its callback only: the next upcall on vCPU 1
        /// enters the new stub; an event for vCPU 0 still reaches kt_event_callback (one upcall).
        /// vCPU 1's callback from the context is registered again after.
        /// </summary>
        public static bool CallbackRegisterOwn()
        {
            if (!SmpRemoteTests.Ready()) return SmpRemoteTests.Skipped("smp_callback_register_own");
            if (!Check.True(Secondary.Ask(V, Secondary.CmdCallback, SecondaryTraps.SetEvent, 0, 0, 5 * Pvclock.Second), "vCPU 1 did not answer")) return false;
            if (!Check.Rc("callback_op(event) on vCPU 1", (long)Secondary.Result(V, 0))) return false;
            uint port = SmpTests.BindIpi(V), mine = EvtchnTests.BindIpi();
            if (port == 0 || mine == 0) return false;
            bool ok = SendWhile(Secondary.CmdSpin, port, 2 * Pvclock.Second, false) && Delivered(SecondaryTraps.SetEvent);
            uint before = Ev.Upcalls;
            Window.Vcpu0->EvtchnUpcallPending = 0;
            ok = ok && Check.Rc("send to vCPU 0", EvtchnTests.Send(mine));
            Ev.Unmask();
            Hv.Force();
            Ev.Mask();
            ok = ok && Check.Eq("upcalls on vCPU 0 (kt_event_callback)", Ev.Upcalls - before, 1) && Check.Eq("vCPU 0's port handled", Ev.Hits(mine), 1);
            EvtchnTests.Close(port);
            EvtchnTests.Close(mine);
            bool back = Secondary.Ask(V, Secondary.CmdCallback, SecondaryTraps.OwnEvent, 0, 0, 5 * Pvclock.Second);
            // vCPU 0's own callback registered again: a host with one callback for all vCPUs took vCPU 1's.
            long mineAgain = Hv.CallbackRegister(CallbackType.CALLBACKTYPE_event, 0, Traps.Syms->EventCallback);
            return Check.True(back, "vCPU 1 did not answer") && Check.Rc("callback_op(event) back on vCPU 1", (long)Secondary.Result(V, 0))
                && Check.Rc("callback_op(event) on vCPU 0", mineAgain) && ok;
        }

        /// <summary>vCPU 1 in SCHEDOP_block (events masked before: Xen unmasks them) until vCPU 0's event: 0, and the upcall on vCPU 1.</summary>
        public static bool BlockWake()
        {
            if (!SmpRemoteTests.Ready()) return SmpRemoteTests.Skipped("smp_block_wake");
            uint port = SmpTests.BindIpi(V);
            if (port == 0) return false;
            bool sent = SendWhile(Secondary.CmdBlock, port, 0, true);
            EvtchnTests.Close(port);
            return sent && Check.Rc("SCHEDOP_block on vCPU 1", (long)Secondary.Result(V, 6))
                && Check.Eq("SCHEDOP_block returned after the send (Sent word)", Secondary.Result(V, 7), 1)
                && Delivered(SecondaryTraps.OwnEvent);
        }

        /// <summary>
        /// SCHEDOP_poll on vCPU 1 (events masked, 3 s timeout) returns 0 once vCPU 0 sends the
        /// port: before the timeout, the port still pending, no upcall, still masked. A poll with
        /// a 20 ms timeout and no event returns 0 at or after it.
        /// </summary>
        public static bool PollWake()
        {
            if (!SmpRemoteTests.Ready()) return SmpRemoteTests.Skipped("smp_poll_wake");
            uint port = SmpTests.BindIpi(V);
            if (port == 0) return false;
            bool ok = SendWhile(Secondary.CmdPoll, port, 3 * Pvclock.Second, true) && Check.Rc("SCHEDOP_poll on vCPU 1", (long)Secondary.Result(V, 6))
                && Check.Eq("SCHEDOP_poll returned after the send (Sent word)", Secondary.Result(V, 7), 1)
                && Check.True(Secondary.Result(V, 5) < Secondary.Result(V, 4), "SCHEDOP_poll returned at its timeout, not at the event")
                && Check.Eq("the polled port pending after", Secondary.Result(V, 0), 1)
                && Check.Eq("upcalls during the poll", Secondary.Result(V, 1) + Secondary.Result(V, 2), 0)
                && Check.Eq("evtchn_upcall_mask after the poll", Secondary.Result(V, 3), 1);
            Ev.ClearPendingBit(port);
            if (ok)
            {
                bool answered = Secondary.Ask(V, Secondary.CmdPoll, port, 20 * Pvclock.Ms, 0, 5 * Pvclock.Second);
                ok = Check.True(answered, "vCPU 1 did not return from a 20 ms poll within 5 s")
                    && Check.Rc("SCHEDOP_poll with a timeout", (long)Secondary.Result(V, 6))
                    && Check.True(Secondary.Result(V, 5) >= Secondary.Result(V, 4), "SCHEDOP_poll returned before its timeout")
                    && Check.Eq("the polled port pending after the timeout", Secondary.Result(V, 0), 0);
            }
            EvtchnTests.Close(port);
            return ok;
        }
    }
}
