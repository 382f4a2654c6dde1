namespace Microxen.Xen
{
    /// <summary>
    /// struct xen_platform_parameters, 8 bytes: result of XENVER_platform_parameters.
    /// Source: xen/include/public/version.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct XenPlatformParameters
    {
        /// <summary>Start of the hypervisor hole (HYPERVISOR_VIRT_START).</summary>
        [FieldOffset(0)] public ulong VirtStart;
    }
}
