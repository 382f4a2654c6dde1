using System.Runtime.InteropServices;

namespace Microxen.Xen
{
    /// <summary>
    /// struct xen_mc (public/arch-x86/xen-mca.h), 152 bytes: cmd, interface_version, then a
    /// 144-byte union whose members are named member_field: mc_fetch (Fetch*), mc_notifydomain
    /// (Notify*), mc_physcpuinfo (Ncpus, Info), mc_msrinject (Inj*), mc_mceinject (MceinjCpunr),
    /// mc_inject_v2 (V2*, a tools-only member do_mca serves to any caller). The argument of
    /// hypercall 48, mca; the one definition for the shim's McaOps and for kernel-test.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 152)]
    public unsafe struct XenMc
    {
        [FieldOffset(0)] public uint Cmd;
        [FieldOffset(4)] public uint InterfaceVersion;
        /// <summary>mc_fetch.flags: in XEN_MC_URGENT or XEN_MC_NONURGENT (plus XEN_MC_ACK), out XEN_MC_OK, XEN_MC_NODATA, XEN_MC_FETCHFAILED.</summary>
        [FieldOffset(8)] public uint FetchFlags;
        /// <summary>mc_fetch.fetch_id: out the telemetry id to acknowledge, in the id acknowledged.</summary>
        [FieldOffset(16)] public ulong FetchId;
        /// <summary>mc_fetch.data: guest address of a struct mc_info to fill.</summary>
        [FieldOffset(24)] public ulong FetchData;
        [FieldOffset(8)] public ushort NotifyDomid;
        [FieldOffset(10)] public ushort NotifyVcpuid;
        [FieldOffset(12)] public uint NotifyFlags;
        /// <summary>mc_physcpuinfo.ncpus: in the entries <see cref="Info"/> holds, out the entries written (or the CPU count).</summary>
        [FieldOffset(8)] public uint Ncpus;
        /// <summary>mc_physcpuinfo.info: guest address of an array of <see cref="McinfoLogicalCpu"/>, or 0 to ask for the count.</summary>
        [FieldOffset(16)] public ulong Info;
        [FieldOffset(8)] public uint InjCpunr;
        [FieldOffset(12)] public uint InjFlags;
        [FieldOffset(16)] public uint InjCount;
        [FieldOffset(20)] public ushort InjDomid;
        /// <summary>mc_msrinject.mcinj_msr: MC_MSRINJ_MAXMSRS struct mcinfo_msr (reg, value), as 16 words.</summary>
        [FieldOffset(24)] public fixed ulong InjMsr[16];
        [FieldOffset(8)] public uint MceinjCpunr;
        [FieldOffset(8)] public uint V2Flags;
        /// <summary>mc_inject_v2.cpumap.bitmap: guest address of the CPU bitmap.</summary>
        [FieldOffset(16)] public ulong V2Bitmap;
        /// <summary>mc_inject_v2.cpumap.nr_bits.</summary>
        [FieldOffset(24)] public uint V2NrBits;
    }

    /// <summary>
    /// struct mcinfo_logical_cpu (xen_mc_logical_cpu_t, public/arch-x86/xen-mca.h), 296 bytes:
    /// one entry of XEN_MC_physcpuinfo's array, filled as Xen 4.17's do_mc_get_cpu_info
    /// (arch/x86/cpu/mcheck/mce.c) fills it.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 296)]
    public unsafe struct McinfoLogicalCpu
    {
        [FieldOffset(0)] public uint Cpunr;
        [FieldOffset(4)] public uint Chipid;
        [FieldOffset(8)] public ushort Coreid;
        [FieldOffset(10)] public ushort Threadid;
        [FieldOffset(12)] public uint Apicid;
        [FieldOffset(16)] public uint Clusterid;
        [FieldOffset(20)] public uint Ncores;
        [FieldOffset(24)] public uint NcoresActive;
        [FieldOffset(28)] public uint Nthreads;
        [FieldOffset(32)] public int CpuidLevel;
        [FieldOffset(36)] public uint Family;
        /// <summary>Xen's X86_VENDOR_* bit (<see cref="XenMca.VendorIntel"/>, ...), not a header constant.</summary>
        [FieldOffset(40)] public uint Vendor;
        [FieldOffset(44)] public uint Model;
        [FieldOffset(48)] public uint Step;
        [FieldOffset(52)] public fixed byte VendorId[16];
        [FieldOffset(68)] public fixed byte BrandId[64];
        /// <summary>MC_NCAPS words of Xen's x86_capability (featureset words 0-6).</summary>
        [FieldOffset(132)] public fixed uint CpuCaps[7];
        /// <summary>Cache size in KiB.</summary>
        [FieldOffset(160)] public uint CacheSize;
        [FieldOffset(164)] public uint CacheAlignment;
        [FieldOffset(168)] public int Nmsrvals;
        /// <summary>__MC_MSR_ARRAYSIZE struct mcinfo_msr (reg, value), as 16 words.</summary>
        [FieldOffset(176)] public fixed ulong MsrValues[16];
    }

    /// <summary>Constants of public/arch-x86/xen-mca.h, and Xen 4.17's X86_VENDOR_* bits (arch/x86/include/asm/x86-vendors.h) that mc_vendor carries.</summary>
    public static class XenMca
    {
        public const uint XEN_MCA_INTERFACE_VERSION = 0x01ecc003;
        public const uint XEN_MC_fetch = 1, XEN_MC_notifydomain = 2, XEN_MC_physcpuinfo = 3,
            XEN_MC_msrinject = 4, XEN_MC_mceinject = 5, XEN_MC_inject_v2 = 6;
        public const uint XEN_MC_NONURGENT = 0x1, XEN_MC_URGENT = 0x2, XEN_MC_ACK = 0x4;
        public const uint XEN_MC_OK = 0x0, XEN_MC_FETCHFAILED = 0x1, XEN_MC_NODATA = 0x2;
        public const uint MC_MSRINJ_MAXMSRS = 8, MC_MSRINJ_F_INTERPOSE = 0x1, MC_MSRINJ_F_GPADDR = 0x2;
        public const uint XEN_MC_INJECT_TYPE_MASK = 0x7, XEN_MC_INJECT_TYPE_MCE = 0x0,
            XEN_MC_INJECT_TYPE_CMCI = 0x1, XEN_MC_INJECT_TYPE_LMCE = 0x2, XEN_MC_INJECT_CPU_BROADCAST = 0x8;
        public const uint MC_NCAPS = 7;
        public const uint __MC_MSR_ARRAYSIZE = 8;

        /// <summary>Xen 4.17 X86_VENDOR_* (asm/x86-vendors.h): a bit per vendor, 0 unknown.</summary>
        public const uint VendorUnknown = 0, VendorIntel = 1 << 0, VendorAmd = 1 << 1, VendorCentaur = 1 << 2,
            VendorShanghai = 1 << 3, VendorHygon = 1 << 4;
    }
}
