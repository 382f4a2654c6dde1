using KernelTest.Smp;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// The SMP group's per-vCPU state (issue 11), as Xen 4.17 keeps it: the trap table and GDT
    /// from VCPUOP_initialise's context (set_trap_table on vCPU 1 changes its table only),
    /// VCPUOP_down of another vCPU (xen/common/domain.c do_vcpu_op: 0, is_up 0, the vCPU stops
    /// where it was and VCPUOP_up resumes it there). <see cref="SmpVcpuAreaTests"/> has the
    /// runstate area, register_vcpu_info and FIFO queues.
    /// </summary>
    public static unsafe class SmpVcpuTests
    {
        const uint V = 1;

        /// <summary>#UD on vCPU 1 enters its own handler; vCPU 0's #UD still kt_isr_6.</summary>
        static bool UdOn1(ulong stub)
        {
            if (!Check.True(Secondary.Ask(V, Secondary.CmdUd2, 0, 0, 0, 5 * Pvclock.Second), "vCPU 1 did not answer")) return false;
            if (!Check.Eq("#UD handlers run on vCPU 1", Secondary.Result(V, 1), 1)) return false;
            if (!Check.Eq("vCPU 1's #UD handler (stub vector)", Secondary.Result(V, 0), stub)) return false;
            ulong before = Traps.State->Faults;
            Native.ProbeUd2();
            return Check.Eq("#UD on vCPU 0", Traps.State->Faults - before, 1) && Check.Eq("vCPU 0's #UD handler (stub vector)", Traps.State->Vector, X86.Vector.UD);
        }

        /// <summary>
        /// vCPU 1's #UD enters the handler of its context's trap_ctxt; set_trap_table on vCPU 1
        /// moves it for vCPU 1 only; vCPU 0's #UD enters kt_isr_6 throughout (its table set again after).
        /// </summary>
        public static bool TrapTableOwn()
        {
            if (!SmpRemoteTests.Ready()) return SmpRemoteTests.Skipped("smp_trap_table_own");
            bool ok = Moved();
            // vCPU 0's own table registered again: a host with one table for all vCPUs took vCPU 1's.
            return Check.True(Traps.RegisterTable(), "set_trap_table on vCPU 0 failed") && ok;
        }

        static bool Moved()
        {
            if (!UdOn1(SecondaryTraps.OwnUd)) return false;
            if (!Check.True(Secondary.Ask(V, Secondary.CmdSetTrap, X86.Vector.UD, SecondaryTraps.SetUd, 0, 5 * Pvclock.Second), "vCPU 1 did not answer")) return false;
            if (!Check.Rc("set_trap_table on vCPU 1", (long)Secondary.Result(V, 0))) return false;
            bool ok = UdOn1(SecondaryTraps.SetUd);
            bool back = Secondary.Ask(V, Secondary.CmdSetTrap, X86.Vector.UD, SecondaryTraps.OwnUd, 0, 5 * Pvclock.Second);
            return Check.True(back, "vCPU 1 did not answer") && Check.Rc("set_trap_table back on vCPU 1", (long)Secondary.Result(V, 0)) && ok;
        }

        /// <summary>
        /// vCPU 1's GDT (gdt_frames from its context) has a data descriptor at entry 3: lsl reads
        /// its limit, ES loads the selector (0x1b) and reads through it; vCPU 0's GDT has no entry
        /// 3 (lsl refuses it, nothing loaded).
        /// </summary>
        public static bool GdtOwn() => SmpRemoteTests.Ready()
            ? LoadsOn1Only(SecondaryTraps.GdtFrame() != 0, SecondaryTraps.GdtSelector, SecondaryTraps.GdtLimit)
            : SmpRemoteTests.Skipped("smp_gdt_own");

        /// <summary>
        /// The same through vCPU 1's LDT (ldt_base/ldt_ents from its context, a read-only page,
        /// entry 1: selector 0xf); vCPU 0 has no LDT.
        /// </summary>
        public static bool LdtOwn() => SmpRemoteTests.Ready()
            ? LoadsOn1Only(SecondaryTraps.LdtPage() != 0, SecondaryTraps.LdtSelector, SecondaryTraps.LdtLimit)
            : SmpRemoteTests.Skipped("smp_ldt_own");

        /// <summary>Selector <paramref name="sel"/> (limit <paramref name="limit"/>) loads on vCPU 1 (kt_ldt_probe: lsl, ES, a read through ES), lsl refuses it on vCPU 0.</summary>
        static bool LoadsOn1Only(bool made, ulong sel, ulong limit)
        {
            if (!Check.True(made, "no descriptor page for the secondaries")) return false;
            if (!Check.True(Secondary.Ask(V, Secondary.CmdSelector, sel, 0, 0, 5 * Pvclock.Second), "vCPU 1 did not answer")) return false;
            if (!Check.Eq("lsl(selector) on vCPU 1", Secondary.Result(V, 0), limit)) return false;
            if (!Check.Eq("ES after loading the selector on vCPU 1", Secondary.Result(V, 2), sel)) return false;
            if (!Check.Eq("a read through ES on vCPU 1", Secondary.Result(V, 3), limit)) return false;
            ulong* o = stackalloc ulong[4];
            Native.LdtProbe(sel, o);
            return Check.Eq("lsl(selector) on vCPU 0 (no such descriptor there)", o[0], ulong.MaxValue);
        }

        /// <summary>vCPU n's loop counter (it counts while the vCPU runs its mailbox loop).</summary>
        static ulong Spins(uint n) => *Secondary.Word(n, Secondary.WSpin);

        /// <summary>True when vCPU n's loop counter stays still over 100 ms, tried for up to 2 s (a remote down takes effect asynchronously).</summary>
        static bool Stopped(uint n)
        {
            ulong giveUp = Pvclock.Now() + 2 * Pvclock.Second;
            do
            {
                ulong a = Spins(n);
                Sleep(100 * Pvclock.Ms);
                if (Spins(n) == a) return true;
            } while (Pvclock.Now() < giveUp);
            return false;
        }

        /// <summary>True when vCPU n's loop counter moves within 5 s.</summary>
        static bool Runs(uint n)
        {
            ulong a = Spins(n), giveUp = Pvclock.Now() + 5 * Pvclock.Second;
            while (Spins(n) == a && Pvclock.Now() < giveUp) Native.Pause();
            return Spins(n) != a;
        }

        public static void Sleep(ulong ns)
        {
            ulong until = Pvclock.Now() + ns;
            while (Pvclock.Now() < until) Native.Pause();
        }

        /// <summary>
        /// vCPU 0 takes vCPU 1 down while it runs its loop: 0 (and 0 again), is_up 0,
        /// RUNSTATE_offline, the loop stops; VCPUOP_up: 0, the loop goes on where it stopped (not
        /// restarted from the entry point) and answers a command.
        /// </summary>
        public static bool RemoteDown()
        {
            if (!SmpRemoteTests.Ready()) return SmpRemoteTests.Skipped("smp_remote_down");
            ulong alive = Secondary.Alive(V);
            if (!Check.Rc("VCPUOP_down of vCPU 1 by vCPU 0", Hv.VcpuOp(VcpuOp.VCPUOP_down, V, null))) return false;
            bool ok = Check.Eq("VCPUOP_is_up after a remote down", (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_is_up, V, null), 0)
                && Check.Rc("VCPUOP_down of a down vCPU", Hv.VcpuOp(VcpuOp.VCPUOP_down, V, null))
                && Check.True(Stopped(V), "vCPU 1 kept running after VCPUOP_down")
                && Check.Eq("vCPU 1's runstate while down", (ulong)(long)SmpEventTests.Runstate(V), VcpuOp.RUNSTATE_offline);
            long up = Hv.VcpuOp(VcpuOp.VCPUOP_up, V, null);
            if (!Check.Rc("VCPUOP_up", up) || !ok) return false;
            if (!Check.True(Runs(V), "vCPU 1 did not run again within 5 s of VCPUOP_up")) return false;
            if (!Check.Eq("entries into the secondary's entry point", Secondary.Alive(V), alive)) return false;
            if (!Check.True(Secondary.Ask(V, Secondary.CmdRead, (ulong)&alive, 0, 0, 5 * Pvclock.Second), "vCPU 1 did not answer after VCPUOP_up")) return false;
            return Check.Eq("VCPUOP_is_up after up", (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_is_up, V, null), 1);
        }
    }
}
