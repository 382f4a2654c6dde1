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
            // Every command that copies to or from arg checks it first (access_ok): -EFAULT in Xen's range.
            if (cmd != XenVersionCmd.XENVER_version && cmd != XenVersionCmd.XENVER_pagesize && cmd <= XenVersionCmd.XENVER_build_id) Guest.GuestPointer.Require(arg);
            switch (cmd)
            {
                case XenVersionCmd.XENVER_version:
                    return XenRelease.Version;
                case XenVersionCmd.XENVER_extraversion:
                    return CopyString((byte*)arg, XenVersionCmd.ExtraversionSize, "-microxen");
                case XenVersionCmd.XENVER_compile_info:
                    // struct xen_compile_info: compiler[64], compile_by[16], compile_domain[32], compile_date[32]
                    // written in order, each field padded, as Xen's one copy (a short buffer takes the first bytes, then -EFAULT)
                    CopyString((byte*)arg, 64, "NativeAOT ilc (C#)");
                    CopyString((byte*)arg + 64, 16, "microxen");
                    ZeroBytes((byte*)arg + 80, XenVersionCmd.CompileInfoSize - 80);
                    return 0;
                case XenVersionCmd.XENVER_capabilities:
                    return CopyString((byte*)arg, XenVersionCmd.CapabilitiesInfoSize, "xen-3.0-x86_64");
                case XenVersionCmd.XENVER_changeset:
                    return CopyString((byte*)arg, XenVersionCmd.ChangesetInfoSize, "");   // empty, as a Xen built from a release tarball (Debian 4.17: no "Latest ChangeSet")
                case XenVersionCmd.XENVER_platform_parameters:
                {
                    // low half first, as Xen's byte copy: a buffer short by 4 gets it before -EFAULT
                    uint* vs = (uint*)&((XenPlatformParameters*)arg)->VirtStart;
                    vs[0] = unchecked((uint)Layout.HYPERVISOR_VIRT_START);
                    vs[1] = (uint)(Layout.HYPERVISOR_VIRT_START >> 32);
                }
                    return 0;
                case XenVersionCmd.XENVER_get_features:
                {
                    XenFeatureInfo* fi = (XenFeatureInfo*)arg;
                    s_sink = fi->Submap;   // Xen copies the whole structure in first: a short one is -EFAULT before -EINVAL
                    if (fi->SubmapIdx >= XenFeature.NrSubmaps) return -XenErrno.EINVAL;
                    fi->Submap = Features0;
                    return 0;
                }
                case XenVersionCmd.XENVER_pagesize:
                    return arg != 0 ? -XenErrno.EINVAL : 4096;   // Xen 4.17: a non-NULL handle is -EINVAL
                case XenVersionCmd.XENVER_guest_handle:
                    ZeroBytes((byte*)arg, XenVersionCmd.DomainHandleSize);
                    return 0;
                case XenVersionCmd.XENVER_commandline:
                {
                    // the whole buffer, as Xen copies it (a short one takes the first bytes, then -EFAULT)
                    byte* d = (byte*)arg;
                    fixed (SavedCommandLine* c = &s_cmdline)
                        for (int i = 0; i < XenVersionCmd.CommandlineSize; i++) d[i] = c->Bytes[i];
                    return 0;
                }
                case XenVersionCmd.XENVER_build_id:
                    return BuildId((byte*)arg);
                default:
                    return HypercallStats.Unimplemented("xen_version", Hypercall.XenVersion, cmd, arg, 0, 0, 0);
            }
        }

        /// <summary>Length of the build id the shim reports: a GNU build-id note's SHA-1 (20 bytes), as Xen 4.17's.</summary>
        public const int BuildIdSize = 20;

        /// <summary>
        /// XENVER_build_id (common/kernel.c): a NULL handle asks for the length (returns it); else the
        /// xen_build_id_t's len (uint32 at offset 0) must be nonzero (-EINVAL) and at least the id's
        /// length (-ENOBUFS); the id goes to buf (offset 4) and the length is returned. The shim's id is
        /// zeros: it has no build-id note. An unreadable handle is the dispatcher's -EFAULT.
        /// </summary>
        static long BuildId(byte* arg)
        {
            if (arg == null) return BuildIdSize;
            uint len = *(uint*)arg;
            if (len == 0) return -XenErrno.EINVAL;
            if (len < BuildIdSize) return -XenErrno.ENOBUFS;
            ZeroBytes(arg + 4, BuildIdSize);
            return BuildIdSize;
        }

        static long CopyString(byte* dst, int size, string s)
        {
            int i = 0;
            for (; i < s.Length && i < size - 1; i++) dst[i] = (byte)s[i];
            for (; i < size; i++) dst[i] = 0;
            return 0;
        }

        static uint s_sink;

        struct SavedCommandLine { public fixed byte Bytes[XenVersionCmd.CommandlineSize]; }

        /// <summary>The shim's command line as XENVER_commandline returns it (the loader's copy is in memory dom0 gets).</summary>
        static SavedCommandLine s_cmdline;

        /// <summary>Saves the shim's command line (NUL-terminated; truncated to XENVER_commandline's size) at boot.</summary>
        public static void SaveCommandLine(byte* s)
        {
            fixed (SavedCommandLine* c = &s_cmdline)
                for (int i = 0; s != null && i < XenVersionCmd.CommandlineSize - 1 && s[i] != 0; i++) c->Bytes[i] = s[i];
        }

        static void ZeroBytes(byte* p, int n) { for (int i = 0; i < n; i++) p[i] = 0; }
    }
}
