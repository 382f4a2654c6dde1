namespace Microxen.Xen
{
    /// <summary>
    /// struct vcpu_register_vcpu_info, 16 bytes: argument of VCPUOP_register_vcpu_info (the
    /// vcpu_info moves to machine frame mfn, byte offset offset; it must not cross the page).
    /// Source: xen/include/public/vcpu.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct VcpuRegisterVcpuInfo
    {
        /// <summary>Machine frame of the page that will hold the vcpu_info.</summary>
        [FieldOffset(0)] public ulong Mfn;
        /// <summary>Byte offset within that page.</summary>
        [FieldOffset(8)] public uint Offset;
        /// <summary>Unused.</summary>
        [FieldOffset(12)] public uint Rsvd;
    }
}
