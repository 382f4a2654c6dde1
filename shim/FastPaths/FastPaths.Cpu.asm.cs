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
    static void StackSwitch_(Block b, Label pv, Exit x)
    {
        var a = Routine(b, x.Symbol("stack_switch"));
        Count(a, pv, StackSwitch);
        a.mov(__qword_ptr[F(a, "KernelSp")], rsi);
        a.mov(__qword_ptr[F(a, TssOff("Rsp0"))], rsi);
        a.xor(eax, eax);
        x.Done(b);
    }

    /// <summary>
    /// set_segment_base(which, base): FS (0), the user's GS (1: KERNEL_GS_BASE while in kernel
    /// mode) or the kernel's GS (2: GS_BASE) base written with wrmsr, or the user GS selector
    /// (3). A base the MSR already holds is not written again: Xen's do_set_segment_base always
    /// writes it, which leaves the same state; a wrmsr ends a translation block under QEMU's TCG
    /// (an exit to its main loop), and Linux sets the user's GS base on every context switch,
    /// usually to the same 0. Which MSR: <see cref="SegmentBaseMsrs"/>. The MSR is read first:
    /// a base equal to the one it holds is canonical (wrmsr takes no other), so only a new base
    /// is checked (Xen: -EINVAL for a non-canonical one).
    /// </summary>
    static void SetSegmentBase_(Block b, Label pv, Label decline)
    {
        var a = Routine(b, "fast_set_segment_base");
        var sel = a.CreateLabel();
        a.cmp(rdi, Xen.Layout.SEGBASE_GS_USER_SEL);
        a.je(sel);
        a.ja(decline);                       // unknown: the C# path answers -EINVAL
        SegmentBase(b, pv, Exit.Call);
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
    /// set_segment_base's base (which 0-2 in rdi, rdx and rcx free to push): the MSR read, a new
    /// base checked and written, ended by <paramref name="x"/>.
    /// </summary>
    static void SegmentBase(Block b, Label pv, Exit x)
    {
        var a = b.Asm;
        var same = a.CreateLabel();
        var einval = a.CreateLabel();
        var canonical = a.CreateLabel();
        a.push(rcx);                         // rdmsr/wrmsr take ecx and edx: neither is an argument of
        a.push(rdx);                         // set_segment_base, both survive it (Xen's register ABI)
        a.lea(rcx, __[SegmentBaseMsrs]);
        a.mov(ecx, __dword_ptr[rcx + rdi * 4]);
        a.rdmsr();
        a.shl(rdx, 32);
        a.or(rax, rdx);
        a.sub(rax, rsi);
        a.jz(same);                          // the base it holds: rax = 0 (the result), CF = 0
        a.mov(rax, rsi);                     // a new base must be canonical (Xen: -EINVAL): bits 47-63 all 0
        a.sar(rax, 47);
        a.jz(canonical);
        a.inc(rax);                          // or all 1
        a.jnz(einval);
        a.Label(ref canonical);
        a.mov(eax, esi);
        a.mov(rdx, rsi);
        a.shr(rdx, 32);
        a.wrmsr();
        a.xor(eax, eax);
        a.Label(ref same);
        Count(a, pv, SetSegmentBase);        // inc keeps CF
        a.pop(rdx);
        a.pop(rcx);
        x.Done(b);
        a.Label(ref einval);
        a.pop(rdx);
        a.pop(rcx);
        a.mov(rax, (long)-Xen.XenErrno.EINVAL);
        a.clc();
        x.Done(b);
    }

    /// <summary>lstar_set_segment_base: a base (which 0-2) as fast_set_segment_base; anything else through lstar_call (fast_set_segment_base).</summary>
    static void LstarSetSegmentBase(Block b, Label pv)
    {
        var a = Routine(b, "lstar_set_segment_base");
        a.cmp(rdi, Xen.Layout.SEGBASE_GS_USER_SEL);
        a.jae(LstarCall);
        SegmentBase(b, pv, Exit.Lstar);
    }

    /// <summary>
    /// xen_version(XENVER_version): the version, unless an event is pending and unmasked: then
    /// the C# path runs, whose exit delivers it (Linux calls xen_version 0 for exactly that).
    /// </summary>
    static void XenVersion_(Block b, Label pv, Label decline)
    {
        var a = Routine(b, "fast_xen_version");
        var pending = a.CreateLabel();
        a.test(rdi, rdi);
        a.jnz(decline);
        a.mov(rax, __qword_ptr[F(a, "VcpuInfo")]);
        a.movzx(eax, __word_ptr[rax]);       // evtchn_upcall_pending | evtchn_upcall_mask << 8
        a.cmp(eax, 1);
        a.je(pending);
        Count(a, pv, XenVersion);
        a.mov(eax, XenVersionValue);
        a.clc();
        a.ret();
        a.Label(ref pending);
        DeclineAs(a, XenVersion);
    }

    /// <summary>
    /// The MSR of each set_segment_base base, by <c>which</c> (public/xen.h SEGBASE_FS,
    /// SEGBASE_GS_USER, SEGBASE_GS_KERNEL): three dwords on pv_state's data page, placed by
    /// <see cref="EmitSegmentBaseMsrs"/>.
    /// </summary>
    static Label SegmentBaseMsrs;

    /// <summary>Places <see cref="SegmentBaseMsrs"/> (data, after pv_state: no data among the code).</summary>
    static void EmitSegmentBaseMsrs(Assembler a)
    {
        var msrs = new uint[Xen.Layout.SEGBASE_GS_USER_SEL];
        msrs[Xen.Layout.SEGBASE_FS] = X86.Msr.IA32_FS_BASE;
        msrs[Xen.Layout.SEGBASE_GS_USER] = X86.Msr.IA32_KERNEL_GS_BASE;   // the user's GS base while in kernel mode
        msrs[Xen.Layout.SEGBASE_GS_KERNEL] = X86.Msr.IA32_GS_BASE;
        a.Label(ref SegmentBaseMsrs);
        foreach (var msr in msrs) a.dd(msr);
    }
}
