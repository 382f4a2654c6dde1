using KernelTest.Tests;
using Microxen.Xen;

namespace KernelTest.Smp
{
    /// <summary>
    /// The run's last step with secondary vCPUs up: SCHEDOP_shutdown from vCPU 1 (Xen 4.17's
    /// do_sched_op: domain_shutdown of the caller's domain, whichever vCPU asks; for dom0
    /// hwdom_shutdown ends the machine: "Hardware Dom0 halted" for SHUTDOWN_poweroff). vCPU 0
    /// prints "kernel-test: SCHEDOP_shutdown from vCPU 1" and waits; if the machine is still
    /// running 5 s later it prints "kernel-test: SCHEDOP_shutdown from vCPU 1 did not end the
    /// machine" (with the call's result when it returned) and shuts down itself.
    /// KernelTestSmpTests checks both hosts end through vCPU 1.
    /// </summary>
    public static unsafe class SmpShutdown
    {

        /// <summary>Runner.Finish's step before its own SCHEDOP_shutdown: nothing with one vCPU or when vCPU 1 is not up.</summary>
        public static void FromSecondary(uint reason)
        {
            if (SmpTests.Count() < 2 || !SmpTests.IsStarted(1) || Hv.VcpuOp(VcpuOp.VCPUOP_is_up, 1, null) != 1) return;
            Out.Line("kernel-test: SCHEDOP_shutdown from vCPU 1");
            Secondary.Post(1, Secondary.CmdShutdown, reason, 0, 0);
            bool returned = Secondary.WaitDone(1, 5 * Pvclock.Second);
            Out.Str("kernel-test: SCHEDOP_shutdown from vCPU 1 did not end the machine");
            if (returned) { Out.Str(" (it returned "); Out.Hex(Secondary.Result(1, 0)); Out.Str(")"); }
            Out.End();
        }
    }
}
