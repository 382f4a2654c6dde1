using Microxen.Xen;
using F = Microxen.Traps.CpuidPvMask.Feature;

namespace Microxen.Traps
{
    /// <summary>
    /// Xen 4.17's PV dom0 CPUID policy computed from the host's CPUID, for the enlightened CPUID
    /// (<see cref="CpuidEmulation"/>): the leaf limits and per-leaf rules of
    /// xen/arch/x86/cpu-policy.c (calculate_host_policy, calculate_pv_def_policy,
    /// recalculate_cpuid_policy, recalculate_xstate, recalculate_misc, init_dom0_cpuid_policy) and
    /// the dynamic part of guest_cpuid (xen/arch/x86/cpuid.c). The feature words are masked first
    /// (<see cref="CpuidPvMask"/>); this class does the rest. Not reproduced: Xen's deep feature
    /// dependencies (sanitise_featureset: the host's own features are taken as consistent), the
    /// DE_CFG probe that makes LFENCE dispatch-serialising on AMD families 10h and 12h+ (the shim
    /// leaves that MSR alone, so LFENCE_DISPATCH is offered only where the hardware says so or
    /// on families 0Fh/11h, which always serialise), and MSR_ARCH_CAPS/SPEC_CTRL-dependent bits.
    /// </summary>
    public static unsafe partial class CpuidPolicy
    {
        const uint VendorOther = 0, VendorIntel = 1, VendorAmd = 2;
        // "GenuineIntel", "AuthenticAMD", "HygonGenuine" leaf 0 EBX.
        const uint IntelEbx = 0x756e6547, AmdEbx = 0x68747541, HygonEbx = 0x6f677948;

        /// <summary>The host's physical-address width (0x80000008 EAX bits 0-7; 36 without the leaf).</summary>
        public static uint PaddrBits => s_paddr;
        /// <summary>Host: invariant TSC (0x80000007 EDX ITSC, which Xen takes as TSC_RELIABLE), RDTSCP.</summary>
        public static bool HostItsc => (s_e7d & F.ITSC) != 0;
        public static bool HostRdtscp => (s_e1d & F.RDTSCP) != 0;

        static uint s_paddr, s_ready, s_vendor, s_maxBasic, s_maxExt, s_hostMaxExt, s_hostMaxFeat, s_leaf1c, s_leaf1d, s_e1d, s_e7d, s_lfence;

        /// <summary>Reads the host facts the rules need (once; idempotent, so APs racing here is harmless).</summary>
        public static void Init()
        {
            if (s_ready != 0) return;
            uint* r = stackalloc uint[4];
            Cpu.Cpuid(0, 0, r);
            uint maxBasic = r[0];
            s_vendor = r[1] == IntelEbx ? VendorIntel : (r[1] == AmdEbx || r[1] == HygonEbx) ? VendorAmd : VendorOther;
            Cpu.Cpuid(1, 0, r);
            uint family = (r[0] >> 8) & 0xf;
            if (family == 0xf) family += (r[0] >> 20) & 0xff;
            s_leaf1c = r[2]; s_leaf1d = r[3];
            s_hostMaxFeat = 0;
            if (maxBasic >= 7) { Cpu.Cpuid(7, 0, r); s_hostMaxFeat = r[0]; }
            Cpu.Cpuid(0x80000000, 0, r);
            uint hostExt = (r[0] & 0xffff0000) == 0x80000000 ? r[0] : 0x80000000;
            s_hostMaxExt = hostExt;
            if (hostExt >= 0x80000001) { Cpu.Cpuid(0x80000001, 0, r); s_e1d = r[3]; }
            if (hostExt >= 0x80000007) { Cpu.Cpuid(0x80000007, 0, r); s_e7d = r[3]; }
            s_paddr = 36;
            if (hostExt >= 0x80000008) { Cpu.Cpuid(0x80000008, 0, r); s_paddr = r[0] & 0xff; }
            uint e21a = 0;
            if (hostExt >= 0x80000021) { Cpu.Cpuid(0x80000021, 0, r); e21a = r[0]; }
            // amd.c init_amd: families 0Fh and 11h always dispatch-serialise LFENCE.
            s_lfence = (e21a & F.LFENCE_DISPATCH) != 0 || (s_vendor == VendorAmd && (family == 0xf || family == 0x11)) ? 1u : 0u;
            // calculate_host_policy: LFENCE_DISPATCH extends the extended leaves to 0x80000021;
            // recalculate_cpuid_policy clamps them by vendor.
            uint ext = s_lfence != 0 && hostExt < 0x80000021 ? 0x80000021 : hostExt;
            uint lim = s_vendor == VendorAmd ? MaxExtLeafAmd : MaxExtLeafIntel;
            s_maxExt = ext < lim ? ext : lim;
            s_maxBasic = maxBasic < MaxBasicLeaf ? maxBasic : MaxBasicLeaf;
            s_ready = 1;
        }

        /// <summary>True when the leaf is beyond Xen's limits for the guest (all zeros, the AMD model); reads the host's leaf otherwise (zeros past the host's own limit).</summary>
        public static bool Read(uint leaf, uint sub, uint* r)
        {
            Init();
            r[0] = r[1] = r[2] = r[3] = 0;
            if (leaf < 0x40000000)
            {
                if (leaf > s_maxBasic) return true;
                if (leaf == 7 && sub > (s_hostMaxFeat < MaxFeatSubleaf ? s_hostMaxFeat : MaxFeatSubleaf)) return true;
                if (leaf == 4 && sub >= CacheSubleaves) return true;
                if (leaf == 0xd && sub > MaxXstateSubleaf) return true;
            }
            else if (leaf >= 0x80000000 && leaf <= 0x8000ffff)
            {
                if (leaf > s_maxExt) return true;
                if (leaf > s_hostMaxExt) return false;
            }
            else return true;
            Cpu.Cpuid(leaf, sub, r);
            return false;
        }

        /// <summary>
        /// The policy's rules for <paramref name="leaf"/> on the masked host values in
        /// <paramref name="r"/>; <paramref name="kernel"/>: asked by the guest kernel (dom0's
        /// kernel-only leaks: MTRR, EIST).
        /// </summary>
        public static void Apply(uint leaf, uint sub, uint* r, bool kernel)
        {
            bool amd = s_vendor == VendorAmd, intel = s_vendor == VendorIntel;
            switch (leaf)
            {
                case 0: r[0] = s_maxBasic; break;
                case 1:
                    r[0] &= 0x0fff0fff;        // processor type clobbered
                    r[1] &= 0x00ffffff;        // APIC ID: dynamic, 0 for PV
                    r[3] = Leaf1Edx(r[3]);
                    if (kernel && (s_leaf1d & F.MTRR) != 0) r[3] |= F.MTRR;   // dom0 kernel: MTRR leaks
                    if (kernel && (s_leaf1c & F.EIST) != 0) r[2] |= F.EIST;   // dom0 kernel: EIST leaks
                    break;
                case 2: if (intel) r[0] = (r[0] & ~0xffu) | 1; else if (amd) r[0] = r[1] = r[2] = r[3] = 0; break;   // Intel: one query
                case 4:
                {
                    uint type = r[0] & 0x1f;
                    if (amd || type < 1 || type > 3) r[0] = r[1] = r[2] = r[3] = 0;
                    else { r[0] &= 0xffffc3ff; r[3] &= 7; }
                    break;
                }
                case 3: case 9: if (intel || amd) r[0] = r[1] = r[2] = r[3] = 0; break;   // PSN, DCA
                case 5: case 6: case 8: case 0xa: case 0xb: case 0xc:
                    // MONITOR, thermal/power, vPMU (Xen's vpmu is off by default), topology (the
                    // PV policy has no X2APIC, so guest_cpuid fills in no x2APIC id): hidden.
                    r[0] = r[1] = r[2] = r[3] = 0;
                    break;
                case 7: if (sub == 0) r[0] = s_hostMaxFeat < MaxFeatSubleaf ? s_hostMaxFeat : MaxFeatSubleaf; break;
                case 0xd: Xstate(sub, r); break;
                case 0x80000000:
                    r[0] = s_maxExt;
                    if (intel) r[1] = r[2] = r[3] = 0;
                    break;
                case 0x80000001:
                {
                    uint e1d = r[3] & ~CpuidPvMask.CommonLeaf1Edx;
                    if (amd)
                    {
                        uint* l1 = stackalloc uint[4];
                        Cpu.Cpuid(1, 0, l1);
                        r[0] = l1[0] & 0x0fff0fff;
                        r[1] &= 0xff00ffff;
                        e1d |= Leaf1Edx(l1[3] & LeafMask(1, 0, 3)) & CpuidPvMask.CommonLeaf1Edx;
                    }
                    else if (intel) r[0] = r[1] = 0;
                    if (kernel && (s_leaf1d & F.MTRR) != 0) e1d |= F.MTRR;
                    r[3] = e1d;
                    break;
                }
                case 0x80000005: if (intel) r[0] = r[1] = r[2] = r[3] = 0; break;
                case 0x80000006: if (intel) r[0] = r[1] = r[3] = 0; break;
                case 0x80000007:
                    r[0] = r[1] = r[2] = 0;
                    if ((s_e7d & F.ITSC) != 0) r[3] |= F.ITSC;   // init_dom0_cpuid_policy: dom0 gets ITSC
                    break;
                case 0x80000008:
                    r[0] = (r[0] & 0xff) | (((s_e1d & F.LM) != 0 ? LinearAddressBits : 32) << 8);
                    if (amd) r[2] &= 0x0003f0ff; else if (intel) r[2] = 0;
                    r[3] = 0;
                    break;
                case 0x80000021:
                    if (s_lfence != 0) r[0] |= F.LFENCE_DISPATCH;
                    r[1] = r[3] = 0;
                    break;
                default:
                    // 0x80000009-0x80000020 on AMD: SVM (none for PV), 1 GiB TLBs (no PAGE1GB for
                    // PV), IBS, LWP, topology extensions, SEV, QoS hidden; 0x8000001A passes.
                    if (amd && leaf >= 0x80000009 && leaf <= 0x80000020 && leaf != 0x8000001a) r[0] = r[1] = r[2] = r[3] = 0;
                    break;
            }
        }

        /// <summary>Leaf 1 EDX as the host policy has it: AMD hides SEP (no SYSENTER in long mode; amd.c init_amd).</summary>
        static uint Leaf1Edx(uint d) => s_vendor == VendorAmd ? d & ~F.SEP : d;

        /// <summary>The generated mask of one featureset register (all ones when none).</summary>
        static uint LeafMask(uint leaf, uint sub, int reg)
        {
            for (int i = 0; i < CpuidPvMask.Words; i++)
            {
                uint l, sl, mask; int rg;
                CpuidPvMask.Get(i, out l, out sl, out rg, out mask);
                if (l == leaf && sl == sub && rg == reg) return mask;
            }
            return 0xffffffff;
        }

        /// <summary>
        /// The XCR0 components the PV policy allows (recalculate_xstate): x87|SSE, AVX with AVX,
        /// MPX with MPX, AVX-512's three with AVX512F, PKRU with PKU, each by the policy's
        /// (masked) feature bits; none without XSAVE.
        /// </summary>
        public static uint Components()
        {
            Init();
            uint* r = stackalloc uint[4];
            if (s_maxBasic < 0xd || (s_leaf1c & F.XSAVE & LeafMask(1, 0, 2)) == 0) return 0;
            uint c = XcrFpSse;
            if ((s_leaf1c & LeafMask(1, 0, 2) & F.AVX) != 0) c |= XcrYmm;
            if (s_maxBasic >= 7)
            {
                Cpu.Cpuid(7, 0, r);
                uint b = r[1] & LeafMask(7, 0, 1), cx = r[2] & LeafMask(7, 0, 2);
                if ((b & F.MPX) != 0) c |= XcrMpx;
                if ((b & F.AVX512F) != 0) c |= XcrAvx512;
                if ((cx & F.PKU) != 0) c |= XcrPkru;
            }
            return c;
        }

        /// <summary>
        /// Leaf 0xD: subleaf 0 EAX the policy's components, ECX the largest offset + size among
        /// them, EDX 0, EBX the hardware's (it follows the XCR0 in force); subleaf 1 EBX the
        /// hardware's only with XSAVEC, ECX/EDX 0 (no XSS state); subleaf n &gt;= 2 the hardware's
        /// offset, size and alignment for a policy component, else zeros.
        /// </summary>
        static void Xstate(uint sub, uint* r)
        {
            uint comps = Components();
            if (comps == 0) { r[0] = r[1] = r[2] = r[3] = 0; return; }
            if (sub == 0)
            {
                uint* c = stackalloc uint[4];
                uint max = XsaveAreaMinSize;
                for (uint i = 2; i < 32; i++)
                {
                    if ((comps & (1u << (int)i)) == 0) continue;
                    Cpu.Cpuid(0xd, i, c);
                    if (c[1] + c[0] > max) max = c[1] + c[0];
                }
                r[0] = comps; r[2] = max; r[3] = 0;
            }
            else if (sub == 1)
            {
                if ((r[0] & F.XSAVEC) == 0) r[1] = 0;
                r[2] = r[3] = 0;
            }
            else if (sub < 32 && (comps & (1u << (int)sub)) != 0) { r[2] &= 2; r[3] = 0; }
            else r[0] = r[1] = r[2] = r[3] = 0;
        }
    }
}
