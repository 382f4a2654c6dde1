namespace Microxen.Guest
{
    /// <summary>
    /// Enters a guest kernel entry point the way Xen does (xen/arch/x86/x86_64/entry.S,
    /// create_bounce_frame): on the guest kernel stack, from low to high address, rcx, r11,
    /// [error code], rip, cs (the saved upcall mask in bits 32-39), rflags (IF = events were
    /// enabled), rsp, ss. From user mode the stack is the one stack_switch registered and the
    /// guest's kernel GS is swapped in, and the vCPU is in kernel mode again (PvState.UserMode). The CPU frame is redirected to the handler in ring 0
    /// and returns with iretq.
    /// </summary>
    public static unsafe class BounceFrame
    {
        public static void Push(CpuFrame* f, ulong handler, ushort cs, bool withError, bool maskEvents)
        {
            // The guest mode, as Xen's create_bounce_frame reads TF_kernel_mode (not the frame's
            // CS: a frame the shim built, such as a syscall's, names the selectors it chose).
            bool fromUser = Vcpu.UserMode;
            if (fromUser) Vcpu.EnterKernelPageTable();   // the kernel stack may not be in the user table
            byte mask = Vcpu.Info->EvtchnUpcallMask;
            ulong sp = (fromUser ? Vcpu.KernelSp : f->Rsp) & ~15UL;
            ulong* p = (ulong*)(sp - (withError ? 8UL : 7UL) * 8);
            int i = 0;
            p[i++] = f->Rcx;
            p[i++] = f->R11;
            if (withError) p[i++] = f->ErrorCode;
            p[i++] = f->Rip;
            p[i++] = (Gdt.GuestViewCs(f->Cs) & 0xffff) | ((ulong)mask << 32);   // [issue 8, C] Xen's selector for an alias
            p[i++] = (f->Rflags & ~X86.Rflags.IF) | (mask != 0 ? 0UL : X86.Rflags.IF);
            p[i++] = f->Rsp;
            p[i++] = f->Ss;
            if (fromUser) { Cpu.Swapgs(); Vcpu.UserMode = false; }   // Xen's toggle_guest_mode
            if (maskEvents) Vcpu.Info->EvtchnUpcallMask = 1;
            f->Rsp = (ulong)p;
            f->Rip = handler;
            f->Cs = (ulong)(cs & ~3);
            f->Ss = fromUser ? 0 : f->Ss & ~X86.Selector.RplMask;
            f->Rflags = (f->Rflags | X86.Rflags.IF) & ~(X86.Rflags.TF | X86.Rflags.NT | X86.Rflags.RF | X86.Rflags.AC | X86.Rflags.IOPL);   // Xen's create_bounce_frame clears AC too
            f->Vector = CpuFrame.IretVector;
        }
    }
}
