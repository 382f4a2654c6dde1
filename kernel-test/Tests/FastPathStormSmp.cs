namespace KernelTest.Tests
{
    using KernelTest.Smp;
    using Microxen.Xen;

    /// <summary>
    /// Page-table hypercalls on several vCPUs at once (issue 11 item 6: microxen serves them on
    /// each CPU's native fast paths through the transfer page, without its C# lock). vCPU 0 and
    /// each started secondary (at most <see cref="MaxStorm"/> in all) take a window slot and two
    /// frames of their own and, concurrently, <see cref="Rounds"/> times: update_va_mapping to
    /// frame A (UVMF_INVLPG, this vCPU only), a read through the slot; MMU_NORMAL_PT_UPDATE to
    /// frame B and MMUEXT_INVLPG_LOCAL, a read; MMU_PT_UPDATE_PRESERVE_AD to frame A, a read. Every
    /// hypercall must return 0 and every read see the frame just mapped (xen/arch/x86/mm.c:
    /// do_update_va_mapping, do_mmu_update, do_mmuext_op; public/xen.h). One vCPU: SKIP.
    /// </summary>
    public static unsafe class FastPathStormSmp
    {
        const int MaxStorm = 4;
        const ulong Rounds = 300;
        struct Plan { public fixed ulong Va[MaxStorm]; public fixed ulong PteMa[MaxStorm]; public fixed ulong A[MaxStorm]; public fixed ulong B[MaxStorm]; }
        static Plan s_plan;

        static ulong Pattern(uint n, int which) => 0x5f0000 + n * 16 + (ulong)which;

        public static bool Storm()
        {
            if (SmpTests.Count() == 1) return SmpTests.SkipLine("smp_fast_path_storm");
            if (!SmpTests.IsStarted(1)) return Runner.Fail("vCPU 1 is not up (smp_up failed)");
            uint vcpus = SmpTests.Driven < MaxStorm ? SmpTests.Driven : MaxStorm;
            fixed (Plan* p = &s_plan)
            {
                for (uint n = 0; n < vcpus; n++)
                {
                    int s = Runner.Slot((int)n);
                    p->Va[n] = Window.Va(s);
                    p->PteMa[n] = Window.PteMa(s);
                    p->A[n] = Frames.WithPattern(Pattern(n, 0));
                    p->B[n] = Frames.WithPattern(Pattern(n, 1));
                    if (!Check.True(p->A[n] != 0 && p->B[n] != 0, "no free frames")) return false;
                }
            }
            ulong fn = (ulong)(delegate* unmanaged<uint, ulong*, void>)&Run;
            for (uint n = 1; n < vcpus; n++) Secondary.Post(n, Secondary.CmdCall, fn, 0, 0);
            ulong* mine = stackalloc ulong[3];
            Storm(0, mine);
            bool ok = Check.Eq("vCPU 0: rounds", mine[0], Rounds) && Check.Eq("vCPU 0: failed hypercalls or reads", mine[1], 0);
            for (uint n = 1; n < vcpus; n++)
            {
                bool done = Secondary.WaitDone(n, 30 * Pvclock.Second);
                ok = ok && Check.True(done, "a secondary did not finish its storm within 30 s")
                    && Check.Eq("secondary: rounds", Secondary.Result(n, 0), Rounds)
                    && Check.Eq("secondary: failed hypercalls or reads", Secondary.Result(n, 1), 0);
            }
            for (uint n = 0; n < vcpus; n++) ok = Check.Rc("unmap", Window.Unmap(Runner.Slot((int)n))) && ok;
            return ok;
        }

        /// <summary>vCPU n's storm: r[0] = rounds done, r[1] = failures, r[2] = the first failure's step (1-6).</summary>
        [UnmanagedCallersOnly(EntryPoint = "kt_fast_path_storm")]
        static void Run(uint n, ulong* r) => Storm(n, r);

        static void Storm(uint n, ulong* r)
        {
            ulong va, pte, a, b;
            fixed (Plan* p = &s_plan) { va = p->Va[n]; pte = p->PteMa[n]; a = p->A[n]; b = p->B[n]; }
            ulong pa = Pattern(n, 0), pb = Pattern(n, 1), rounds = 0, failed = 0, first = 0;
            for (; rounds < Rounds; rounds++)
            {
                int step = 0;
                if (Hv.UpdateVaMapping(va, (a << 12) | Mm.KernelRw, UvmFlags.UVMF_INVLPG) != 0) step = 1;
                else if (*(ulong*)va != pa) step = 2;
                else if (Hv.WritePte(pte, (b << 12) | Mm.KernelRw) != 0 || Hv.Mmuext(MmuextCmd.MMUEXT_INVLPG_LOCAL, va) != 0) step = 3;
                else if (*(ulong*)va != pb) step = 4;
                else if (PreserveAd(pte, (a << 12) | Mm.KernelRw) != 0 || Hv.Mmuext(MmuextCmd.MMUEXT_INVLPG_LOCAL, va) != 0) step = 5;
                else if (*(ulong*)va != pa) step = 6;
                if (step == 0) continue;
                if (failed++ == 0) first = (ulong)step;
            }
            r[0] = rounds; r[1] = failed; r[2] = first;
        }

        static long PreserveAd(ulong ptrMa, ulong val)
        {
            MmuUpdate u;
            u.Ptr = ptrMa | MmuCmd.MMU_PT_UPDATE_PRESERVE_AD;
            u.Val = val;
            uint done = 0;
            return Hv.MmuUpdate(&u, 1, &done);
        }
    }
}
