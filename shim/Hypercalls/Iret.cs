using Microxen.Arch;
using Microxen.Guest;
using Microxen.Xen;

namespace Microxen.Hypercalls
{
    /// <summary>
    /// HYPERVISOR_iret (public/arch-x86/xen-x86_64.h, struct iret_context): the guest's stack
    /// holds rax, r11, rcx, flags, rip, cs, rflags, rsp, ss. The shim restores all of them,
    /// sets the event mask from the frame's IF, and returns with iretq.
    /// </summary>
    public static unsafe class Iret
    {
        public static void Do(CpuFrame* f)
        {
            ulong* c = (ulong*)f->Rsp;
            f->Rax = c[0];
            f->R11 = c[1];
            f->Rcx = c[2];
            ulong flags = c[3];
            f->Rip = c[4];
            ulong cs = c[5];
            ulong rflags = c[6];
            f->Rsp = c[7];
            f->Ss = c[8] & ~3UL;
            if (Vcpu.Info != null) Vcpu.Info->EvtchnUpcallMask = (byte)((rflags & X86.Rflags.IF) != 0 ? 0 : 1);
            f->Cs = cs;
            f->Rflags = (rflags | X86.Rflags.IF) & ~X86.Rflags.IOPL;   // hardware IF stays on; IOPL 0
            if ((cs & 3) == 3)
            {
                // To user mode: the user's GS becomes active (Xen's toggle_guest_mode). The kernel
                // table holds the user mappings too, so CR3 stays (DESIGN.md section 3). The
                // frame's SS is the user's.
                f->Ss = c[8];
                Cpu.Swapgs();
                Guest.Vcpu.EnterUserPageTable();
            }
            f->Vector = CpuFrame.IretVector;
            _ = flags;   // VGCF_in_syscall: rcx/r11 come back from the frame either way (iretq, not sysret)
        }
    }
}
