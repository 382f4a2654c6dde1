namespace KernelTest.Bench
{
    /// <summary>
    /// Bench mode (guest command line word <c>bench</c> or <c>bench=N</c>): the cost of each
    /// fast-path hypercall, one line per operation:
    /// <code>COST name MIN unit median MED batches BxN</code>
    /// MIN (the headline figure) is the smallest per-call average of <see cref="Batches"/> timed
    /// batches of N iterations (default <see cref="DefaultIterations"/>) after one untimed
    /// warm-up batch; MED is the median of the same batch averages. Figures are TSC ticks with
    /// one decimal, taken with lfence; rdtsc around native loops (kt_bench_calls, kt_bench_iret
    /// in tools/KernelTestGen/KernelCode.cs) that reload the hypercall registers and call the
    /// transfer page entry, so each includes a few instructions of loop: <c>empty_call</c>
    /// (the same loop calling an empty function) measures that overhead. Unit "cycles/call",
    /// or "cycles/pair" for the two-hypercall operations (PIN_L1 + UNPIN, fpu_taskswitch 1 + 0).
    /// Every call's result is checked (a failing operation prints "FAIL bench_NAME: ..." and
    /// no COST line). Events stay masked throughout; nothing is pending.
    /// </summary>
    public static unsafe class Bench
    {
        public const ulong DefaultIterations = 2000;
        public const int Batches = 7;

        struct Spec { public fixed ulong Q[12]; }
        static Spec s_spec;
        static MmuUpdate s_mmu;
        static MmuextOp s_ext0, s_ext1;
        static uint s_done;
        static ulong s_iterations;
        static uint s_failed;

        /// <summary>The bench iteration count from start_info.cmd_line ("bench" or "bench=N"), 0 when the word is absent.</summary>
        public static ulong Requested(StartInfo* si)
        {
            sbyte* c = si->CmdLine;
            int i = 0;
            while (i < StartInfo.MaxGuestCmdline && c[i] != 0)
            {
                while (i < StartInfo.MaxGuestCmdline && c[i] == ' ') i++;
                int start = i;
                while (i < StartInfo.MaxGuestCmdline && c[i] != 0 && c[i] != ' ') i++;
                int len = i - start;
                if (len >= 5 && c[start] == 'b' && c[start + 1] == 'e' && c[start + 2] == 'n' && c[start + 3] == 'c' && c[start + 4] == 'h')
                {
                    if (len == 5) return DefaultIterations;
                    if (c[start + 5] != '=') continue;
                    ulong n = 0;
                    for (int k = start + 6; k < i; k++)
                    {
                        if (c[k] < '0' || c[k] > '9') { n = 0; break; }
                        n = n * 10 + (ulong)(c[k] - '0');
                    }
                    return n != 0 ? n : DefaultIterations;
                }
            }
            return 0;
        }

        static ulong Entry(int nr) => Traps.Syms->HypercallPage + (ulong)nr * 32;

        /// <summary>Runs every operation and prints its COST line; true when none failed.</summary>
        public static bool Run(ulong iterations)
        {
            s_iterations = iterations;
            Out.Str("BENCH start: "); Out.Dec(Batches); Out.Str(" batches of "); Out.Dec(iterations);
            Out.Str(" iterations after a warm-up batch; figure = min of the batch averages (median also shown), TSC ticks"); Out.End();

            // A mapped window slot (a free frame) for the PTE operations.
            int slot = 500;
            ulong frame = Window.ClearedFrame();
            if (frame == 0 || Window.Map(slot, frame) != 0) { Out.Line("FAIL bench_setup: cannot map the bench page"); return false; }
            ulong va = Window.Va(slot), pte = (frame << 12) | Mm.KernelRw;
            ulong l1 = Window.ClearedFrame();
            if (l1 == 0) { Out.Line("FAIL bench_setup: no free frame for PIN_L1"); return false; }

            fixed (Spec* sp = &s_spec)
            fixed (MmuUpdate* mu = &s_mmu)
            fixed (MmuextOp* e0 = &s_ext0)
            fixed (MmuextOp* e1 = &s_ext1)
            fixed (uint* done = &s_done)
            {
                ulong* q = sp->Q;
                ulong ndone = (ulong)done;

                Calls("empty_call", q, 1, Traps.Syms->BenchRet, 0, 0, 0, 0, 0, true);

                mu->Ptr = (Window.PteMa(slot)) | MmuCmd.MMU_NORMAL_PT_UPDATE;
                mu->Val = pte;
                Calls("mmu_update_1pte", q, 1, Entry(Hypercall.MmuUpdate), (ulong)mu, 1, ndone, Hv.DomidSelf, 0, true);

                Calls("update_va_mapping_none", q, 1, Entry(Hypercall.UpdateVaMapping), va, pte, UvmFlags.UVMF_NONE, 0, 0, true);
                Calls("update_va_mapping_invlpg", q, 1, Entry(Hypercall.UpdateVaMapping), va, pte, UvmFlags.UVMF_INVLPG, 0, 0, true);
                Calls("update_va_mapping_tlb_flush", q, 1, Entry(Hypercall.UpdateVaMapping), va, pte, UvmFlags.UVMF_TLB_FLUSH, 0, 0, true);

                Ext(e0, MmuextCmd.MMUEXT_NEW_BASEPTR, Mm.KernelL4Mfn);
                Calls("mmuext_new_baseptr", q, 1, Entry(Hypercall.MmuextOp), (ulong)e0, 1, ndone, Hv.DomidSelf, 0, true);
                Ext(e0, MmuextCmd.MMUEXT_TLB_FLUSH_LOCAL, 0);
                Calls("mmuext_tlb_flush_local", q, 1, Entry(Hypercall.MmuextOp), (ulong)e0, 1, ndone, Hv.DomidSelf, 0, true);
                Ext(e0, MmuextCmd.MMUEXT_INVLPG_LOCAL, va);
                Calls("mmuext_invlpg_local", q, 1, Entry(Hypercall.MmuextOp), (ulong)e0, 1, ndone, Hv.DomidSelf, 0, true);

                Ext(e0, MmuextCmd.MMUEXT_PIN_L1_TABLE, l1);
                Ext(e1, MmuextCmd.MMUEXT_UNPIN_TABLE, l1);
                Set(q, 0, Entry(Hypercall.MmuextOp), (ulong)e0, 1, ndone, Hv.DomidSelf, 0);
                Set(q, 1, Entry(Hypercall.MmuextOp), (ulong)e1, 1, ndone, Hv.DomidSelf, 0);
                Measure("mmuext_pin_l1_unpin", q, 2, true, "cycles/pair");

                Calls("set_segment_base_fs", q, 1, Entry(Hypercall.SetSegmentBase), (ulong)Layout.SEGBASE_FS, 0, 0, 0, 0, true);
                Calls("stack_switch", q, 1, Entry(Hypercall.StackSwitch), Layout.FLAT_KERNEL_SS, Traps.Syms->KernelStackTop, 0, 0, 0, true);

                Set(q, 0, Entry(Hypercall.FpuTaskswitch), 1, 0, 0, 0, 0);
                Set(q, 1, Entry(Hypercall.FpuTaskswitch), 0, 0, 0, 0, 0);
                Measure("fpu_taskswitch_set_clear", q, 2, true, "cycles/pair");

                Calls("xen_version_0_event_check", q, 1, Entry(Hypercall.XenVersion), XenVersionCmd.XENVER_version, 0, 0, 0, 0, false);
                Calls("xen_version_pagesize_null", q, 1, Entry(Hypercall.XenVersion), XenVersionCmd.XENVER_pagesize, 0, 0, 0, 0, false);
            }

            Iret();
            UserRoundTrip();

            Window.Unmap(slot);
            Out.Str("BENCH done: "); Out.Dec(s_failed); Out.Str(" failed"); Out.End();
            return s_failed == 0;
        }

        static void Ext(MmuextOp* op, uint cmd, ulong arg)
        {
            op->Vcpumask = 0;
            op->Cmd = cmd;
            op->Mfn = arg;
            op->SrcMfn = 0;
        }

        static void Set(ulong* q, int i, ulong target, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5)
        {
            ulong* e = q + i * 6;
            e[0] = target; e[1] = a1; e[2] = a2; e[3] = a3; e[4] = a4; e[5] = a5;
        }

        static void Calls(string name, ulong* q, int n, ulong target, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5, bool zeroResult)
        {
            Set(q, 0, target, a1, a2, a3, a4, a5);
            Measure(name, q, 1, zeroResult, "cycles/call");
        }

        struct Samples { public fixed ulong T[Batches]; }

        /// <summary>One warm-up batch (its results checked), then <see cref="Batches"/> timed ones.</summary>
        static void Measure(string name, ulong* q, int ncalls, bool zeroResult, string unit)
        {
            ulong or = 0;
            ulong warm = s_iterations < 100 ? s_iterations : 100;
            Native.BenchCalls(q, (ulong)ncalls, warm, &or);
            if (zeroResult && or != 0) { Fail(name, or); return; }
            Samples s;
            for (int b = 0; b < Batches; b++)
            {
                or = 0;
                s.T[b] = Native.BenchCalls(q, (ulong)ncalls, s_iterations, &or);
                if (zeroResult && or != 0) { Fail(name, or); return; }
            }
            Report(name, &s, unit);
        }

        static void Iret()
        {
            ulong warm = s_iterations < 100 ? s_iterations : 100;
            Native.BenchIret(warm, Traps.KernelCs, Traps.KernelSs);
            Samples s;
            for (int b = 0; b < Batches; b++) s.T[b] = Native.BenchIret(s_iterations, Traps.KernelCs, Traps.KernelSs);
            Report("iret_kernel", &s, "cycles/call");
        }

        /// <summary>
        /// iret to user mode (kt_enter_user) and the user program's syscall back to the syscall
        /// callback, timed around a C# loop (a few more instructions of overhead than the others).
        /// </summary>
        static void UserRoundTrip()
        {
            if (!UserSpace.Ensure()) { Out.Line("FAIL bench_user_roundtrip: no user space"); s_failed++; return; }
            if (Hv.SetSegmentBase(Layout.SEGBASE_GS_USER, UserSpace.Data) != 0) { Out.Line("FAIL bench_user_roundtrip: set_segment_base"); s_failed++; return; }
            ulong warm = s_iterations < 100 ? s_iterations : 100;
            for (ulong i = 0; i < warm; i++)
                if (Native.EnterUser(UserSpace.Code, UserSpace.StackTop, UserSpace.UserCs, UserSpace.UserSs, 0x2) != 0) { Fail("user_roundtrip", 1); return; }
            Samples s;
            for (int b = 0; b < Batches; b++)
            {
                ulong t0 = Native.Rdtsc();
                for (ulong i = 0; i < s_iterations; i++)
                    Native.EnterUser(UserSpace.Code, UserSpace.StackTop, UserSpace.UserCs, UserSpace.UserSs, 0x2);
                s.T[b] = Native.Rdtsc() - t0;
            }
            if (Traps.State->UserRax != 0x4c4c414352455355) { Fail("user_roundtrip", Traps.State->UserRax); return; }
            Report("user_roundtrip", &s, "cycles/roundtrip");
        }

        static void Fail(string name, ulong or)
        {
            Out.Str("FAIL bench_"); Out.Str(name); Out.Str(": a call returned nonzero (ORed results "); Out.Hex(or); Out.Str(")"); Out.End();
            s_failed++;
        }

        static void Report(string name, Samples* s, string unit)
        {
            // Sort the batch totals (insertion sort, 7 values).
            for (int i = 1; i < Batches; i++)
            {
                ulong v = s->T[i];
                int j = i - 1;
                while (j >= 0 && s->T[j] > v) { s->T[j + 1] = s->T[j]; j--; }
                s->T[j + 1] = v;
            }
            Out.Str("COST "); Out.Str(name); Out.Char((byte)' ');
            Tenths(s->T[0]);
            Out.Char((byte)' '); Out.Str(unit); Out.Str(" median ");
            Tenths(s->T[Batches / 2]);
            Out.Str(" batches "); Out.Dec(Batches); Out.Char((byte)'x'); Out.Dec(s_iterations);
            Out.End();
        }

        /// <summary>total / iterations with one decimal.</summary>
        static void Tenths(ulong total)
        {
            ulong t = (total * 10 + s_iterations / 2) / s_iterations;
            Out.Dec(t / 10); Out.Char((byte)'.'); Out.Dec(t % 10);
        }
    }
}
