namespace Microxen.Xen
{
    /// <summary>
    /// vcpu_info_t (x86), 64 bytes: per-vCPU event state and pvclock. Lives in shared_info
    /// (first 32 vCPUs) or wherever VCPUOP_register_vcpu_info placed it.
    /// Source: xen/include/public/xen.h (struct vcpu_info).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct VcpuInfo
    {
        /// <summary>Non-zero when an event upcall is pending (set by Xen, cleared by the guest).</summary>
        [FieldOffset(0)] public byte EvtchnUpcallPending;
        /// <summary>Non-zero masks event upcalls (the virtual IF, inverted).</summary>
        [FieldOffset(1)] public byte EvtchnUpcallMask;
        /// <summary>Selector: bit i set = word i of shared_info.evtchn_pending may have work.</summary>
        [FieldOffset(8)] public ulong EvtchnPendingSel;
        /// <summary>Architecture part (cr2).</summary>
        [FieldOffset(16)] public ArchVcpuInfo Arch;
        /// <summary>pvclock time info.</summary>
        [FieldOffset(32)] public VcpuTimeInfo Time;
    }
}
