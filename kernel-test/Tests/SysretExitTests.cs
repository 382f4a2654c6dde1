namespace KernelTest.Tests
{
    /// <summary>
    /// The register state a return to user mode leaves (issue 13, wallret): the iret hypercall
    /// through the transfer page (entry 23) and by a direct <c>syscall</c> (Linux 6.1's
    /// xen_iret), to kt_user_regs, which reports RCX, R11, RFLAGS, RSP, CS and SS on arrival.
    /// Xen 4.17 (xen/arch/x86/pv/iret.c, restore_all_guest): RCX and R11 from the frame, RFLAGS
    /// with IF set and IOPL 0, CS and SS with RPL 3; with VGCF_in_syscall RCX = RIP and R11 =
    /// RFLAGS (Xen's sysretq, whose CS/SS are its FLAT_RING3 selectors: only the RPL is
    /// compared there). microxen's fast mode takes sysretq for the frames where the two cannot
    /// differ (shim/Arch/SysretExit.cs) and iretq for the others (RCX != RIP, TF set).
    /// </summary>
    public static unsafe class SysretExitTests
    {
        /// <summary>The frame's RFLAGS: CF, ZF, SF set, IF clear (events masked in user mode); the guest resumes with IF set.</summary>
        const ulong Frame = X86.Rflags.Reserved1 | X86.Rflags.CF | X86.Rflags.ZF | X86.Rflags.SF, Final = Frame | X86.Rflags.IF;
        const ulong JunkRcx = 0x1111222233334444, JunkR11 = 0x0000555566667777;

        static ulong Rip => UserSpace.SnippetVa(Traps.Syms->UserRegs);

        /// <summary>kt_enter_user_regs to kt_user_regs; true when it came back (by its syscall or, with <paramref name="trap"/>, a recorded trap).</summary>
        static bool Enter(ulong rflags, ulong rcx, ulong r11, ulong flags, bool direct, bool trap)
        {
            if (!UserSpace.Ensure()) return false;
            ulong* regs = stackalloc ulong[4];
            regs[0] = rcx;
            regs[1] = r11;
            regs[2] = flags;
            regs[3] = direct ? 1UL : 0UL;
            Traps.State->UserRip = 0;
            Traps.State->UserTrapArmed = trap ? 1UL : 0UL;
            long rc = Native.EnterUserRegs(Rip, UserSpace.StackTop, UserSpace.UserCs, UserSpace.UserSs, rflags, regs);
            Traps.State->UserTrapArmed = 0;
            return Check.Rc("kt_enter_user_regs", rc);
        }

        /// <summary>What kt_user_regs found: RCX, R11, RFLAGS, RSP; CS and SS exactly or (<paramref name="rplOnly"/>) their RPL.</summary>
        static bool Arrived(ulong rcx, ulong r11, bool rplOnly)
        {
            ProbeState* s = Traps.State;
            if (!Check.True(s->UserRip > Rip && s->UserRip < Rip + 64, "kt_user_regs did not reach its syscall")) return false;
            if (!Check.Eq("user RCX on arrival", s->UserRdi, rcx)) return false;
            if (!Check.Eq("user R11 on arrival", s->UserRsi, r11)) return false;
            if (!Check.Eq("user RFLAGS on arrival", s->UserRdx, Final)) return false;
            if (!Check.Eq("user RSP on arrival", s->UserR8, UserSpace.StackTop)) return false;
            if (rplOnly) return Check.Eq("user CS RPL", s->UserR9 & 3, 3) && Check.Eq("user SS RPL", s->UserR10 & 3, 3);
            return Check.Eq("user CS", s->UserR9, UserSpace.UserCs) && Check.Eq("user SS", s->UserR10, UserSpace.UserSs);
        }

        /// <summary>RCX = RIP and R11 = the final RFLAGS in the frame (microxen: sysretq): the frame's values, the frame's CS and SS.</summary>
        static bool Sysret(bool direct) => Enter(Frame, Rip, Final, 0, direct, false) && Arrived(Rip, Final, false);

        /// <summary>Other RCX and R11 (microxen: iretq): the frame's values.</summary>
        static bool Iret(bool direct) => Enter(Frame, JunkRcx, JunkR11, 0, direct, false) && Arrived(JunkRcx, JunkR11, false);

        /// <summary>VGCF_in_syscall with other RCX and R11: RCX = RIP, R11 = the final RFLAGS, as after Xen's sysretq.</summary>
        static bool InSyscall(bool direct) => Enter(Frame, JunkRcx, JunkR11, Layout.VGCF_in_syscall, direct, false) && Arrived(Rip, Final, true);

        /// <summary>
        /// TF in the frame, RCX = RIP, R11 = the final RFLAGS (microxen: iretq, since sysretq's
        /// single-step trap would come before the first instruction): the #DB comes after
        /// kt_user_regs' first instruction (pushfq, one byte).
        /// </summary>
        static bool SingleStep(bool direct)
        {
            ProbeState* s = Traps.State;
            ulong faults = s->Faults;
            if (!Enter(Frame | X86.Rflags.TF, Rip, Final | X86.Rflags.TF, 0, direct, true)) return false;
            if (!Check.Eq("traps from user mode", s->Faults - faults, 1)) return false;
            if (!Check.Eq("trap vector (#DB)", s->Vector, X86.Vector.DB)) return false;
            return Check.Eq("#DB RIP (after pushfq)", s->FaultRip, Rip + 1);
        }

        public static bool SysretPage() => Sysret(false);
        public static bool SysretDirect() => Sysret(true);
        public static bool IretPage() => Iret(false);
        public static bool IretDirect() => Iret(true);
        public static bool InSyscallPage() => InSyscall(false);
        public static bool InSyscallDirect() => InSyscall(true);
        public static bool SingleStepPage() => SingleStep(false);
        public static bool SingleStepDirect() => SingleStep(true);
    }
}
