using System.Runtime.InteropServices;
using System.Text;
using Iced.Intel;
using KernelTest.Arch;
using Microxen.Arch;
using Microxen.Tools.AsmGen;
using static Iced.Intel.AssemblerRegisters;

namespace Microxen.Tools.KernelTestGen;

/// <summary>
/// kernel-test's machine code, one Iced block in section .text.kt starting on a page boundary:
/// <list type="bullet">
/// <item>hypercall_page: the 4 KiB transfer page the hypervisor fills (XEN_ELFNOTE_HYPERCALL_PAGE);
/// every hypercall is <c>call hypercall_page + N*32</c>, iret is entered with <c>jmp</c>.</item>
/// <item>kt_start: the PV entry (RSI = start_info): own stack, then the C# kt_main.</item>
/// <item>kt_hypercall(nr, a1..a5): System V arguments to the hypercall registers (rdi, rsi,
/// rdx, r10, r8).</item>
/// <item>Trap entries kt_isr_0..31, the event and failsafe callbacks: Xen's bounce frame (rcx,
/// r11, [error code], rip, cs, rflags, rsp, ss) becomes the 176-byte frame of
/// shim/Arch/CpuFrame.cs (kernel-test/Arch/EntryVectors.cs), C#'s kt_trap_dispatch runs with the FPU state saved, and the
/// frame is resumed with the iret hypercall (flags 0).</item>
/// <item>kt_run_test / kt_test_abort: a recovery point around one test (an unexpected exception
/// resumes at kt_test_abort with the stack kt_run_test saved).</item>
/// <item>kt_enter_user and the syscall callback: a round trip to user mode through iret and
/// back with <c>syscall</c>.</item>
/// <item>Probes: one faulting instruction each, armed with a resume address in kt_state.</item>
/// </list>
/// kt_state (ProbeState in kernel-test/Arch/ProbeState.cs) lives in .data.kt; the code reaches
/// it through absolute addresses ld fills in.
/// </summary>
static partial class KernelCode
{
    // kt_state's offsets, from ProbeState (kernel-test/Arch/ProbeState.cs, compiled in).
    static int State(string field) => (int)Marshal.OffsetOf<ProbeState>(field);
    static readonly int RecoverRip = State("RecoverRip"), AbortRsp = State("AbortRsp"),
        UserResumeRsp = State("UserResumeRsp"), UserRax = State("UserRax"), UserRdi = State("UserRdi"),
        UserRip = State("UserRip"), UserCs = State("UserCs"), UserRsp = State("UserRsp"),
        UserRsi = State("UserRsi"), CanaryIn = State("CanaryIn"), CanaryOut = State("CanaryOut"),
        CanarySyscallReturn = State("CanarySyscallReturn"), StateSize = Marshal.SizeOf<ProbeState>(),
        UserRdx = State("UserRdx"), UserR8 = State("UserR8"), UserR9 = State("UserR9"), UserR10 = State("UserR10"),
        CallbackRflags = State("CallbackRflags");

    /// <summary>kt_canary_call's registers in ProbeState's Canary* order (rflags last, not here).</summary>
    static readonly AssemblerRegister64[] CanaryRegs = { rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15 };

    const int EventVector = (int)EntryVectors.EventCallback, FailsafeVector = (int)EntryVectors.FailsafeCallback;
    const int Iret = Microxen.Xen.Hypercall.Iret, FpuTaskswitch = Microxen.Xen.Hypercall.FpuTaskswitch;

    static readonly AssemblerRegister64[] Pushed = FrameLayout.Pushed;
    static readonly AssemblerRegister64[] CalleeSaved = { rbx, rbp, r12, r13, r14, r15 };

    /// <summary>The user-mode program's magic in RAX at its syscall ("USERCALL").</summary>
    public const ulong UserMagic = 0x4c4c414352455355;

    public static void Write(StringBuilder sb)
    {
        sb.AppendLine("\t.section .text.kt,\"ax\",@progbits");
        sb.AppendLine("\t.balign 4096");
        var b = new Block(64);
        var a = b.Asm;

        // The transfer page: 128 labelled 32-byte entries, int3 until the hypervisor fills them.
        var entry = new Label[128];
        for (int n = 0; n < 128; n++)
        {
            entry[n] = b.Here();
            if (n == 0) b.Global("hypercall_page");
            a.db(Enumerable.Repeat((byte)0xcc, 32).ToArray());
        }

        var common = a.CreateLabel();
        var mainSlot = a.CreateLabel();
        var trapSlot = a.CreateLabel();
        var bodySlot = a.CreateLabel();

        // kt_start: Xen's start state is RSI = start_info, RSP = a boot stack in the bootstrap area.
        b.Global("kt_start");
        State(b, rax, "kt_stack_top");
        a.mov(rsp, rax);
        a.mov(rdi, rsi);
        a.xor(ebp, ebp);
        a.call(__qword_ptr[mainSlot]);
        var spin = b.Here();
        a.pause();
        a.jmp(spin);

        // kt_hypercall(nr, a1, a2, a3, a4, a5) -> rax
        b.Global("kt_hypercall");
        a.mov(rax, rdi);
        a.shl(rax, 5);
        a.lea(r11, __[entry[0]]);
        a.add(rax, r11);
        a.mov(rdi, rsi);
        a.mov(rsi, rdx);
        a.mov(rdx, rcx);
        a.mov(r10, r8);
        a.mov(r8, r9);
        a.call(rax);
        a.ret();

        // Trap entries: drop Xen's rcx/r11 into the registers, make the frame uniform.
        for (int v = 0; v < 32; v++)
        {
            b.Global($"kt_isr_{v}");
            a.pop(rcx);
            a.pop(r11);
            if (!X86.Vector.HasErrorCode((ulong)v)) a.push(0);
            a.push(v);
            a.jmp(common);
        }
        b.Global("kt_event_callback");
        a.pop(rcx);
        a.pop(r11);
        a.push(0);
        a.push(EventVector);
        a.jmp(common);
        // Failsafe frame: rcx, r11, ds, es, fs, gs, rip, cs, rflags, rsp, ss.
        b.Global("kt_failsafe_callback");
        a.pop(rcx);
        a.pop(r11);
        a.add(rsp, 32);
        a.push(0);
        a.push(FailsafeVector);
        a.jmp(common);

        a.Label(ref common);
        foreach (var r in Pushed) a.push(r);
        a.mov(rbp, rsp);
        a.sub(rsp, X86.FxsaveSize);
        a.and(rsp, -64);
        a.fxsave64(__[rsp]);
        a.mov(rdi, rbp);
        a.call(__qword_ptr[trapSlot]);
        a.fxrstor64(__[rsp]);
        a.mov(rsp, rbp);
        foreach (var r in Pushed.Reverse()) a.pop(r);
        a.add(rsp, FrameLayout.VectorAndErrorCode);
        a.push(0);                    // iret flags: not VGCF_in_syscall
        a.jmp(entry[Iret]);

        // kt_run_test(index) -> kt_test_body(index), or -1 after kt_test_abort.
        b.Global("kt_run_test");
        foreach (var r in CalleeSaved) a.push(r);
        a.sub(rsp, 8);
        State(b, rax, "kt_state");
        a.mov(__qword_ptr[rax + AbortRsp], rsp);
        a.call(__qword_ptr[bodySlot]);
        var resume = b.Here();
        State(b, rcx, "kt_state");
        a.mov(__qword_ptr[rcx + AbortRsp], 0);
        a.add(rsp, 8);
        foreach (var r in CalleeSaved.Reverse()) a.pop(r);
        a.ret();
        b.Global("kt_test_abort");
        State(b, rcx, "kt_state");
        a.mov(rsp, __qword_ptr[rcx + AbortRsp]);
        a.mov(eax, -1);
        a.jmp(resume);

        // kt_enter_user(rip, rsp, cs, ss, rflags): iret to user mode; returns 0 when the user
        // program's syscall reaches kt_syscall_callback.
        b.Global("kt_enter_user");
        EnterUserFrame(b);
        a.push(0);                    // flags
        a.jmp(entry[Iret]);
        // kt_enter_user_regs(rip, rsp, cs, ss, rflags, regs): the same with rcx, r11, flags
        // from regs[0..2]; regs[3] != 0: the iret by a direct syscall (Linux's xen_iret).
        b.Global("kt_enter_user_regs");
        var viaPage = a.CreateLabel();
        EnterUserFrame(b);
        a.push(__qword_ptr[r9 + 16]); // flags
        a.mov(rcx, __qword_ptr[r9]);
        a.mov(r11, __qword_ptr[r9 + 8]);
        a.cmp(__qword_ptr[r9 + 24], 0);
        a.je(viaPage);
        a.push(rcx);
        a.push(r11);
        a.push(rax);
        a.mov(eax, Iret);
        a.syscall();
        a.ud2();
        a.Label(ref viaPage);
        a.jmp(entry[Iret]);
        var userResume = b.Here();
        b.Global("kt_user_resume");   // also where a trap from a user snippet resumes (rax = 0)
        foreach (var r in CalleeSaved.Reverse()) a.pop(r);
        a.ret();

        // Syscall callback frame: rcx, r11, rip, cs, rflags, rsp, ss (Xen's, on the stack_switch stack).
        b.Global("kt_syscall_callback");
        State(b, r11, "kt_state");
        a.mov(__qword_ptr[r11 + UserRax], rax);
        a.mov(__qword_ptr[r11 + UserRdi], rdi);
        a.mov(__qword_ptr[r11 + UserRsi], rsi);
        a.mov(__qword_ptr[r11 + UserRdx], rdx);
        a.mov(__qword_ptr[r11 + UserR8], r8);
        a.mov(__qword_ptr[r11 + UserR9], r9);
        a.mov(__qword_ptr[r11 + UserR10], r10);
        a.pushfq();
        a.pop(__qword_ptr[r11 + CallbackRflags]);
        const int rip = 16;           // above rcx, r11: rip, cs, rflags, rsp, ss
        a.mov(rax, __qword_ptr[rsp + rip]);
        a.mov(__qword_ptr[r11 + UserRip], rax);
        a.mov(rax, __qword_ptr[rsp + rip + AsmOffsets.IretCs]);
        a.mov(__qword_ptr[r11 + UserCs], rax);
        a.mov(rax, __qword_ptr[rsp + rip + AsmOffsets.IretRsp]);
        a.mov(__qword_ptr[r11 + UserRsp], rax);
        a.mov(rsp, __qword_ptr[r11 + UserResumeRsp]);
        a.xor(eax, eax);
        a.jmp(userResume);

        // Probes: arm a resume address, run one instruction that may fault, disarm.
        b.Global("kt_probe_read");
        Probe(b, () => { a.xor(eax, eax); }, () => a.mov(rax, __qword_ptr[rdi]));
        a.ret();
        b.Global("kt_probe_write");
        Probe(b, null, () => a.mov(__qword_ptr[rdi], rsi));
        a.ret();
        b.Global("kt_probe_ud2");
        Probe(b, null, () => a.ud2());
        a.ret();
        // kt_probe_fpu(set, clearAfter): fpu_taskswitch(set), fpu_taskswitch(0) if clearAfter,
        // two SSE instructions, fpu_taskswitch(0): no C# runs while CR0.TS may be set.
        b.Global("kt_probe_fpu");
        a.push(rbx);
        a.mov(rbx, rsi);
        a.call(entry[FpuTaskswitch]);
        var noClear = a.CreateLabel();
        a.test(rbx, rbx);
        a.jz(noClear);
        a.xor(edi, edi);
        a.call(entry[FpuTaskswitch]);
        a.Label(ref noClear);
        Probe(b, null, () => a.addps(xmm0, xmm0));
        Probe(b, null, () => a.addps(xmm1, xmm1));
        a.xor(edi, edi);
        a.call(entry[FpuTaskswitch]);
        a.pop(rbx);
        a.ret();

        // Bench loops (kernel-test/Bench/Bench.cs): timed with rdtsc, fenced by lfence.
        // kt_bench_calls(spec, ncalls, iterations, ulong* orResults) -> TSC ticks: `iterations`
        // times, each of the `ncalls` 48-byte spec entries { target, a1, a2, a3, a4, a5 } is
        // called with the hypercall registers loaded (rdi, rsi, rdx, r10, r8); the results are
        // ORed into *orResults (so a failing call cannot go unnoticed).
        b.Global("kt_bench_calls");
        foreach (var r in CalleeSaved) a.push(r);
        a.push(rcx);                  // [rsp+8]: orResults
        a.sub(rsp, 8);                // [rsp]: start TSC
        a.mov(r12, rdi);
        a.mov(r13, rsi);
        a.mov(r14, rdx);
        a.xor(r15d, r15d);
        Tsc(a);
        a.mov(__qword_ptr[rsp], rax);
        var outer = b.Here();
        a.xor(ebx, ebx);
        a.mov(rbp, r12);
        var inner = b.Here();
        a.mov(rdi, __qword_ptr[rbp + 8]);
        a.mov(rsi, __qword_ptr[rbp + 16]);
        a.mov(rdx, __qword_ptr[rbp + 24]);
        a.mov(r10, __qword_ptr[rbp + 32]);
        a.mov(r8, __qword_ptr[rbp + 40]);
        a.call(__qword_ptr[rbp]);
        a.or(r15, rax);
        a.add(rbp, 48);
        a.inc(rbx);
        a.cmp(rbx, r13);
        a.jb(inner);
        a.dec(r14);
        a.jnz(outer);
        Tsc(a);
        a.sub(rax, __qword_ptr[rsp]);
        a.mov(rcx, __qword_ptr[rsp + 8]);
        a.mov(__qword_ptr[rcx], r15);
        a.add(rsp, 16);
        foreach (var r in CalleeSaved.Reverse()) a.pop(r);
        a.ret();
        // The empty call the loop overhead is measured with.
        b.Global("kt_bench_ret");
        a.xor(eax, eax);
        a.ret();

        // kt_bench_iret(iterations, cs, ss) -> TSC ticks: a kernel-to-kernel iret through the
        // transfer page, `iterations` times: the frame (flags 0, rip = the next instruction, cs,
        // rflags 0x2 so events stay masked, rsp = the stack before the frame, ss) is pushed and
        // entry 23 is jumped to.
        b.Global("kt_bench_iret");
        foreach (var r in CalleeSaved) a.push(r);
        a.mov(r12, rdi);
        a.mov(r13, rsi);
        a.mov(r14, rdx);
        Tsc(a);
        a.mov(r15, rax);
        var iretLoop = b.Here();
        var iretNext = a.CreateLabel();
        a.mov(rax, rsp);
        a.push(r14);                  // ss
        a.push(rax);                  // rsp
        a.push((int)X86.Rflags.Reserved1);   // rflags: IF clear (events masked)
        a.push(r13);                  // cs
        a.lea(rax, __[iretNext]);
        a.push(rax);                  // rip
        a.push(0);                    // flags
        a.jmp(entry[Iret]);
        a.Label(ref iretNext);
        a.dec(r12);
        a.jnz(iretLoop);
        Tsc(a);
        a.sub(rax, r15);
        foreach (var r in CalleeSaved.Reverse()) a.pop(r);
        a.ret();

        SelectorAndCanaryCode(b, entry);

        // Small primitives.
        b.Global("kt_read_fs"); a.db(0x64, 0x48, 0x8b, 0x07); a.ret();   // mov %fs:(%rdi),%rax
        b.Global("kt_read_gs"); a.db(0x65, 0x48, 0x8b, 0x07); a.ret();   // mov %gs:(%rdi),%rax
        b.Global("kt_rdtsc"); a.rdtsc(); a.shl(rdx, 32); a.or(rax, rdx); a.ret();
        b.Global("kt_xchg"); a.mov(rax, rsi); a.xchg(__qword_ptr[rdi], rax); a.ret();
        b.Global("kt_lock_or"); a.@lock.or(__qword_ptr[rdi], rsi); a.ret();
        b.Global("kt_lock_and"); a.@lock.and(__qword_ptr[rdi], rsi); a.ret();
        b.Global("kt_mul_shr32"); a.mov(rax, rdi); a.mul(rsi); a.shrd(rax, rdx, 32); a.ret();
        b.Global("kt_read_cs"); a.xor(eax, eax); a.mov(ax, cs); a.ret();
        b.Global("kt_read_ss"); a.xor(eax, eax); a.mov(ax, ss); a.ret();
        b.Global("kt_pause"); a.pause(); a.ret();
        b.Global("kt_outb"); a.mov(edx, edi); a.mov(eax, esi); a.@out(dx, al); a.ret();   // port I/O (PhysdevIrqTests)
        b.Global("kt_inb"); a.mov(edx, edi); a.xor(eax, eax); a.@in(al, dx); a.ret();
        // kt_cpuid(leaf, subleaf, uint* out): Xen's enlightened CPUID (ud2; .ascii "xen"; cpuid), out[0..3] = eax, ebx, ecx, edx.
        b.Global("kt_cpuid"); a.push(rbx); a.mov(r8, rdx); a.mov(eax, edi); a.mov(ecx, esi);
        a.db(0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2);
        a.mov(__dword_ptr[r8], eax); a.mov(__dword_ptr[r8 + 4], ebx); a.mov(__dword_ptr[r8 + 8], ecx); a.mov(__dword_ptr[r8 + 12], edx);
        a.pop(rbx); a.ret();
        // kt_cpuid_native(leaf, subleaf, uint* out): the plain instruction (Xen: CPUID faulting or the hardware's).
        b.Global("kt_cpuid_native"); a.push(rbx); a.mov(r8, rdx); a.mov(eax, edi); a.mov(ecx, esi); a.cpuid();
        a.mov(__dword_ptr[r8], eax); a.mov(__dword_ptr[r8 + 4], ebx); a.mov(__dword_ptr[r8 + 8], ecx); a.mov(__dword_ptr[r8 + 12], edx);
        a.pop(rbx); a.ret();
        b.Global("kt_xgetbv"); a.mov(ecx, edi); a.xgetbv(); a.shl(rdx, 32); a.or(rax, rdx); a.ret();   // XCR[n] (needs CR4.OSXSAVE)

        // kt_ptwr_forms(ulong* entry, ulong* out): the writes Linux makes to a page-table entry
        // through its read-only mapping (kernel-test/Tests/PageTableWriteTests.cs says what each
        // out[] slot holds): mov, xchg (also SIB-addressed), lock or/and of a byte, lock bts/btr,
        // lock cmpxchg that succeeds and one that fails, mov of an imm32, lock add (a form the
        // shim single-steps); the entry read back and the flags after each. Clears the entry.
        b.Global("kt_ptwr_forms");
        {
            int o = 0;
            void Save(AssemblerRegister64 r) { a.mov(__qword_ptr[rsi + o], r); o += 8; }
            void Entry() { a.mov(rdx, __qword_ptr[rdi]); Save(rdx); }
            void Flags() { a.pushfq(); a.pop(rdx); Save(rdx); }
            a.mov(rax, 0x1230); a.mov(__qword_ptr[rdi], rax); Entry();                  // 0
            a.mov(rax, 0x4560); a.xchg(__qword_ptr[rdi], rax); Save(rax); Entry();      // 1, 2
            a.@lock.or(__byte_ptr[rdi + 1], 0x80); Flags(); Entry();                   // 3, 4
            a.@lock.and(__byte_ptr[rdi + 1], 0x7f); Flags(); Entry();                  // 5, 6
            a.@lock.bts(__qword_ptr[rdi], 40); Flags(); Entry();                       // 7, 8
            a.@lock.btr(__qword_ptr[rdi], 40); Flags(); Entry();                       // 9, 10
            a.mov(rax, __qword_ptr[rdi]); a.mov(ecx, 0x7770);
            a.@lock.cmpxchg(__qword_ptr[rdi], rcx); Flags(); Entry();                  // 11, 12
            a.mov(eax, 1); a.@lock.cmpxchg(__qword_ptr[rdi], rcx); Flags(); Save(rax); // 13, 14
            a.mov(__qword_ptr[rdi], 0x2220); Entry();                                  // 15
            a.lea(rdx, __[rdi - 16]); a.mov(ecx, 1); a.mov(eax, 0x3330);
            a.xchg(__qword_ptr[rdx + rcx * 8 + 8], rax); Save(rax); Entry();           // 16, 17
            a.@lock.add(__qword_ptr[rdi], 0x10); Entry();                              // 18
            a.xor(eax, eax); a.mov(__qword_ptr[rdi], rax);
            a.ret();
        }

        // The user-mode program, copied to a user page: reads %gs:0 (the user GS base), uses
        // its stack, and comes back with syscall; RAX = UserMagic, RDI = the %gs:0 value.
        b.Global("kt_user_code");
        a.db(0x65, 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0);                  // mov %gs:0,%rax
        a.push(rax);
        a.pop(rdi);
        a.mov(rsi, rsp);
        a.mov(rax, UserMagic);
        a.syscall();
        a.ud2();
        b.Global("kt_user_code_end");
        a.nop();
        // User snippets (issue 8), copied to a second user page: each traps to the kernel, which
        // resumes kt_enter_user's caller at kt_user_resume; kt_user_flat comes back with syscall,
        // RDI = DS<<48 | ES<<32 | FS<<16 | GS and RSI = SS after loading 0xe02b into all five.
        b.Global("kt_user_int_41"); a.db(0xcd, 0x41); a.ud2();
        b.Global("kt_user_int_43"); a.db(0xcd, 0x43); a.ud2();
        b.Global("kt_user_int_80"); a.db(0xcd, 0x80); a.ud2();
        b.Global("kt_user_flat");
        a.mov(eax, (int)Microxen.Xen.Layout.FLAT_RING3_DS32);
        a.mov(ds, ax); a.mov(es, ax); a.mov(fs, ax); a.mov(gs, ax); a.mov(ss, ax);
        a.xor(eax, eax); a.xor(edi, edi);
        foreach (var sr in new[] { ds, es, fs, gs })
        {
            a.shl(rdi, 16);
            a.mov(ax, sr);
            a.or(rdi, rax);
        }
        a.mov(ax, ss); a.mov(rsi, rax);
        a.mov(rax, UserMagic);
        a.syscall();
        a.ud2();
        // kt_user_lret_flat: a far return to FLAT_RING3_CS64 (0xe033) in user mode, then int $0x41.
        b.Global("kt_user_lret_flat");
        var lretUser = a.CreateLabel();
        a.push((int)Microxen.Xen.Layout.FLAT_RING3_CS64);
        a.lea(rax, __[lretUser]); a.push(rax);
        a.db(0x48, 0xcb);                                              // lretq
        a.Label(ref lretUser);
        a.db(0xcd, 0x41); a.ud2();
        // kt_user_regs: on arrival RDI = RCX, RSI = R11, RDX = RFLAGS, R8 = RSP, R9 = CS,
        // R10 = SS, then syscall (its pushfq first: with TF set the #DB comes after it).
        b.Global("kt_user_regs");
        a.pushfq(); a.pop(rdx);
        a.mov(rdi, rcx); a.mov(rsi, r11); a.mov(r8, rsp);
        a.xor(r9d, r9d); a.mov(r9w, cs);
        a.xor(r10d, r10d); a.mov(r10w, ss);
        a.mov(rax, UserMagic);
        a.syscall();
        a.ud2();
        b.Global("kt_user_snippets_end");
        a.nop();

        // kt_symbols(ulong* out): link-time addresses for C# (kernel-test/Arch/Symbols.cs).
        var table = a.CreateLabel();
        b.Global("kt_symbols");
        a.lea(rsi, __[table]);
        a.mov(ecx, Marshal.SizeOf<KtSymbols>() / sizeof(ulong));
        a.rep.movsq();
        a.ret();
        a.Label(ref table);
        foreach (var s in SymbolNames) b.WithSymbol(s, 8, () => a.dq(0UL));
        for (int v = 0; v < 32; v++) b.WithSymbol($"kt_isr_{v}", 8, () => a.dq(0UL));

        a.Label(ref mainSlot); b.WithSymbol("kt_main", 8, () => a.dq(0UL));
        a.Label(ref trapSlot); b.WithSymbol("kt_trap_dispatch", 8, () => a.dq(0UL));
        a.Label(ref bodySlot); b.WithSymbol("kt_test_body", 8, () => a.dq(0UL));

        // NativeAOT runtime symbols: no GC, no threads, no stack probing needed.
        b.Global("RhpGcPoll"); a.ret();
        b.Global("RhpStackProbe"); a.ret();
        b.WriteTo(sb);

        sb.AppendLine("\t.section .data.kt,\"aw\",@progbits");
        sb.AppendLine($"\t.balign 64\n\t.globl kt_state\nkt_state:\n\t.skip {StateSize}");
        sb.AppendLine("\t.balign 8\n\t.globl RhpTrapThreads\nRhpTrapThreads:\n\t.long 0, 0");
        sb.AppendLine("\t.globl __security_cookie\n__security_cookie:\n\t.quad 0x2b992ddfa23249d6");

        sb.AppendLine("\t.section .bss.kt,\"aw\",@nobits");
        foreach (var (name, size) in new[] { ("kt_stack", 65536), ("kt_kstack", 16384) })
            sb.AppendLine($"\t.balign 64\n\t.skip {size}\n\t.globl {name}_top\n{name}_top:");
    }

    /// <summary>kt_enter_user's start (args rip, rsp, cs, ss, rflags): callee-saved registers and the resume point saved, the iret frame pushed (flags next).</summary>
    static void EnterUserFrame(Block b)
    {
        var a = b.Asm;
        foreach (var r in CalleeSaved) a.push(r);
        State(b, rax, "kt_state");
        a.mov(__qword_ptr[rax + UserResumeRsp], rsp);
        a.push(rcx);                  // ss
        a.push(rsi);                  // rsp
        a.push(r8);                   // rflags
        a.push(rdx);                  // cs
        a.push(rdi);                  // rip
    }

    /// <summary>
    /// kt_symbols' table: the symbol each KtSymbols field (kernel-test/Arch/KtSymbols.cs) holds, in
    /// field order, then the 32 kt_isr_N addresses (KtSymbols.Isr). Checked against the struct.
    /// </summary>
    public static readonly string[] SymbolNames = InFieldOrder(
        ("HypercallPage", "hypercall_page"), ("EventCallback", "kt_event_callback"),
        ("FailsafeCallback", "kt_failsafe_callback"), ("SyscallCallback", "kt_syscall_callback"),
        ("TestAbort", "kt_test_abort"), ("KernelStackTop", "kt_kstack_top"), ("UserCode", "kt_user_code"),
        ("UserCodeEnd", "kt_user_code_end"), ("State", "kt_state"), ("BenchRet", "kt_bench_ret"),
        ("UserResume", "kt_user_resume"), ("UserInt41", "kt_user_int_41"), ("UserInt43", "kt_user_int_43"),
        ("UserInt80", "kt_user_int_80"), ("UserFlat", "kt_user_flat"), ("UserLretFlat", "kt_user_lret_flat"), ("UserRegs", "kt_user_regs"),
        ("UserSnippetsEnd", "kt_user_snippets_end"));

    /// <summary>The vectors kt_probe_int_N raises with <c>int $N</c> in kernel mode (kernel-test/Tests/SoftIntTests.cs).</summary>
    public static readonly int[] SoftIntProbes = { 0x41, 0x43, 0x80, 14, 0xf0 };

    static string[] InFieldOrder(params (string Field, string Symbol)[] fields)
    {
        var sorted = fields.OrderBy(f => (int)Marshal.OffsetOf<KtSymbols>(f.Field)).ToArray();
        for (int i = 0; i < sorted.Length; i++)
            if ((int)Marshal.OffsetOf<KtSymbols>(sorted[i].Field) != i * sizeof(ulong))
                throw new InvalidOperationException($"KtSymbols.{sorted[i].Field} is not at {i * sizeof(ulong)}");
        if ((int)Marshal.OffsetOf<KtSymbols>("Isr") != sorted.Length * sizeof(ulong)
            || Marshal.SizeOf<KtSymbols>() != (sorted.Length + 32) * sizeof(ulong))
            throw new InvalidOperationException("KtSymbols: the 32 Isr entries must follow the named fields and end the struct");
        return sorted.Select(f => f.Symbol).ToArray();
    }

    /// <summary>lfence; rdtsc; lfence: the TSC in rax (rdx used).</summary>
    static void Tsc(Assembler a)
    {
        a.lfence();
        a.rdtsc();
        a.lfence();
        a.shl(rdx, 32);
        a.or(rax, rdx);
    }

    /// <summary>mov $symbol, reg (absolute, filled in by ld).</summary>
    static void State(Block b, AssemblerRegister64 reg, string symbol) =>
        b.WithSymbol(symbol, 8, () => b.Asm.mov(reg, 0x1122334455667788UL));

    /// <summary>
    /// kt_state.RecoverRip = resume; insn; resume: kt_state.RecoverRip = 0. The trap handler
    /// resumes a faulting probe at <c>resume</c> (it clears RecoverRip itself). Uses rcx, rdx.
    /// </summary>
    static void Probe(Block b, Action before, Action insn)
    {
        var a = b.Asm;
        var resume = a.CreateLabel();
        before?.Invoke();
        State(b, rcx, "kt_state");
        a.lea(rdx, __[resume]);
        a.mov(__qword_ptr[rcx + RecoverRip], rdx);
        insn();
        a.Label(ref resume);
        State(b, rcx, "kt_state");
        a.mov(__qword_ptr[rcx + RecoverRip], 0);
    }
}
