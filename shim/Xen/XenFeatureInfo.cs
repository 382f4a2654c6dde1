namespace Microxen.Xen
{
    /// <summary>
    /// struct xen_feature_info, 8 bytes: argument of XENVER_get_features.
    /// Source: xen/include/public/version.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct XenFeatureInfo
    {
        /// <summary>IN: index of the 32-bit submap (feature N is bit N%32 of submap N/32).</summary>
        [FieldOffset(0)] public uint SubmapIdx;
        /// <summary>OUT: the 32 feature bits (<see cref="XenFeature"/>).</summary>
        [FieldOffset(4)] public uint Submap;
    }
}
