namespace Microxen.Native;

/// <summary>Entering and leaving guest modes natively: iret (LSTAR and transfer page) and the user-mode syscall entry. Part of <see cref="FastPaths"/>: the same calling convention and pv_state.</summary>
static partial class FastPaths
{
    /// <summary>
    /// fast_user_syscall: a user process's syscall sent to the guest's syscall callback as
    /// Guest/BounceFrame.cs does, natively: on the stack_switch stack (after loading the kernel
    /// L4 with user_pt=switch), rcx, r11, rip, cs (__USER_CS, saved mask 0), rflags, rsp, ss
    /// (__USER_DS); GS swapped; events masked if the callback asked. Entered by jmp from the
    /// LSTAR stub with the syscall state untouched; declines (no callback, or fast paths off)
    /// by jumping to the C# path, <c>user_syscall_slow</c>.
    /// </summary>
    static void UserSyscall(Block b, Label pv)
    {
        var a = b.Asm;
        b.Place(ref UserEntry);
        b.Global("fast_user_syscall");
        var slow = a.CreateLabel("user_syscall_slow_ref");
        var noSwitch = a.CreateLabel();
        var noMask = a.CreateLabel();
        a.cmp(__qword_ptr[F(a, "FastPaths")], 0);
        a.je(slow);
        a.cmp(__qword_ptr[F(a, "SyscallCallback")], 0);
        a.je(slow);
        a.mov(__qword_ptr[F(a, "ScratchRsp")], rsp);
        a.cmp(__qword_ptr[F(a, "SwitchUserPt")], 0);
        a.je(noSwitch);
        a.mov(rsp, __qword_ptr[F(a, "KernelL4Ma")]);      // rsp is free: the user's is saved
        a.mov(cr3, rsp);
        a.Label(ref noSwitch);
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
        a.mov(__qword_ptr[F(a, "UserMode")], 0);         // guest kernel mode (IF off until the sti below)
        a.cmp(__qword_ptr[F(a, "SyscallMasksEvents")], 0);
        a.je(noMask);
        a.mov(rcx, __qword_ptr[F(a, "VcpuInfo")]);
        a.mov(__byte_ptr[rcx + AsmOffsets.VcpuInfoUpcallMask], 1);   // evtchn_upcall_mask
        a.Label(ref noMask);
        a.inc(__qword_ptr[F(a, "UserSyscalls")]);
        a.push(__qword_ptr[F(a, "SyscallCallback")]);
        a.sti();                                          // the guest kernel runs with IF on; sti's shadow covers the ret
        a.ret();
        a.Label(ref slow);
        a.jmp(UserSlow);
    }

    /// <summary>
    /// The iret work once the frame rip, cs, rflags, rsp, ss sits at [rsp + frameAt] and rcx is
    /// free: the event mask from the frame's IF (Xen's do_iret), GS swapped (and the user L4
    /// loaded with user_pt=switch) when returning to user mode, hardware IF on and IOPL 0 in the
    /// frame, SS RPL 0 for the kernel. Jumps to <paramref name="pending"/> before changing
    /// anything but the mask when an event is pending and now unmasked.
    /// </summary>
    static void IretCommon(Assembler a, Label pv, int frameAt, Label pending)
    {
        var user = a.CreateLabel();
        var fix = a.CreateLabel();
        var masked = a.CreateLabel();
        a.mov(rcx, __qword_ptr[F(a, "VcpuInfo")]);
        a.bt(__qword_ptr[rsp + frameAt + AsmOffsets.IretRflags], X86.Rflags.IFBit);   // CF = frame IF
        a.setae(al);                                     // mask = !IF
        a.mov(__byte_ptr[rcx + AsmOffsets.VcpuInfoUpcallMask], al);
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
        a.swapgs();
        // Guest user mode from here: nothing before the iretq runs guest code or reads the mode
        // but the shim (an interrupt in between is taken in the shim and delivers nothing; a
        // fault on the iretq goes to Failsafe, which switches back).
        a.mov(__qword_ptr[F(a, "UserMode")], 1);
        a.Label(ref fix);
        a.and(__qword_ptr[rsp + frameAt + AsmOffsets.IretRflags], ~(int)X86.Rflags.IOPL);   // IOPL 0
        a.or(__qword_ptr[rsp + frameAt + AsmOffsets.IretRflags], (int)X86.Rflags.IF);      // hardware IF stays on
        Count(a, pv, Iret);
    }

    /// <summary>iret from the LSTAR entry: iret_context (rax, r11, rcx, flags, rip, cs, rflags, rsp, ss) at [rsp].</summary>
    static void LstarIret(Block b, Label pv, Label slow)
    {
        var a = b.Asm;
        var pending = a.CreateLabel();
        IretCommon(a, pv, AsmOffsets.IretContextRip, pending);
        a.mov(rax, __qword_ptr[rsp + AsmOffsets.IretContextRax]);
        a.mov(r11, __qword_ptr[rsp + AsmOffsets.IretContextR11]);
        a.mov(rcx, __qword_ptr[rsp + AsmOffsets.IretContextRcx]);
        a.add(rsp, AsmOffsets.IretContextRip);
        FaultFixups.Around(b, "iretq_to_guest_lstar", FaultFixupKind.Failsafe, 0, () => a.iretq());
        a.Label(ref pending);
        a.mov(eax, Iret);                                // C#: iret, then the upcall
        a.jmp(slow);
    }

    /// <summary>
    /// iret from the transfer page (entered with jmp): flags, rip, cs, rflags, rsp, ss at [rsp],
    /// rax, r11, rcx live. Declines into the ordinary iret entry: push rcx; push r11; push rax;
    /// mov $23, %eax; syscall.
    /// </summary>
    static void PageIret(Block b, Label pv)
    {
        var a = Routine(b, "fast_page_iret");
        var pending = a.CreateLabel();
        a.push(rax);
        a.push(rcx);
        IretCommon(a, pv, 2 * 8 + AsmOffsets.IretContextRip - AsmOffsets.IretContextFlags, pending);   // rax, rcx above flags
        a.pop(rcx);
        a.pop(rax);
        a.add(rsp, AsmOffsets.IretContextRip - AsmOffsets.IretContextFlags);   // flags (VGCF_in_syscall: iretq either way)
        FaultFixups.Around(b, "iretq_to_guest_page", FaultFixupKind.Failsafe, 0, () => a.iretq());
        a.Label(ref pending);
        a.pop(rcx);
        a.pop(rax);
        a.push(rcx);
        a.push(r11);
        a.push(rax);
        a.mov(eax, Iret);
        a.syscall();
    }
}
