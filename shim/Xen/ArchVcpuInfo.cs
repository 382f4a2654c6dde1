namespace Microxen.Xen
{
    /// <summary>
    /// struct arch_vcpu_info (x86_64), 16 bytes: the faulting address of the last #PF delivered
    /// to the guest, plus padding. Source: xen/include/public/arch-x86/xen-x86_64.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct ArchVcpuInfo
    {
        /// <summary>CR2 (linear address) of the last page fault delivered to the guest.</summary>
        [FieldOffset(0)] public ulong Cr2;
        [FieldOffset(8)] public ulong Pad;
    }
}
