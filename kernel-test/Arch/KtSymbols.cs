namespace KernelTest.Arch
{
    /// <summary>
    /// Link-time addresses of the native blob, copied out by kt_symbols (the order of
    /// tools/KernelTestGen/KernelCode.cs SymbolNames, which is checked against this struct, then
    /// kt_isr_0..31). Virtual addresses, one 8-byte field after the other (sequential layout).
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 49 * 8)]
    public unsafe struct KtSymbols
    {
        public ulong HypercallPage;
        public ulong EventCallback;
        public ulong FailsafeCallback;
        public ulong SyscallCallback;
        public ulong TestAbort;
        /// <summary>Top of the 16 KiB stack registered with stack_switch (entries from user mode).</summary>
        public ulong KernelStackTop;
        /// <summary>The user-mode program's bytes: [UserCode, UserCodeEnd).</summary>
        public ulong UserCode;
        public ulong UserCodeEnd;
        /// <summary>The <see cref="ProbeState"/> the probes and stubs share.</summary>
        public ulong State;
        /// <summary>An empty function (xor eax, eax; ret): the bench loops' overhead reference.</summary>
        public ulong BenchRet;
        /// <summary>Where kt_enter_user returns to its caller (a trap from a user snippet resumes there).</summary>
        public ulong UserResume;
        /// <summary>User snippets (issue 8): int $0x41, int $0x43, int $0x80, flat selector loads, lretq to 0xe033 then int $0x41; [UserInt41, UserSnippetsEnd) is copied to a user page.</summary>
        public ulong UserInt41;
        public ulong UserInt43;
        public ulong UserInt80;
        public ulong UserFlat;
        public ulong UserLretFlat;
        /// <summary>kt_user_regs: records RCX, R11, RFLAGS, RSP, CS, SS on arrival in user mode, then syscall (SysretExitTests).</summary>
        public ulong UserRegs;
        public ulong UserSnippetsEnd;
        /// <summary>Entry stubs for vectors 0-31 (trap_info addresses).</summary>
        public fixed ulong Isr[32];
    }
}
