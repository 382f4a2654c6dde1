namespace KernelTest.Boot
{
    /// <summary>
    /// kernel-test's C# entry (kt_main, called by kt_start with start_info): set up traps,
    /// callbacks, the mapping window and shared_info, stop the periodic timer, run the suite (or, with
    /// "bench" on the command line, the hypercall cost table of Bench/Bench.cs, or, with
    /// "fuzz=SEED,COUNT", the hypercall storm of Fuzz/Fuzz.cs), print the result and power off. A setup failure is reported as "FAIL setup: why".
    /// </summary>
    public static unsafe class Main
    {
        [UnmanagedCallersOnly(EntryPoint = "kt_main")]
        static void Entry(StartInfo* si)
        {
            Out.Line("--- microxen kernel-test: the Xen PV ABI ---");
            string why;
            if (!Traps.Init(out why)) Setup(why);
            if (!Mm.Init(si, out why)) Setup(why);
            if (!Window.Init(out why)) Setup(why);
            Out.Str("kernel-test: "); Out.Dec(Mm.NrPages); Out.Str(" pages, cs "); Out.Hex(Native.ReadCs());
            Out.Str(", start_info "); Out.Hex((ulong)si); Out.Str(", pt_base "); Out.Hex(si->PtBase); Out.End();
            long rc = Hv.VcpuOp(VcpuOp.VCPUOP_stop_periodic_timer, 0, null);
            if (rc != 0) Setup("VCPUOP_stop_periodic_timer failed");
            Events.Events.Mask();
            ulong bench = Bench.Bench.Requested(si);
            if (bench != 0)
            {
                Runner.Finish(Bench.Bench.Run(bench));
                return;
            }
            if (Smp.SmpBench.Requested(si))
            {
                Runner.Finish(Smp.SmpBench.Run());
                return;
            }
            if (Fuzz.Fuzz.Requested(si))
            {
                Runner.Finish(Fuzz.Fuzz.Run());
                return;
            }
            Runner.RunAll();
            Runner.Finish(true);
        }

        static void Setup(string why)
        {
            Out.Str("FAIL setup: "); Out.Str(why); Out.End();
            Runner.Finish(false);
        }

        /// <summary>The core library's failure hook (shim/Runtime/RuntimeFail.cs).</summary>
        [UnmanagedCallersOnly(EntryPoint = "runtime_fail")]
        static void RuntimeFail(char* message, int length)
        {
            Out.Str("FAIL runtime: ");
            for (int i = 0; i < length; i++) Out.Char((byte)message[i]);
            Out.End();
            Runner.Finish(false);
        }
    }
}
