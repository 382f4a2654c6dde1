using Microxen.Arch;
using Microxen.Guest;
using Microxen.Xen;

namespace Microxen.Hypercalls
{
    /// <summary>
    /// HYPERVISOR_iret (public/arch-x86/xen-x86_64.h, struct iret_context, <see cref="IretContext"/>):
    /// the guest's stack holds rax, r11, rcx, flags, rip, cs, rflags, rsp, ss. The shim restores all of them,
    /// sets the event mask from the frame's IF, and returns with iretq. Checked mode adds Xen 4.17's
    /// do_iret rules (xen/arch/x86/pv/iret.c, the sysret exit of xen/arch/x86/x86_64/entry.S): a
    /// return to user mode without a user page table (MMUEXT_NEW_USER_BASEPTR) crashes the guest
    /// as Xen crashes the domain. In both modes, with VGCF_in_syscall the guest resumes as after Xen's
    /// sysretq, RCX = RIP and R11 = the RFLAGS it resumes with (the frame's RCX and R11 are not used;
    /// CS and SS stay the frame's, where Xen's sysretq loads its FLAT_RING3 selectors: README).
    /// </summary>
    public static unsafe class Iret
    {
        public static void Do(CpuFrame* f)
        {
            IretContext* c = (IretContext*)f->Rsp;
            f->Rax = c->Rax;
            f->R11 = c->R11;
            f->Rcx = c->Rcx;
            ulong flags = c->Flags;
            f->Rip = c->Rip;
            ulong cs = c->Cs;
            ulong rflags = c->Rflags;
            f->Rsp = c->Rsp;
            f->Ss = c->Ss & ~X86.Selector.RplMask;
            if (Vcpu.Info != null) Vcpu.Info->EvtchnUpcallMask = (byte)((rflags & X86.Rflags.IF) != 0 ? 0 : 1);
            f->Cs = cs;
            f->Rflags = (rflags | X86.Rflags.IF) & ~X86.Rflags.IOPL;   // hardware IF stays on; IOPL 0
            if ((cs & X86.Selector.RplMask) == 3)
            {
                if (Checked.CheckedMode.On && Vcpu.UserL4 == 0)
                {
                    Checked.CheckLog.Refuse("do_iret: switching to user mode with no user page tables", cs);
                    Traps.TrapDispatch.CrashGuest(f, CpuFrame.IretVector, "iret to user mode with no user page tables (Xen crashes the domain)");
                }
                // To user mode: the user's GS becomes active (Xen's toggle_guest_mode). The kernel
                // table holds the user mappings too, so CR3 stays (DESIGN.md section 3). The
                // frame's SS is the user's.
                f->Ss = c->Ss;
                Cpu.Swapgs();
                Guest.Vcpu.EnterUserPageTable();
                Guest.Vcpu.UserMode = true;     // IF is off until the iretq (or a bounce frame back to kernel mode)
            }
            f->Vector = CpuFrame.IretVector;
            if (Checked.CheckedMode.On) f->Rflags &= ~X86.Rflags.VM;    // Xen: ~(X86_EFLAGS_IOPL|X86_EFLAGS_VM)
            // Both modes (fast as its native iret, FastPaths/FastPaths.Sysret.asm.cs):
            if ((flags & Layout.VGCF_in_syscall) != 0 && ((long)f->Rip >> 47 == 0 || (long)f->Rip >> 47 == -1))
            {
                f->Rcx = f->Rip;
                f->R11 = f->Rflags;
            }
        }
    }
}
