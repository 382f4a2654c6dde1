using Microxen.Arch;
using Microxen.Boot;
using Microxen.Console;
using Microxen.Xen;

namespace Microxen.Hypercalls
{
    /// <summary>HYPERVISOR_sched_op (public/sched.h) and the timer hypercalls.</summary>
    public static unsafe class SchedOps
    {
        static bool s_timerWarned;

        public static long Op(ulong cmd, ulong arg, CpuFrame* f)
        {
            switch (cmd)
            {
                case SchedOp.SCHEDOP_yield:
                    return 0;
                case SchedOp.SCHEDOP_shutdown:
                    Shutdown(((SchedShutdown*)arg)->Reason, f);
                    return 0;
                case SchedOp.SCHEDOP_shutdown_code:
                    return 0;
                default:
                    return HypercallStats.Unimplemented("sched_op", Hypercall.SchedOp, cmd, arg, 0, 0, 0);
            }
        }

        /// <summary>SCHEDOP_shutdown: poweroff ends with success, reboot resets, crash prints the guest's registers.</summary>
        static void Shutdown(uint reason, CpuFrame* f)
        {
            HypercallStats.Print();
            switch (reason)
            {
                case SchedOp.SHUTDOWN_poweroff:
                    Log.Line("guest powered off");
                    Machine.Exit(ExitCode.Success);
                    break;
                case SchedOp.SHUTDOWN_reboot:
                    Log.Line("guest asked for a reboot");
                    Machine.Reset();
                    break;
                default:
                    Log.Begin(); Log.Str("guest crash: SCHEDOP_shutdown reason "); Log.Dec(reason); Log.End();
                    Panic.DumpFrame(f);
                    Machine.Exit(ExitCode.GuestCrash);
                    break;
            }
        }

        /// <summary>The timer is not built yet: accepted, logged once (no VIRQ_TIMER will arrive).</summary>
        public static long TimerPlaceholder(ulong what)
        {
            if (!s_timerWarned)
            {
                s_timerWarned = true;
                Log.Line("timer hypercalls accepted but no timer is armed yet (VIRQ_TIMER never fires)");
            }
            return 0;
        }

        public static long SetTimerOp(ulong deadline) => TimerPlaceholder(deadline);
    }
}
