namespace Microxen.Traps
{
    /// <summary>The numbers of Xen 4.17's PV CPUID policy (also compiled into kernel-test, whose CPUID rows check them).</summary>
    public static partial class CpuidPolicy
    {
        /// <summary>CPUID_GUEST_NR_BASIC - 1, CPUID_GUEST_NR_FEAT - 1, CPUID_GUEST_NR_CACHE, CPUID_GUEST_NR_XSTATE - 1 (Xen 4.17 lib/x86/cpu-policy.h).</summary>
        public const uint MaxBasicLeaf = 0xd, MaxFeatSubleaf = 2, CacheSubleaves = 6, MaxXstateSubleaf = 62;
        /// <summary>The last extended leaf Xen offers: CPUID_GUEST_NR_EXTD_AMD - 1 (AMD, Hygon), CPUID_GUEST_NR_EXTD_INTEL - 1 (others).</summary>
        public const uint MaxExtLeafAmd = 0x80000021, MaxExtLeafIntel = 0x80000008;
        /// <summary>XSTATE_AREA_MIN_SIZE: the legacy area and the XSAVE header (SDM vol. 1, 13.4), the size of x87|SSE state.</summary>
        public const uint XsaveAreaMinSize = 512 + 64;
        /// <summary>XCR0 components: x87, SSE, AVX (YMM_Hi128), MPX BNDREGS/BNDCSR, AVX-512 opmask/ZMM_Hi256/Hi16_ZMM, PKRU (SDM vol. 1, 13.1).</summary>
        public const uint XcrFpSse = 0x3, XcrYmm = 0x4, XcrMpx = 0x18, XcrAvx512 = 0xe0, XcrPkru = 0x200;
        /// <summary>Linear-address width Xen reports for a 64-bit PV guest (recalculate_cpuid_policy: lm ? 48 : 32).</summary>
        public const uint LinearAddressBits = 48;
    }
}
