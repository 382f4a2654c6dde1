namespace KernelTest.Tests
{
    /// <summary>
    /// Time: VIRQ_TIMER with VCPUOP_set_singleshot_timer and set_timer_op (public/vcpu.h,
    /// public/xen.h), and pvclock (vcpu_time_info) monotonicity. The periodic timer is stopped
    /// at start-up (VCPUOP_stop_periodic_timer), so the only timer event is the one armed.
    /// </summary>
    public static unsafe class TimerTests
    {
        /// <summary>Delay asked for, ns.</summary>
        const ulong Delay = 10_000_000;
        /// <summary>"Not absurdly late": QEMU's TCG on a shared machine may be slow, not this slow.</summary>
        const ulong MaxLate = 5_000_000_000;   // a lost timer, not a slow host (Xen 4.17 under a loaded TCG host was 0.5 s late)

        public static bool Singleshot() => OneShot(true);
        public static bool SetTimerOp() => OneShot(false);

        /// <summary>
        /// Binds VIRQ_TIMER, arms a one-shot timer for now + 10 ms and blocks (SCHEDOP_block,
        /// which enables events) until the upcall: it must arrive for the timer port, with pvclock
        /// at arrival &gt;= the deadline and less than 5 s late.
        /// </summary>
        static bool OneShot(bool vcpuOp)
        {
            uint port = EvtchnTests.BindTimer();
            if (port == 0) return false;
            ulong deadline = Pvclock.Now() + Delay;
            long rc;
            if (vcpuOp)
            {
                VcpuSetSingleshotTimer t;
                t.TimeoutAbsNs = deadline;
                t.Flags = 0;
                rc = Hv.VcpuOp(VcpuOp.VCPUOP_set_singleshot_timer, 0, &t);
            }
            else rc = Hv.Call(Hypercall.SetTimerOp, deadline);
            if (!Check.Rc(vcpuOp ? "VCPUOP_set_singleshot_timer" : "set_timer_op", rc)) return false;
            ulong giveUp = deadline + 2 * MaxLate;
            while (Ev.Hits(port) == 0 && Pvclock.Now() < giveUp)
                Hv.SchedOpCall(SchedOp.SCHEDOP_block, null);
            Ev.Mask();
            ulong at = Ev.ArrivedAt(port);
            EvtchnTests.Close(port);
            if (!Check.True(Ev.Hits(port) != 0, "no timer upcall within 1 s")) return false;
            if (!Check.True(at >= deadline, "the timer upcall came before the deadline"))
            {
                Out.Str("kernel-test: early by "); Out.Dec(deadline - at); Out.Str(" ns"); Out.End();
                return false;
            }
            Out.Str("kernel-test: timer upcall "); Out.Dec((at - deadline) / 1000); Out.Str(" us after the deadline"); Out.End();
            return Check.True(at - deadline < MaxLate, "the timer upcall came more than 5 s late");
        }

        /// <summary>20000 pvclock reads never go backwards and time advances; the version is even when read stable.</summary>
        public static bool PvclockMonotonic()
        {
            if (!Check.True(Window.Vcpu0->Time.TscToSystemMul != 0, "tsc_to_system_mul is 0")) return false;
            ulong first = Pvclock.Now(), prev = first;
            for (int i = 0; i < 20000; i++)
            {
                ulong now = Pvclock.Now();
                if (now < prev) return Runner.Fail("pvclock went backwards", now, prev);
                prev = now;
            }
            if (!Check.True(prev > first, "pvclock did not advance over 20000 reads")) return false;
            return Check.Eq("pvclock version parity", Pvclock.Version & 1, 0);
        }
    }
}
