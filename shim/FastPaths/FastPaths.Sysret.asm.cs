namespace Microxen.Native;

/// <summary>
/// The native iret's exits to guest user mode with sysretq (shim/Arch/SysretExit.cs says when:
/// only where the guest cannot tell it from the iretq), and VGCF_in_syscall as Xen 4.17 treats
/// it (xen/arch/x86/pv/iret.c, restore_all_guest in xen/arch/x86/x86_64/entry.S): the frame's
/// RCX and R11 are not used, the guest resumes with RCX = RIP and R11 = its RFLAGS, when RIP is
/// canonical (as Hypercalls/Iret.cs). Part of <see cref="FastPaths"/>.
/// Ring 0 with the user RSP loaded: IF is off (the LSTAR entry's FMASK; cli on the transfer
/// page's), every vector runs on an IST stack (Arch/Idt.cs), RCX is checked canonical and in
/// the lower half (a non-canonical RCX makes Intel's sysretq #GP in ring 0), and the selectors
/// sysretq loads are the frame's (STAR, ShimMain).
/// </summary>
static partial class FastPaths
{
    /// <summary>A qword holding SysretExit.UserTop after pv_state (one memory operand, no register spent on the constant).</summary>
    static Label UserTopLabel;

    /// <summary>PageIret's frame (rip) above the pushed rcx and the flags word.</summary>
    static readonly int PageFrameAt = 8 + AsmOffsets.IretContextRip - AsmOffsets.IretContextFlags;

    /// <summary>The byte of the flags word holding VGCF_in_syscall, and its bit there.</summary>
    const int InSyscallByte = Xen.Layout._VGCF_in_syscall / 8, InSyscallBit = 1 << (Xen.Layout._VGCF_in_syscall % 8);

    /// <summary>
    /// The sysret checks once RCX = RIP and R11 = the final RFLAGS (both checked equal to what
    /// the guest gets): RFLAGS, RIP in the lower half, CS and SS sysretq's. Jumps to
    /// <paramref name="iret"/> when one fails.
    /// </summary>
    static void SysretChecks(Assembler a, int frameAt, Label iret)
    {
        a.test(r11, Imm32(Arch.SysretExit.RflagsRefused));
        a.jnz(iret);
        a.cmp(rcx, __qword_ptr[UserTopLabel]);
        a.jae(iret);
        a.cmp(__qword_ptr[rsp + frameAt + AsmOffsets.IretCs], (int)Arch.SysretExit.Cs);
        a.jne(iret);
        a.cmp(__qword_ptr[rsp + frameAt + AsmOffsets.IretSs], (int)Arch.SysretExit.Ss);
        a.jne(iret);
    }

    /// <summary>
    /// Leaves <paramref name="to"/> when <paramref name="scratch"/> (RIP, destroyed) is not
    /// canonical: the in_syscall rule applies to canonical RIPs only.
    /// </summary>
    static void JumpIfNonCanonical(Assembler a, AssemblerRegister64 scratch, Label to)
    {
        a.sar(scratch, 47);                              // 0 or -1 when canonical
        a.inc(scratch);
        a.cmp(scratch, 1);
        a.ja(to);
    }

    /// <summary>
    /// LstarIret's user exit (iret_context at [rsp], RFLAGS fixed, rax, rcx, r11 free):
    /// sysretq with the context's rax, or <paramref name="iret"/> (the iretq that loads
    /// rax, r11, rcx from the context).
    /// </summary>
    static void SysretLstar(Assembler a, Label iret)
    {
        int rip = AsmOffsets.IretContextRip, rflags = rip + AsmOffsets.IretRflags;
        var check = a.CreateLabel();
        var mismatch = a.CreateLabel();
        a.mov(rcx, __qword_ptr[rsp + rip]);
        a.cmp(rcx, __qword_ptr[rsp + AsmOffsets.IretContextRcx]);
        a.jne(mismatch);
        a.mov(r11, __qword_ptr[rsp + rflags]);
        a.cmp(r11, __qword_ptr[rsp + AsmOffsets.IretContextR11]);
        a.jne(mismatch);
        a.Label(ref check);
        SysretChecks(a, rip, iret);
        a.mov(rax, __qword_ptr[rsp + AsmOffsets.IretContextRax]);
        a.mov(rsp, __qword_ptr[rsp + rip + AsmOffsets.IretRsp]);   // IF off since the syscall (FMASK)
        a.sysretq();
        a.Label(ref mismatch);
        InSyscallLstar(a, iret);
        a.jmp(check);
    }

    /// <summary>
    /// LstarIret's VGCF_in_syscall (the return to kernel mode falls through to it): with the
    /// flag and a canonical RIP, RCX = RIP and R11 = RFLAGS, in the context and in the
    /// registers; else to <paramref name="iret"/>. rax, rcx, r11 free.
    /// </summary>
    static void InSyscallLstar(Assembler a, Label iret)
    {
        int rip = AsmOffsets.IretContextRip;
        a.test(__byte_ptr[rsp + AsmOffsets.IretContextFlags + InSyscallByte], InSyscallBit);
        a.jz(iret);
        a.mov(rax, __qword_ptr[rsp + rip]);
        JumpIfNonCanonical(a, rax, iret);
        a.mov(rcx, __qword_ptr[rsp + rip]);
        a.mov(__qword_ptr[rsp + AsmOffsets.IretContextRcx], rcx);
        a.mov(r11, __qword_ptr[rsp + rip + AsmOffsets.IretRflags]);
        a.mov(__qword_ptr[rsp + AsmOffsets.IretContextR11], r11);
    }

    /// <summary>
    /// PageIret's user exit (the guest's rcx at [rsp], then flags and the frame; rax and r11
    /// the guest's, live): cli, sysretq, or <paramref name="iret"/> (pop rcx, drop the flags, iretq).
    /// </summary>
    static void SysretPage(Assembler a, Label iret)
    {
        int rip = PageFrameAt, rflags = rip + AsmOffsets.IretRflags;
        var check = a.CreateLabel();
        var mismatch = a.CreateLabel();
        a.mov(rcx, __qword_ptr[rsp + rip]);
        a.cmp(rcx, __qword_ptr[rsp]);
        a.jne(mismatch);
        a.cmp(r11, __qword_ptr[rsp + rflags]);
        a.jne(mismatch);
        a.Label(ref check);
        SysretChecks(a, rip, iret);
        a.cli();                                         // the guest kernel ran with IF on: none with the user RSP in ring 0
        a.mov(rsp, __qword_ptr[rsp + rip + AsmOffsets.IretRsp]);
        a.sysretq();
        a.Label(ref mismatch);
        InSyscallPage(a, iret);
        a.jmp(check);
    }

    /// <summary>
    /// PageIret's VGCF_in_syscall (the return to kernel mode falls through to it): RCX = RIP
    /// (the pushed slot and the register) and R11 = RFLAGS; else to <paramref name="iret"/>,
    /// which pops the guest's rcx.
    /// </summary>
    static void InSyscallPage(Assembler a, Label iret)
    {
        int rip = PageFrameAt, flags = 8;
        a.test(__byte_ptr[rsp + flags + InSyscallByte], InSyscallBit);
        a.jz(iret);
        a.mov(rcx, __qword_ptr[rsp + rip]);
        JumpIfNonCanonical(a, rcx, iret);
        a.mov(rcx, __qword_ptr[rsp + rip]);
        a.mov(__qword_ptr[rsp], rcx);
        a.mov(r11, __qword_ptr[rsp + rip + AsmOffsets.IretRflags]);
    }
}
