using Microxen.Xen;

namespace Microxen.Traps
{
    /// <summary>
    /// CPUID behind Xen's forced-emulation prefix <c>ud2; .ascii "xen"; cpuid</c> (bytes
    /// 0f 0b 78 65 6e 0f a2), which raises #UD in ring 0: the #UD handler answers with Xen's PV
    /// policy and skips the 7 bytes. Hypervisor leaves as Xen's (<see cref="HypervisorLeaf"/>).
    /// Native leaves: the host's, masked to the features Xen offers a PV guest by default
    /// (<see cref="CpuidPvMask"/>), then Xen's policy rules (<see cref="CpuidPolicy"/>), with the
    /// hypervisor bit set and OSXSAVE mirroring CR4.
    /// </summary>
    public static unsafe class CpuidEmulation
    {
        public const int PrefixLength = 7;

        /// <summary>True when the bytes at <paramref name="rip"/> are the forced-emulation prefix.</summary>
        public static bool IsForcedCpuid(byte* rip)
        {
            return rip[0] == 0x0f && rip[1] == 0x0b && rip[2] == 0x78 && rip[3] == 0x65
                && rip[4] == 0x6e && rip[5] == 0x0f && rip[6] == 0xa2;
        }

        /// <summary>
        /// Sets CR4.OSXSAVE when the CPU has XSAVE (CPUID 1 ECX bit 26), as Xen does for itself at
        /// boot (xen/arch/x86/xstate.c, xstate_init; XCR0 stays at its reset value, x87, until the
        /// guest's xsetbv). A PV kernel's enlightened CPUID then reports OSXSAVE (Xen 4.17's
        /// cpuid.c leaks Xen's CR4.OSXSAVE to the guest kernel), which Linux's xen_check_xsave
        /// requires before it uses XSAVE and AVX. Without it the guest ran on FXSAVE, with no AVX,
        /// AVX2, FMA, XSAVEOPT or VAES, unlike Xen 4.17's dom0. Call on the boot CPU before the APs
        /// copy its CR4 (Smp.ApBoot). The shim's own FPU use stays fxsave/fxrstor: its code is
        /// legacy SSE (ilc x86-64-v2), which leaves the upper halves of the YMM registers alone.
        /// </summary>
        public static void EnableXsave()
        {
            uint* r = stackalloc uint[4];
            Cpu.Cpuid(1, 0, r);
            if ((r[2] & X86.CpuidBits.Leaf1EcxXsave) != 0) Cpu.WriteCr4(Cpu.ReadCr4() | X86.Cr4.OSXSAVE);
            CpuidPolicy.Init();   // the host facts, read once on the boot CPU
        }

        public static void Emulate(CpuFrame* f)
        {
            uint leaf = (uint)f->Rax, sub = (uint)f->Rcx;
            uint* r = stackalloc uint[4];
            Leaf(leaf, sub, r, (f->Cs & X86.Selector.RplMask) == 0);
            f->Rax = r[0]; f->Rbx = r[1]; f->Rcx = r[2]; f->Rdx = r[3];
            f->Rip += PrefixLength;
        }

        /// <summary>Xen 4.17's guest_cpuid for a PV dom0; <paramref name="kernel"/>: asked from the guest kernel (ring 0).</summary>
        public static void Leaf(uint leaf, uint sub, uint* r, bool kernel)
        {
            if ((leaf & 0xfffffe00) == XenCpuid.Base)
            {
                HypervisorLeaf(leaf, sub, r);
                return;
            }
            if (CpuidPolicy.Read(leaf, sub, r)) return;
            // Xen's default PV featureset (CpuidPvMask.g.cs, generated from cpufeatureset.h).
            for (int i = 0; i < CpuidPvMask.Words; i++)
            {
                uint l, sl, mask; int reg;
                CpuidPvMask.Get(i, out l, out sl, out reg, out mask);
                if (l == leaf && sl == sub) r[reg] &= mask;
            }
            CpuidPolicy.Apply(leaf, sub, r, kernel);
            if (leaf == 1)
            {
                r[2] |= X86.CpuidBits.Leaf1EcxHypervisor;
                if ((Cpu.ReadCr4() & X86.Cr4.OSXSAVE) != 0) r[2] |= X86.CpuidBits.Leaf1EcxOsxsave;   // mirrors CR4 (EnableXsave)
            }
        }

        /// <summary>
        /// Leaves 0x40000000-0x400001ff as Xen 4.17's cpuid_hypervisor_leaves (xen/arch/x86/traps.c)
        /// answers a PV dom0: past Base + 5 zeros; 2: ECX MMU_PT_UPDATE_PRESERVE_AD; 3: the time
        /// leaf of a dom0 (no TSC emulation, tsc_mode 0, tsc_khz, offset and scale 0: Xen's
        /// tsc_set_info leaves dom0's alone), subleaf 2 the TSC's kHz; 5: EBX the machine-address
        /// width, 12 + the bits of the highest machine frame (get_upper_mfn_bound).
        /// </summary>
        static void HypervisorLeaf(uint leaf, uint sub, uint* r)
        {
            r[0] = r[1] = r[2] = r[3] = 0;
            switch (leaf)
            {
                case XenCpuid.Base:
                    r[0] = XenCpuid.Base + XenCpuid.MaxNumLeaves;
                    r[1] = XenCpuid.SignatureEbx;
                    r[2] = XenCpuid.SignatureEcx;
                    r[3] = XenCpuid.SignatureEdx;
                    break;
                case XenCpuid.Base + 1:
                    r[0] = Xen.XenRelease.Version;   // Xen 4.17's interface
                    break;
                case XenCpuid.Base + 2:
                    r[0] = 1;                  // hypercall transfer pages
                    r[1] = XenCpuid.Base;      // MSR that installs one
                    r[2] = XenCpuid.Feat1MmuPtUpdatePreserveAd;
                    break;
                case XenCpuid.Base + 3:
                    CpuidPolicy.Init();
                    if (sub == 0)
                        r[0] = (CpuidPolicy.HostItsc ? XenCpuid.TscReliable : 0) | (CpuidPolicy.HostRdtscp ? XenCpuid.TscRdtscp : 0);
                    else if (sub == 2)
                        r[0] = (uint)(Time.Tsc.Hz / 1000);
                    break;
                case XenCpuid.Base + 5:
                    if (sub == 0) r[1] = MachineAddressWidth(Boot.Host.FrameCount);
                    break;
            }
        }

        /// <summary>12 + fls(min(frames, 2^32, 2^(paddr_bits - 12)) - 1): Xen's flsl(get_upper_mfn_bound()) + PAGE_SHIFT.</summary>
        public static uint MachineAddressWidth(ulong frames)
        {
            CpuidPolicy.Init();
            if (frames > 1UL << 32) frames = 1UL << 32;
            ulong cap = 1UL << (int)(CpuidPolicy.PaddrBits - 12);
            if (frames > cap) frames = cap;
            ulong top = frames - 1;
            uint bits = 0;
            while (top != 0) { bits++; top >>= 1; }
            return bits + 12;
        }
    }
}
