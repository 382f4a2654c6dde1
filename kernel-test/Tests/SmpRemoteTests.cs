using KernelTest.Smp;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// The SMP group, continued (<see cref="SmpTests"/>): remote TLB flushes, a timer on each
    /// secondary vCPU, VCPUOP_down and up. Sources: public/xen.h (MMUEXT_*_MULTI, UVMF_MULTI: a
    /// pointer to a vCPU bitmap), public/vcpu.h; xen/arch/x86/mm.c, xen/common/domain.c.
    /// </summary>
    public static unsafe class SmpRemoteTests
    {
        const ulong TimerDelay = 10_000_000, MaxLate = 500_000_000;
        public const int HowFlushMulti = 0, HowInvlpgMulti = 1, HowUvmfMulti = 2;

        public static bool TlbFlushMulti() => RemoteFlush(HowFlushMulti, "smp_tlb_flush_multi");
        public static bool InvlpgMulti() => RemoteFlush(HowInvlpgMulti, "smp_invlpg_multi");
        public static bool UvmfInvlpgMulti() => RemoteFlush(HowUvmfMulti, "smp_uvmf_invlpg_multi");

        /// <summary>True when vCPU 1 runs (smp_up started it).</summary>
        public static bool Ready() => SmpTests.Count() > 1 && SmpTests.IsStarted(1);

        /// <summary>With one vCPU: SKIP and pass; else vCPU 1 did not start: fail.</summary>
        public static bool Skipped(string test) => SmpTests.Count() == 1 ? SmpTests.SkipLine(test) : Runner.Fail("vCPU 1 is not up (smp_up failed)");

        /// <summary>
        /// vCPU 1 reads slot s (frame a), vCPU 0 points slot s at frame b and flushes vCPU 1 only
        /// (<paramref name="how"/>); vCPU 1 must then read frame b.
        /// </summary>
        static bool RemoteFlush(int how, string test)
        {
            if (!Ready()) return Skipped(test);
            ulong a = Frames.WithPattern(0x5a0001), b = Frames.WithPattern(0x5a0002);
            if (!Check.True(a != 0 && b != 0, "no free frames")) return false;
            int s = Runner.Slot(0);
            ulong va = Window.Va(s);
            if (!Check.Rc("map", Window.Map(s, a))) return false;
            if (!Check.True(Secondary.Ask(1, Secondary.CmdRead, va, 0, 0, 5 * Pvclock.Second), "vCPU 1 did not answer")) return false;
            if (!Check.Eq("vCPU 1 reads the first frame", Secondary.Result(1, 0), 0x5a0001)) return false;
            if (!Check.Rc("flush", Change(how, s, va, (b << 12) | Mm.KernelRw))) return false;
            if (!Check.True(Secondary.Ask(1, Secondary.CmdRead, va, 0, 0, 5 * Pvclock.Second), "vCPU 1 did not answer")) return false;
            if (!Check.Eq("vCPU 1 reads after the remote flush", Secondary.Result(1, 0), 0x5a0002)) return false;
            return Check.Rc("unmap", Hv.UpdateVaMapping(va, 0, UvmFlags.UVMF_INVLPG | UvmFlags.UVMF_ALL));
        }

        /// <summary>Slot s's PTE becomes <paramref name="pte"/>, flushed on vCPU 1 only as <paramref name="how"/> says; the first failing result.</summary>
        public static long Change(int how, int s, ulong va, ulong pte)
        {
            ulong mask = 1UL << 1;
            if (how == HowUvmfMulti)
                return Hv.UpdateVaMapping(va, pte, UvmFlags.UVMF_INVLPG | UvmFlags.UVMF_MULTI | (ulong)&mask);
            long rc = Hv.WritePte(Window.PteMa(s), pte);
            if (rc != 0) return rc;
            return how == HowFlushMulti
                ? Hv.Mmuext(MmuextCmd.MMUEXT_TLB_FLUSH_MULTI, 0, (ulong)&mask)
                : Hv.Mmuext(MmuextCmd.MMUEXT_INVLPG_MULTI, va, (ulong)&mask);
        }

        /// <summary>
        /// Each secondary arms a one-shot timer on itself with VIRQ_TIMER bound to it: the event
        /// arrives at or after its deadline, less than 500 ms late. vCPU 0 arming another vCPU's
        /// one-shot timer is -EINVAL (do_vcpu_op: v != current).
        /// </summary>
        public static bool TimerEach()
        {
            if (!Ready()) return Skipped("smp_timer_each");
            VcpuSetSingleshotTimer t;
            t.TimeoutAbsNs = Pvclock.Now() + TimerDelay;
            t.Flags = 0;
            if (!Check.Eq("set_singleshot_timer for another vCPU", (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_set_singleshot_timer, 1, &t), unchecked((ulong)-XenErrno.EINVAL))) return false;
            for (uint n = 1; n < SmpTests.Driven; n++)
            {
                EvtchnBindVirq b;
                b.Virq = Virq.VIRQ_TIMER;
                b.Vcpu = n;
                b.Port = 0;
                if (!Check.Rc("EVTCHNOP_bind_virq(VIRQ_TIMER, vcpu n)", Hv.EventChannelOp(EvtchnOp.EVTCHNOP_bind_virq, &b))) return false;
                EvtchnTests.Prepare(b.Port);
                bool answered = Secondary.Ask(n, Secondary.CmdTimer, b.Port, TimerDelay, 0, 5 * Pvclock.Second);
                EvtchnTests.Close(b.Port);
                if (!Check.True(answered, "the secondary did not answer")) return false;
                if (!Check.Rc("VCPUOP_set_singleshot_timer on the secondary", (long)Secondary.Result(n, 2))) return false;
                ulong deadline = Secondary.Result(n, 0), at = Secondary.Result(n, 1);
                if (!Check.True(at != 0, "no VIRQ_TIMER event on the secondary within 2 s")) return false;
                if (!Check.True(at >= deadline, "the secondary's timer fired before its deadline")) return false;
                if (!Check.True(at - deadline < MaxLate, "the secondary's timer fired more than 500 ms late")) return false;
            }
            return true;
        }

        /// <summary>
        /// The last secondary calls VCPUOP_down on itself: is_up becomes 0 and it stops; VCPUOP_up
        /// resumes it after its hypercall (which returned 0), is_up 1; VCPUOP_up of a running vCPU is 0.
        /// </summary>
        public static bool DownUp()
        {
            if (!Ready()) return Skipped("smp_down_up");
            uint n = SmpTests.Driven - 1;
            ulong alive = Secondary.Alive(n);
            Secondary.Post(n, Secondary.CmdDown, 0, 0, 0);
            ulong giveUp = Pvclock.Now() + 5 * Pvclock.Second;
            while (Hv.VcpuOp(VcpuOp.VCPUOP_is_up, n, null) != 0 && Pvclock.Now() < giveUp) Native.Pause();
            if (!Check.Eq("VCPUOP_is_up after down", (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_is_up, n, null), 0)) return false;
            if (!Check.True(!Secondary.WaitDone(n, 20_000_000), "a downed vCPU kept running")) return false;
            if (!Check.Eq("alive count while down", Secondary.Alive(n), alive)) return false;
            if (!Check.Rc("VCPUOP_up", Hv.VcpuOp(VcpuOp.VCPUOP_up, n, null))) return false;
            if (!Check.True(Secondary.WaitDone(n, 5 * Pvclock.Second), "the vCPU did not resume after VCPUOP_up")) return false;
            if (!Check.Rc("VCPUOP_down's result on the resumed vCPU", (long)Secondary.Result(n, 0))) return false;
            if (!Check.Eq("alive count after up", Secondary.Alive(n), alive + 1)) return false;
            if (!Check.Eq("VCPUOP_is_up after up", (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_is_up, n, null), 1)) return false;
            return Check.Rc("VCPUOP_up of a running vCPU", Hv.VcpuOp(VcpuOp.VCPUOP_up, n, null));
        }
    }
}
