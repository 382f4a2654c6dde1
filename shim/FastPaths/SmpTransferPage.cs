using Microxen.Arch;
using Microxen.Inline;
using Microxen.Smp;

namespace Microxen.TransferPage
{
    /// <summary>
    /// The transfer page once several vCPUs run (<see cref="SmpEntry"/>): the per-CPU table the
    /// SmpCall/SmpIret entries reach through sgdt, filled from each CPU's copy of the fast paths
    /// (Smp/EntryCopy.cs: the routine's linked address plus the copy's distance), then the page
    /// rewritten. Runs once, on the vCPU starting the second one (Smp/Vcpus.cs GoSmp), under
    /// the lock; the table is read-only afterwards and the other CPUs have not entered the
    /// guest yet.
    /// </summary>
    public static unsafe class SmpTransferPage
    {
        const int Row = Hypercalls.HypercallTable.Size;
        /// <summary>Rows: CPUs 0..Rows-1, which run vCPUs 0..Rows-1 (Vcpus.Count is at most this, Vcpus.Configure).</summary>
        const int Rows = Events.Evtchn.MaxVcpus;
        struct Table { public fixed ulong T[Rows * Row]; }
        static Table s_t;

        // The shim's layout must be the one the generated helpers assume (a compile-time check).
        const int StrideCheck = 1 / (Arch.Gdt.CpuStride == 1UL << SmpEntry.CpuStrideShift && Row * 8 == 1 << SmpEntry.RowShift ? 1 : 0);

        /// <summary>
        /// The inline targets the boot CPU's page was filled with (ShimMain), kept by <see cref="Remember"/>;
        /// Inline says whether the page had inline sequences.
        /// </summary>
        static InlineTargets s_targets;
        static bool s_inline;

        /// <summary>Keeps what the boot-time page was filled with.</summary>
        public static void Remember(bool inline, InlineTargets t) { s_inline = inline; s_targets = t; }

        /// <summary>Fills the table for CPUs 0..<paramref name="cpus"/>-1 and rewrites <paramref name="page"/> with the SMP sequences.</summary>
        public static void Go(byte* page, int cpus)
        {
            if (cpus > Rows)
            {
                Console.Log.Info("SMP: more vCPUs than the transfer page's per-CPU table has rows: the dispatcher in every entry");
                TransferPageBuilder.Fill(page);
                return;
            }
            NativeSymbols syms;
            Cpu.Symbols(&syms);
            fixed (Table* t = &s_t)
            {
                for (int cpu = 0; cpu < cpus; cpu++)
                {
                    long delta = EntryCopy.Delta(cpu);
                    ulong* row = &t->T[cpu * Row];
                    for (int n = 0; n < Row; n++)
                    {
                        ulong linked = s_targets.FastPathTable[n];
                        row[n] = linked == 0 ? 0 : (ulong)((long)linked + delta);
                    }
                    row[Xen.Hypercall.Iret] = (ulong)((long)s_targets.PageIret + delta);
                }
                for (int cpu = 1; cpu < cpus; cpu++)   // the LSTAR dispatcher's check of declined calls (PvState.DeclinedBias)
                    if (Cpus.Pv(cpu) != null) Cpus.Pv(cpu)->TransferPageVa = ShimCpu.Pv->TransferPageVa;
                InlineTargets x = s_targets;
                x.SmpPageCall = syms.SmpPageCall;
                x.SmpPageIret = syms.SmpPageIret;
                x.SmpTable = (ulong)t->T - (SmpEntry.GdtVirt >> SmpEntry.BaseShift);
                TransferPageBuilder.Fill(page, s_inline, true, x);
                Local(page, cpus, t, Xen.Hypercall.StackSwitch, syms.SmpPageCall, syms.SmpPageStackSwitch);
                Local(page, cpus, t, Xen.Hypercall.FpuTaskswitch, syms.SmpPageCall, syms.SmpPageFpuTaskswitch);
            }
        }

        /// <summary>
        /// Entry <paramref name="nr"/>, when it calls smp_page_call, calls <paramref name="helper"/>
        /// instead, and its table column holds each CPU's pv_state: the helper does the routine's
        /// work there itself (FastPaths.Smp.asm.cs SmpPageLocal), one call and the routine's
        /// return fewer.
        /// </summary>
        static void Local(byte* page, int cpus, Table* t, int nr, ulong call, ulong helper)
        {
            ulong* slot = (ulong*)(page + (nr << SmpEntry.EntryShift) + SmpEntry.HelperSlot);
            if (*slot != call) return;
            for (int cpu = 0; cpu < cpus; cpu++) t->T[cpu * Row + nr] = (ulong)Cpus.Pv(cpu);
            *slot = helper;
        }
    }
}
