namespace Microxen.Xen
{
    /// <summary>
    /// struct arch_shared_info (x86_64), 48 bytes: p2m bookkeeping and the NMI reason.
    /// Source: xen/include/public/arch-x86/xen.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 48)]
    public struct ArchSharedInfo
    {
        /// <summary>Number of valid entries in the p2m (pfns).</summary>
        [FieldOffset(0)] public ulong MaxPfn;
        /// <summary>Frame of the 3-level p2m frame list list; 0 = not set, ~0 = invalid.</summary>
        [FieldOffset(8)] public ulong PfnToMfnFrameListList;
        /// <summary>NMI reason bits.</summary>
        [FieldOffset(16)] public ulong NmiReason;
        /// <summary>cr3 value (folded frame) of the address space in which <see cref="P2mVaddr"/> is valid.</summary>
        [FieldOffset(24)] public ulong P2mCr3;
        /// <summary>Virtual address of the linear p2m list.</summary>
        [FieldOffset(32)] public ulong P2mVaddr;
        /// <summary>Generation count of the p2m mapping (odd while changing).</summary>
        [FieldOffset(40)] public ulong P2mGeneration;
    }
}
