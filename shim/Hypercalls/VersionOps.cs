namespace Microxen.Hypercalls
{
    /// <summary>
    /// HYPERVISOR_xen_version (public/version.h). The shim answers as Xen 4.17 does for a PV
    /// dom0, with "-microxen" as the extra version so nobody mistakes it for Xen.
    /// </summary>
    public static unsafe class VersionOps
    {
        /// <summary>
        /// Feature submap 0 as Xen 4.17 reports it to a 64-bit PV dom0 (common/kernel.c):
        /// mmu_pt_update_preserve_ad, highmem_assist, gnttab_map_avail_bits, dom0,
        /// memory_op_vnode_supported, direct_mapped (every PV domain: !paging_mode_translate).
        /// Never supervisor_mode_kernel.
        /// </summary>
        public const uint Features0 = (1u << XenFeature.MmuPtUpdatePreserveAd) | (1u << XenFeature.HighmemAssist)
            | (1u << XenFeature.GnttabMapAvailBits) | (1u << XenFeature.Dom0) | (1u << XenFeature.MemoryOpVnodeSupported)
            | (1u << XenFeature.DirectMapped);

        public static long Op(ulong cmd, ulong arg)
        {
            switch (cmd)
            {
                case XenVersionCmd.XENVER_version:
                    return XenRelease.Version;
                case XenVersionCmd.XENVER_extraversion:
                    return CopyString((byte*)arg, XenVersionCmd.ExtraversionSize, "-microxen");
                case XenVersionCmd.XENVER_compile_info:
                    // struct xen_compile_info: compiler[64], compile_by[16], compile_domain[32], compile_date[32]
                    ZeroBytes((byte*)arg, XenVersionCmd.CompileInfoSize);
                    CopyString((byte*)arg, 64, "NativeAOT ilc (C#)");
                    CopyString((byte*)arg + 64, 16, "microxen");
                    return 0;
                case XenVersionCmd.XENVER_capabilities:
                    return CopyString((byte*)arg, XenVersionCmd.CapabilitiesInfoSize, "xen-3.0-x86_64");
                case XenVersionCmd.XENVER_changeset:
                    return CopyString((byte*)arg, XenVersionCmd.ChangesetInfoSize, "microxen");
                case XenVersionCmd.XENVER_platform_parameters:
                    ((XenPlatformParameters*)arg)->VirtStart = Layout.HYPERVISOR_VIRT_START;
                    return 0;
                case XenVersionCmd.XENVER_get_features:
                {
                    XenFeatureInfo* fi = (XenFeatureInfo*)arg;
                    if (fi->SubmapIdx >= XenFeature.NrSubmaps) return -XenErrno.EINVAL;
                    fi->Submap = Features0;
                    return 0;
                }
                case XenVersionCmd.XENVER_pagesize:
                    return 4096;
                case XenVersionCmd.XENVER_guest_handle:
                    ZeroBytes((byte*)arg, XenVersionCmd.DomainHandleSize);
                    return 0;
                case XenVersionCmd.XENVER_commandline:
                {
                    byte* d = (byte*)arg;
                    byte* s = Host.Boot != null ? Host.Boot->CmdLine : null;
                    int i = 0;
                    if (s != null) for (; i < XenVersionCmd.CommandlineSize - 1 && s[i] != 0; i++) d[i] = s[i];
                    d[i] = 0;
                    return 0;
                }
                default:
                    return HypercallStats.Unimplemented("xen_version", Hypercall.XenVersion, cmd, arg, 0, 0, 0);
            }
        }

        static long CopyString(byte* dst, int size, string s)
        {
            int i = 0;
            for (; i < s.Length && i < size - 1; i++) dst[i] = (byte)s[i];
            for (; i < size; i++) dst[i] = 0;
            return 0;
        }

        static void ZeroBytes(byte* p, int n) { for (int i = 0; i < n; i++) p[i] = 0; }
    }
}
