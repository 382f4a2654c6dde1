namespace Microxen.Native;

/// <summary>Entering and leaving guest modes natively: iret (LSTAR and transfer page) and the user-mode syscall entry. Part of <see cref="FastPaths"/>: the same calling convention and pv_state.</summary>
static partial class FastPaths
{
    /// <summary>
    /// fast_user_syscall: a user process's syscall sent to the guest's syscall callback as
    /// Guest/BounceFrame.cs does, natively: on the stack_switch stack (after loading the kernel
    /// L4 with user_pt=switch), rcx, r11, rip, cs (__USER_CS, saved mask 0), rflags, rsp, ss
    /// (__USER_DS); GS swapped; events masked if the callback asked. Entered by jne from
    /// syscall_entry with the syscall state untouched. With PvState.NativeUserSyscall published
    /// (a callback that masks events, no L4 switch: Linux's case) it tests nothing else and
    /// runs with IF on from the user's syscall to the callback (an interrupt taken here raises
    /// its event under the callback's mask, as Xen's would: Traps/SyscallWindow.cs);
    /// otherwise it tests each field and declines (no callback) by jumping to the C# path,
    /// <c>user_syscall_slow</c>. With the fast paths off LSTAR is syscall_entry_slow: never here.
    /// </summary>
    static void UserSyscall(Block b, Label pv)
    {
        var a = b.Asm;
        b.Place(ref UserEntry);
        b.Global("fast_user_syscall");
        var slow = a.CreateLabel("user_syscall_slow_ref");
        var general = a.CreateLabel();
        var noSwitch = a.CreateLabel();
        var noMask = a.CreateLabel();
        a.test(__byte_ptr[F(a, "NativeEntry")], PvState.NativeUserSyscall);
        a.jz(general);
        a.mov(__qword_ptr[F(a, "ScratchRsp")], rsp);
        EnterCallback(a);
        MaskEvents(a);
        a.inc(__qword_ptr[F(a, "UserSyscalls")]);
        a.jmp(__qword_ptr[F(a, "SyscallCallback")]);     // IF on all along (IA32_FMASK keeps it): no sti, no TCG main-loop exit

        // Any other callback: IF off from here (Traps/SyscallWindow.cs covers an interrupt taken
        // before this cli) until the callback's first instruction (sti's shadow covers the jmp),
        // where an event the callback leaves unmasked is delivered, as Xen delivers it on its way out.
        b.Place(ref general);
        b.Global("fast_user_syscall_general");
        a.cli();
        a.cmp(__qword_ptr[F(a, "SyscallCallback")], 0);
        a.je(slow);
        a.mov(__qword_ptr[F(a, "ScratchRsp")], rsp);
        a.cmp(__qword_ptr[F(a, "SwitchUserPt")], 0);
        a.je(noSwitch);
        a.mov(rsp, __qword_ptr[F(a, "KernelL4Ma")]);      // rsp is free: the user's is saved
        a.mov(cr3, rsp);
        a.Label(ref noSwitch);
        EnterCallback(a);
        a.cmp(__qword_ptr[F(a, "SyscallMasksEvents")], 0);
        a.je(noMask);
        MaskEvents(a);
        a.Label(ref noMask);
        a.inc(__qword_ptr[F(a, "UserSyscalls")]);
        a.sti();
        a.jmp(__qword_ptr[F(a, "SyscallCallback")]);
        a.Label(ref slow);
        a.jmp(UserSlow);
    }

    /// <summary>evtchn_upcall_mask = 1 (rcx free).</summary>
    static void MaskEvents(Assembler a)
    {
        a.mov(rcx, __qword_ptr[F(a, "VcpuInfo")]);
        a.mov(__byte_ptr[rcx + AsmOffsets.VcpuInfoUpcallMask], 1);
    }

    /// <summary>
    /// Xen's syscall frame on the stack_switch stack (16-byte aligned, as Xen's bounce frame)
    /// from the syscall state and ScratchRsp, GS swapped, guest kernel mode.
    /// </summary>
    static void EnterCallback(Assembler a)
    {
        a.mov(rsp, __qword_ptr[F(a, "KernelSp")]);
        a.and(rsp, -16);
        a.push(X86.LinuxSelector.UserDs);                 // ss
        a.push(__qword_ptr[F(a, "ScratchRsp")]);         // rsp
        a.push(r11);                                      // rflags
        a.push(X86.LinuxSelector.UserCs);                 // cs, saved upcall mask 0
        a.push(rcx);                                      // rip
        a.push(r11);
        a.push(rcx);
        a.swapgs();
        a.mov(__qword_ptr[F(a, "UserMode")], 0);         // guest kernel mode
    }

    /// <summary>
    /// The iret work once the frame rip, cs, rflags, rsp, ss sits at [rsp + frameAt] and rcx is
    /// free (no other register is written): the event mask from the frame's IF (Xen's do_iret),
    /// GS swapped (and the user L4 loaded with user_pt=switch) when returning to user mode,
    /// hardware IF on and IOPL 0 in the frame, SS RPL 0 for the kernel. Jumps to
    /// <paramref name="pending"/> before changing anything but the mask when an event is pending
    /// and now unmasked, and with user_pt=switch on the way to user mode (the C# path returns
    /// that frame). The transfer page's iret; the LSTAR one is <see cref="LstarIretNative"/>.
    /// <paramref name="userExit"/> is emitted after the user branch's RFLAGS fix and must end in
    /// sysretq or a jump (to the caller's iretq); the kernel branch falls through.
    /// </summary>
    static void IretCommon(Assembler a, Label pv, int frameAt, Label pending, Action userExit)
    {
        var user = a.CreateLabel();
        var fix = a.CreateLabel();
        var masked = a.CreateLabel();
        a.mov(rcx, __qword_ptr[F(a, "VcpuInfo")]);
        a.bt(__qword_ptr[rsp + frameAt + AsmOffsets.IretRflags], X86.Rflags.IFBit);   // CF = frame IF
        a.setae(__byte_ptr[rcx + AsmOffsets.VcpuInfoUpcallMask]);                     // mask = !IF
        a.jae(masked);
        a.cmp(__byte_ptr[rcx + AsmOffsets.VcpuInfoUpcallPending], 0);   // evtchn_upcall_pending
        a.jne(pending);
        a.Label(ref masked);
        a.test(__byte_ptr[rsp + frameAt + AsmOffsets.IretCs], (int)X86.Selector.RplMask);
        a.jnz(user);
        a.and(__qword_ptr[rsp + frameAt + AsmOffsets.IretSs], ~(int)X86.Selector.RplMask);   // kernel SS: RPL 0
        a.jmp(fix);
        a.Label(ref user);
        // With user_pt=switch the frame (on the guest kernel stack) is not mapped in the user
        // L4: the C# path returns from the shim's own stack.
        a.cmp(__qword_ptr[F(a, "SwitchUserPt")], 0);
        a.jne(pending);
        EnterUserMode(a);
        FixRflags(a, pv, frameAt);
        userExit();                                       // sysretq or a jump to the iretq (FastPaths.Sysret.asm.cs): never falls through
        a.Label(ref fix);
        FixRflags(a, pv, frameAt);
    }

    /// <summary>The frame's RFLAGS as the guest resumes with it (IOPL 0, hardware IF on), and the iret counted.</summary>
    static void FixRflags(Assembler a, Label pv, int frameAt)
    {
        a.and(__qword_ptr[rsp + frameAt + AsmOffsets.IretRflags], ~(int)X86.Rflags.IOPL);   // IOPL 0
        a.or(__qword_ptr[rsp + frameAt + AsmOffsets.IretRflags], (int)X86.Rflags.IF);      // hardware IF stays on
        Count(a, pv, Iret);
    }

    /// <summary>
    /// iret from the LSTAR entry (the dispatcher's, rax = 23): iret_context (rax, r11, rcx,
    /// flags, rip, cs, rflags, rsp, ss) at [rsp], <see cref="LstarIretNative"/>'s work. A
    /// pending event, and the return to user mode without PvState.NativeIret (user_pt=switch),
    /// go to <paramref name="slow"/> (C#: iret, then the upcall) with rax still 23. To user mode
    /// it leaves with sysretq where the guest cannot tell it from the iretq (FastPaths.Sysret.asm.cs).
    /// </summary>
    static void LstarIret(Block b, Label pv, Label slow)
    {
        var a = b.Asm;
        var kernel = a.CreateLabel();
        var tail = a.CreateLabel();
        var sysret = a.CreateLabel();
        LstarIretNative(a, pv, slow, kernel, sysret);
        a.Label(ref kernel);
        InSyscallLstar(a, tail);
        a.Label(ref tail);
        a.mov(rax, __qword_ptr[rsp + AsmOffsets.IretContextRax]);
        a.mov(r11, __qword_ptr[rsp + AsmOffsets.IretContextR11]);
        a.mov(rcx, __qword_ptr[rsp + AsmOffsets.IretContextRcx]);
        a.add(rsp, AsmOffsets.IretContextRip);
        FaultFixups.Around(b, "iretq_to_guest_lstar", FaultFixupKind.Failsafe, 0, () => a.iretq());
        a.Label(ref sysret);
        SysretLstar(a, tail);
    }

    /// <summary>
    /// iret from the transfer page (entered with jmp): flags, rip, cs, rflags, rsp, ss at [rsp],
    /// rax, r11, rcx live. Declines into the ordinary iret entry's layout (push rcx; push r11;
    /// push rax; syscall) with 23 - PvState.DeclinedBias: the LSTAR dispatcher knows the
    /// return address (<see cref="PageIretDeclined"/>) and sends it straight to C# as iret, not
    /// through the native iret a second time. To user mode: sysretq where the guest cannot tell
    /// it from the iretq (FastPaths.Sysret.asm.cs).
    /// </summary>
    static void PageIret(Block b, Label pv)
    {
        var a = Routine(b, "fast_page_iret");
        var pending = a.CreateLabel();
        var tail = a.CreateLabel();
        a.push(rcx);
        IretCommon(a, pv, PageFrameAt, pending, () => SysretPage(a, tail));   // rcx above flags
        InSyscallPage(a, tail);
        a.Label(ref tail);
        a.pop(rcx);
        a.add(rsp, AsmOffsets.IretContextRip - AsmOffsets.IretContextFlags);   // flags
        FaultFixups.Around(b, "iretq_to_guest_page", FaultFixupKind.Failsafe, 0, () => a.iretq());
        a.Label(ref pending);
        a.push(r11);
        a.push(rax);
        a.mov(rax, Iret - PvState.DeclinedBias);
        a.syscall();
        a.Label(ref PageIretDeclined);
        a.int3();                                        // C# returns with iretq, never here
    }

    /// <summary>The return address of <see cref="PageIret"/>'s declining syscall.</summary>
    static Label PageIretDeclined;
}
