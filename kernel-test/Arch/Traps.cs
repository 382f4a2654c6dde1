namespace KernelTest.Arch
{
    /// <summary>
    /// kernel-test's exception and callback entry points: set_trap_table with kt_isr_N for the
    /// 32 exception vectors (DPL 0, events left as they are), callback_op for the event,
    /// failsafe and syscall callbacks, stack_switch for entries from user mode. kt_trap_dispatch
    /// sends an upcall to <see cref="Events.Events"/>, resumes an armed probe at its resume
    /// address, and turns any other exception inside a test into a test failure (resuming at
    /// kt_test_abort), or stops the run when no test is running.
    /// </summary>
    public static unsafe class Traps
    {
        static KtSymbols s_syms;
        public static KtSymbols* Syms;
        public static ProbeState* State;
        /// <summary>The kernel's CS and SS with RPL 0, as Xen reports kernel frames (Xen 0xe030/0xe028).</summary>
        public static ulong KernelCs, KernelSs;

        struct TrapTable { public fixed byte B[33 * 16]; }
        static TrapTable s_table;

        public static bool Init(out string why)
        {
            why = null;
            fixed (KtSymbols* s = &s_syms) { Native.Symbols(s); Syms = s; }
            State = (ProbeState*)Syms->State;
            KernelCs = Native.ReadCs() & ~X86.Selector.RplMask;
            KernelSs = Native.ReadSs() & ~X86.Selector.RplMask;
            if (!RegisterTable()) { why = "set_trap_table failed"; return false; }
            if (Hv.CallbackRegister(CallbackType.CALLBACKTYPE_event, 0, Syms->EventCallback) != 0) { why = "callback_op(event) failed"; return false; }
            if (Hv.CallbackRegister(CallbackType.CALLBACKTYPE_failsafe, 0, Syms->FailsafeCallback) != 0) { why = "callback_op(failsafe) failed"; return false; }
            if (Hv.CallbackRegister(CallbackType.CALLBACKTYPE_syscall, CallbackType.CALLBACKF_mask_events, Syms->SyscallCallback) != 0) { why = "callback_op(syscall) failed"; return false; }
            if (Hv.Call(Hypercall.StackSwitch, Layout.FLAT_KERNEL_SS, Syms->KernelStackTop) != 0) { why = "stack_switch failed"; return false; }
            return true;
        }

        /// <summary>set_trap_table with kt_isr_N for the exception vectors (what Init registers); false if it failed.</summary>
        public static bool RegisterTable()
        {
            fixed (TrapTable* t = &s_table)
            {
                TrapInfo* ti = (TrapInfo*)t->B;
                int n = 0;
                for (int v = 0; v < 32; v++)
                {
                    if (v == X86.Vector.NMI || v == X86.Vector.DF || v == X86.Vector.MC) continue;   // not guest traps here
                    ti[n].Vector = (byte)v;
                    ti[n].Flags = (byte)(v == 3 || v == 4 ? 3 : 0);
                    ti[n].Cs = Layout.FLAT_KERNEL_CS;
                    ti[n].Address = Syms->Isr[v];
                    n++;
                }
                ti[n].Address = 0;
                return Hv.Call(Hypercall.SetTrapTable, (ulong)ti) == 0;
            }
        }

        [UnmanagedCallersOnly(EntryPoint = "kt_trap_dispatch")]
        static void Dispatch(Microxen.Arch.CpuFrame* f)
        {
            if (Smp.SecondaryTraps.Dispatch(f)) return;   // a secondary vCPU's trap or upcall (issue 11)
            if (f->Vector == EntryVectors.EventCallback) { Events.Events.Upcall(); return; }
            ProbeState* s = State;
            if (f->Vector < 32 && s->RecoverRip != 0 && (f->Cs & 3) == 0)
            {
                s->Vector = f->Vector;
                s->ErrorCode = f->ErrorCode;
                s->Cr2 = f->Vector == X86.Vector.PF ? Window.Vcpu0->Arch.Cr2 : 0;
                s->FaultRip = f->Rip;
                s->FaultResume = s->RecoverRip;
                s->Faults++;
                f->Rip = s->RecoverRip;
                s->RecoverRip = 0;
                return;
            }
            if (f->Vector < 32 && s->UserTrapArmed != 0 && (f->Cs & 3) == 3)
            {
                // A user snippet's trap: recorded, and kt_enter_user's caller resumed in kernel mode.
                s->Vector = f->Vector;
                s->ErrorCode = f->ErrorCode;
                s->FaultRip = f->Rip;
                s->UserCs = f->Cs;
                s->UserRsp = f->Rsp;
                s->Faults++;
                s->UserTrapArmed = 0;
                f->Rip = Syms->UserResume;
                f->Rsp = s->UserResumeRsp;
                f->Cs = KernelCs;
                f->Ss = KernelSs;
                f->Rflags = X86.Rflags.Reserved1;   // IF clear: events masked, as after the syscall callback
                f->Rax = 0;
                return;
            }
            ulong cr2 = f->Vector == X86.Vector.PF && Window.L1Mfn != 0 ? Window.Vcpu0->Arch.Cr2 : 0;
            Runner.Unexpected(f->Vector, f->Rip, f->Cs, f->ErrorCode, cr2);
            if (s->AbortRsp != 0)
            {
                f->Rip = Syms->TestAbort;
                f->Rsp = s->AbortRsp;
                f->Cs = KernelCs;
                f->Ss = KernelSs;
                f->Rflags = X86.Rflags.Reserved1;   // IF clear: events masked
                return;
            }
            Runner.Fatal();
        }
    }
}
