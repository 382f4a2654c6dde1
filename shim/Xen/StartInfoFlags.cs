namespace Microxen.Xen
{
    /// <summary>
    /// SIF_* bits of <see cref="StartInfo.Flags"/> (32-bit). Source: xen/include/public/xen.h.
    /// </summary>
    public static class StartInfoFlags
    {
        /// <summary>SIF_PRIVILEGED: the domain is privileged.</summary>
        public const uint Privileged = 1u << 0;
        /// <summary>SIF_INITDOMAIN: the initial control domain (dom0).</summary>
        public const uint InitDomain = 1u << 1;
        /// <summary>SIF_MULTIBOOT_MOD: mod_start/mod_len describe a multiboot module list.</summary>
        public const uint MultibootMod = 1u << 2;
        /// <summary>SIF_MOD_START_PFN: mod_start is a pfn, not a virtual address.</summary>
        public const uint ModStartPfn = 1u << 3;
        /// <summary>SIF_VIRT_P2M_4TOOLS: tools understand a virtually mapped p2m.</summary>
        public const uint VirtP2m4Tools = 1u << 4;
        /// <summary>SIF_PM_MASK: byte reserved for xen-pm options.</summary>
        public const uint PmMask = 0xFFu << 8;
        /// <summary>Shift of the xen-pm byte in SIF_PM_MASK.</summary>
        public const int PmShift = 8;
        /// <summary>XEN_PROCESSOR_PM_CX (public/platform.h): the hypervisor controls C-states.</summary>
        public const uint ProcessorPmCx = 1;
        /// <summary>XEN_PROCESSOR_PM_PX (public/platform.h): the hypervisor controls P-states.</summary>
        public const uint ProcessorPmPx = 2;
        /// <summary>
        /// The xen-pm byte Xen 4.17 gives dom0 by default: xen_processor_pmbits is PX
        /// (xen/common/domain.c; cpufreq=xen is the default), plus CX because cpuidle is on
        /// (xen/arch/x86/setup.c), and dom0_construct_pv() stores (pmbits &lt;&lt; 8) &amp; SIF_PM_MASK:
        /// dom0 leaves processor C- and P-states to the hypervisor (measured: flags 0x303).
        /// </summary>
        public const uint Dom0PmBits = ((ProcessorPmCx | ProcessorPmPx) << PmShift) & PmMask;

        // The same bits under Xen's names.
        public const uint SIF_PRIVILEGED = Privileged;
        public const uint SIF_INITDOMAIN = InitDomain;
        public const uint SIF_MULTIBOOT_MOD = MultibootMod;
        public const uint SIF_MOD_START_PFN = ModStartPfn;
        public const uint SIF_VIRT_P2M_4TOOLS = VirtP2m4Tools;
        public const uint SIF_PM_MASK = PmMask;
    }
}
