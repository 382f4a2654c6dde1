namespace Microxen.Xen
{
    /// <summary>
    /// shared_info_t (x86_64), 3136 bytes (fits one 4 KiB page): vcpu_info[32] (64 bytes each),
    /// 2-level event channel bitmaps (64 x 64-bit words each = 4096 ports), wall clock
    /// (seconds/nanoseconds since the Unix epoch, version counter as in pvclock), arch part.
    /// vcpu_info is a byte buffer here (no fixed buffers of structs); use <see cref="Vcpu"/>.
    /// Source: xen/include/public/xen.h (struct shared_info).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 3136)]
    public unsafe struct SharedInfo
    {
        /// <summary>XEN_LEGACY_MAX_VCPUS vcpu_info structures, 64 bytes each.</summary>
        [FieldOffset(0)] public fixed byte VcpuInfo[LegacyMaxVcpus * 64];
        /// <summary>Pending bits, one per event channel port.</summary>
        [FieldOffset(2048)] public fixed ulong EvtchnPending[64];
        /// <summary>Mask bits, one per event channel port.</summary>
        [FieldOffset(2560)] public fixed ulong EvtchnMask[64];
        /// <summary>Wall-clock version counter (odd while updating).</summary>
        [FieldOffset(3072)] public uint WcVersion;
        /// <summary>Wall clock at system time 0: seconds (low 32 bits).</summary>
        [FieldOffset(3076)] public uint WcSec;
        /// <summary>Wall clock at system time 0: nanoseconds.</summary>
        [FieldOffset(3080)] public uint WcNsec;
        /// <summary>Wall clock seconds, high 32 bits.</summary>
        [FieldOffset(3084)] public uint WcSecHi;
        /// <summary>Architecture part (p2m info).</summary>
        [FieldOffset(3088)] public ArchSharedInfo Arch;

        /// <summary>XEN_LEGACY_MAX_VCPUS: number of vcpu_info slots in shared_info.</summary>
        public const int LegacyMaxVcpus = 32;
        /// <summary>Number of 64-bit words in EvtchnPending / EvtchnMask.</summary>
        public const int EvtchnWords = 64;
        /// <summary>EVTCHN_2L_NR_CHANNELS: ports addressable by the 2-level ABI.</summary>
        public const int Evtchn2lNrChannels = 4096;

        /// <summary>Pointer to vcpu_info[index] inside the shared_info at <paramref name="s"/>.</summary>
        public static Microxen.Xen.VcpuInfo* Vcpu(SharedInfo* s, int index)
        {
            return (Microxen.Xen.VcpuInfo*)((byte*)s + index * 64);
        }
    }
}
