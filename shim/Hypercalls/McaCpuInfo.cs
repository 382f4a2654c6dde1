using Microxen.Arch;
using Microxen.Xen;

namespace Microxen.Hypercalls
{
    /// <summary>
    /// One XEN_MC_physcpuinfo entry (<see cref="McinfoLogicalCpu"/>, 296 bytes) as Xen 4.17's
    /// do_mc_get_cpu_info fills it (arch/x86/cpu/mcheck/mce.c) from the struct cpuinfo_x86 that
    /// its CPU identification wrote (arch/x86/cpu/common.c early_cpu_init, generic_identify,
    /// get_model_name, display_cacheinfo; intel_cacheinfo.c): the host's raw CPUID, read here on
    /// the boot CPU for every CPU (the shim's CPUs are one model), so Xen's own later edits of
    /// x86_capability (features it clears or forces) are not in <c>mc_cpu_caps</c>. Topology as
    /// Xen's generic detect_ht: no HTT, one thread and the APIC ID as chip id; the vendor leaves
    /// (AMD 0x8000001e, Intel 0xb) are not read. <c>mc_msrvalues</c>: MCG_CAP only (Xen adds a
    /// PPIN MSR where the CPU has one; the shim does not probe it).
    /// </summary>
    public static unsafe class McaCpuInfo
    {
        static void Cpuid(uint leaf, uint sub, uint* r) => Cpu.Cpuid(leaf, sub, r);

        /// <summary>x86_cpuid_lookup_vendor (lib/x86/cpuid.c): CPUID 0's EBX, ECX, EDX to Xen's X86_VENDOR_* bit.</summary>
        public static uint Vendor(uint ebx, uint ecx, uint edx)
        {
            if (ebx == 0x756e6547 && ecx == 0x6c65746e && edx == 0x49656e69) return XenMca.VendorIntel;     // GenuineIntel
            if (ebx == 0x68747541 && ecx == 0x444d4163 && edx == 0x69746e65) return XenMca.VendorAmd;       // AuthenticAMD
            if (ebx == 0x746e6543 && ecx == 0x736c7561 && edx == 0x48727561) return XenMca.VendorCentaur;   // CentaurHauls
            if (ebx == 0x68532020 && ecx == 0x20206961 && edx == 0x68676e61) return XenMca.VendorShanghai;  // "  Shanghai  "
            if (ebx == 0x6f677948 && ecx == 0x656e6975 && edx == 0x6e65476e) return XenMca.VendorHygon;     // HygonGenuine
            return XenMca.VendorUnknown;
        }

        /// <summary>The boot CPU's MCG_CAP bank count as Xen's mca_cap_init reads it, 0 when CPUID has no MCE and MCA (mce_available: no MSR read).</summary>
        public static uint BankCount()
        {
            uint* r = stackalloc uint[4];
            Cpuid(1, 0, r);
            uint need = X86.CpuidBits.Leaf1EdxMce | X86.CpuidBits.Leaf1EdxMca;
            if ((r[3] & need) != need) return 0;
            return (uint)(Cpu.Rdmsr(X86.McMsr.IA32_MCG_CAP) & X86.McMsr.McgCapCount);
        }

        /// <summary>
        /// mcheck_init's outcome: Xen keeps its bank list (mca_allbanks) when MCE and MCA are there,
        /// MCG_CAP names a bank, and the vendor code takes the CPU (AMD and Hygon always, Intel
        /// families 6 and 15); the inject commands answer -ENODEV without it.
        /// </summary>
        public static bool McaInited()
        {
            if (BankCount() == 0) return false;
            uint* r = stackalloc uint[4];
            Cpuid(0, 0, r);
            uint v = Vendor(r[1], r[2], r[3]);
            if (v == XenMca.VendorAmd || v == XenMca.VendorHygon) return true;
            if (v != XenMca.VendorIntel) return false;
            uint family = Family(Leaf1Eax(), out _, out _);
            return family == 6 || family == 15;
        }

        /// <summary>An Intel CPU with machine-check banks whose MCG_CAP has <paramref name="bit"/>.</summary>
        public static bool IntelMcgCap(ulong bit)
        {
            if (BankCount() == 0) return false;
            uint* r = stackalloc uint[4];
            Cpuid(0, 0, r);
            return Vendor(r[1], r[2], r[3]) == XenMca.VendorIntel && (Cpu.Rdmsr(X86.McMsr.IA32_MCG_CAP) & bit) != 0;
        }

        static uint Leaf1Eax()
        {
            uint* r = stackalloc uint[4];
            Cpuid(1, 0, r);
            return r[0];
        }

        /// <summary>get_cpu_family (lib/x86/cpuid.c): family, model and stepping of CPUID 1's EAX.</summary>
        public static uint Family(uint eax, out uint model, out uint step)
        {
            uint fam = (eax >> 8) & 0xf;
            model = (eax >> 4) & 0xf;
            if (fam == 0xf) fam += (eax >> 20) & 0xff;
            if (fam >= 6) model += ((eax >> 16) & 0xf) << 4;
            step = eax & 0xf;
            return fam;
        }

        /// <summary>Fills <paramref name="e"/> for CPU <paramref name="cpu"/> (index; APIC ID <paramref name="apicId"/>); <paramref name="active"/>: the online CPUs of its package.</summary>
        public static void Fill(McinfoLogicalCpu* e, uint cpu, uint apicId, uint active)
        {
            byte* b = (byte*)e;
            for (int i = 0; i < sizeof(McinfoLogicalCpu); i++) b[i] = 0;     // xzalloc_array
            uint* r = stackalloc uint[4];
            Cpuid(0, 0, r);
            uint level = r[0];
            e->CpuidLevel = (int)level;
            e->Vendor = Vendor(r[1], r[2], r[3]);
            *(uint*)(e->VendorId + 0) = r[1]; *(uint*)(e->VendorId + 4) = r[3]; *(uint*)(e->VendorId + 8) = r[2];
            Cpuid(1, 0, r);
            uint model, step;
            e->Family = Family(r[0], out model, out step);
            e->Model = model; e->Step = step;
            e->CacheAlignment = (r[3] & X86.CpuidBits.Leaf1EdxClflush) != 0 ? ((r[1] >> 8) & 0xff) * 8 : 32;
            e->CpuCaps[0] = r[3]; e->CpuCaps[1] = r[2];            // FEATURESET_1d, 1c
            Cpuid(0x80000000, 0, r);
            uint ext = (r[0] & 0xffff0000) == 0x80000000 ? r[0] : 0;
            if (ext >= 0x80000001) { Cpuid(0x80000001, 0, r); e->CpuCaps[2] = r[3]; e->CpuCaps[3] = r[2]; }   // e1d, e1c
            if (level >= 0xd) { Cpuid(0xd, 1, r); e->CpuCaps[4] = r[0]; }                                   // Da1
            if (level >= 7) { Cpuid(7, 0, r); e->CpuCaps[5] = r[1]; e->CpuCaps[6] = r[2]; }                  // 7b0, 7c0
            BrandString(e->BrandId, ext);
            if (e->BrandId[0] == 0) { Hex2(e->BrandId, e->Vendor); e->BrandId[2] = (byte)'/'; Hex2(e->BrandId + 3, model); }
            uint cores = MaxCores(e->Vendor, level, ext);
            e->CacheSize = e->Vendor == XenMca.VendorIntel ? IntelCacheSize(level) : AmdCacheSize(ext);
            e->Cpunr = cpu;
            e->Apicid = apicId;
            e->Chipid = apicId;                 // phys_proc_id = apicid without HTT
            e->Coreid = 0;
            e->Threadid = 0;                    // apicid & ((1 << (x86_num_siblings - 1)) - 1), siblings 1
            e->Ncores = cores;
            e->NcoresActive = active;
            e->Nthreads = 1;
            e->Clusterid = apicId & 0xff;       // CPUID 1 EBX[31:24] on that CPU: its initial APIC ID
            e->Nmsrvals = 1;
            e->MsrValues[0] = X86.McMsr.IA32_MCG_CAP;
            e->MsrValues[1] = BankCount() != 0 ? Cpu.Rdmsr(X86.McMsr.IA32_MCG_CAP) : 0;
        }

        /// <summary>get_model_name: leaves 0x80000002-4, leading spaces removed, zero-padded; "VV/MM" (vendor bit, model, hex) without them.</summary>
        static void BrandString(byte* dst, uint ext)
        {
            if (ext < 0x80000004) return;     // the caller's "last resort" then
            uint* v = (uint*)dst;
            for (uint k = 0; k < 3; k++) Cpuid(0x80000002 + k, 0, v + 4 * k);
            dst[48] = 0;
            int p = 0;
            while (dst[p] == (byte)' ') p++;
            if (p == 0) return;
            int q = 0;
            while (dst[p] != 0) dst[q++] = dst[p++];
            while (q <= 48) dst[q++] = 0;
        }

        /// <summary>"%02x" of the low byte of <paramref name="v"/>.</summary>
        static void Hex2(byte* d, uint v)
        {
            uint hi = (v >> 4) & 0xf, lo = v & 0xf;
            d[0] = (byte)(hi < 10 ? '0' + hi : 'a' + hi - 10);
            d[1] = (byte)(lo < 10 ? '0' + lo : 'a' + lo - 10);
        }

        /// <summary>x86_max_cores: AMD/Hygon CPUID 0x80000008 ECX[7:0] + 1, Intel leaf 4 EAX[31:26] + 1, else 1.</summary>
        static uint MaxCores(uint vendor, uint level, uint ext)
        {
            uint* r = stackalloc uint[4];
            if ((vendor == XenMca.VendorAmd || vendor == XenMca.VendorHygon) && ext >= 0x80000008)
            {
                Cpuid(0x80000008, 0, r);
                return (r[2] & 0xff) + 1;
            }
            if (vendor == XenMca.VendorIntel && level >= 4)
            {
                Cpuid(4, 0, r);
                if ((r[0] & 0x1f) != 0) return (r[0] >> 26) + 1;
            }
            return 1;
        }

        /// <summary>display_cacheinfo: L1 I+D KiB (0x80000005), replaced by L2 KiB (0x80000006 ECX[31:16]), then by L3 (EDX[31:18] x 512 KiB).</summary>
        static uint AmdCacheSize(uint ext)
        {
            uint* r = stackalloc uint[4];
            uint size = 0;
            if (ext >= 0x80000005)
            {
                Cpuid(0x80000005, 0, r);
                if (((r[3] | r[2]) >> 24) != 0) size = (r[2] >> 24) + (r[3] >> 24);
            }
            if (ext < 0x80000006) return size;
            Cpuid(0x80000006, 0, r);
            if ((r[2] >> 16) != 0) size = r[2] >> 16;
            if ((r[3] >> 18) != 0) size = (r[3] >> 18) * 512;
            return size;
        }

        /// <summary>init_intel_cacheinfo through leaf 4: L3 KiB, else L2, else L1 I+D.</summary>
        static uint IntelCacheSize(uint level)
        {
            if (level < 4) return 0;
            uint* r = stackalloc uint[4];
            uint l1 = 0, l2 = 0, l3 = 0;
            for (uint i = 0; i < 16; i++)
            {
                Cpuid(4, i, r);
                uint type = r[0] & 0x1f;
                if (type == 0) break;
                ulong bytes = (ulong)((r[1] >> 22) + 1) * (((r[1] >> 12) & 0x3ff) + 1) * ((r[1] & 0xfff) + 1) * ((ulong)r[2] + 1);
                uint kib = (uint)(bytes / 1024);
                uint lvl = (r[0] >> 5) & 7;
                if (lvl == 1) l1 += kib;                 // data and instruction: Xen adds both
                else if (lvl == 2) l2 = kib;
                else if (lvl == 3) l3 = kib;
            }
            return l3 != 0 ? l3 : l2 != 0 ? l2 : l1;
        }
    }
}
