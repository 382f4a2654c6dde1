namespace KernelTest.Tests
{
    /// <summary>
    /// The hardware state and the events at the syscall entry (issue 13, ppwall and its follow-up).
    /// Xen 4.17 runs every PV guest context with RFLAGS.IF set (the guest's own interrupt flag
    /// is vcpu_info's event mask) and delivers pending events on every return to the guest.
    /// microxen keeps IF across <c>syscall</c> (IA32_FMASK: shim/Arch/SyscallFlags.cs): the
    /// native user entry reaches the callback with IF on, and an interrupt taken before a
    /// hypercall path's <c>cli</c> is made to deliver its upcall at the return
    /// (shim/Traps/SyscallWindow.cs).
    /// </summary>
    public static unsafe class SyscallEntryTests
    {
        /// <summary>kt_user_code's syscall: kt_syscall_callback's pushfq sees IF set.</summary>
        public static bool CallbackIfOn()
        {
            if (!UserSpace.Ensure()) return false;
            Traps.State->CallbackRflags = 0;
            if (!UserSpace.Run()) return false;
            return Check.Eq("RFLAGS.IF at the syscall callback", Traps.State->CallbackRflags & X86.Rflags.IF, X86.Rflags.IF);
        }

        /// <summary>Past the one-shot timer's deadline before the hypercall, ns: the timer has fired by then (TCG's clock is the host's).</summary>
        const ulong Margin = 20 * Pvclock.Ms;

        /// <summary>Attempts before giving up on a timer interrupt that was not yet pending at the hypercall (a starved QEMU).</summary>
        const int Attempts = 5;

        /// <summary>
        /// A VIRQ_TIMER that becomes deliverable as a hypercall (fpu_taskswitch(0), a direct
        /// <c>syscall</c>) is entered arrives as exactly one upcall when that hypercall returns,
        /// before the next instruction. In ring 0 (microxen) the timer's interrupt is held with
        /// hardware IF off past its deadline, and <c>sti; syscall</c> takes it at the LSTAR entry's
        /// first instruction, in shim code before any <c>cli</c>; fails if that interrupt's event
        /// is left pending with no upcall (none follows within a second). In ring 3 (Xen 4.17,
        /// where cli is not the guest's) the event is made pending under the mask, and the mask
        /// cleared before the syscall. An upcall that comes only after the return means the
        /// timer's interrupt was not pending yet (QEMU's timer thread starved): tried again.
        /// </summary>
        public static bool InterruptAtEntry()
        {
            for (int i = 0; i < Attempts; i++)
            {
                int r = InterruptAtEntryOnce();
                if (r >= 0) return r == 1;
                Out.Str("kernel-test: the timer's interrupt came after the hypercall; again"); Out.End();
            }
            return Check.True(false, "the timer's interrupt never pending at the hypercall in 5 attempts");
        }

        /// <summary>One attempt: 1 passed, 0 failed (reported), -1 the interrupt was late.</summary>
        static int InterruptAtEntryOnce()
        {
            byte maskBefore = Window.Vcpu0->EvtchnUpcallMask;
            uint port = EvtchnTests.BindTimer();
            if (port == 0) return 0;
            bool ring0 = (Native.ReadCs() & X86.Selector.RplMask) == 0;
            if (ring0) { Native.Cli(); Ev.Unmask(); }
            else Ev.Mask();
            ulong deadline = Pvclock.Now() + Pvclock.Ms;
            long rc = Hv.Call(Hypercall.SetTimerOp, deadline);
            ulong giveUp = deadline + 5 * Pvclock.Second;
            if (ring0) while (Pvclock.Now() < deadline + Margin) { }
            else while (Window.Vcpu0->EvtchnUpcallPending == 0 && Pvclock.Now() < giveUp) { }
            uint before = Ev.Hits(port);
            if (!ring0) Ev.Unmask();
            long taskswitch = Native.EntrySyscall(Hypercall.FpuTaskswitch, 0, ring0 ? 1UL : 0UL);
            uint hits = Ev.Hits(port) - before;
            if (ring0) Native.Sti();   // on already after a passing run
            ulong wait = Pvclock.Now() + Pvclock.Second;
            while (hits == 0 && Ev.Hits(port) == before && Pvclock.Now() < wait) { }
            bool late = hits == 0 && Ev.Hits(port) != before;
            *(byte*)&Window.Vcpu0->EvtchnUpcallMask = maskBefore;
            EvtchnTests.Close(port);
            if (!Check.Rc("set_timer_op", rc)) return 0;
            if (!Check.Eq("timer upcalls before the hypercall", before, 0)) return 0;
            if (!Check.Rc("fpu_taskswitch(0)", taskswitch)) return 0;
            if (late) return -1;
            return Check.Eq("timer upcalls at the hypercall's return", hits, 1) ? 1 : 0;
        }
    }
}
