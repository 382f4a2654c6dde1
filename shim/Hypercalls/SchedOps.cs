namespace Microxen.Hypercalls
{
    /// <summary>HYPERVISOR_sched_op (public/sched.h) and the one-shot timer (set_timer_op).</summary>
    public static unsafe class SchedOps
    {
        public static long Op(ulong cmd, ulong arg, CpuFrame* f)
        {
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
                default:
                    return HypercallStats.Unimplemented("sched_op", Hypercall.SchedOp, cmd, arg, 0, 0, 0);
            }
        }

        /// <summary>
        /// SCHEDOP_block: enables event delivery and halts until an event is pending (Xen's
        /// vcpu_block_enable_events). The pending upcall is delivered on the hypercall's exit.
        /// </summary>
        public static void Block()
        {
            Vcpu.Info->EvtchnUpcallMask = 0;
            Traps.Interrupts.PollConsole();
            while (Vcpu.Info->EvtchnUpcallPending == 0) Cpu.StiHlt();
        }

        /// <summary>SCHEDOP_poll: halts until one of the ports is pending or the timeout (system time ns, 0 = none) passes.</summary>
        static long Poll(SchedPoll* p)
        {
            uint* ports = (uint*)p->Ports;
            if (p->NrPorts > 128) return -XenErrno.EINVAL;
            if (p->Timeout != 0 && (ApicTimer.Deadline == 0 || p->Timeout < ApicTimer.Deadline)) ApicTimer.Arm(p->Timeout);
            for (;;)
            {
                for (uint i = 0; i < p->NrPorts; i++)
                {
                    uint port = ports[i];
                    if (port >= Evtchn.MaxPorts) return -XenErrno.EINVAL;
                    if (Evtchn.IsPending(port)) return 0;
                }
                if (p->Timeout != 0 && Tsc.Now() >= p->Timeout) return 0;
                Cpu.StiHlt();
            }
        }

        /// <summary>SCHEDOP_shutdown: poweroff ends with success, reboot resets, crash prints the guest's registers.</summary>
        static void Shutdown(uint reason, CpuFrame* f)
        {
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
