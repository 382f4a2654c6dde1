namespace Microxen.Native;

/// <summary>Per-CPU state hypercalls done natively: fpu_taskswitch, stack_switch, set_segment_base, xen_version 0. Part of <see cref="FastPaths"/>: the same calling convention and pv_state.</summary>
static partial class FastPaths
{
    /// <summary>fpu_taskswitch(set): CR0.TS set (set != 0) or cleared (clts).</summary>
    static void FpuTaskswitch_(Block b, Label pv)
    {
        var a = Routine(b, "fast_fpu_taskswitch");
        Count(a, pv, FpuTaskswitch);
        var clear = a.CreateLabel();
        a.test(edi, edi);
        a.jz(clear);
        a.mov(rax, cr0);
        a.or(rax, (int)X86.Cr0.TS);
        a.mov(cr0, rax);
        a.xor(eax, eax);
        a.ret();
        a.Label(ref clear);
        a.clts();
        a.xor(eax, eax);
        a.ret();
    }

    /// <summary>stack_switch(ss, sp): the kernel stack for entries from user mode, TSS.RSP0 too.</summary>
    static void StackSwitch_(Block b, Label pv)
    {
        var a = Routine(b, "fast_stack_switch");
        Count(a, pv, StackSwitch);
        a.mov(__qword_ptr[F(a, "KernelSp")], rsi);
        a.mov(__qword_ptr[F(a, TssOff("Rsp0"))], rsi);
        a.xor(eax, eax);
        a.ret();
    }

    /// <summary>set_segment_base(which, base): wrmsr FS / KERNEL_GS (the user's) / GS, or the user GS selector.</summary>
    static void SetSegmentBase_(Block b, Label pv, Label decline)
    {
        var a = Routine(b, "fast_set_segment_base");
        var sel = a.CreateLabel();
        var write = a.CreateLabel();
        var einval = a.CreateLabel();
        a.cmp(rdi, 3);
        a.je(sel);
        a.ja(decline);                       // unknown: the C# path answers -EINVAL
        a.mov(rax, rsi);                     // a base must be canonical (Xen: -EINVAL)
        a.sar(rax, 47);
        a.inc(rax);
        a.cmp(rax, 1);
        a.ja(einval);
        Count(a, pv, SetSegmentBase);
        a.push(rcx);                         // wrmsr takes ecx and edx: neither is an argument of
        a.push(rdx);                         // set_segment_base, both survive it (Xen's register ABI)
        a.mov(ecx, X86.Msr.IA32_FS_BASE);    // 0: FS
        var notFs = a.CreateLabel();
        a.test(edi, edi);
        a.jnz(notFs);
        a.jmp(write);
        a.Label(ref notFs);
        a.mov(ecx, X86.Msr.IA32_KERNEL_GS_BASE); // 1: user GS = KERNEL_GS_BASE while in kernel
        a.cmp(edi, 1);
        a.je(write);
        a.mov(ecx, X86.Msr.IA32_GS_BASE);    // 2: kernel GS = GS_BASE
        a.Label(ref write);
        a.mov(eax, esi);
        a.mov(rdx, rsi);
        a.shr(rdx, 32);
        a.wrmsr();
        a.pop(rdx);
        a.pop(rcx);
        a.xor(eax, eax);
        a.ret();
        a.Label(ref einval);
        a.mov(rax, (long)-Xen.XenErrno.EINVAL);
        a.clc();
        a.ret();
        a.Label(ref sel);
        Count(a, pv, SetSegmentBase);
        var nul = a.CreateLabel();
        a.cmp(esi, (int)X86.Selector.RplMask); // a non-NUL selector gets RPL 3 (Xen: no DPL 0 segments)
        a.jbe(nul);
        a.or(esi, (int)X86.Selector.RplMask);
        a.Label(ref nul);
        a.swapgs();
        // A selector that cannot be loaded: retried with the NUL selector, as Xen.
        FaultFixups.Around(b, "load_user_gs_native", FaultFixupKind.RetryNullSelector, FaultFixups.CpuFrameOffset("Rsi"), () => a.mov(gs, si));
        a.swapgs();
        a.xor(eax, eax);
        a.ret();
    }

    /// <summary>
    /// xen_version(XENVER_version): the version, unless an event is pending and unmasked: then
    /// the C# path runs, whose exit delivers it (Linux calls xen_version 0 for exactly that).
    /// </summary>
    static void XenVersion_(Block b, Label pv, Label decline)
    {
        var a = Routine(b, "fast_xen_version");
        a.test(rdi, rdi);
        a.jnz(decline);
        a.mov(rax, __qword_ptr[F(a, "VcpuInfo")]);
        a.movzx(eax, __word_ptr[rax]);       // evtchn_upcall_pending | evtchn_upcall_mask << 8
        a.cmp(eax, 1);
        a.je(decline);
        Count(a, pv, XenVersion);
        a.mov(eax, XenVersionValue);
        a.clc();
        a.ret();
    }
}
