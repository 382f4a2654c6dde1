namespace Microxen.Xen
{
    /// <summary>
    /// struct iret_context, 72 bytes: what the guest pushed for HYPERVISOR_iret, from the top of
    /// the stack (RSP at the hypercall) down. <see cref="Flags"/> holds VGCF_in_syscall
    /// (<see cref="Layout"/>). Source: xen/include/public/arch-x86/xen-x86_64.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 72)]
    public struct IretContext
    {
        [FieldOffset(0)] public ulong Rax;
        [FieldOffset(8)] public ulong R11;
        [FieldOffset(16)] public ulong Rcx;
        [FieldOffset(24)] public ulong Flags;
        /// <summary>The hardware iretq frame: rip, cs, rflags, rsp, ss.</summary>
        [FieldOffset(32)] public ulong Rip;
        [FieldOffset(40)] public ulong Cs;
        [FieldOffset(48)] public ulong Rflags;
        [FieldOffset(56)] public ulong Rsp;
        [FieldOffset(64)] public ulong Ss;
    }
}
