namespace KernelTest.Tests
{
    /// <summary>
    /// Prints the registered tests ("kernel-test: N tests registered", then "TEST name" for each,
    /// so that a host knows the expected set from the image itself), runs each behind a recovery
    /// point (kt_run_test), one after the other, and prints XTF-style results: "PASS name" or
    /// "FAIL name: why" per test, then "Test result: SUCCESS" or "Test result: FAILURE". A test
    /// that takes an unexpected exception fails with the exception described and the run goes on.
    /// </summary>
    public static unsafe class Runner
    {
        static int s_current = -1;
        static bool s_failed, s_unexpected;
        static ulong s_vector, s_rip, s_cs, s_error, s_cr2;
        public static uint Passed, Failed;

        public static void RunAll()
        {
            int count = TestList.Count();
            Out.Str("kernel-test: "); Out.Dec((ulong)count); Out.Str(" tests registered"); Out.End();
            for (int i = 0; i < count; i++) { Out.Str("TEST "); Out.Str(TestList.Name(i)); Out.End(); }
            for (int i = 0; i < count; i++)
            {
                s_current = i;
                s_failed = false;
                s_unexpected = false;
                if (SkipOption.Listed(TestList.Name(i))) { SkipOption.Report(TestList.Name(i)); Failed++; continue; }
                int r = Native.RunTest(i);
                Events.Events.Mask();
                if (r == -1 || s_unexpected)
                {
                    Out.Str("FAIL "); Out.Str(TestList.Name(i)); Out.Str(": unexpected ");
                    DescribeUnexpected();
                    Out.End();
                    Failed++;
                }
                else if (r == 1 && !s_failed)
                {
                    Out.Str("PASS "); Out.Str(TestList.Name(i)); Out.End();
                    Passed++;
                }
                else
                {
                    if (!s_failed) { Out.Str("FAIL "); Out.Str(TestList.Name(i)); Out.Str(": no reason given"); Out.End(); }
                    Failed++;
                }
            }
            s_current = -1;
        }

        static void DescribeUnexpected()
        {
            Out.Str(VectorName(s_vector)); Out.Str(" at rip "); Out.Hex(s_rip); Out.Str(" cs "); Out.Hex(s_cs);
            Out.Str(" error "); Out.Hex(s_error);
            if (s_vector == 14) { Out.Str(" cr2 "); Out.Hex(s_cr2); }
        }

        /// <summary>
        /// Window slot <paramref name="k"/> (0-3) of the running test: each test maps its pages at
        /// its own virtual addresses, so a test that fails half-way leaves nothing in another's way.
        /// Past 125 tests the slots are used again (the window has 512; a test unmaps what it maps).
        /// </summary>
        public static int Slot(int k) => 8 + s_current * 4 % 500 + k;

        /// <summary>Records an exception no probe expected (called from kt_trap_dispatch).</summary>
        public static void Unexpected(ulong vector, ulong rip, ulong cs, ulong error, ulong cr2)
        {
            s_unexpected = true;
            s_vector = vector; s_rip = rip; s_cs = cs; s_error = error; s_cr2 = cr2;
        }

        /// <summary>An unexpected exception outside any test: the run cannot go on.</summary>
        public static void Fatal()
        {
            Out.Str("FAIL setup: unexpected "); DescribeUnexpected(); Out.End();
            Finish(false);
        }

        /// <summary>Fails the current test (the first reason is printed); returns false.</summary>
        public static bool Fail(string why)
        {
            if (!s_failed)
            {
                Out.Str("FAIL "); Out.Str(s_current >= 0 ? TestList.Name(s_current) : "setup"); Out.Str(": "); Out.Str(why); Out.End();
                s_failed = true;
            }
            return false;
        }

        /// <summary>Fails with "what: got X, want Y" (hexadecimal).</summary>
        public static bool Fail(string what, ulong got, ulong want)
        {
            if (!s_failed)
            {
                Out.Str("FAIL "); Out.Str(s_current >= 0 ? TestList.Name(s_current) : "setup"); Out.Str(": "); Out.Str(what);
                Out.Str(": got "); Out.Hex(got); Out.Str(", want "); Out.Hex(want); Out.End();
                s_failed = true;
            }
            return false;
        }

        /// <summary>Prints the summary and the XTF result line, then shuts the domain down.</summary>
        public static void Finish(bool ok)
        {
            Out.Str("kernel-test: "); Out.Dec(Passed); Out.Str(" passed, "); Out.Dec(Failed); Out.Str(" failed"); Out.End();
            Out.Line(ok && Failed == 0 ? "Test result: SUCCESS" : "Test result: FAILURE");
            Smp.SmpShutdown.FromSecondary(ok ? Microxen.Xen.SchedOp.SHUTDOWN_poweroff : Microxen.Xen.SchedOp.SHUTDOWN_crash);   // issue 11
            Hypervisor.Hv.Shutdown(ok ? Microxen.Xen.SchedOp.SHUTDOWN_poweroff : Microxen.Xen.SchedOp.SHUTDOWN_crash);
            for (;;) Native.Pause();
        }

        public static string VectorName(ulong v)
        {
            switch (v)
            {
                case 0: return "#DE";
                case 1: return "#DB";
                case 3: return "#BP";
                case 4: return "#OF";
                case 5: return "#BR";
                case 6: return "#UD";
                case 7: return "#NM";
                case 10: return "#TS";
                case 11: return "#NP";
                case 12: return "#SS";
                case 13: return "#GP";
                case 14: return "#PF";
                case 16: return "#MF";
                case 17: return "#AC";
                case 19: return "#XM";
                case Arch.EntryVectors.FailsafeCallback: return "failsafe callback";
                default: return "exception";
            }
        }
    }

    /// <summary>Assertions for tests: each returns true when it holds, else fails the test.</summary>
    public static class Check
    {
        public static bool Eq(string what, ulong got, ulong want) => got == want || Runner.Fail(what, got, want);

        /// <summary>A hypercall result that must be 0.</summary>
        public static bool Rc(string what, long rc) => rc == 0 || Runner.Fail(what, (ulong)rc, 0);

        public static bool True(bool cond, string why) => cond || Runner.Fail(why);
    }
}
