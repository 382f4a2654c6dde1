namespace Microxen.Xen
{
    /// <summary>
    /// Xen's hypervisor CPUID leaves 0x40000000-0x40000005 (public/arch-x86/cpuid.h; answered by
    /// Xen 4.17's cpuid_hypervisor_leaves, xen/arch/x86/traps.c).
    /// </summary>
    public static class XenCpuid
    {
        /// <summary>The first hypervisor leaf; 0x40000000 EAX is Base + MaxNumLeaves.</summary>
        public const uint Base = 0x40000000;
        /// <summary>XEN_CPUID_MAX_NUM_LEAVES: the last leaf is Base + 5 (PV-specific parameters).</summary>
        public const uint MaxNumLeaves = 5;
        /// <summary>XEN_CPUID_SIGNATURE_EBX/ECX/EDX: "XenVMMXenVMM".</summary>
        public const uint SignatureEbx = 0x566e6558, SignatureEcx = 0x65584d4d, SignatureEdx = 0x4d4d566e;
        /// <summary>Leaf 3 (Base + 2) ECX: XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD (bit 0).</summary>
        public const uint Feat1MmuPtUpdatePreserveAd = 1u << 0;
        /// <summary>Leaf 4 (Base + 3) subleaf 0 EAX: emulated TSC (0), host TSC reliable (1), RDTSCP available (2).</summary>
        public const uint TscEmulated = 1u << 0, TscReliable = 1u << 1, TscRdtscp = 1u << 2;
        /// <summary>Leaf 6 (Base + 5) EBX: XEN_CPUID_MACHINE_ADDRESS_WIDTH_MASK, the maximum machine address width in bits.</summary>
        public const uint MachineAddressWidthMask = 0xffu;
    }
}
