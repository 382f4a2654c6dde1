namespace Microxen.Traps
{
    /// <summary>
    /// CPUID behind Xen's forced-emulation prefix <c>ud2; .ascii "xen"; cpuid</c> (bytes
    /// 0f 0b 78 65 6e 0f a2), which raises #UD in ring 0: the #UD handler answers with Xen's PV
    /// policy and skips the 7 bytes. Hypervisor leaves as Xen's (xen/arch/x86/traps.c,
    /// cpuid_hypervisor_leaves): 0x40000000 "XenVMMXenVMM", 0x40000001 the version, 0x40000002
    /// one hypercall page at MSR 0x40000000. Native leaves pass through masked to the features
    /// Xen offers a PV guest by default (<see cref="CpuidPvMask"/>), with the hypervisor bit set
    /// and OSXSAVE mirroring CR4.
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
        }

        public static void Emulate(CpuFrame* f)
        {
            uint leaf = (uint)f->Rax, sub = (uint)f->Rcx;
            uint* r = stackalloc uint[4];
            Leaf(leaf, sub, r);
            f->Rax = r[0]; f->Rbx = r[1]; f->Rcx = r[2]; f->Rdx = r[3];
            f->Rip += PrefixLength;
        }

        public static void Leaf(uint leaf, uint sub, uint* r)
        {
            if ((leaf & 0xffff0000) == 0x40000000)
            {
                r[0] = r[1] = r[2] = r[3] = 0;
                switch (leaf)
                {
                    case 0x40000000:
                        r[0] = 0x40000005;
                        r[1] = 0x566e6558;  // "XenV"
                        r[2] = 0x65584d4d;  // "MMXe"
                        r[3] = 0x4d4d566e;  // "nVMM"
                        break;
                    case 0x40000001:
                        r[0] = Xen.XenRelease.Version;   // Xen 4.17's interface
                        break;
                    case 0x40000002:
                        r[0] = 1;                  // hypercall transfer pages
                        r[1] = 0x40000000;         // MSR that installs one
                        break;
                }
                return;
            }
            Cpu.Cpuid(leaf, sub, r);
            // Xen's default PV featureset (CpuidPvMask.g.cs, generated from cpufeatureset.h).
            for (int i = 0; i < CpuidPvMask.Words; i++)
            {
                uint l, sl, mask; int reg;
                CpuidPvMask.Get(i, out l, out sl, out reg, out mask);
                if (l == leaf && sl == sub) r[reg] &= mask;
            }
            if (leaf == 1)
            {
                r[2] |= X86.CpuidBits.Leaf1EcxHypervisor;
                if ((Cpu.ReadCr4() & X86.Cr4.OSXSAVE) != 0) r[2] |= X86.CpuidBits.Leaf1EcxOsxsave;   // mirrors CR4 (EnableXsave)
            }
        }
    }
}
