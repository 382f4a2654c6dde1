namespace KernelTest.Arch
{
    /// <summary>
    /// State shared between the native probes/stubs (kt_state, tools/KernelTestGen/KernelCode.cs
    /// offsets) and C#. A probe stores its resume address in <see cref="RecoverRip"/> around one
    /// instruction; the trap handler records the exception here and resumes there.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 392)]
    public unsafe struct ProbeState
    {
        /// <summary>Where a faulting probe resumes; 0 when no probe is armed.</summary>
        [FieldOffset(0)] public ulong RecoverRip;
        /// <summary>Exceptions taken by probes so far.</summary>
        [FieldOffset(8)] public ulong Faults;
        /// <summary>Vector and error code of the last probe exception.</summary>
        [FieldOffset(16)] public ulong Vector;
        [FieldOffset(24)] public ulong ErrorCode;
        /// <summary>kt_run_test's stack pointer (0 outside a test): where kt_test_abort resumes.</summary>
        [FieldOffset(32)] public ulong AbortRsp;
        /// <summary>kt_enter_user's stack pointer: where the syscall callback resumes.</summary>
        [FieldOffset(40)] public ulong UserResumeRsp;
        /// <summary>The user program's RAX, RDI at its syscall; the syscall frame's RIP, CS, RSP; its RSI.</summary>
        [FieldOffset(48)] public ulong UserRax;
        [FieldOffset(56)] public ulong UserRdi;
        [FieldOffset(64)] public ulong UserRip;
        [FieldOffset(72)] public ulong UserCs;
        [FieldOffset(80)] public ulong UserRsp;
        [FieldOffset(88)] public ulong UserRsi;
        /// <summary>vcpu_info.arch.cr2 when the last probe exception was a #PF (filled in by C#).</summary>
        [FieldOffset(96)] public ulong Cr2;
        /// <summary>The RIP of the last probe exception's frame, and the probe's resume address (issue 8: int $N).</summary>
        [FieldOffset(104)] public ulong FaultRip;
        [FieldOffset(112)] public ulong FaultResume;
        /// <summary>Nonzero while a user snippet runs: its trap (vector, error code, RIP) is recorded and kt_user_resume resumed.</summary>
        [FieldOffset(120)] public ulong UserTrapArmed;

        /// <summary>
        /// kt_canary_call's registers, <see cref="CanaryCount"/> each, in the order rax, rbx, rcx,
        /// rdx, rsi, rdi, rbp, r8-r15, rflags (the <c>Canary*</c> indices): what it loads before
        /// the call (rflags: the bits of <see cref="CanaryFlagBits"/> from here, the others as
        /// they were; it writes back the value it loaded) and what they hold after it.
        /// </summary>
        [FieldOffset(128)] public fixed ulong CanaryIn[CanaryCount];
        [FieldOffset(256)] public fixed ulong CanaryOut[CanaryCount];
        /// <summary>The address after kt_canary_call's own <c>syscall</c>: RCX after a direct syscall hypercall.</summary>
        [FieldOffset(384)] public ulong CanarySyscallReturn;

        public const int CanaryCount = 16;
        public const int CanaryRax = 0, CanaryRbx = 1, CanaryRcx = 2, CanaryRdx = 3, CanaryRsi = 4, CanaryRdi = 5, CanaryRbp = 6,
            CanaryR8 = 7, CanaryR9 = 8, CanaryR10 = 9, CanaryR11 = 10, CanaryR12 = 11, CanaryR13 = 12, CanaryR14 = 13, CanaryR15 = 14,
            CanaryRflags = 15;
        /// <summary>The RFLAGS bits a test may choose: CF, PF, AF, ZF, SF, DF, OF (IF, IOPL and the rest are the kernel's).</summary>
        public const ulong CanaryFlagBits = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x400 | 0x800;
    }
}
