namespace Microxen.Native;

/// <summary>
/// fast_pf_entry, IDT vector 14's entry: a page fault in guest user mode is sent to the guest's
/// #PF handler natively, with the bounce frame Guest/BounceFrame.cs builds (Xen's
/// create_bounce_frame): on the stack_switch stack rcx, r11, error code, rip, cs (the saved
/// upcall mask in bits 32-39), rflags (IF = events were enabled), rsp, ss; cr2 in
/// vcpu_info.arch.cr2; GS swapped and the vCPU in kernel mode; events masked when the trap-table
/// entry asks (TI_IF); iretq to the handler as the C# path does (handler CS with RPL 0, SS 0).
/// A user-mode fault is never one the shim serves itself (page-table writes and LDT faults come
/// from the guest kernel), so this skips the C# trap path (its register save, fxsave and
/// dispatch). Everything else goes on to isr_14's path: a fault in ring 0, no handler published
/// (checked mode, debug logging, none registered: Traps/FastPageFaultHandler.cs), fast paths
/// off, user_pt=switch, a fault address outside the lower half, or a CS in Xen's reserved GDT
/// entries (an alias selector Gdt.GuestViewCs translates).
/// </summary>
static class FastPageFault
{
    public const string Entry = "fast_pf_entry";

    /// <summary>
    /// Emits the data page, fast_pf_publish(handler, cs, flags, delta), fast_pf_count(delta),
    /// fast_ptwr_count() and the entry; <paramref name="common"/> is the C# trap path (vector
    /// pushed), <paramref name="framePushed"/> the same after its register pushes and
    /// <paramref name="popAndIret"/> the stubs' return: a fault in ring 0 goes to
    /// Traps/FastPageTableWrite.asm.cs first.
    /// </summary>
    public static void Emit(Block b, Label common, Label framePushed, Label popAndIret)
    {
        var a = b.Asm;
        var handler = a.CreateLabel();
        var hcs = a.CreateLabel();
        var hflags = a.CreateLabel();
        var count = a.CreateLabel();
        EntryStubs.PageGap(a);
        a.Label(ref handler); a.dq(0UL);
        a.Label(ref hcs); a.dq(0UL);
        a.Label(ref hflags); a.dq(0UL);
        a.Label(ref count); a.dq(0UL);
        var ptwrCount = a.CreateLabel();
        a.Label(ref ptwrCount); a.dq(0UL);
        EntryStubs.PageGap(a);
        var kernelFault = a.CreateLabel();
        var ptwr = FastPageTableWrite.Emit(b, framePushed, popAndIret, ptwrCount, kernelFault);
        KernelFault(b, kernelFault, framePushed, popAndIret, handler, hcs, hflags, count);

        // IST frame: error code, rip, cs, rflags, rsp, ss; 24 more bytes once rax, rcx, rdx are pushed.
        const int Err = 24, Rip = 32, Cs = 40, Rfl = 48, Rsp = 56, Ss = 64;
        int cr2Off = (int)Marshal.OffsetOf<Microxen.Xen.VcpuInfo>("Arch") + (int)Marshal.OffsetOf<Microxen.Xen.ArchVcpuInfo>("Cr2");
        var decline = a.CreateLabel();
        var slow = a.CreateLabel();
        var noMask = a.CreateLabel();
        b.Global(Entry);
        a.test(__byte_ptr[rsp + Cs - 24], (int)X86.Selector.RplMask);
        a.jz(ptwr);                                                   // ring 0: ptwr (natively or in C#), LDT, the shim's own faults
        a.push(rax); a.push(rcx); a.push(rdx);
        a.mov(rdx, __qword_ptr[handler]);
        a.test(rdx, rdx);
        a.jz(decline);
        a.test(__byte_ptr[FastPaths.Field(a, "NativeEntry")], PvState.NativeIret);   // fast paths on, no user_pt=switch
        a.jz(decline);
        a.cmp(__qword_ptr[FastPaths.Field(a, "UserMode")], 0);
        a.je(decline);
        a.cmp(__word_ptr[rsp + Cs], Microxen.Xen.Layout.FIRST_RESERVED_GDT_BYTE);
        a.jae(decline);
        a.mov(rax, cr2);
        a.mov(rcx, rax);
        a.shr(rcx, 47);
        a.jnz(decline);
        a.mov(rcx, __qword_ptr[FastPaths.Field(a, "VcpuInfo")]);
        a.mov(__qword_ptr[rcx + cr2Off], rax);
        // The bounce frame at p = (KernelSp & ~15) - 64 (rax).
        a.mov(rax, __qword_ptr[FastPaths.Field(a, "KernelSp")]);
        a.and(rax, -16);
        a.sub(rax, 64);
        a.mov(rdx, __qword_ptr[rsp + 8]); a.mov(__qword_ptr[rax], rdx);          // rcx
        a.mov(__qword_ptr[rax + 8], r11);                                        // r11 (free from here)
        a.mov(rdx, __qword_ptr[rsp + Err]); a.mov(__qword_ptr[rax + 16], rdx);   // error code
        a.mov(rdx, __qword_ptr[rsp + Rip]); a.mov(__qword_ptr[rax + 24], rdx);   // rip
        a.movzx(r11d, __byte_ptr[rcx + AsmOffsets.VcpuInfoUpcallMask]);
        a.shl(r11, 32);
        CsAndFlags(a, __word_ptr[rsp + Cs], __qword_ptr[rsp + Rfl], r11);
        a.mov(rdx, __qword_ptr[rsp + Rsp]); a.mov(__qword_ptr[rax + 48], rdx);   // rsp
        a.mov(rdx, __qword_ptr[rsp + Ss]); a.mov(__qword_ptr[rax + 56], rdx);    // ss
        a.swapgs();                                                              // Xen's toggle_guest_mode
        a.mov(__qword_ptr[FastPaths.Field(a, "UserMode")], 0);
        a.test(__byte_ptr[hflags], 4);                                        // TI_IF: mask events
        a.jz(noMask);
        a.mov(__byte_ptr[rcx + AsmOffsets.VcpuInfoUpcallMask], 1);
        a.Label(ref noMask);
        a.inc(__qword_ptr[count]);
        // The IST frame becomes the handler's: rip, cs & ~3, rflags, rsp = p, ss 0.
        a.mov(rdx, __qword_ptr[handler]); a.mov(__qword_ptr[rsp + Rip], rdx);
        a.movzx(edx, __word_ptr[hcs]);
        a.and(edx, ~(int)X86.Selector.RplMask);
        a.mov(__qword_ptr[rsp + Cs], rdx);
        a.mov(rdx, __qword_ptr[rsp + Rfl]);
        a.or(rdx, (int)X86.Rflags.IF);
        a.and(rdx, ~(int)(X86.Rflags.TF | X86.Rflags.NT | X86.Rflags.RF | X86.Rflags.AC | X86.Rflags.IOPL));
        a.mov(__qword_ptr[rsp + Rfl], rdx);
        a.mov(__qword_ptr[rsp + Rsp], rax);
        a.mov(__qword_ptr[rsp + Ss], 0);
        a.mov(r11, __qword_ptr[rax + 8]);
        a.pop(rdx); a.pop(rcx); a.pop(rax);
        a.add(rsp, 8);                                                           // error code
        FaultFixups.Around(b, "iretq_to_guest_pf", FaultFixupKind.Failsafe, 0, () => a.iretq());
        a.Label(ref decline);
        a.pop(rdx); a.pop(rcx); a.pop(rax);
        a.Label(ref slow);
        a.push(X86.Vector.PF);
        a.jmp(common);

        // After the entry: the iretq's fixup-table check decodes 15 bytes from it.
        // rcx (fast_pf_count: rdi): the distance of the CPU's copy of this code (Smp/EntryCopy.cs), whose data it names.
        b.Global("fast_pf_publish");
        a.lea(rax, __[hcs]); a.mov(__qword_ptr[rax + rcx], rsi);
        a.lea(rax, __[hflags]); a.mov(__qword_ptr[rax + rcx], rdx);
        a.lea(rax, __[handler]); a.mov(__qword_ptr[rax + rcx], rdi);
        a.ret();
        b.Global("fast_pf_count");
        a.lea(rax, __[count]);
        a.mov(rax, __qword_ptr[rax + rdi]);
        a.ret();
        b.Global("fast_ptwr_count");          // rdi: the distance of the CPU's copy, as fast_pf_count
        a.lea(rax, __[ptwrCount]);
        a.mov(rax, __qword_ptr[rax + rdi]);
        a.ret();
    }

    /// <summary>
    /// A guest-kernel page fault that is no page-table write (fast_ptwr sends it: a copy_to_user
    /// or copy_from_user fault, a vmalloc fault), sent to the same #PF handler as the C# path does
    /// (TrapDispatch.Deliver, Guest/BounceFrame.cs from kernel mode): entered with the entry
    /// stubs' CpuFrame at rsp and CR2 in rdi; the bounce frame rcx, r11, error code, rip, cs (the
    /// saved upcall mask in bits 32-39), rflags (IF = events were enabled), rsp, ss goes below the
    /// interrupted rsp rounded down to 16, the handler runs on it in ring 0 with the frame's SS
    /// (RPL 0). Declines to C# (<paramref name="frameBuilt"/>) with no handler published, the
    /// vCPU not in kernel mode, or CR2 in the hypervisor's range (the LDT area).
    /// </summary>
    static void KernelFault(Block b, Label at, Label frameBuilt, Label popAndIret, Label handler, Label hcs, Label hflags, Label count)
    {
        var a = b.Asm;
        int F(string field) => (int)Marshal.OffsetOf<CpuFrame>(field);
        int cr2Off = (int)Marshal.OffsetOf<Microxen.Xen.VcpuInfo>("Arch") + (int)Marshal.OffsetOf<Microxen.Xen.ArchVcpuInfo>("Cr2");
        var noMask = a.CreateLabel();
        a.Label(ref at);
        a.cmp(__qword_ptr[handler], 0);
        a.je(frameBuilt);
        a.cmp(__qword_ptr[FastPaths.Field(a, "UserMode")], 0);
        a.jne(frameBuilt);
        a.mov(rax, Microxen.Xen.Layout.HYPERVISOR_VIRT_START);
        a.mov(rdx, rdi);
        a.sub(rdx, rax);
        a.mov(rax, Microxen.Xen.Layout.HYPERVISOR_VIRT_END - Microxen.Xen.Layout.HYPERVISOR_VIRT_START);
        a.cmp(rdx, rax);
        a.jb(frameBuilt);
        a.mov(rcx, __qword_ptr[FastPaths.Field(a, "VcpuInfo")]);
        a.mov(__qword_ptr[rcx + cr2Off], rdi);
        a.mov(rax, __qword_ptr[rsp + F("Rsp")]);
        a.and(rax, -16);
        a.sub(rax, 64);                                              // the bounce frame, 8 words
        foreach (var (slot, field) in new[] { (0, "Rcx"), (8, "R11"), (16, "ErrorCode"), (24, "Rip"), (48, "Rsp"), (56, "Ss") })
        {
            a.mov(rdx, __qword_ptr[rsp + F(field)]);
            a.mov(__qword_ptr[rax + slot], rdx);
        }
        a.movzx(r8d, __byte_ptr[rcx + AsmOffsets.VcpuInfoUpcallMask]);
        a.mov(r9, r8);
        a.shl(r9, 32);
        CsAndFlags(a, __word_ptr[rsp + F("Cs")], __qword_ptr[rsp + F("Rflags")], r9);
        a.test(__byte_ptr[hflags], 4);                               // TI_IF: mask events
        a.jz(noMask);
        a.mov(__byte_ptr[rcx + AsmOffsets.VcpuInfoUpcallMask], 1);
        a.Label(ref noMask);
        a.inc(__qword_ptr[count]);
        // The CpuFrame becomes the handler's: rip, cs & ~3, rflags, rsp = the bounce frame, ss & ~3.
        a.mov(rdx, __qword_ptr[handler]);
        a.mov(__qword_ptr[rsp + F("Rip")], rdx);
        a.movzx(edx, __word_ptr[hcs]);
        a.and(edx, ~(int)X86.Selector.RplMask);
        a.mov(__qword_ptr[rsp + F("Cs")], rdx);
        a.and(__qword_ptr[rsp + F("Ss")], ~(int)X86.Selector.RplMask);
        a.mov(rdx, __qword_ptr[rsp + F("Rflags")]);
        a.or(rdx, (int)X86.Rflags.IF);
        a.and(rdx, ~(int)(X86.Rflags.TF | X86.Rflags.NT | X86.Rflags.RF | X86.Rflags.AC | X86.Rflags.IOPL));
        a.mov(__qword_ptr[rsp + F("Rflags")], rdx);
        a.mov(__qword_ptr[rsp + F("Rsp")], rax);
        a.jmp(popAndIret);
    }

    /// <summary>
    /// Bounce-frame words 4 and 5 at [rax]: <paramref name="cs"/> with the saved upcall mask
    /// (<paramref name="mask"/>, already shifted to bits 32-39), and <paramref name="rflags"/> with
    /// IF = events were enabled (the mask clear), as Guest/BounceFrame.cs. Uses rdx.
    /// </summary>
    static void CsAndFlags(Assembler a, AssemblerMemoryOperand cs, AssemblerMemoryOperand rflags, AssemblerRegister64 mask)
    {
        var masked = a.CreateLabel();
        a.movzx(edx, cs);
        a.or(rdx, mask);
        a.mov(__qword_ptr[rax + 32], rdx);                           // cs | mask << 32
        a.mov(rdx, rflags);
        a.and(rdx, ~(int)X86.Rflags.IF);
        a.test(mask, mask);
        a.jnz(masked);
        a.or(rdx, (int)X86.Rflags.IF);
        a.Label(ref masked);
        a.mov(__qword_ptr[rax + 40], rdx);                           // rflags, IF = events enabled
    }
}
