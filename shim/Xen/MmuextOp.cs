namespace Microxen.Xen
{
    /// <summary>
    /// struct mmuext_op, 24 bytes: one request of the mmuext_op hypercall. arg1 and arg2 are
    /// unions, given as overlapping fields. Source: xen/include/public/xen.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct MmuextOp
    {
        /// <summary>MMUEXT_* command (<see cref="MmuextCmd"/>).</summary>
        [FieldOffset(0)] public uint Cmd;
        /// <summary>arg1.mfn: frame for [UN]PIN_TABLE, NEW_BASEPTR, NEW_USER_BASEPTR, CLEAR_PAGE, COPY_PAGE, [UN]MARK_SUPER.</summary>
        [FieldOffset(8)] public ulong Mfn;
        /// <summary>arg1.linear_addr: virtual address for INVLPG_LOCAL, INVLPG_ALL, SET_LDT.</summary>
        [FieldOffset(8)] public ulong LinearAddr;
        /// <summary>arg2.nr_ents: LDT entries for SET_LDT.</summary>
        [FieldOffset(16)] public uint NrEnts;
        /// <summary>arg2.vcpumask: guest handle (pointer) to a vCPU bitmap for TLB_FLUSH_MULTI, INVLPG_MULTI.</summary>
        [FieldOffset(16)] public ulong Vcpumask;
        /// <summary>arg2.src_mfn: source frame for COPY_PAGE.</summary>
        [FieldOffset(16)] public ulong SrcMfn;
    }
}
