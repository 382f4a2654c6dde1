namespace Microxen.Hypercalls
{
    /// <summary>HYPERVISOR_sched_op (public/sched.h) and the one-shot timer (set_timer_op).</summary>
    public static unsafe class SchedOps
    {
        public static long Op(ulong cmd, ulong arg, CpuFrame* f)
        {
            // do_sched_op (common/sched/core.c): every command but yield and block copies its
            // structure in first (-EFAULT in Xen's range); unknown ones are -ENOSYS without a copy.
            if (cmd > SchedOp.SCHEDOP_block && cmd <= SchedOp.SCHEDOP_pin_override) Guest.GuestPointer.Require(arg);
            switch (cmd)
            {
                case SchedOp.SCHEDOP_yield:
                    return 0;
                case SchedOp.SCHEDOP_block:
                    Block();
                    return 0;
                case SchedOp.SCHEDOP_poll:
                    return Poll((SchedPoll*)arg);
                case SchedOp.SCHEDOP_shutdown:
                    Shutdown(((SchedShutdown*)arg)->Reason, f);
                    return 0;
                case SchedOp.SCHEDOP_shutdown_code:
                    return 0;
                case SchedOp.SCHEDOP_remote_shutdown:
                    // sched_remote_shutdown {domain_id (uint16), reason}: Xen looks the domain up by
                    // id (-ESRCH: only dom0, id 0, exists; DOMID_SELF is no id); dom0 naming itself
                    // is not modelled (-ENOSYS).
                {
                    uint reason = ((uint*)arg)[1];   // the whole structure is copied in first (-EFAULT)
                    if (*(ushort*)arg != 0) return -XenErrno.ESRCH;
                    return HypercallStats.Unimplemented("sched_op", Hypercall.SchedOp, cmd, arg, reason, 0, 0);
                }
                case SchedOp.SCHEDOP_watchdog:
                    return Watchdog(((uint*)arg)[0], ((uint*)arg)[1], arg);
                case SchedOp.SCHEDOP_pin_override:
                    return PinOverride(*(int*)arg);
                default:
                    return HypercallStats.Unimplemented("sched_op", Hypercall.SchedOp, cmd, arg, 0, 0, 0);
            }
        }

        /// <summary>
        /// sched_op_compat(cmd, arg) (common/sched/compat.c do_sched_op_compat): SCHEDOP_yield is 0;
        /// the other commands are not modelled (-ENOSYS).
        /// </summary>
        public static long Compat(ulong cmd, ulong arg)
        {
            if (cmd == SchedOp.SCHEDOP_yield) return 0;
            return HypercallStats.Unimplemented("sched_op_compat", Hypercall.SchedOpCompat, cmd, arg, 0, 0, 0);
        }

        /// <summary>NR_DOMAIN_WATCHDOG_TIMERS (xen/include/xen/sched.h).</summary>
        const uint WatchdogTimers = 2;

        /// <summary>
        /// SCHEDOP_watchdog(sched_watchdog {id, timeout}) (common/sched/core.c domain_watchdog):
        /// id above <see cref="WatchdogTimers"/> or naming a timer not in use -EINVAL; timeout 0
        /// stops it. The shim arms no watchdog: id 0 (arm a new one) is -ENOSYS, so none is ever
        /// in use and every id 1..2 is -EINVAL, as on a Xen domain that never armed one.
        /// </summary>
        static long Watchdog(uint id, uint timeout, ulong arg)
        {
            if (id > WatchdogTimers) return -XenErrno.EINVAL;
            if (id == 0) return HypercallStats.Unimplemented("sched_op", Hypercall.SchedOp, SchedOp.SCHEDOP_watchdog, arg, 0, 0, 0);
            return -XenErrno.EINVAL;
        }

        /// <summary>Whether the vCPU is pinned by SCHEDOP_pin_override (Xen's VCPU_AFFINITY_OVERRIDE).</summary>
        static bool s_pinOverride;

        /// <summary>
        /// SCHEDOP_pin_override (common/sched/core.c, vcpu_temporary_affinity) on the one pCPU the
        /// shim models (Xen's nr_cpu_ids 1): pcpu &lt; 0 clears an override (-EINVAL when none);
        /// pcpu 0 sets one (-EBUSY when set); any other pcpu -EINVAL (not online, or &gt;= NR_CPUS).
        /// </summary>
        static long PinOverride(int pcpu)
        {
            if (pcpu < 0)
            {
                if (!s_pinOverride) return -XenErrno.EINVAL;
                s_pinOverride = false;
                return 0;
            }
            if (pcpu != 0) return -XenErrno.EINVAL;
            if (s_pinOverride) return -XenErrno.EBUSY;
            s_pinOverride = true;
            return 0;
        }

        /// <summary>
        /// SCHEDOP_block: enables event delivery and halts until an event is pending (Xen's
        /// vcpu_block_enable_events). The pending upcall is delivered on the hypercall's exit.
        /// </summary>
        public static void Block()
        {
            VcpuInfo* vi = Vcpu.Info;
            vi->EvtchnUpcallMask = 0;
            Traps.Interrupts.PollConsole();
            if (!Smp.ShimLock.Active) { while (vi->EvtchnUpcallPending == 0) Cpu.StiHlt(); return; }
            WaitUnlocked(vi, null, 0, 0, false);
        }

        /// <summary>
        /// With several vCPUs: halts with the lock given up (other CPUs' hypercalls, events and
        /// interrupts go on) until <paramref name="vi"/>'s upcall becomes pending (when
        /// <paramref name="upcallWakes"/> or a block), one of <paramref name="ports"/> is pending,
        /// system time passes <paramref name="timeout"/> (0: none) or the vCPU is taken down; then
        /// takes the lock back (a vCPU taken down parks first, Smp/Vcpus.cs). What the dispatcher
        /// keeps of the hypercall it serves is restored for it.
        /// </summary>
        static void WaitUnlocked(VcpuInfo* vi, uint* ports, uint nrPorts, ulong timeout, bool poll)
        {
            int me = Smp.Cpus.Current();
            ulong* state = Smp.Vcpus.State(me);
            CpuFrame* current = HypercallDispatch.Current;
            bool upcallBefore = poll && vi->EvtchnUpcallPending != 0;
            if (poll) Evtchn.Pollers |= 1UL << me;
            Smp.Runstate.Set(me, VcpuOp.RUNSTATE_blocked);
            Smp.ShimLock.ExitAll();
            for (;;)
            {
                if (*state != Smp.Vcpus.Up) break;
                if (!upcallBefore && vi->EvtchnUpcallPending != 0) break;
                if (timeout != 0 && Tsc.Now() >= timeout) break;
                bool woken = false;
                for (uint i = 0; i < nrPorts && !woken; i++) woken = Evtchn.IsPending(ports[i]);   // reads of guest words and port state: racy reads are re-checked each wake-up
                if (woken) break;
                Cpu.StiHlt();
            }
            Smp.ShimLock.Enter();
            if (poll) Evtchn.Pollers &= ~(1UL << me);
            if (*state == Smp.Vcpus.Up) Smp.Runstate.Set(me, VcpuOp.RUNSTATE_running);
            HypercallDispatch.Current = current;
            if (*state != Smp.Vcpus.Up) Smp.Vcpus.TakeDown(me);   // taken down while blocked: park until up
        }

        /// <summary>
        /// SCHEDOP_poll (do_poll, xen/common/sched/core.c): more than 128 ports -EINVAL; a ports
        /// array failing guest_handle_okay -EFAULT; events pending and unmasked: 0 at once; then
        /// each port read (-EFAULT) and checked (not valid, 0 or free: -EINVAL; pending: 0); else
        /// the vCPU blocks until a polled port or the upcall becomes pending or the timeout (system
        /// time ns, 0 = none; one in the past wakes at once) passes, and the call returns 0. The
        /// poll's timeout borrows the guest's one-shot timer; the guest's deadline is re-armed after.
        /// </summary>
        static long Poll(SchedPoll* p)
        {
            Guest.GuestPointer.Touch((ulong)p, (ulong)sizeof(SchedPoll));   // copy_from_guest(&sched_poll, arg)
            if (p->NrPorts > 128) return -XenErrno.EINVAL;
            if (!Checked.CheckedMmu.AddrOk(p->Ports)) return -XenErrno.EFAULT; // guest_handle_okay(ports, nr_ports)
            if (Vcpu.Info->EvtchnUpcallPending != 0 && Vcpu.Info->EvtchnUpcallMask == 0) return 0;
            uint* ports = (uint*)p->Ports;
            for (uint i = 0; i < p->NrPorts; i++)
            {
                uint port = ports[i];
                if (!Evtchn.Valid(port) || port == 0 || Evtchn.State(port) == Evtchn.PortState.Free) return -XenErrno.EINVAL;
                if (Evtchn.IsPending(port)) return 0;
            }
            ulong guestDeadline = ApicTimer.Deadline;
            bool armed = p->Timeout != 0 && (guestDeadline == 0 || p->Timeout < guestDeadline);
            if (armed) ApicTimer.Arm(p->Timeout);
            if (Smp.ShimLock.Active) WaitUnlocked(Vcpu.Info, ports, p->NrPorts, p->Timeout, true);
            else
            {
                bool upcallBefore = Vcpu.Info->EvtchnUpcallPending != 0;
                for (;;)
                {
                    if (p->Timeout != 0 && Tsc.Now() >= p->Timeout) break;
                    if (!upcallBefore && Vcpu.Info->EvtchnUpcallPending != 0) break;
                    bool woken = false;
                    for (uint i = 0; i < p->NrPorts && !woken; i++) woken = Evtchn.IsPending(ports[i]);
                    if (woken) break;
                    Cpu.StiHlt();
                }
            }
            if (armed && guestDeadline != 0) ApicTimer.Arm(guestDeadline);
            return 0;
        }

        /// <summary>SCHEDOP_shutdown: poweroff ends with success, reboot resets, crash prints the guest's registers.</summary>
        static void Shutdown(uint reason, CpuFrame* f)
        {
            Smp.Vcpus.StopOthers();   // domain_shutdown: every other vCPU stops first
            HypercallStats.Print();
            switch (reason)
            {
                case SchedOp.SHUTDOWN_poweroff:
                    Log.Line("dom0 powered off");
                    Machine.Exit(ExitCode.Success);
                    break;
                case SchedOp.SHUTDOWN_reboot:
                    Log.Line("dom0 asked for a reboot");
                    Machine.Reset();
                    break;
                default:
                    Log.Begin(); Log.Str("guest crash: SCHEDOP_shutdown reason "); Log.Dec(reason);
                    Log.Str(reason == SchedOp.SHUTDOWN_crash ? " (crash)" : ""); Log.End();
                    Panic.DumpFrame(f);
                    Machine.Exit(ExitCode.GuestCrash);
                    break;
            }
        }

        /// <summary>HYPERVISOR_set_timer_op(timeout): one-shot at system time timeout ns; 0 cancels.</summary>
        public static long SetTimerOp(ulong deadline)
        {
            if (deadline == 0) ApicTimer.Stop();
            else ApicTimer.Arm(deadline);
            return 0;
        }
    }
}
