namespace KernelTest.Smp
{
    /// <summary>
    /// struct vcpu_guest_context (x86_64), 5168 bytes: the argument of VCPUOP_initialise, with the
    /// fields a secondary vCPU of kernel-test sets (the rest stay zero: no FPU image, no trap table,
    /// no LDT, no GDT frames (Xen's reserved GDT holds the flat selectors), no debug registers).
    /// Offsets from xen/include/public/arch-x86/xen.h and xen-x86_64.h (struct cpu_user_regs at 520,
    /// 200 bytes); checked against /usr/include/xen by tests/Microxen.Tests/SmpContextLayoutTests.cs.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 5168)]
    public struct VcpuContext
    {
        /// <summary>VGCF_* (Microxen.Xen.Layout).</summary>
        [FieldOffset(512)] public ulong Flags;
        [FieldOffset(520 + 112)] public ulong Rdi;
        [FieldOffset(520 + 128)] public ulong Rip;
        [FieldOffset(520 + 136)] public ushort Cs;
        [FieldOffset(520 + 144)] public ulong Rflags;
        [FieldOffset(520 + 152)] public ulong Rsp;
        [FieldOffset(520 + 160)] public ushort Ss;
        [FieldOffset(520 + 168)] public ushort Es;
        [FieldOffset(520 + 176)] public ushort Ds;
        /// <summary>Stack selector and pointer for ring transitions into the kernel.</summary>
        [FieldOffset(4968)] public ulong KernelSs;
        [FieldOffset(4976)] public ulong KernelSp;
        /// <summary>ctrlreg[3]: xen_pfn_to_cr3(the L4's mfn) = mfn &lt;&lt; 12 on x86_64.</summary>
        [FieldOffset(4984 + 3 * 8)] public ulong Cr3;
        [FieldOffset(5112)] public ulong EventCallbackEip;
        [FieldOffset(5120)] public ulong FailsafeCallbackEip;
    }
}
