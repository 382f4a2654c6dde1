using KernelTest.Hypervisor;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// Hypercall 48, mca, as Xen 4.17's do_mca (arch/x86/cpu/mcheck/mce.c) answers dom0 on a
    /// machine with no machine-check error (what Linux's drivers/xen/mcelog.c asks at boot and on
    /// VIRQ_MCA). Nothing here injects: under Xen that would raise a machine check.
    /// </summary>
    public static unsafe class McaTests
    {
        static long Mca(XenMc* op) => Hv.Call(Hypercall.Mca, (ulong)op);

        static void Init(XenMc* op, uint cmd)
        {
            byte* b = (byte*)op;
            for (int i = 0; i < sizeof(XenMc); i++) b[i] = 0;
            op->Cmd = cmd;
            op->InterfaceVersion = XenMca.XEN_MCA_INTERFACE_VERSION;
        }

        /// <summary>
        /// XEN_MC_fetch: URGENT and NONURGENT with a buffer give 0, flags XEN_MC_NODATA, fetch_id 0;
        /// flags naming neither or both -EINVAL; a NULL buffer -EINVAL; an ACK 0 with the structure
        /// left as it was; a wrong interface_version -EACCES; notifydomain and unknown commands -EINVAL.
        /// </summary>
        public static bool FetchNoTelemetry()
        {
            XenMc op;
            ulong* data = stackalloc ulong[8];
            uint* flags = stackalloc uint[2];
            flags[0] = XenMca.XEN_MC_URGENT; flags[1] = XenMca.XEN_MC_NONURGENT;
            for (int k = 0; k < 2; k++)
            {
                Init(&op, XenMca.XEN_MC_fetch);
                op.FetchFlags = flags[k]; op.FetchId = 0x1234; op.FetchData = (ulong)data;
                if (!Check.Rc("fetch", Mca(&op))) return false;
                if (!Check.Eq("fetch: flags", op.FetchFlags, XenMca.XEN_MC_OK | XenMca.XEN_MC_NODATA)) return false;
                if (!Check.Eq("fetch: fetch_id", op.FetchId, 0)) return false;
                if (!Check.Eq("fetch: cmd kept", op.Cmd, XenMca.XEN_MC_fetch)) return false;
            }
            Init(&op, XenMca.XEN_MC_fetch);
            op.FetchData = (ulong)data;
            if (!Validation.Rc("fetch, flags 0", Mca(&op), XenErrno.EINVAL)) return false;
            op.FetchFlags = XenMca.XEN_MC_URGENT | XenMca.XEN_MC_NONURGENT;
            if (!Validation.Rc("fetch, both queues", Mca(&op), XenErrno.EINVAL)) return false;
            op.FetchFlags = XenMca.XEN_MC_URGENT; op.FetchData = 0;
            if (!Validation.Rc("fetch, NULL buffer", Mca(&op), XenErrno.EINVAL)) return false;
            op.FetchFlags = XenMca.XEN_MC_NONURGENT | XenMca.XEN_MC_ACK; op.FetchId = 0x1234;
            if (!Check.Rc("fetch ACK", Mca(&op))) return false;
            if (!Check.Eq("fetch ACK: flags kept", op.FetchFlags, XenMca.XEN_MC_NONURGENT | XenMca.XEN_MC_ACK)) return false;
            if (!Check.Eq("fetch ACK: fetch_id kept", op.FetchId, 0x1234)) return false;
            op.InterfaceVersion = XenMca.XEN_MCA_INTERFACE_VERSION + 1;
            if (!Validation.Rc("fetch, other interface_version", Mca(&op), XenErrno.EACCES)) return false;
            Init(&op, XenMca.XEN_MC_notifydomain);
            if (!Validation.Rc("notifydomain", Mca(&op), XenErrno.EINVAL)) return false;
            Init(&op, 0);
            if (!Validation.Rc("command 0", Mca(&op), XenErrno.EINVAL)) return false;
            Init(&op, 99);
            return Validation.Rc("command 99", Mca(&op), XenErrno.EINVAL);
        }

        /// <summary>Entries of the test's array: room for every CPU (Xen 4.17 writes one entry per online CPU whatever ncpus says) and one more.</summary>
        const int MaxEntries = 9;

        /// <summary>
        /// XEN_MC_physcpuinfo: with no array the CPU count (1..256); with an array and ncpus 0
        /// -EINVAL, 2^31 -ENOMEM; with ncpus = count, count entries written and the entry past
        /// them untouched; with ncpus = count + 1, ncpus set back to the count. Each entry: its index, a
        /// 12-character vendor string with Xen's X86_VENDOR_* bit for it, a family, a brand string
        /// without leading spaces, a cache alignment, and MCG_CAP (0x179) as its first MSR.
        /// </summary>
        public static bool PhysCpuInfo()
        {
            XenMc op;
            Init(&op, XenMca.XEN_MC_physcpuinfo);
            if (!Check.Rc("physcpuinfo count", Mca(&op))) return false;
            uint n = op.Ncpus;
            if (!Check.True(n >= 1 && n <= 256, "physcpuinfo: a CPU count of 1..256")) return false;
            if (n > MaxEntries - 1) return true;      // more CPUs than the array holds: the count is all this row checks
            McinfoLogicalCpu* e = stackalloc McinfoLogicalCpu[MaxEntries];
            Init(&op, XenMca.XEN_MC_physcpuinfo);
            op.Info = (ulong)e;
            if (!Validation.Rc("physcpuinfo ncpus 0", Mca(&op), XenErrno.EINVAL)) return false;
            op.Ncpus = 0x80000000;
            if (!Validation.Rc("physcpuinfo ncpus 2^31", Mca(&op), XenErrno.ENOMEM)) return false;
            for (uint i = 0; i <= n; i++) e[i].Cpunr = 0xdead0000 + i;
            op.Ncpus = n;
            if (!Check.Rc("physcpuinfo", Mca(&op))) return false;
            if (!Check.Eq("physcpuinfo: ncpus", op.Ncpus, n)) return false;
            if (!Check.Eq("physcpuinfo: the entry past ncpus untouched", e[n].Cpunr, 0xdead0000 + n)) return false;
            for (uint i = 0; i < n; i++)
                if (!Entry(e + i, i)) return false;
            op.Ncpus = n + 1;      // more room than there are CPUs: ncpus comes back as the count
            if (!Check.Rc("physcpuinfo, more room", Mca(&op))) return false;
            return Check.Eq("physcpuinfo: ncpus with more room", op.Ncpus, n);
        }

        static bool Entry(McinfoLogicalCpu* e, uint i)
        {
            if (!Check.Eq("entry: mc_cpunr", e->Cpunr, i)) return false;
            for (int k = 0; k < 12; k++)
                if (!Check.True(e->VendorId[k] >= 0x20 && e->VendorId[k] < 0x7f, "entry: mc_vendorid printable")) return false;
            for (int k = 12; k < 16; k++)
                if (!Check.Eq("entry: mc_vendorid padding", e->VendorId[k], 0)) return false;
            uint want = XenMca.VendorUnknown;
            if (Is(e->VendorId, "AuthenticAMD")) want = XenMca.VendorAmd;
            else if (Is(e->VendorId, "GenuineIntel")) want = XenMca.VendorIntel;
            else if (Is(e->VendorId, "HygonGenuine")) want = XenMca.VendorHygon;
            else if (Is(e->VendorId, "CentaurHauls")) want = XenMca.VendorCentaur;
            if (!Check.Eq("entry: mc_vendor is Xen's bit for mc_vendorid", e->Vendor, want)) return false;
            if (!Check.True(e->Family >= 3, "entry: mc_family")) return false;
            if (!Check.True(e->BrandId[0] != 0 && e->BrandId[0] != (byte)' ', "entry: mc_brandid starts with a character")) return false;
            if (!Check.True(e->CacheAlignment != 0 && e->CacheAlignment % 8 == 0, "entry: mc_cache_alignment")) return false;
            if (!Check.True(e->Nmsrvals >= 1 && e->Nmsrvals <= 8, "entry: mc_nmsrvals")) return false;
            return Check.Eq("entry: first MSR is MCG_CAP", e->MsrValues[0], 0x179);
        }

        static bool Is(byte* s, string w)
        {
            for (int k = 0; k < w.Length; k++)
                if (s[k] != (byte)w[k]) return false;
            return true;
        }

        /// <summary>
        /// The inject commands' checks that come before any injection: mceinject and msrinject
        /// for CPU 0xffff -EINVAL (no such CPU), msrinject of 0 MSRs to CPU 0 0, of MSR 0x10 (not a
        /// machine-check MSR) -EINVAL, of MCG_STATUS for an unknown domain with MC_MSRINJ_F_GPADDR
        /// -EINVAL; inject_v2 of type 7 to every CPU -EINVAL. (The QEMU machine has machine-check banks.)
        /// </summary>
        public static bool InjectChecks()
        {
            XenMc op;
            Init(&op, XenMca.XEN_MC_mceinject);
            op.MceinjCpunr = 0xffff;
            if (!Validation.Rc("mceinject CPU 0xffff", Mca(&op), XenErrno.EINVAL)) return false;
            Init(&op, XenMca.XEN_MC_msrinject);
            op.InjCpunr = 0xffff;
            if (!Validation.Rc("msrinject CPU 0xffff", Mca(&op), XenErrno.EINVAL)) return false;
            op.InjCpunr = 0;
            if (!Check.Rc("msrinject of no MSR", Mca(&op))) return false;
            op.InjCount = 1; op.InjMsr[0] = 0x10; op.InjMsr[1] = 0;
            if (!Validation.Rc("msrinject of MSR 0x10", Mca(&op), XenErrno.EINVAL)) return false;
            op.InjMsr[0] = 0x17a; op.InjFlags = XenMca.MC_MSRINJ_F_GPADDR; op.InjDomid = 0x7ff5;
            if (!Validation.Rc("msrinject, GPADDR of an unknown domain", Mca(&op), XenErrno.EINVAL)) return false;
            Init(&op, XenMca.XEN_MC_inject_v2);
            op.V2Flags = XenMca.XEN_MC_INJECT_CPU_BROADCAST | 7;
            return Validation.Rc("inject_v2 of type 7", Mca(&op), XenErrno.EINVAL);
        }
    }
}
