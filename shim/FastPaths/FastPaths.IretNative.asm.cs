namespace Microxen.Native;

/// <summary>
/// LstarIret's path with PvState.NativeIret published (Linux's return from every system call),
/// laid out for the return to 64-bit user mode with IF set: the frame's RFLAGS is written back
/// only when the iretq will read it, the user-mode test is the sysretq CS test, and the event
/// mask is cleared and the pending flag tested in one locked instruction. Every other frame
/// takes the work of <see cref="IretCommon"/> (Xen's do_iret) and <see cref="SysretLstar"/>.
/// Part of <see cref="FastPaths"/>.
/// </summary>
static partial class FastPaths
{
    /// <summary>SysretExit.RflagsRefused and IOPL: the frame RFLAGS bits (IF set) that keep the hot path off sysretq.</summary>
    static readonly int RefusedOrIopl = Imm32(Arch.SysretExit.RflagsRefused | X86.Rflags.IOPL);

    /// <summary><paramref name="v"/> as the imm32 that sign-extends to it (AsmGen fails otherwise).</summary>
    static int Imm32(ulong v)
    {
        if (unchecked((ulong)(long)(int)v) != v) throw new InvalidOperationException($"0x{v:x} is not a sign-extended imm32");
        return unchecked((int)v);
    }

    /// <summary>
    /// GS swapped and guest user mode from here: nothing before the iretq or sysretq runs guest
    /// code or reads the mode but the shim (an interrupt in between is taken in the shim and
    /// delivers nothing; a fault on the iretq goes to Failsafe, which switches back).
    /// </summary>
    static void EnterUserMode(Assembler a)
    {
        a.swapgs();
        a.mov(__qword_ptr[F(a, "UserMode")], 1);
    }

    /// <summary>
    /// The native LSTAR iret (iret_context at [rsp], rax, rcx, r11 free), as IretCommon then <see cref="SysretLstar"/>: the event mask from the frame's IF, a pending
    /// and now unmasked event to <paramref name="slow"/> (C#, with rax still 23), SS RPL 0 for the
    /// kernel, RFLAGS IOPL 0 and IF on, counted; to user mode without PvState.NativeIret
    /// (user_pt=switch) to <paramref name="slow"/> too. The user frame sysretq takes as it is
    /// (CS and SS sysretq's, RCX = RIP, R11 = RFLAGS with IF set, IOPL 0 and no bit SysretExit
    /// refuses, RIP under PvState.SysretTop: 0 without NativeIret) leaves here with no store to
    /// the frame; any other user frame goes to <paramref name="sysret"/> with RFLAGS fixed. The
    /// kernel frame falls through to <paramref name="kernel"/> (VGCF_in_syscall, the iretq) or
    /// jumps there.
    /// </summary>
    static void LstarIretNative(Assembler a, Label pv, Label slow, Label kernel, Label sysret)
    {
        int rip = AsmOffsets.IretContextRip, rflags = rip + AsmOffsets.IretRflags;
        int cs = rip + AsmOffsets.IretCs, ss = rip + AsmOffsets.IretSs;
        if (AsmOffsets.VcpuInfoUpcallMask != AsmOffsets.VcpuInfoUpcallPending + 1)
            throw new InvalidOperationException("vcpu_info: evtchn_upcall_mask does not follow evtchn_upcall_pending");
        var if0 = a.CreateLabel();
        var kernel0 = a.CreateLabel();
        var notSysretCs = a.CreateLabel();
        var user = a.CreateLabel();
        var ifTest = a.CreateLabel();
        // The frame's RFLAGS final as it is (IF set, IOPL 0, no bit sysretq refuses) in one test:
        // IF subtracted, a clear IF borrows into the IF bit itself.
        a.mov(r11, __qword_ptr[rsp + rflags]);
        a.lea(rcx, __[r11 - (int)X86.Rflags.IF]);       // rax stays 23 for the C# path
        a.test(rcx, RefusedOrIopl | (int)X86.Rflags.IF);
        a.jnz(ifTest);
        a.mov(rcx, __qword_ptr[F(a, "VcpuInfo")]);
        ClearMask(a, slow);
        a.cmp(__qword_ptr[rsp + cs], (int)Arch.SysretExit.Cs);
        a.jne(notSysretCs);
        a.cmp(r11, __qword_ptr[rsp + AsmOffsets.IretContextR11]);
        a.jne(user);
        a.mov(rcx, __qword_ptr[rsp + rip]);
        a.cmp(rcx, __qword_ptr[rsp + AsmOffsets.IretContextRcx]);
        a.jne(user);
        a.cmp(rcx, __qword_ptr[F(a, "SysretTop")]);
        a.jae(user);
        a.cmp(__qword_ptr[rsp + ss], (int)Arch.SysretExit.Ss);
        a.jne(user);
        EnterUserMode(a);
        Count(a, pv, Iret);
        a.mov(rax, __qword_ptr[rsp + AsmOffsets.IretContextRax]);
        a.mov(rsp, __qword_ptr[rsp + rip + AsmOffsets.IretRsp]);   // IF off since the syscall (FMASK)
        a.sysretq();
        a.Label(ref user);                               // CS RPL 3, IF set, no event pending
        a.test(__byte_ptr[F(a, "NativeEntry")], PvState.NativeIret);
        a.jz(slow);
        EnterUserMode(a);
        Count(a, pv, Iret);
        a.and(__qword_ptr[rsp + rflags], ~(int)X86.Rflags.IOPL);
        a.jmp(sysret);

        a.Label(ref ifTest);                             // IF clear, or RFLAGS to fix or refused
        a.mov(rcx, __qword_ptr[F(a, "VcpuInfo")]);
        a.bt(r11, X86.Rflags.IFBit);
        a.jnc(if0);
        ClearMask(a, slow);                              // IF set, RFLAGS to fix or refused: the iretq or the full sysretq checks
        a.jmp(notSysretCs);
        a.Label(ref if0);
        a.mov(__byte_ptr[rcx + AsmOffsets.VcpuInfoUpcallMask], 1);
        a.test(__byte_ptr[rsp + cs], (int)X86.Selector.RplMask);
        a.jz(kernel0);
        a.test(__byte_ptr[F(a, "NativeEntry")], PvState.NativeIret);
        a.jz(slow);
        EnterUserMode(a);
        FixRflags(a, pv, rip);
        a.jmp(sysret);
        a.Label(ref kernel0);
        a.and(__qword_ptr[rsp + ss], ~(int)X86.Selector.RplMask);   // kernel SS: RPL 0
        FixRflags(a, pv, rip);
        a.jmp(kernel);

        a.Label(ref notSysretCs);                        // IF set, no event pending
        a.test(__byte_ptr[rsp + cs], (int)X86.Selector.RplMask);
        a.jnz(user);
        a.and(__qword_ptr[rsp + ss], ~(int)X86.Selector.RplMask);
        a.and(__qword_ptr[rsp + rflags], ~(int)X86.Rflags.IOPL);   // IF is set
        Count(a, pv, Iret);
    }

    /// <summary>The frame's IF set, rcx = vcpu_info: mask = 0 and ZF = no event pending in one atomic instruction (another CPU may set pending); to <paramref name="pending"/> when one is.</summary>
    static void ClearMask(Assembler a, Label pending)
    {
        a.@lock.and(__word_ptr[rcx + AsmOffsets.VcpuInfoUpcallPending], 0xFF);
        a.jnz(pending);
    }
}
