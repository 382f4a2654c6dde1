using KernelTest.Arch;
using KernelTest.Console;
using KernelTest.Hypervisor;
using Microxen.Traps;
using Microxen.Xen;
using F = Microxen.Traps.CpuidPvMask.Feature;

namespace KernelTest.Tests
{
    /// <summary>
    /// The enlightened CPUID (ud2; "xen"; cpuid) a PV dom0 kernel gets, against the rules of Xen
    /// 4.17's policy (xen/arch/x86/cpu-policy.c, cpuid.c guest_cpuid, traps.c
    /// cpuid_hypervisor_leaves): each checked as a relation between leaves the guest can read,
    /// so it holds on any host. shim/Traps/CpuidPolicy.cs is microxen's side.
    /// </summary>
    public static unsafe class CpuidTests
    {
        const uint AmdEbx = 0x68747541, HygonEbx = 0x6f677948, IntelEbx = 0x756e6547;

        static void Get(uint leaf, uint sub, uint* r) => Native.Cpuid(leaf, sub, r);

        static bool Zero(uint leaf, uint sub)
        {
            uint* r = stackalloc uint[4];
            Get(leaf, sub, r);
            if (r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0) return true;
            Out.Str("cpuid "); Out.Hex(leaf); Out.Str(":"); Out.Hex(sub); Out.Str(" = "); Out.Hex(r[0]); Out.Str(" ");
            Out.Hex(r[1]); Out.Str(" "); Out.Hex(r[2]); Out.Str(" "); Out.Hex(r[3]); Out.End();
            return Runner.Fail("a leaf Xen hides for PV is not all zeros");
        }

        static bool Amd()
        {
            uint* r = stackalloc uint[4];
            Get(0, 0, r);
            return r[1] == AmdEbx || r[1] == HygonEbx;
        }

        /// <summary>Leaf 1 and 0x80000001 EDX: no APIC ID or processor type, no SEP on AMD, MTRR leaked to dom0's kernel where the CPU has it, AMD's copies of leaf 1's common features.</summary>
        public static bool Leaf1()
        {
            uint* l1 = stackalloc uint[4];
            uint* e1 = stackalloc uint[4];
            uint* n = stackalloc uint[4];
            Get(1, 0, l1);
            Get(0x80000001, 0, e1);
            Native.CpuidNative(1, 0, n);
            if (!Check.Eq("leaf 1 EBX APIC ID", l1[1] >> 24, 0)) return false;
            if (!Check.Eq("leaf 1 EAX processor type and reserved bits", l1[0] & 0xf000f000, 0)) return false;
            bool amd = Amd();
            if (amd && !Check.Eq("leaf 1 EDX SEP on AMD", l1[3] & F.SEP, 0)) return false;
            if ((n[3] & F.MTRR) != 0 && !Check.Eq("leaf 1 EDX MTRR (dom0 kernel, CPU has it)", l1[3] & F.MTRR, F.MTRR)) return false;
            if (!Check.Eq("0x80000001 EDX MTRR as leaf 1's", e1[3] & F.MTRR, l1[3] & F.MTRR)) return false;
            uint common = CpuidPvMask.CommonLeaf1Edx & ~F.MTRR;
            return Check.Eq("0x80000001 EDX common features", e1[3] & common, amd ? l1[3] & common : 0);
        }

        /// <summary>Leaves 5 (MONITOR), 6 (thermal/power), 0xB (topology: no X2APIC for PV), 0x8000000A (no SVM for PV): zeros.</summary>
        public static bool HiddenLeaves()
        {
            uint* r = stackalloc uint[4];
            Get(1, 0, r);
            if (!Check.Eq("leaf 1 ECX X2APIC", r[2] & F.X2APIC, 0)) return false;
            Get(0x80000001, 0, r);
            if (!Check.Eq("0x80000001 ECX SVM", r[2] & F.SVM, 0)) return false;
            return Zero(5, 0) && Zero(6, 0) && Zero(0xb, 0) && Zero(0xb, 1) && Zero(0xb, 2) && Zero(0x8000000a, 0);
        }

        /// <summary>
        /// Leaf 0xD: components x87|SSE plus AVX's and AVX-512's by the offered features (never
        /// MPX or PKRU for PV); ECX the largest end among them; EBX the size for the XCR0 in force,
        /// which stays within them; subleaf 1 no XSS and EBX 0 without XSAVEC; absent components zero.
        /// </summary>
        public static bool Xstate()
        {
            uint* l1 = stackalloc uint[4];
            uint* l7 = stackalloc uint[4];
            uint* d = stackalloc uint[4];
            uint* c = stackalloc uint[4];
            Get(1, 0, l1);
            if ((l1[2] & F.XSAVE) == 0) return Zero(0xd, 0);
            Get(7, 0, l7);
            Get(0xd, 0, d);
            uint want = CpuidPolicy.XcrFpSse | ((l1[2] & F.AVX) != 0 ? CpuidPolicy.XcrYmm : 0) | ((l7[1] & F.AVX512F) != 0 ? CpuidPolicy.XcrAvx512 : 0);
            if (!Check.Eq("0xD:0 EAX components", d[0], want)) return false;
            if (!Check.Eq("0xD:0 EDX", d[3], 0)) return false;
            uint max = CpuidPolicy.XsaveAreaMinSize;
            for (uint i = 2; i <= CpuidPolicy.MaxXstateSubleaf; i++)
            {
                if (i >= 32 || (want & (1u << (int)i)) == 0) { if (!Zero(0xd, i)) return false; continue; }
                Get(0xd, i, c);
                if (!Check.True(c[0] != 0 && c[3] == 0 && (c[2] & 1) == 0, "0xD component: a size, no XSS, EDX 0")) return false;
                if (c[0] + c[1] > max) max = c[0] + c[1];
            }
            if (!Check.Eq("0xD:0 ECX largest size", d[2], max)) return false;
            Get(0xd, 1, c);
            if (!Check.Eq("0xD:1 ECX/EDX (XSS)", c[2] | c[3], 0)) return false;
            if ((c[0] & F.XSAVEC) == 0 && !Check.Eq("0xD:1 EBX without XSAVEC", c[1], 0)) return false;
            if ((l1[2] & (1u << 27)) == 0) return true;   // no OSXSAVE: XCR0 unreadable
            ulong xcr0 = Native.Xgetbv(0);
            if (!Check.Eq("XCR0 outside the policy", xcr0 & ~(ulong)want, 0)) return false;
            uint inForce = CpuidPolicy.XsaveAreaMinSize;
            for (uint i = 2; i < 32; i++)
            {
                if ((xcr0 & (1UL << (int)i)) == 0) continue;
                Get(0xd, i, c);
                if (c[0] + c[1] > inForce) inForce = c[0] + c[1];
            }
            return Check.Eq("0xD:0 EBX (size for XCR0)", d[1], inForce);
        }

        /// <summary>
        /// Extended leaves: the last is 0x80000021 at most on AMD (0x80000008 elsewhere), reached
        /// with LFENCE_DISPATCH on families 0Fh/11h; 0x80000009-0x80000020 but 0x8000001A zeros;
        /// 0x80000008 48 linear-address bits, no guest-physical width, EDX 0.
        /// </summary>
        public static bool Extended()
        {
            uint* r = stackalloc uint[4];
            uint* e = stackalloc uint[4];
            Get(0x80000000, 0, e);
            uint max = e[0];
            bool amd = Amd();
            if (!Check.True(max <= (amd ? CpuidPolicy.MaxExtLeafAmd : CpuidPolicy.MaxExtLeafIntel), "extended leaves past Xen's limit")) return false;
            Get(1, 0, r);
            uint family = (r[0] >> 8) & 0xf;
            if (family == 0xf) family += (r[0] >> 20) & 0xff;
            if (amd && (family == 0xf || family == 0x11))
            {
                if (!Check.Eq("0x80000000 EAX (LFENCE_DISPATCH leaf)", max, CpuidPolicy.MaxExtLeafAmd)) return false;
                Get(0x80000021, 0, r);
                if (!Check.Eq("0x80000021 EAX LFENCE_DISPATCH", r[0] & F.LFENCE_DISPATCH, F.LFENCE_DISPATCH)) return false;
            }
            if (amd)
                for (uint l = 0x80000009; l <= 0x80000020 && l <= max; l++)
                    if (l != 0x8000001a && !Zero(l, 0)) return false;
            if (max >= 0x80000021)
            {
                Get(0x80000021, 0, r);
                if (!Check.Eq("0x80000021 EBX|EDX", r[1] | r[3], 0)) return false;
            }
            if (max < 0x80000008) return true;
            Get(0x80000001, 0, e);
            Get(0x80000008, 0, r);
            uint lin = (e[3] & F.LM) != 0 ? CpuidPolicy.LinearAddressBits : 32;
            if (!Check.Eq("0x80000008 EAX linear-address bits", (r[0] >> 8) & 0xff, lin)) return false;
            if (!Check.Eq("0x80000008 EAX guest physical width", r[0] >> 16, 0)) return false;
            return Check.Eq("0x80000008 EDX", r[3], 0);
        }

        /// <summary>
        /// Xen's leaves for a PV dom0: 0x40000000 ends at 0x40000005; 0x40000002 ECX
        /// MMU_PT_UPDATE_PRESERVE_AD; 0x40000003 no emulated TSC, reliable as ITSC, RDTSCP as
        /// offered, tsc_mode/kHz/incarnation/offset/scale 0, subleaf 2 a frequency; 0x40000005 EBX
        /// 12 + the bits of the highest RAM frame (XENMEM_maximum_ram_page - 1).
        /// </summary>
        public static bool XenLeaves()
        {
            uint* r = stackalloc uint[4];
            uint* e = stackalloc uint[4];
            Get(XenCpuid.Base, 0, r);
            if (!Check.Eq("0x40000000 EAX", r[0], XenCpuid.Base + XenCpuid.MaxNumLeaves)) return false;
            Get(XenCpuid.Base + 2, 0, r);
            if (!Check.Eq("0x40000002 ECX", r[2], XenCpuid.Feat1MmuPtUpdatePreserveAd)) return false;
            Get(0x80000001, 0, e);
            uint rdtscp = (e[3] & F.RDTSCP) != 0 ? XenCpuid.TscRdtscp : 0;
            Get(0x80000007, 0, e);
            uint reliable = (e[3] & F.ITSC) != 0 ? XenCpuid.TscReliable : 0;
            Get(XenCpuid.Base + 3, 0, r);
            if (!Check.Eq("0x40000003:0 EAX", r[0], reliable | rdtscp)) return false;
            if (!Check.Eq("0x40000003:0 EBX|ECX|EDX", r[1] | r[2] | r[3], 0)) return false;
            Get(XenCpuid.Base + 3, 1, r);
            if (!Check.Eq("0x40000003:1", r[0] | r[1] | r[2] | r[3], 0)) return false;
            Get(XenCpuid.Base + 3, 2, r);
            if (!Check.True(r[0] >= 100000, "0x40000003:2 EAX: a TSC frequency in kHz")) return false;
            long maxPage = Hv.Call(Hypercall.MemoryOp, XenMemOp.XENMEM_maximum_ram_page, 0);
            if (!Check.True(maxPage > 0, "XENMEM_maximum_ram_page")) return false;
            uint bits = 12;
            for (ulong top = (ulong)maxPage - 1; top != 0; top >>= 1) bits++;
            Get(XenCpuid.Base + 5, 0, r);
            if (!Check.Eq("0x40000005 EBX machine-address width", r[1] & XenCpuid.MachineAddressWidthMask, bits)) return false;
            return Zero(XenCpuid.Base + 6, 0);
        }
    }
}
