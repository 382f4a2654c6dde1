namespace Microxen.Native;

/// <summary>
/// Entry stubs: one per IDT vector, the common trap path, and the LSTAR (syscall) entry. All of
/// them build the same frame (shim/Arch/CpuFrame.cs, whose field offsets give the push order:
/// tools/AsmGen/AsmOffsets.cs FrameLayout) and call C# with its address: the general registers,
/// vector, error code, rip, cs, rflags, rsp, ss. The FPU/SSE state is
/// kept with fxsave across the call. On the way out, a frame whose vector is
/// <see cref="SyscallReturnVector"/> returns as a hypercall does (rflags from r11, jmp rcx);
/// any other returns with iretq, so C# may redirect the frame to the guest.
/// </summary>
static class EntryStubs
{
    static readonly int VectorOffset = FrameLayout.VectorOffset;
    public const int SyscallReturnVector = (int)CpuFrame.HypercallVector;
    public const int UserSyscallVector = (int)CpuFrame.UserSyscallVector;

    static readonly AssemblerRegister64[] Pushed = FrameLayout.Pushed;

    public static void Write(StringBuilder sb)
    {
        sb.AppendLine("\t.section .shimentry,\"awx\",@progbits");
        var b = new Block(64);
        var a = b.Asm;
        var common = a.CreateLabel("isr_common");
        var trapSlot = a.CreateLabel();
        var hypercallSlot = a.CreateLabel();
        var userSlot = a.CreateLabel();
        var stackSlot = a.CreateLabel();
        var savedRsp = a.CreateLabel();

        // shimentry_start/_end bound what shim/Smp/EntryCopy.cs copies for each AP (its own
        // stubs, fast paths, pv_state, savedRsp and slots, all reached RIP-relatively).
        b.Global("shimentry_start");
        for (int v = 0; v < 256; v++)
        {
            b.Global($"isr_{v}");
            if (!X86.Vector.HasErrorCode((ulong)v)) a.push(0);
            a.push(v);
            a.jmp(common);
        }

        a.Label(ref common);
        foreach (var r in Pushed) a.push(r);
        var framePushed = b.Here();                 // fast_ptwr declines here with the frame built
        SaveAndCall(b, trapSlot, pushed: true);
        var popAndIret = b.Here();
        foreach (var r in Pushed.Reverse()) a.pop(r);
        a.add(rsp, FrameLayout.VectorAndErrorCode);
        // A fault on this iretq is the guest's bad frame: its failsafe callback.
        FaultFixups.Around(b, "iretq_to_guest", FaultFixupKind.Failsafe, 0, () => a.iretq());

        // cpu_abort_hypercall(CpuFrame* f): abandons the C# stack of the hypercall whose frame is f
        // (after a fault on a bad guest pointer) and finishes the hypercall as if the dispatcher
        // had returned: rbp = f, rsp = the same fxsave area SaveAndCall computed from it.
        var resume = a.CreateLabel();
        b.Global("cpu_abort_hypercall");
        a.mov(rbp, rdi);
        a.mov(rsp, rdi);
        a.sub(rsp, X86.FxsaveSize);
        a.and(rsp, -64);
        b.Global("abort_resume_movabs");   // an AP's copy relocates this absolute address
        b.WithSymbol("hypercall_resume", 8, () => a.mov(rax, 0x1122334455667788UL));
        a.jmp(rax);

        // cpu_enter_frame(CpuFrame* f): load every register from f and iretq to it.
        b.Global("cpu_enter_frame");
        a.mov(rsp, rdi);
        a.jmp(popAndIret);

        // The C# ends of the LSTAR entry (syscall_entry, below the slots).
        var slow = a.CreateLabel();
        var userSlow = a.CreateLabel();
        // syscall_entry_slow: LSTAR with the fast paths off (PvState.FastPaths 0), routed by guest mode as syscall_entry.
        b.Global("syscall_entry_slow");
        a.cli();                           // IA32_FMASK keeps IF: an interrupt before this is Traps/SyscallWindow.cs's
        a.cmp(__qword_ptr[FastPaths.Field(a, "UserMode")], 0);
        a.jne(userSlow);
        a.Label(ref slow);
        SyscallPath(b, SyscallReturnVector, hypercallSlot, stackSlot, savedRsp, popAndIret);
        FastPaths.UserSlow = userSlow;
        a.Label(ref userSlow);
        SyscallPath(b, UserSyscallVector, userSlot, stackSlot, savedRsp, popAndIret);

        PageGap(a);
        a.Label(ref trapSlot); b.WithSymbol("trap_dispatch", 8, () => a.dq(0UL));
        a.Label(ref hypercallSlot); b.WithSymbol("hypercall_dispatch", 8, () => a.dq(0UL));
        a.Label(ref userSlot); b.WithSymbol("user_syscall_dispatch", 8, () => a.dq(0UL));
        b.Place(ref stackSlot); b.Global("hypercall_stack_slot"); b.WithSymbol("hypercall_stack_top", 8, () => a.dq(0UL));
        a.Label(ref savedRsp); a.dq(0UL);
        PageGap(a);
        // LSTAR: routed by the vCPU's guest mode (PvState.UserMode, Xen's TF_kernel_mode), as
        // Xen's lstar_enter: in kernel mode (the CPU was in ring 0) a hypercall, in user mode
        // (ring 3) a user process's system call. Never by RCX: kernels are linked anywhere.
        // Only flags change here; r11 holds the caller's. A hypercall falls through into the
        // fast-path dispatcher (FastPaths.Emit starts with it), which declines to `slow`.
        // On a page of its own start (QEMU's TCG chains a direct jump only within the page its
        // translation block starts on): syscall_entry, the dispatcher's iret and fast_user_syscall
        // share one, and their jumps stay in the TB chain.
        b.Align((int)Xen.PageFlags.PageSize);
        b.Global("syscall_entry");
        FastPaths.UserEntry = a.CreateLabel("fast_user_syscall");
        a.cmp(__qword_ptr[FastPaths.Field(a, "UserMode")], 0);
        a.jne(FastPaths.UserEntry);
        int next = a.Instructions.Count;
        var dispatch = FastPaths.Emit(b, slow);
        if (dispatch.InstructionIndex != next) throw new InvalidOperationException("syscall_entry falls through into the LSTAR dispatcher: FastPaths.Emit must start with it");
        PageGap(a);
        FastPageFault.Emit(b, common, framePushed, popAndIret);
        b.Global("shimentry_end");
        a.int3();
        b.WriteTo(sb);
        FastPaths.CheckRegisterAbi(b);

        // The isr_N addresses, for the IDT.
        sb.AppendLine("\t.section .rodata.entry,\"a\",@progbits");
        sb.AppendLine("\t.balign 8\n\t.globl isr_table\nisr_table:");
        for (int v = 0; v < 256; v++) sb.AppendLine($"\t.quad {(v == X86.Vector.PF ? FastPageFault.Entry : $"isr_{v}")}");

        // Stacks: C#'s boot stack, the hypercall stack, and IST stacks for the IDT.
        sb.AppendLine("\t.section .bss.stacks,\"aw\",@nobits");
        foreach (var (name, size) in new[] { ("boot_stack", 65536), ("hypercall_stack", 65536),
                     ("ist1_stack", 32768), ("ist2_stack", 16384), ("ist3_stack", 16384), ("ist4_stack", 16384), ("ist5_stack", 16384) })
            sb.AppendLine($"\t.balign 64\n\t.skip {size}\n\t.globl {name}_top\n{name}_top:");
    }

    /// <summary>
    /// 4 KiB of zeros: written data (savedRsp, pv_state) is kept off every 4 KiB page that holds
    /// code. A store to a page holding code is self-modifying code to the CPU's detection (Intel:
    /// "put code and data on separate pages") and, under QEMU TCG, a slow-path store that checks
    /// the page's translated code: the hypercall paths store to these on every call.
    /// </summary>
    public static void PageGap(Assembler a) => a.db(new byte[4096]);

    /// <summary>
    /// Pushes the GPRs (unless <paramref name="pushed"/>), saves the FPU state, calls [slot](frame), restores. CR0.TS belongs to the
    /// guest (fpu_taskswitch; native fast paths set it directly): the stub records it in
    /// PvState.GuestTs, clears it for its own fxsave/fxrstor, and sets it again afterwards when
    /// GuestTs (which C# may have changed) says so. A guest with TS set gets #NM, the shim never.
    /// </summary>
    static void SaveAndCall(Block b, Label slot, string resumeSymbol = null, bool pushed = false)
    {
        var a = b.Asm;
        var guestTs = FastPaths.Field(a, "GuestTs");
        if (!pushed) foreach (var r in Pushed) a.push(r);
        a.mov(rbp, rsp);
        a.mov(rax, cr0);
        a.test(al, (int)X86.Cr0.TS);
        a.setne(__byte_ptr[guestTs]);
        var tsClear = a.CreateLabel();
        a.je(tsClear);
        a.clts();
        a.Label(ref tsClear);
        a.sub(rsp, X86.FxsaveSize);
        a.and(rsp, -64);
        a.fxsave64(__[rsp]);
        a.cld();                           // C# expects DF clear; an IDT entry keeps the guest's (iretq restores it)
        a.mov(rdi, rbp);
        a.call(__qword_ptr[slot]);
        if (resumeSymbol != null) b.Global(resumeSymbol);   // cpu_abort_hypercall lands here
        a.fxrstor64(__[rsp]);
        var tsDone = a.CreateLabel();
        a.cmp(__byte_ptr[guestTs], 0);
        a.je(tsDone);
        a.mov(rax, cr0);
        a.or(rax, (int)X86.Cr0.TS);
        a.mov(cr0, rax);
        a.Label(ref tsDone);
        a.mov(rsp, rbp);
    }

    static void SyscallPath(Block b, int vector, Label slot, Label stackSlot, Label savedRsp, Label popAndIret)
    {
        var a = b.Asm;
        a.mov(__qword_ptr[savedRsp], rsp);
        a.mov(rsp, __qword_ptr[stackSlot]);
        a.push(0);                         // ss: unknown after syscall, C# fills it if it irets
        a.push(__qword_ptr[savedRsp]);     // rsp
        a.push(r11);                       // rflags
        a.push(0);                         // cs
        a.push(rcx);                       // rip
        a.push(0);                         // error code
        a.push(vector);
        SaveAndCall(b, slot, vector == SyscallReturnVector ? "hypercall_resume" : null);
        var viaIret = a.CreateLabel();
        a.cmp(__qword_ptr[rsp + VectorOffset], SyscallReturnVector);
        a.jne(viaIret);
        foreach (var r in Pushed.Reverse()) a.pop(r);
        a.add(rsp, FrameLayout.VectorAndErrorCode);
        a.pop(rcx);                        // rip
        a.add(rsp, 8);
        a.pop(r11);                        // rflags
        a.pop(rsp);
        a.push(r11);
        a.popfq();
        FastPaths.GuestResumeJmpRcx(b);
        a.Label(ref viaIret);
        a.jmp(popAndIret);
    }
}
