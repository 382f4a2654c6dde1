namespace Microxen.Guest
{
    /// <summary>
    /// The failsafe callback (CALLBACKTYPE_failsafe), where Xen uses it: the return into the guest
    /// failed because the frame the guest asked for (iret hypercall) is bad, so the shim's own
    /// iretq raised #GP, #NP or #SS. Xen's failsafe frame goes on the guest kernel stack, low to
    /// high: rcx, r11, ds, es, fs, gs, then the frame that could not be loaded (rip, cs, rflags,
    /// rsp, ss); Linux's xen_failsafe_callback turns a bad frame into #GP (a SIGSEGV for a user
    /// process), where a ring-0 shim would otherwise stop the machine.
    /// </summary>
    public static unsafe class Failsafe
    {
        public static ulong Delivered;

        /// <summary>True when <paramref name="f"/> (a fault at one of the shim's iretq into the guest) was sent to the failsafe callback.</summary>
        public static bool TryDeliver(CpuFrame* f)
        {
            if (Vcpu.FailsafeCallback == 0) return false;
            ulong* bad = (ulong*)f->Rsp;                // the frame iretq could not load
            ulong rip = bad[0], cs = bad[1], rflags = bad[2], rsp = bad[3], ss = bad[4];
            // The way to user mode had already switched to it (GS, the L4 with user_pt=switch,
            // PvState.UserMode): back to kernel mode, where the callback runs.
            bool toUser = Vcpu.UserMode;
            if (toUser)
            {
                Cpu.Swapgs();
                Vcpu.EnterKernelPageTable();
                Vcpu.UserMode = false;
            }
            byte mask = Vcpu.Info->EvtchnUpcallMask;
            ulong sp = (toUser ? Vcpu.KernelSp : rsp) & ~15UL;
            ulong* p = (ulong*)(sp - 11 * 8);
            ushort* seg = stackalloc ushort[4];
            Cpu.ReadSegments(seg);
            p[0] = f->Rcx;
            p[1] = f->R11;
            p[2] = seg[0];
            p[3] = seg[1];
            p[4] = seg[2];
            p[5] = seg[3];
            p[6] = rip;
            p[7] = (cs & 0xffff) | ((ulong)mask << 32);
            p[8] = rflags;
            p[9] = rsp;
            p[10] = ss;
            if (Vcpu.FailsafeMasksEvents) Vcpu.Info->EvtchnUpcallMask = 1;
            Delivered++;
            f->Rip = Vcpu.FailsafeCallback;
            f->Cs = Gdt.KernelCs;
            f->Ss = 0;
            f->Rsp = (ulong)p;
            f->Rflags = X86.Rflags.Reserved1 | X86.Rflags.IF;
            f->Vector = CpuFrame.IretVector;
            return true;
        }
    }
}
