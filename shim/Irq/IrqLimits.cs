namespace Microxen.Irq
{
    /// <summary>
    /// Xen 4.17's interrupt-number limits (xen/arch/x86/io_apic.c ioapic_init, arch_hwdom_irqs;
    /// xen/common/domain.c domain_create), computed from the machine's IO-APICs and CPUs as Xen
    /// computes them with its default options (no nr_irqs=, max_gsi_irqs=, extra_guest_irqs=):
    /// <list type="bullet">
    /// <item>nr_irqs_gsi = max(sum of IO-APIC pins, highest GSI + 1), 16 without IO-APICs or if
    ///   below 16, at most max_gsi_irqs = nr_irqs / 8 (≥ 16);</item>
    /// <item>nr_irqs = max(present CPUs × NR_DYNAMIC_VECTORS, 8 × nr_irqs_gsi);</item>
    /// <item>dom0's nr_pirqs = min(nr_irqs_gsi + fls(min(CPUs, dom0 vCPUs)) × NR_DYNAMIC_VECTORS,
    ///   nr_irqs, PAGE_SIZE × 8 (the pirq EOI bitmap)).</item>
    /// </list>
    /// PHYSDEVOP_irq_status_query and eoi take pirqs below nr_pirqs, setup_gsi GSIs below nr_irqs_gsi.
    /// </summary>
    public static class IrqLimits
    {
        /// <summary>FIRST_DYNAMIC_VECTOR 0x20 .. LAST_DYNAMIC_VECTOR 0xef (irq_vectors.h).</summary>
        public const uint NrDynamicVectors = 0xef - 0x20 + 1;
        /// <summary>Bits in dom0's pirq EOI page (PHYSDEVOP_pirq_eoi_gmfn).</summary>
        public const uint EoiBitmapBits = 4096 * 8;
        public const uint IsaIrqs = 16;

        /// <summary>Xen's nr_irqs_gsi; <paramref name="pinSum"/> 0 = no IO-APIC.</summary>
        public static uint GsiCount(uint pinSum, uint highestGsiPlusOne)
        {
            if (pinSum == 0) return IsaIrqs;
            uint n = pinSum > highestGsiPlusOne ? pinSum : highestGsiPlusOne;
            if (n < IsaIrqs) return IsaIrqs;
            // max_gsi_irqs = nr_irqs / 8 where nr_irqs is not yet known (0): PAGE_SIZE, then clamped to the bitmap.
            uint max = 4096;
            return n > max ? max : n;
        }

        /// <summary>Xen's nr_irqs for <paramref name="cpus"/> present CPUs with a local APIC.</summary>
        public static uint IrqCount(uint gsis, uint cpus)
        {
            uint a = cpus * NrDynamicVectors, b = 8 * gsis;
            return a > b ? a : b;
        }

        /// <summary>Index of the highest set bit plus one (Xen's fls), 0 for 0.</summary>
        public static uint Fls(uint x)
        {
            uint n = 0;
            while (x != 0) { n++; x >>= 1; }
            return n;
        }

        /// <summary>dom0's nr_pirqs with <paramref name="dom0Vcpus"/> vCPUs.</summary>
        public static uint Dom0Pirqs(uint gsis, uint cpus, uint dom0Vcpus)
        {
            uint f = Fls(cpus);
            if (f > dom0Vcpus) f = dom0Vcpus;
            uint n = gsis + f * NrDynamicVectors;
            uint irqs = IrqCount(gsis, cpus);
            if (n > irqs) n = irqs;
            return n > EoiBitmapBits ? EoiBitmapBits : n;
        }
    }
}
