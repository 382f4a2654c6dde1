namespace Microxen.Xen
{
    /// <summary>
    /// The Xen release microxen answers as: 4.17, whose behaviour it reproduces. Reported by
    /// XENVER_version (Hypercalls/VersionOps.cs and the native fast path) and CPUID leaf
    /// 0x40000001 EAX (Traps/CpuidEmulation.cs), both encoded (major &lt;&lt; 16) | minor
    /// (public/version.h; xen/arch/x86/cpuid.c).
    /// </summary>
    public static class XenRelease
    {
        public const uint Major = 4;
        public const uint Minor = 17;
        /// <summary>(major &lt;&lt; 16) | minor.</summary>
        public const uint Version = (Major << 16) | Minor;
    }
}
