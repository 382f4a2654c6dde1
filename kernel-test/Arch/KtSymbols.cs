namespace KernelTest.Arch
{
    /// <summary>
    /// Link-time addresses of the native blob, copied out by kt_symbols (the order of
    /// tools/KernelTestGen/KernelCode.cs SymbolNames, which is checked against this struct, then
    /// kt_isr_0..31). Virtual addresses.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 49 * 8)]
    public unsafe struct KtSymbols
    {
        [FieldOffset(0)] public ulong HypercallPage;
        [FieldOffset(8)] public ulong EventCallback;
        [FieldOffset(16)] public ulong FailsafeCallback;
        [FieldOffset(24)] public ulong SyscallCallback;
        [FieldOffset(32)] public ulong TestAbort;
        /// <summary>Top of the 16 KiB stack registered with stack_switch (entries from user mode).</summary>
        [FieldOffset(40)] public ulong KernelStackTop;
        /// <summary>The user-mode program's bytes: [UserCode, UserCodeEnd).</summary>
        [FieldOffset(48)] public ulong UserCode;
        [FieldOffset(56)] public ulong UserCodeEnd;
        /// <summary>The <see cref="ProbeState"/> the probes and stubs share.</summary>
        [FieldOffset(64)] public ulong State;
        /// <summary>An empty function (xor eax, eax; ret): the bench loops' overhead reference.</summary>
        [FieldOffset(72)] public ulong BenchRet;
        /// <summary>Where kt_enter_user returns to its caller (a trap from a user snippet resumes there).</summary>
        [FieldOffset(80)] public ulong UserResume;
        /// <summary>User snippets (issue 8): int $0x41, int $0x43, int $0x80, flat selector loads, lretq to 0xe033 then int $0x41; [UserInt41, UserSnippetsEnd) is copied to a user page.</summary>
        [FieldOffset(88)] public ulong UserInt41;
        [FieldOffset(96)] public ulong UserInt43;
        [FieldOffset(104)] public ulong UserInt80;
        [FieldOffset(112)] public ulong UserFlat;
        [FieldOffset(120)] public ulong UserLretFlat;
        [FieldOffset(128)] public ulong UserSnippetsEnd;
        /// <summary>Entry stubs for vectors 0-31 (trap_info addresses).</summary>
        [FieldOffset(136)] public fixed ulong Isr[32];
    }
}
