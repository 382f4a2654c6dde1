using System.Runtime.InteropServices;

namespace Microxen.Xen
{
    /// <summary>
    /// struct vcpu_guest_context for x86_64 (public/arch-x86/xen.h with xen-x86_64.h), 5168
    /// bytes: the fields VCPUOP_initialise uses. fpu_ctxt (512) first, then flags, user_regs
    /// (struct cpu_user_regs at 520: rdi +112, rsi +104, rip +128, cs +136, rflags +144, rsp
    /// +152, ss +160), trap_ctxt[256] (trap_info, 16 bytes each) at 720, ldt/gdt, kernel_ss/sp,
    /// ctrlreg[8] (ctrlreg[3] = the kernel L4 as xen_pfn_to_cr3: mfn &lt;&lt; 12; ctrlreg[1] = the
    /// user L4), debugreg[8], the callbacks, vm_assist, fs_base, gs_base_kernel, gs_base_user.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = VcpuOp.VcpuGuestContextSize)]
    public unsafe struct VcpuGuestContext
    {
        [FieldOffset(512)] public ulong Flags;
        [FieldOffset(520 + 0)] public ulong R15;
        [FieldOffset(520 + 8)] public ulong R14;
        [FieldOffset(520 + 16)] public ulong R13;
        [FieldOffset(520 + 24)] public ulong R12;
        [FieldOffset(520 + 32)] public ulong Rbp;
        [FieldOffset(520 + 40)] public ulong Rbx;
        [FieldOffset(520 + 48)] public ulong R11;
        [FieldOffset(520 + 56)] public ulong R10;
        [FieldOffset(520 + 64)] public ulong R9;
        [FieldOffset(520 + 72)] public ulong R8;
        [FieldOffset(520 + 80)] public ulong Rax;
        [FieldOffset(520 + 88)] public ulong Rcx;
        [FieldOffset(520 + 96)] public ulong Rdx;
        [FieldOffset(520 + 104)] public ulong Rsi;
        [FieldOffset(520 + 112)] public ulong Rdi;
        [FieldOffset(520 + 128)] public ulong Rip;
        [FieldOffset(520 + 136)] public ushort Cs;
        [FieldOffset(520 + 144)] public ulong Rflags;
        [FieldOffset(520 + 152)] public ulong Rsp;
        [FieldOffset(520 + 160)] public ushort Ss;
        [FieldOffset(520 + 168)] public ushort Es;
        [FieldOffset(520 + 176)] public ushort Ds;
        /// <summary>trap_ctxt[256]: the vCPU's virtual IDT, entry v for vector v (<see cref="TrapInfo"/>, 16 bytes each; address 0: none).</summary>
        [FieldOffset(720)] public fixed byte TrapCtxt[256 * 16];
        /// <summary>The LDT's linear address and entry count (ldt_base, ldt_ents).</summary>
        [FieldOffset(4816)] public ulong LdtBase;
        [FieldOffset(4824)] public ulong LdtEnts;
        /// <summary>gdt_frames[16]: the GDT's machine frames, gdt_ents entries (as set_gdt's list).</summary>
        [FieldOffset(4832)] public fixed ulong GdtFrames[16];
        [FieldOffset(4960)] public ulong GdtEnts;
        /// <summary>Stack selector for ring transitions into the kernel (kernel_ss).</summary>
        [FieldOffset(4968)] public ulong KernelSs;
        [FieldOffset(4976)] public ulong KernelSp;
        [FieldOffset(4984 + 1 * 8)] public ulong UserCr3;
        [FieldOffset(4984 + 3 * 8)] public ulong Cr3;
        [FieldOffset(5112)] public ulong EventCallbackEip;
        [FieldOffset(5120)] public ulong FailsafeCallbackEip;
        [FieldOffset(5128)] public ulong SyscallCallbackEip;
        [FieldOffset(5144)] public ulong FsBase;
        [FieldOffset(5152)] public ulong GsBaseKernel;
        [FieldOffset(5160)] public ulong GsBaseUser;
    }
}
