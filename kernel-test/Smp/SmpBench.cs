using KernelTest.Tests;

namespace KernelTest.Smp
{
    /// <summary>
    /// "smpbench" on the command line: instead of the suite, the secondary vCPUs are brought up
    /// (<see cref="SmpTests.Up"/>) and two figures printed in TSC ticks, the bench table's format:
    /// an IPI round trip to each secondary (<see cref="SmpTests.PingPongEach"/>, 1000 rounds), and
    /// a PTE change by mmu_update followed by a flush of vCPU 1 (MMUEXT_TLB_FLUSH_MULTI,
    /// MMUEXT_INVLPG_MULTI) against the same with MMUEXT_TLB_FLUSH_LOCAL (no other vCPU involved),
    /// the minimum over 7 batches of 200. scripts/bench-smp.sh prints them for microxen and Xen 4.17.
    /// </summary>
    public static unsafe class SmpBench
    {
        const int Batches = 7, PerBatch = 200;

        public static bool Requested(StartInfo* si)
        {
            sbyte* c = si->CmdLine;
            for (int i = 0; i + 8 <= StartInfo.MaxGuestCmdline && c[i] != 0; i++)
                if ((i == 0 || c[i - 1] == ' ') && c[i] == 's' && c[i + 1] == 'm' && c[i + 2] == 'p' && c[i + 3] == 'b'
                    && c[i + 4] == 'e' && c[i + 5] == 'n' && c[i + 6] == 'c' && c[i + 7] == 'h' && (c[i + 8] == 0 || c[i + 8] == ' '))
                    return true;
            return false;
        }

        public static bool Run()
        {
            if (SmpTests.Count() < 2) { Out.Line("smpbench: one vCPU, nothing to measure"); return true; }
            if (!SmpTests.Up()) return false;
            if (!SmpTests.PingPongEach(1000, true)) return false;
            ulong a = Frames.WithPattern(0x5b0001), b = Frames.WithPattern(0x5b0002);
            int s = Runner.Slot(0);
            ulong va = Window.Va(s);
            if (a == 0 || b == 0 || Window.Map(s, a) != 0) return Runner.Fail("smpbench: no frames or no mapping");
            return Flush("smp_pte_tlb_flush_multi_vcpu1", SmpRemoteTests.HowFlushMulti, s, va, a, b)
                && Flush("smp_pte_invlpg_multi_vcpu1", SmpRemoteTests.HowInvlpgMulti, s, va, a, b)
                && Flush("smp_pte_tlb_flush_local", -1, s, va, a, b);
        }

        static bool Flush(string name, int how, int s, ulong va, ulong a, ulong b)
        {
            ulong best = ulong.MaxValue;
            for (int k = 0; k < Batches; k++)
            {
                ulong t0 = Native.Rdtsc();
                for (int i = 0; i < PerBatch; i++)
                {
                    ulong pte = (((i & 1) == 0 ? b : a) << 12) | Mm.KernelRw;
                    long rc = how < 0
                        ? Hv.WritePte(Window.PteMa(s), pte) | Hv.Mmuext(MmuextCmd.MMUEXT_TLB_FLUSH_LOCAL, 0)
                        : SmpRemoteTests.Change(how, s, va, pte);
                    if (rc != 0) return Runner.Fail(name, (ulong)rc, 0);
                }
                ulong t = (Native.Rdtsc() - t0) / PerBatch;
                if (t < best) best = t;
            }
            Out.Str("COST "); Out.Str(name); Out.Str(" "); Out.Dec(best); Out.Str(" cycles/call batches 7x200"); Out.End();
            return true;
        }
    }
}
