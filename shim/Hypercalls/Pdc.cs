using Microxen.Arch;

namespace Microxen.Hypercalls
{
    /// <summary>
    /// XENPF_set_processor_pminfo XEN_PM_PDC: the processor capability bits Linux passes to ACPI
    /// _PDC, adjusted as Xen 4.17's acpi_set_pdc_bits (drivers/acpi/pmstat.c) and
    /// arch_acpi_set_pdc_bits (arch/x86/acpi/lib.c) do. Buffer (uint32): revision (must be 1),
    /// count (non-zero), bits; only the bits word is written back. Errors: -EFAULT, -EINVAL
    /// (revision, count, an ACPI id that is not the boot CPU's: the shim's one CPU has ACPI id 0).
    /// Bit values: Linux include/acpi/pdc_intel.h (ACPI_PDC_*).
    /// </summary>
    public static unsafe class Pdc
    {
        const uint RevisionId = 1;
        const uint PFfh = 0x0001, C1Halt = 0x0002, TFfh = 0x0004, SmpC1pt = 0x0008, SmpC2c3 = 0x0010;
        const uint SmpPSwcoord = 0x0020, SmpCSwcoord = 0x0040, SmpTSwcoord = 0x0080;
        const uint CC1Ffh = 0x0100, CC2c3Ffh = 0x0200, SmpPHwcoord = 0x0800;
        const uint CMask = C1Halt | CC1Ffh | SmpC2c3 | SmpCSwcoord | CC2c3Ffh;
        const uint PMask = PFfh | SmpPSwcoord | SmpPHwcoord;
        const uint TMask = TFfh | SmpTSwcoord;
        const uint CCapabilitySmp = SmpC2c3 | SmpC1pt | C1Halt | CC1Ffh | CC2c3Ffh;
        const uint EstCapabilitySwsmp = SmpC1pt | PFfh | SmpPSwcoord;

        public static long Set(uint acpiId, uint* pdc, bool px, bool cx)
        {
            if (pdc[0] != RevisionId || pdc[1] == 0) return -Xen.XenErrno.EINVAL;
            uint bits = pdc[2];
            uint mask = 0;
            if (cx) mask |= CMask | SmpC1pt;
            if (px) mask |= PMask | SmpC1pt;
            bits &= (CMask | PMask | TMask | SmpC1pt) & ~mask;
            if (acpiId != 0 && acpiId != 0xffffffff) return -Xen.XenErrno.EINVAL;
            uint* r = stackalloc uint[4];
            Cpu.Cpuid(0, 0, r);
            uint maxLeaf = r[0];
            Cpu.Cpuid(1, 0, r);
            uint ecx1 = r[2], edx1 = r[3];
            bits |= CCapabilitySmp & mask;
            if ((ecx1 & X86.CpuidBits.Leaf1EcxEist) != 0) bits |= EstCapabilitySwsmp & mask;
            if ((edx1 & X86.CpuidBits.Leaf1EdxAcpi) != 0) bits |= TFfh & mask;
            uint ecx5 = 0;
            if ((ecx1 & X86.CpuidBits.Leaf1EcxMonitor) != 0 && maxLeaf >= X86.CpuidBits.MwaitLeaf)
            {
                Cpu.Cpuid(X86.CpuidBits.MwaitLeaf, 0, r);
                ecx5 = r[2];
            }
            if ((ecx5 & X86.CpuidBits.MwaitEcxExtensions) == 0 || (ecx5 & X86.CpuidBits.MwaitEcxInterruptBreak) == 0)
                bits &= ~(CC1Ffh | CC2c3Ffh);
            pdc[2] = bits;
            return 0;
        }
    }
}
