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
        const ulong Margin = 20_000_000;

        /// <summary>
        /// A VIRQ_TIMER that becomes deliverable as a hypercall (fpu_taskswitch(0), a direct
        /// <c>syscall</c>) is entered arrives as exactly one upcall when that hypercall returns,
        /// before the next instruction. In ring 0 (microxen) the timer's interrupt is held with
        /// hardware IF off past its deadline, and <c>sti; syscall</c> takes it at the LSTAR entry's
        /// first instruction, in shim code before any <c>cli</c>; fails if that interrupt's event
        /// is left pending with no upcall. In ring 3 (Xen 4.17, where cli is not the guest's) the
        /// event is made pending under the mask, and the mask cleared before the syscall.
        /// </summary>
        public static bool InterruptAtEntry()
        {
            byte maskBefore = Window.Vcpu0->EvtchnUpcallMask;
            uint port = EvtchnTests.BindTimer();
            if (port == 0) return false;
            bool ring0 = (Native.ReadCs() & X86.Selector.RplMask) == 0;
            if (ring0) { Native.Cli(); Ev.Unmask(); }
            else Ev.Mask();
            ulong deadline = Pvclock.Now() + 1_000_000;
            long rc = Hv.Call(Hypercall.SetTimerOp, deadline);
            ulong giveUp = deadline + 5_000_000_000;
            if (ring0) while (Pvclock.Now() < deadline + Margin) { }
            else while (Window.Vcpu0->EvtchnUpcallPending == 0 && Pvclock.Now() < giveUp) { }
            uint before = Ev.Hits(port);
            if (!ring0) Ev.Unmask();
            long taskswitch = Native.EntrySyscall(Hypercall.FpuTaskswitch, 0, ring0 ? 1UL : 0UL);
            uint hits = Ev.Hits(port) - before;
            if (ring0) Native.Sti();   // on already after a passing run
            *(byte*)&Window.Vcpu0->EvtchnUpcallMask = maskBefore;
            EvtchnTests.Close(port);
            if (!Check.Rc("set_timer_op", rc)) return false;
            if (!Check.Eq("timer upcalls before the hypercall", before, 0)) return false;
            if (!Check.Rc("fpu_taskswitch(0)", taskswitch)) return false;
            return Check.Eq("timer upcalls at the hypercall's return", hits, 1);
        }
    }
}
