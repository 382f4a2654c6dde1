using KernelTest.Smp;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// The SMP group (issue 11): vCPUs counted with VCPUOP_is_up (1 or 0 below the domain's
    /// max_vcpus, -ENOENT from there: xen/common/domain.c do_vcpu_op), brought up with
    /// VCPUOP_initialise + VCPUOP_up (<see cref="Secondary"/>), an IPI ping-pong (EVTCHNOP_bind_ipi
    /// to each side, EVTCHNOP_send), a remote TLB flush (the secondary reads a mapping, the boot vCPU
    /// changes it with mmu_update and flushes with MMUEXT_TLB_FLUSH_MULTI / INVLPG_MULTI or
    /// update_va_mapping UVMF_MULTI naming only the secondary; the secondary must read the new
    /// frame), a one-shot timer armed by each secondary on itself (VIRQ_TIMER bound per vCPU), and
    /// VCPUOP_down of a secondary by itself, VCPUOP_is_up 0, VCPUOP_up resuming it after the
    /// hypercall. With one vCPU the tests but smp_is_up print "SKIP" and pass.
    /// </summary>
    public static unsafe class SmpTests
    {
        /// <summary>The boot vCPU's own view: the number of vCPUs (is_up answers before -ENOENT).</summary>
        static uint s_count;
        /// <summary>Bit n: vCPU n was brought up by smp_up.</summary>
        static ulong s_up;

        public static uint Count()
        {
            if (s_count == 0)
            {
                uint n = 0;
                while (n < 4096 && Hv.VcpuOp(VcpuOp.VCPUOP_is_up, n, null) >= 0) n++;
                s_count = n;
            }
            return s_count;
        }

        /// <summary>vCPUs the group drives: the count, at most <see cref="Secondary.MaxVcpus"/>.</summary>
        public static uint Driven => Count() < Secondary.MaxVcpus ? Count() : Secondary.MaxVcpus;

        /// <summary>True when smp_up started vCPU n.</summary>
        public static bool IsStarted(uint n) => (s_up >> (int)n & 1) != 0;

        /// <summary>Prints "kernel-test: SKIP test: one vCPU"; true (the test passes).</summary>
        public static bool SkipLine(string test)
        {
            Out.Str("kernel-test: SKIP "); Out.Str(test); Out.Str(": one vCPU"); Out.End();
            return true;
        }

        static bool Skip(string test) => Count() == 1 && SkipLine(test);

        /// <summary>vCPU 0 is up, the others down until brought up, -ENOENT at and past the count.</summary>
        public static bool IsUp()
        {
            uint n = Count();
            Out.Str("kernel-test: "); Out.Dec(n); Out.Str(" vCPUs"); Out.End();
            if (!Check.Eq("VCPUOP_is_up(0)", (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_is_up, 0, null), 1)) return false;
            for (uint i = 1; i < n; i++)
                if (!Check.Eq("VCPUOP_is_up(secondary)", (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_is_up, i, null), (s_up >> (int)i) & 1)) return false;
            ulong enoent = unchecked((ulong)-XenErrno.ENOENT);
            if (!Check.Eq("VCPUOP_is_up(count)", (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_is_up, n, null), enoent)) return false;
            return Check.Eq("VCPUOP_is_up(count + 100)", (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_is_up, n + 100, null), enoent);
        }

        /// <summary>VCPUOP_up before initialise is -EINVAL; initialise + up starts each secondary; a second initialise is -EEXIST.</summary>
        public static bool Up()
        {
            if (Skip("smp_up")) return true;
            for (uint i = 1; i < Driven; i++)
            {
                if ((s_up >> (int)i & 1) != 0) continue;
                if (!Check.Eq("VCPUOP_up before initialise", (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_up, i, null), unchecked((ulong)-XenErrno.EINVAL))) return false;
                ulong before = Secondary.Alive(i);
                if (!Check.Rc("VCPUOP_initialise", Secondary.Initialise(i))) return false;
                if (!Check.Rc("VCPUOP_up", Hv.VcpuOp(VcpuOp.VCPUOP_up, i, null))) return false;
                if (!Check.True(Secondary.WaitAlive(i, before, 5 * Pvclock.Second), "a secondary vCPU did not start within 5 s")) return false;
                s_up |= 1UL << (int)i;
                if (!Check.Eq("VCPUOP_is_up(started)", (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_is_up, i, null), 1)) return false;
                if (!Check.Eq("VCPUOP_initialise again", (ulong)Secondary.Initialise(i), unchecked((ulong)-XenErrno.EEXIST))) return false;
            }
            Out.Str("kernel-test: "); Out.Dec(Driven - 1); Out.Str(" secondary vCPUs up"); Out.End();
            return true;
        }

        /// <summary>EVTCHNOP_bind_ipi to <paramref name="vcpu"/>, the port's mask and pending bits cleared; 0 after a failure.</summary>
        public static uint BindIpi(uint vcpu)
        {
            EvtchnBindIpi b;
            b.Vcpu = vcpu;
            b.Port = 0;
            long rc = Hv.EventChannelOp(EvtchnOp.EVTCHNOP_bind_ipi, &b);
            if (rc != 0 || b.Port == 0 || b.Port >= Ev.MaxPorts) { Runner.Fail("EVTCHNOP_bind_ipi", (ulong)rc, 0); return 0; }
            EvtchnTests.Prepare(b.Port);
            return b.Port;
        }

        /// <summary>Clears what events left in vCPU 0's vcpu_info (its upcalls stay masked).</summary>
        static void Quiet()
        {
            Native.Xchg(&Window.Vcpu0->EvtchnPendingSel, 0);
            Window.Vcpu0->EvtchnUpcallPending = 0;
        }

        public static bool IpiPingPong() => PingPongEach(100, false);

        /// <summary>
        /// With each secondary n: ports A (bound to n) and B (bound to 0); <paramref name="rounds"/>
        /// times vCPU 0 sends A and waits for B, which n sends after it saw A pending in its own
        /// vcpu_info. With <paramref name="print"/> the TSC ticks per round trip are printed (bench).
        /// </summary>
        public static bool PingPongEach(ulong rounds, bool print)
        {
            if (Skip("smp_ipi_pingpong")) return true;
            if (!IsStarted(1)) return Runner.Fail("vCPU 1 is not up (smp_up failed)");
            for (uint n = 1; n < Driven; n++)
            {
                uint a = BindIpi(n), b = BindIpi(0);
                if (a == 0 || b == 0) return false;
                Secondary.Post(n, Secondary.CmdPingPong, a, b, rounds);
                ulong done = 0, t0 = Native.Rdtsc();
                for (; done < rounds; done++)
                {
                    if (EvtchnTests.Send(a) != 0) break;
                    ulong giveUp = Pvclock.Now() + 2 * Pvclock.Second;
                    while (!Ev.PendingBit(b) && Pvclock.Now() < giveUp) Native.Pause();
                    if (!Ev.PendingBit(b)) break;
                    Ev.ClearPendingBit(b);
                }
                ulong ticks = Native.Rdtsc() - t0;
                bool finished = Secondary.WaitDone(n, 5 * Pvclock.Second);
                Quiet();
                EvtchnTests.Close(a);
                EvtchnTests.Close(b);
                if (!Check.Eq("round trips completed", done, rounds)) return false;
                if (!Check.True(finished, "the secondary did not finish its rounds")) return false;
                if (!Check.Eq("rounds answered by the secondary", Secondary.Result(n, 0), rounds)) return false;
                if (!Check.Eq("events not routed to the secondary's vcpu_info", Secondary.Result(n, 1), 0)) return false;
                if (print) { Out.Str("COST smp_ipi_roundtrip_vcpu"); Out.Dec(n); Out.Str(" "); Out.Dec(ticks / rounds); Out.Str(" cycles/roundtrip rounds "); Out.Dec(rounds); Out.End(); }
            }
            return true;
        }
    }
}
