namespace KernelTest.Tests
{
    /// <summary>console_io and xen_version (public/xen.h, public/version.h; xen/common/kernel.c).</summary>
    public static unsafe class VersionTests
    {
        /// <summary>CONSOLEIO_write prints a line and returns 0 (Xen's guest_console_write).</summary>
        public static bool ConsoleWrite()
        {
            Out.Line("kernel-test: this line was written with console_io(CONSOLEIO_write)");
            return Check.Rc("console_io(CONSOLEIO_write) result", Out.LastRc);
        }

        /// <summary>XENVER_version is (major &lt;&lt; 16) | minor, at least 3.0; XENVER_pagesize (NULL argument) is 4096; extraversion is a string.</summary>
        public static bool Version()
        {
            long v = Hv.XenVersion(XenVersionCmd.XENVER_version, null);
            if (!Check.True(v > 0 && (v >> 16) >= 3, "XENVER_version below 3.0")) return false;
            if (!Check.Eq("XENVER_pagesize", (ulong)Hv.XenVersion(XenVersionCmd.XENVER_pagesize, null), 4096)) return false;
            byte* extra = stackalloc byte[XenVersionCmd.ExtraversionSize];
            for (int i = 0; i < XenVersionCmd.ExtraversionSize; i++) extra[i] = 0xff;
            if (!Check.Rc("XENVER_extraversion", Hv.XenVersion(XenVersionCmd.XENVER_extraversion, extra))) return false;
            bool terminated = false;
            for (int i = 0; i < XenVersionCmd.ExtraversionSize; i++) if (extra[i] == 0) terminated = true;
            if (!Check.True(terminated, "extraversion is not NUL-terminated")) return false;
            Out.Str("kernel-test: hypervisor "); Out.Dec((ulong)(v >> 16)); Out.Char((byte)'.'); Out.Dec((ulong)(v & 0xffff));
            Out.CStr(extra, XenVersionCmd.ExtraversionSize); Out.End();
            return true;
        }

        /// <summary>XENVER_capabilities names "xen-3.0-x86_64" (a 64-bit PV guest can run).</summary>
        public static bool Capabilities()
        {
            byte* caps = stackalloc byte[XenVersionCmd.CapabilitiesInfoSize];
            if (!Check.Rc("XENVER_capabilities", Hv.XenVersion(XenVersionCmd.XENVER_capabilities, caps))) return false;
            string want = "xen-3.0-x86_64";
            for (int i = 0; i + want.Length < XenVersionCmd.CapabilitiesInfoSize && caps[i] != 0; i++)
            {
                int k = 0;
                while (k < want.Length && caps[i + k] == (byte)want[k]) k++;
                if (k == want.Length) return true;
            }
            return Runner.Fail("capabilities do not contain xen-3.0-x86_64");
        }

        /// <summary>
        /// XENVER_get_features submap 0 for a 64-bit PV dom0 (Xen 4.17 common/kernel.c):
        /// mmu_pt_update_preserve_ad, highmem_assist, gnttab_map_avail_bits, dom0,
        /// memory_op_vnode_supported and direct_mapped set; supervisor_mode_kernel,
        /// auto_translated_physmap and the HVM bits clear. Submap 1 does not exist (-EINVAL).
        /// </summary>
        public static bool Features()
        {
            XenFeatureInfo fi;
            fi.SubmapIdx = 0;
            fi.Submap = 0xdeadbeef;
            if (!Check.Rc("XENVER_get_features(0)", Hv.XenVersion(XenVersionCmd.XENVER_get_features, &fi))) return false;
            uint must = (1u << XenFeature.MmuPtUpdatePreserveAd) | (1u << XenFeature.HighmemAssist)
                | (1u << XenFeature.GnttabMapAvailBits) | (1u << XenFeature.Dom0)
                | (1u << XenFeature.MemoryOpVnodeSupported) | (1u << XenFeature.DirectMapped);
            uint mustNot = (1u << XenFeature.SupervisorModeKernel) | (1u << XenFeature.AutoTranslatedPhysmap)
                | (1u << XenFeature.WritablePageTables) | (1u << XenFeature.HvmCallbackVector)
                | (1u << XenFeature.HvmSafePvclock) | (1u << XenFeature.HvmPirqs) | (1u << XenFeature.NotDirectMapped);
            if (!Check.Eq("features that must be set", fi.Submap & must, must)) return false;
            if (!Check.Eq("features that must be clear", fi.Submap & mustNot, 0)) return false;
            fi.SubmapIdx = 1;
            return Check.Eq("XENVER_get_features(1)", (ulong)Hv.XenVersion(XenVersionCmd.XENVER_get_features, &fi), unchecked((ulong)-XenErrno.EINVAL));
        }
    
        /// <summary>
        /// A hypercall given a pointer the hypervisor cannot use gets -EFAULT, and the guest goes
        /// on (Xen: copy_from_guest / copy_to_guest fail). An unmapped kernel address for
        /// console_io's buffer, a non-canonical one for xen_version's output.
        /// </summary>
        public static bool BadPointer()
        {
            const long EFAULT = -14;
            long rc = Hv.Call(Hypercall.ConsoleIo, ConsoleIoCmd.CONSOLEIO_write, 8, 0xffffffffc0000000UL);
            if (!Check.Eq("console_io(write) from an unmapped buffer", (ulong)rc, unchecked((ulong)EFAULT))) return false;
            rc = Hv.XenVersion(XenVersionCmd.XENVER_extraversion, (void*)0x8000000000000000UL);
            if (!Check.Eq("xen_version(extraversion) to a non-canonical buffer", (ulong)rc, unchecked((ulong)EFAULT))) return false;
            return Check.Eq("XENVER_pagesize afterwards", (ulong)Hv.XenVersion(XenVersionCmd.XENVER_pagesize, null), 4096);
        }
    }
}
