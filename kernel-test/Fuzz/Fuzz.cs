using KernelTest.Arch;
using KernelTest.Console;
using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Fuzz
{
    /// <summary>
    /// Fuzz mode (guest command line <c>fuzz=SEED,COUNT[,GROUPS]</c>, optionally <c>fuzztrace</c>):
    /// a seeded hypercall storm instead of the suite. COUNT calls, each drawn from one of the
    /// enabled groups (<see cref="FuzzGroups"/>) with numbers, sub-operations and arguments from
    /// <see cref="FuzzRandom"/> (splitmix64 seeded with SEED), bad pointers and wild frame numbers
    /// included, aimed at a sacrificial area so that the test kernel survives. Output:
    /// <code>
    /// FUZZ start seed S count N groups ver+mmu+...
    /// FUZZ i DIGEST                  every <see cref="Period"/> calls (i = calls done)
    /// FUZZ time NS ns, R calls/s     the storm's duration (pvclock system time; not in any digest)
    /// FUZZ group NAME calls N digest D   per group, at the end
    /// FUZZ done S N DIGEST
    /// </code>
    /// DIGEST is FNV-1a 64 over (index, nr, result, aux) of every call, where aux is what else Xen
    /// returns that does not depend on the host's frame numbers (the <c>done</c> count of a batch,
    /// the results of a multicall's entries, a probe's fault vector); the per-group digests fold
    /// the same words of that group's calls only. <c>fuzztrace</c> prints each call before and after:
    /// <code>FC i nr a1 a2 a3 a4 a5
    /// FA i w0 .. w11                 (mmu_update, mmuext_op: buffer A, the batch)
    /// FT i GROUP nr rc aux</code>
    /// (FC lines carry addresses and frame numbers, which differ between hosts; FT lines do not:
    /// diff the FT lines of two hosts to find the first divergence); <c>fuzztrace=N</c> from call N on. SEED and COUNT: decimal or 0x-hex. GROUPS: names joined by '+'
    /// (<see cref="FuzzGroups.Name"/>), "all" (the default: every group but hvptr).
    /// </summary>
    public static unsafe class Fuzz
    {
        public const ulong Period = 1000;

        /// <summary>The sacrificial frames: the storm may pin, map, copy, scribble and free these.</summary>
        public const int PoolFrames = 12;
        /// <summary>Window slots the storm may map and unmap (its virtual addresses).</summary>
        public const int FirstSlot = 448, Slots = 32;
        /// <summary>Window slots of the argument buffers A and B (never a storm target); the slot after each stays unmapped.</summary>
        public const int SlotA = 440, SlotB = 442;

        struct Pool { public fixed ulong F[PoolFrames]; }
        static Pool s_pool;
        struct Digests { public fixed ulong D[FuzzGroups.Count]; public fixed ulong N[FuzzGroups.Count]; }
        static Digests s_groups;

        public static ulong Seed, Count;
        public static uint Groups;
        public static bool Trace;
        /// <summary>With <c>fuzztrace=N</c>: the first call index traced.</summary>
        public static ulong TraceFrom;

        /// <summary>Pool frame <paramref name="k"/> (machine frame number).</summary>
        public static ulong PoolFrame(int k) { fixed (Pool* p = &s_pool) return p->F[k]; }

        public static ulong BufA => Window.Va(SlotA);
        public static ulong BufB => Window.Va(SlotB);

        /// <summary>
        /// Parses "fuzz=SEED,COUNT[,GROUPS]" and "fuzztrace" from start_info.cmd_line; false when
        /// there is no fuzz word. A malformed word prints "FAIL fuzz: ..." and ends the run.
        /// </summary>
        public static bool Requested(StartInfo* si)
        {
            sbyte* c = si->CmdLine;
            bool found = false;
            int i = 0;
            while (i < StartInfo.MaxGuestCmdline && c[i] != 0)
            {
                while (i < StartInfo.MaxGuestCmdline && c[i] == ' ') i++;
                int start = i;
                while (i < StartInfo.MaxGuestCmdline && c[i] != 0 && c[i] != ' ') i++;
                if (Word(c + start, i - start, "fuzztrace")) { Trace = true; continue; }
                if (i - start > 10 && Word(c + start, 10, "fuzztrace="))
                {
                    int p = start + 10;
                    Trace = Number(c, i, ref p, out TraceFrom) && p == i;
                    continue;
                }
                if (i - start > 5 && Word(c + start, 5, "fuzz="))
                {
                    found = true;
                    if (!Parse(c + start + 5, i - start - 5)) { Out.Line("FAIL fuzz: usage fuzz=SEED,COUNT[,GROUP+GROUP...] (groups: see kernel-test/Fuzz/FuzzGroups.cs)"); Tests.Runner.Finish(false); }
                }
            }
            return found;
        }

        static bool Word(sbyte* s, int len, string w)
        {
            if (len != w.Length) return false;
            for (int k = 0; k < len; k++) if (s[k] != w[k]) return false;
            return true;
        }

        static bool Parse(sbyte* s, int len)
        {
            int p = 0;
            if (!Number(s, len, ref p, out Seed) || p >= len || s[p] != ',') return false;
            p++;
            if (!Number(s, len, ref p, out Count)) return false;
            Groups = FuzzGroups.Default;
            if (p == len) return true;
            if (s[p] != ',') return false;
            p++;
            Groups = 0;
            while (p < len)
            {
                int start = p;
                while (p < len && s[p] != '+') p++;
                uint g = FuzzGroups.Parse(s + start, p - start);
                if (g == 0) return false;
                Groups |= g;
                if (p < len) p++;
            }
            return (Groups & FuzzGroups.CallMask) != 0;
        }

        static bool Number(sbyte* s, int len, ref int p, out ulong v)
        {
            v = 0;
            int start = p;
            if (p + 2 <= len && s[p] == '0' && (s[p + 1] == 'x' || s[p + 1] == 'X'))
            {
                p += 2; start = p;
                for (; p < len; p++)
                {
                    int d = s[p] >= '0' && s[p] <= '9' ? s[p] - '0' : s[p] >= 'a' && s[p] <= 'f' ? s[p] - 'a' + 10 : -1;
                    if (d < 0) break;
                    v = v * 16 + (ulong)d;
                }
                return p > start;
            }
            for (; p < len && s[p] >= '0' && s[p] <= '9'; p++) v = v * 10 + (ulong)(s[p] - '0');
            return p > start;
        }

        /// <summary>Sets up the sacrificial area, runs the storm, restores what it may have changed; true when it finished.</summary>
        public static bool Run()
        {
            if (!Setup()) return false;
            Out.Str("FUZZ start seed "); Out.Dec(Seed); Out.Str(" count "); Out.Dec(Count); Out.Str(" groups ");
            FuzzGroups.PrintMask(Groups); Out.End();
            FuzzRandom.Seed(Seed);
            ulong digest = FuzzRandom.FnvOffset;
            ulong t0 = Time.Pvclock.Now();
            fixed (Digests* g = &s_groups)
            {
                for (int k = 0; k < FuzzGroups.Count; k++) { g->D[k] = FuzzRandom.FnvOffset; g->N[k] = 0; }
                for (ulong i = 0; i < Count; i++)
                {
                    int grp = FuzzGroups.Pick(Groups);
                    FuzzGroups.Generate(grp);
                    if (Trace && i >= TraceFrom) CallLine(i);
                    FuzzGroups.Execute();
                    ulong nr = FuzzGroups.Nr, rc = FuzzGroups.Rc, aux = FuzzGroups.Aux;
                    digest = FuzzRandom.Fold(FuzzRandom.Fold(FuzzRandom.Fold(FuzzRandom.Fold(digest, i), nr), rc), aux);
                    ulong d = g->D[grp];
                    g->D[grp] = FuzzRandom.Fold(FuzzRandom.Fold(FuzzRandom.Fold(FuzzRandom.Fold(d, i), nr), rc), aux);
                    g->N[grp]++;
                    if (Trace && i >= TraceFrom) TraceLine(i, grp);
                    if ((i + 1) % Period == 0) { Out.Str("FUZZ "); Out.Dec(i + 1); Out.Char((byte)' '); Hex16(digest); Out.End(); }
                }
                ulong ns = Time.Pvclock.Now() - t0;
                Restore();
                Out.Str("FUZZ time "); Out.Dec(ns); Out.Str(" ns, "); Out.Dec(ns == 0 ? 0 : Count * 1000000000UL / ns); Out.Str(" calls/s"); Out.End();
                for (int k = 0; k < FuzzGroups.Count; k++)
                {
                    if (g->N[k] == 0) continue;
                    Out.Str("FUZZ group "); Out.Str(FuzzGroups.Name(k)); Out.Str(" calls "); Out.Dec(g->N[k]);
                    Out.Str(" digest "); Hex16(g->D[k]); Out.End();
                }
            }
            Out.Str("FUZZ done "); Out.Dec(Seed); Out.Char((byte)' '); Out.Dec(Count); Out.Char((byte)' '); Hex16(digest); Out.End();
            return true;
        }

        static void TraceLine(ulong i, int grp)
        {
            Out.Str("FT "); Out.Dec(i); Out.Char((byte)' '); Out.Str(FuzzGroups.Name(grp)); Out.Char((byte)' ');
            Out.Dec(FuzzGroups.Nr); Out.Char((byte)' '); Out.SDec((long)FuzzGroups.Rc); Out.Char((byte)' '); Out.Hex(FuzzGroups.Aux);
            Out.End();
        }

        /// <summary>The arguments, printed before the call (so the last FC line names a call that never returned).</summary>
        static void CallLine(ulong i)
        {
            Out.Str("FC "); Out.Dec(i); Out.Char((byte)' '); Out.Dec(FuzzGroups.Nr);
            for (int k = 0; k < 5; k++) { Out.Char((byte)' '); Out.Hex(FuzzGroups.Arg(k)); }
            Out.End();
            ulong nr = FuzzGroups.Nr;
            if (nr != Hypercall.MmuUpdate && nr != Hypercall.MmuextOp && nr != Hypercall.GrantTableOp
                && nr != Hypercall.EventChannelOp && nr != Hypercall.MemoryOp && nr != Hypercall.PhysdevOp) return;
            // Buffer A's first words: the batch's first entries (mmu_update: ptr val pairs;
            // mmuext_op: cmd arg1 arg2 triples), or the command structure (gnt evt mem phys).
            Out.Str("FA "); Out.Dec(i);
            ulong* a = (ulong*)BufA;
            for (int k = 0; k < 12; k++) { Out.Char((byte)' '); Out.Hex(a[k]); }
            Out.End();
        }

        /// <summary>Exactly 16 hex digits.</summary>
        static void Hex16(ulong v)
        {
            for (int s = 60; s >= 0; s -= 4) Out.Char((byte)"0123456789abcdef"[(int)((v >> s) & 0xf)]);
        }

        static bool Setup()
        {
            fixed (Pool* p = &s_pool)
                for (int k = 0; k < PoolFrames; k++)
                {
                    p->F[k] = Window.ClearedFrame();
                    if (p->F[k] == 0) { Out.Line("FAIL fuzz: no free frame for the pool"); return false; }
                }
            ulong a = Window.ClearedFrame(), b = Window.ClearedFrame();
            if (a == 0 || b == 0 || Window.Map(SlotA, a) != 0 || Window.Map(SlotB, b) != 0)
            {
                Out.Line("FAIL fuzz: cannot map the argument buffers");
                return false;
            }
            return true;
        }

        /// <summary>
        /// Undoes what the storm may have changed of the kernel's own state, so the run ends as
        /// usual: the trap table and callbacks, the kernel stack, the LDT, the page-table bases, the
        /// segment bases, the FPU flag.
        /// </summary>
        static void Restore()
        {
            Hv.Call(Hypercall.FpuTaskswitch, 0);
            Hv.Call(Hypercall.StackSwitch, Layout.FLAT_KERNEL_SS, Traps.Syms->KernelStackTop);
            Hv.Mmuext(MmuextCmd.MMUEXT_SET_LDT, 0, 0);
            Hv.Mmuext(MmuextCmd.MMUEXT_NEW_USER_BASEPTR, 0);
            Hv.Mmuext(MmuextCmd.MMUEXT_NEW_BASEPTR, Mm.KernelL4Mfn);
            Hv.SetSegmentBase(Layout.SEGBASE_FS, 0);
            Hv.SetSegmentBase(Layout.SEGBASE_GS_USER, 0);
            Hv.SetSegmentBase(Layout.SEGBASE_GS_KERNEL, 0);
            Traps.RegisterTable();
            Hv.CallbackRegister(CallbackType.CALLBACKTYPE_event, 0, Traps.Syms->EventCallback);
            Hv.CallbackRegister(CallbackType.CALLBACKTYPE_failsafe, 0, Traps.Syms->FailsafeCallback);
            Hv.CallbackRegister(CallbackType.CALLBACKTYPE_syscall, CallbackType.CALLBACKF_mask_events, Traps.Syms->SyscallCallback);
        }
    }
}
