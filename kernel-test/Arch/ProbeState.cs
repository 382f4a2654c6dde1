namespace KernelTest.Arch
{
    /// <summary>
    /// State shared between the native probes/stubs (kt_state, tools/KernelTestGen/KernelCode.cs
    /// offsets) and C#. A probe stores its resume address in <see cref="RecoverRip"/> around one
    /// instruction; the trap handler records the exception here and resumes there. Sequential
    /// layout: the fields follow each other, 8-byte aligned, at the offsets KernelCode reads with
    /// Marshal.OffsetOf.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 424)]
    public unsafe struct ProbeState
    {
        /// <summary>Where a faulting probe resumes; 0 when no probe is armed.</summary>
        public ulong RecoverRip;
        /// <summary>Exceptions taken by probes so far.</summary>
        public ulong Faults;
        /// <summary>Vector and error code of the last probe exception.</summary>
        public ulong Vector;
        public ulong ErrorCode;
        /// <summary>kt_run_test's stack pointer (0 outside a test): where kt_test_abort resumes.</summary>
        public ulong AbortRsp;
        /// <summary>kt_enter_user's stack pointer: where the syscall callback resumes.</summary>
        public ulong UserResumeRsp;
        /// <summary>The user program's RAX, RDI at its syscall; the syscall frame's RIP, CS, RSP; its RSI.</summary>
        public ulong UserRax;
        public ulong UserRdi;
        public ulong UserRip;
        public ulong UserCs;
        public ulong UserRsp;
        public ulong UserRsi;
        /// <summary>vcpu_info.arch.cr2 when the last probe exception was a #PF (filled in by C#).</summary>
        public ulong Cr2;
        /// <summary>The RIP of the last probe exception's frame, and the probe's resume address (issue 8: int $N).</summary>
        public ulong FaultRip;
        public ulong FaultResume;
        /// <summary>Nonzero while a user snippet runs: its trap (vector, error code, RIP) is recorded and kt_user_resume resumed.</summary>
        public ulong UserTrapArmed;

        /// <summary>
        /// kt_canary_call's registers, <see cref="CanaryCount"/> each, in the order rax, rbx, rcx,
        /// rdx, rsi, rdi, rbp, r8-r15, rflags (the <c>Canary*</c> indices): what it loads before
        /// the call (rflags: the bits of <see cref="CanaryFlagBits"/> from here, the others as
        /// they were; it writes back the value it loaded) and what they hold after it.
        /// </summary>
        public fixed ulong CanaryIn[CanaryCount];
        public fixed ulong CanaryOut[CanaryCount];
        /// <summary>The address after kt_canary_call's own <c>syscall</c>: RCX after a direct syscall hypercall.</summary>
        public ulong CanarySyscallReturn;
        /// <summary>The user program's RDX, R8, R9, R10 at its syscall (kt_user_regs: RFLAGS, RSP, CS, SS on arrival; SysretExitTests).</summary>
        public ulong UserRdx;
        public ulong UserR8;
        public ulong UserR9;
        public ulong UserR10;
        /// <summary>RFLAGS at kt_syscall_callback's first instructions (pushfq): the hardware flags the guest kernel's syscall callback runs with.</summary>
        public ulong CallbackRflags;

        public const int CanaryCount = 16;
        public const int CanaryRax = 0, CanaryRbx = 1, CanaryRcx = 2, CanaryRdx = 3, CanaryRsi = 4, CanaryRdi = 5, CanaryRbp = 6,
            CanaryR8 = 7, CanaryR9 = 8, CanaryR10 = 9, CanaryR11 = 10, CanaryR12 = 11, CanaryR13 = 12, CanaryR14 = 13, CanaryR15 = 14,
            CanaryRflags = 15;
        /// <summary>The RFLAGS bits a test may choose: CF, PF, AF, ZF, SF, DF, OF (IF, IOPL and the rest are the kernel's).</summary>
        public const ulong CanaryFlagBits = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x400 | 0x800;
    }
}
