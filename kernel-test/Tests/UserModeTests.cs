namespace KernelTest.Tests
{
    /// <summary>
    /// A round trip to user mode: the iret hypercall (frame with CS 0x33 RPL 3) enters
    /// kt_user_code, whose syscall arrives at the CALLBACKTYPE_syscall entry with Xen's frame.
    /// </summary>
    public static unsafe class UserModeTests
    {
        /// <summary>
        /// The syscall callback sees the user program's RAX (its magic), RSI (its stack pointer),
        /// RDI (%gs:0 with the user GS base at the data page), and a frame whose RIP is after the
        /// syscall, CS is a user selector (RPL 3), RSP is the user stack.
        /// </summary>
        public static bool RoundTrip()
        {
            if (!UserSpace.Ensure()) return false;
            if (!Check.Rc("set_segment_base(SEGBASE_GS_USER)", Hv.SetSegmentBase(Layout.SEGBASE_GS_USER, UserSpace.Data))) return false;
            if (!UserSpace.Run()) return false;
            ProbeState* s = Traps.State;
            if (!Check.Eq("user RAX at syscall", s->UserRax, 0x4c4c414352455355)) return false;
            if (!Check.Eq("syscall frame RIP", s->UserRip, UserSpace.AfterSyscall)) return false;
            if (!Check.Eq("syscall frame CS RPL", s->UserCs & 3, 3)) return false;
            if (!Check.Eq("syscall frame RSP", s->UserRsp, UserSpace.StackTop)) return false;
            if (!Check.Eq("user RSI (its RSP)", s->UserRsi, UserSpace.StackTop)) return false;
            return Check.Eq("user %gs:0", s->UserRdi, UserSpace.DataWord0);
        }
    }
}
