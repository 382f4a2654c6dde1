namespace KernelTest.Arch
{
    /// <summary>
    /// The native blob's functions (tools/KernelTestGen/KernelCode.cs), System V calls with no
    /// GC transition. Every hypercall goes through <see cref="Hypercall"/>, i.e. through the
    /// transfer page; nothing here depends on the CPL the kernel runs at.
    /// </summary>
    public static unsafe class Native
    {
        /// <summary>Hypercall <paramref name="nr"/> (call hypercall_page + nr*32); Xen's result (negative errno on failure).</summary>
        [DllImport("*", EntryPoint = "kt_hypercall"), SuppressGCTransition]
        public static extern long Hypercall(ulong nr, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5);

        /// <summary>Reads 8 bytes at <paramref name="va"/>; a fault is recorded in <see cref="ProbeState"/> (result 0).</summary>
        [DllImport("*", EntryPoint = "kt_probe_read"), SuppressGCTransition]
        public static extern ulong ProbeRead(ulong va);

        /// <summary>Writes 8 bytes at <paramref name="va"/>; a fault is recorded in <see cref="ProbeState"/>.</summary>
        [DllImport("*", EntryPoint = "kt_probe_write"), SuppressGCTransition]
        public static extern void ProbeWrite(ulong va, ulong value);

        /// <summary>The page-table writes of kernel-test/Tests/PageTableWriteTests.cs on *<paramref name="entry"/> (a read-only mapping); <paramref name="results"/> gets 19 values.</summary>
        [DllImport("*", EntryPoint = "kt_ptwr_forms"), SuppressGCTransition]
        public static extern void PtwrForms(ulong* entry, ulong* results);

        /// <summary>Executes ud2; the #UD is recorded in <see cref="ProbeState"/>.</summary>
        [DllImport("*", EntryPoint = "kt_probe_ud2"), SuppressGCTransition]
        public static extern void ProbeUd2();

        /// <summary>
        /// fpu_taskswitch(set); if <paramref name="clearAfter"/>, fpu_taskswitch(0); then two SSE
        /// instructions (faults recorded), then fpu_taskswitch(0). No C# runs in between.
        /// </summary>
        [DllImport("*", EntryPoint = "kt_probe_fpu"), SuppressGCTransition]
        public static extern void ProbeFpu(ulong set, ulong clearAfter);

        /// <summary>The 8 bytes at %fs:<paramref name="offset"/>.</summary>
        [DllImport("*", EntryPoint = "kt_read_fs"), SuppressGCTransition]
        public static extern ulong ReadFs(ulong offset);

        /// <summary>The 8 bytes at %gs:<paramref name="offset"/>.</summary>
        [DllImport("*", EntryPoint = "kt_read_gs"), SuppressGCTransition]
        public static extern ulong ReadGs(ulong offset);

        [DllImport("*", EntryPoint = "kt_rdtsc"), SuppressGCTransition]
        public static extern ulong Rdtsc();

        /// <summary>outb / inb (under Xen after PHYSDEVOP_set_iopl(1): emulated by Xen).</summary>
        [DllImport("*", EntryPoint = "kt_outb"), SuppressGCTransition]
        public static extern void Outb(ulong port, ulong value);

        /// <summary>Xen's enlightened CPUID (the forced-emulation prefix): <paramref name="r"/>[0..3] = eax, ebx, ecx, edx.</summary>
        [DllImport("*", EntryPoint = "kt_cpuid"), SuppressGCTransition]
        public static extern void Cpuid(uint leaf, uint subleaf, uint* r);

        /// <summary>The plain cpuid instruction (under Xen from ring 3: faulted into Xen's policy where CPUID faulting exists).</summary>
        [DllImport("*", EntryPoint = "kt_cpuid_native"), SuppressGCTransition]
        public static extern void CpuidNative(uint leaf, uint subleaf, uint* r);

        /// <summary>xgetbv: XCR[<paramref name="n"/>] (CR4.OSXSAVE must be set).</summary>
        [DllImport("*", EntryPoint = "kt_xgetbv"), SuppressGCTransition]
        public static extern ulong Xgetbv(uint n);

        [DllImport("*", EntryPoint = "kt_inb"), SuppressGCTransition]
        public static extern ulong Inb(ulong port);

        /// <summary>Atomic exchange: stores <paramref name="value"/> at <paramref name="p"/>, returns the old value.</summary>
        [DllImport("*", EntryPoint = "kt_xchg"), SuppressGCTransition]
        public static extern ulong Xchg(ulong* p, ulong value);

        [DllImport("*", EntryPoint = "kt_lock_or"), SuppressGCTransition]
        public static extern void LockOr(ulong* p, ulong bits);

        [DllImport("*", EntryPoint = "kt_lock_and"), SuppressGCTransition]
        public static extern void LockAnd(ulong* p, ulong bits);

        /// <summary>(a * b) &gt;&gt; 32 with a 128-bit product (pvclock scaling).</summary>
        [DllImport("*", EntryPoint = "kt_mul_shr32"), SuppressGCTransition]
        public static extern ulong MulShr32(ulong a, ulong b);

        /// <summary>The CS selector the kernel runs with (Xen: 0xe033, microxen: 0xe030).</summary>
        [DllImport("*", EntryPoint = "kt_read_cs"), SuppressGCTransition]
        public static extern ulong ReadCs();

        [DllImport("*", EntryPoint = "kt_read_ss"), SuppressGCTransition]
        public static extern ulong ReadSs();

        [DllImport("*", EntryPoint = "kt_pause"), SuppressGCTransition]
        public static extern void Pause();

        /// <summary>Runs test <paramref name="index"/> (kt_test_body) behind a recovery point: its result, or -1 after an unexpected exception.</summary>
        [DllImport("*", EntryPoint = "kt_run_test"), SuppressGCTransition]
        public static extern int RunTest(int index);

        /// <summary>iret to user mode at rip/rsp/cs/ss/rflags; returns 0 when the user program's syscall reaches the syscall callback.</summary>
        [DllImport("*", EntryPoint = "kt_enter_user"), SuppressGCTransition]
        public static extern long EnterUser(ulong rip, ulong rsp, ulong cs, ulong ss, ulong rflags);

        /// <summary>
        /// As <see cref="EnterUser"/>, with RCX = regs[0], R11 = regs[1] and the iret flags word
        /// regs[2] (VGCF_in_syscall); regs[3] nonzero: the iret hypercall by a direct
        /// <c>syscall</c> (Linux's xen_iret), else through the transfer page's entry 23.
        /// </summary>
        [DllImport("*", EntryPoint = "kt_enter_user_regs"), SuppressGCTransition]
        public static extern long EnterUserRegs(ulong rip, ulong rsp, ulong cs, ulong ss, ulong rflags, ulong* regs);

        /// <summary>
        /// TSC ticks for <paramref name="iterations"/> rounds of the <paramref name="ncalls"/>
        /// 48-byte entries { target, a1..a5 } at <paramref name="spec"/>, each called with the
        /// hypercall registers loaded; the results ORed into <paramref name="orResults"/>.
        /// </summary>
        [DllImport("*", EntryPoint = "kt_bench_calls"), SuppressGCTransition]
        public static extern ulong BenchCalls(ulong* spec, ulong ncalls, ulong iterations, ulong* orResults);

        /// <summary>TSC ticks for <paramref name="iterations"/> kernel-to-kernel irets through the transfer page (events stay masked).</summary>
        [DllImport("*", EntryPoint = "kt_bench_iret"), SuppressGCTransition]
        public static extern ulong BenchIret(ulong iterations, ulong cs, ulong ss);

        /// <summary>int $N in kernel mode (kt_probe_int_N, N in KernelCode.SoftIntProbes); the trap is recorded in <see cref="ProbeState"/>.</summary>
        [DllImport("*", EntryPoint = "kt_probe_int_41"), SuppressGCTransition] public static extern void ProbeInt41();
        [DllImport("*", EntryPoint = "kt_probe_int_43"), SuppressGCTransition] public static extern void ProbeInt43();
        [DllImport("*", EntryPoint = "kt_probe_int_80"), SuppressGCTransition] public static extern void ProbeInt80();
        [DllImport("*", EntryPoint = "kt_probe_int_e"), SuppressGCTransition] public static extern void ProbeInt14();
        [DllImport("*", EntryPoint = "kt_probe_int_f0"), SuppressGCTransition] public static extern void ProbeIntF0();

        /// <summary>Loads 0xe02b into DS, ES, FS, SS; <paramref name="out5"/> = DS, ES, FS, SS read back, CS. DS, ES, SS restored, FS NUL.</summary>
        [DllImport("*", EntryPoint = "kt_flat_load"), SuppressGCTransition]
        public static extern void FlatLoad(ulong* out5);

        /// <summary>Loads LDT (or GDT) selector <paramref name="sel"/>: <paramref name="out4"/> = lsl (~0 when refused: nothing else done), lar, ES read back after loading it, the qword at out4 read through %es. ES restored.</summary>
        [DllImport("*", EntryPoint = "kt_ldt_probe"), SuppressGCTransition]
        public static extern void LdtProbe(ulong sel, ulong* out4);

        /// <summary>A 64-bit far return to <paramref name="cs"/> (lretq, or lretq $16 when <paramref name="withImm"/>); the CS after.</summary>
        [DllImport("*", EntryPoint = "kt_flat_lretq"), SuppressGCTransition]
        public static extern ulong FlatLretq(ulong cs, ulong withImm);

        /// <summary>iretq to cs/ss with the stack as it was and CF set in the frame's RFLAGS; returns CF after, <paramref name="out2"/> = CS, SS after.</summary>
        [DllImport("*", EntryPoint = "kt_flat_iretq"), SuppressGCTransition]
        public static extern ulong FlatIretq(ulong cs, ulong ss, ulong* out2);

        /// <summary>
        /// Loads every register but RSP from <see cref="ProbeState.CanaryIn"/>, calls
        /// <paramref name="target"/> (0: a direct <c>syscall</c> with RAX = CanaryIn's rax), stores
        /// every register and RFLAGS in <see cref="ProbeState.CanaryOut"/>.
        /// </summary>
        [DllImport("*", EntryPoint = "kt_canary_call"), SuppressGCTransition]
        public static extern void CanaryCall(ulong target);

        /// <summary>
        /// An iret hypercall to kernel mode (<paramref name="cs"/>, <paramref name="ss"/>) with every
        /// register loaded from <see cref="ProbeState.CanaryIn"/> (the frame's RFLAGS: the canary
        /// bits and IF from there); every register and RFLAGS after it in <see cref="ProbeState.CanaryOut"/>.
        /// </summary>
        [DllImport("*", EntryPoint = "kt_canary_iret"), SuppressGCTransition]
        public static extern void CanaryIret(ulong cs, ulong ss);

        /// <summary>Hardware IF off (cli): ring 0 only, i.e. under microxen.</summary>
        [DllImport("*", EntryPoint = "kt_cli"), SuppressGCTransition]
        public static extern void Cli();

        /// <summary>Hardware IF on again (sti).</summary>
        [DllImport("*", EntryPoint = "kt_sti"), SuppressGCTransition]
        public static extern void Sti();

        /// <summary>Hypercall <paramref name="nr"/>(<paramref name="a1"/>) by a direct <c>syscall</c>, preceded by <c>sti</c> when <paramref name="sti"/> is nonzero (ring 0 only); its result.</summary>
        [DllImport("*", EntryPoint = "kt_entry_syscall"), SuppressGCTransition]
        public static extern long EntrySyscall(ulong nr, ulong a1, ulong sti);

        [DllImport("*", EntryPoint = "kt_symbols"), SuppressGCTransition]
        public static extern void Symbols(KtSymbols* table);
    }
}
