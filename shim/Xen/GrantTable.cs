// HYPERVISOR_grant_table_op: commands, flags, status codes, argument structs and the shared
// grant entries. Source: xen/include/public/grant_table.h (Xen 4.17).
namespace Microxen.Xen
{
    /// <summary>grant_table_op commands (GNTTABOP_*) and the limits Xen 4.17 gives dom0.</summary>
    public static class GnttabOp
    {
        public const int GNTTABOP_map_grant_ref = 0;
        public const int GNTTABOP_unmap_grant_ref = 1;
        public const int GNTTABOP_setup_table = 2;
        public const int GNTTABOP_dump_table = 3;
        public const int GNTTABOP_transfer = 4;
        public const int GNTTABOP_copy = 5;
        public const int GNTTABOP_query_size = 6;
        public const int GNTTABOP_unmap_and_replace = 7;
        public const int GNTTABOP_set_version = 8;
        public const int GNTTABOP_get_status_frames = 9;
        public const int GNTTABOP_get_version = 10;
        public const int GNTTABOP_swap_grant_ref = 11;
        public const int GNTTABOP_cache_flush = 12;

        /// <summary>GNTTABOP_CMD_MASK (common/grant_table.c, not a public header: (1 &lt;&lt; GNTTABOP_CONTINUATION_ARG_SHIFT) - 1): the command bits of the first argument; the rest (GNTTABOP_ARG_MASK) must be 0 but for cache_flush.</summary>
        public const uint CmdMask = (1u << 12) - 1;

        /// <summary>Xen 4.17's opt_max_grant_frames (common/grant_table.c): dom0's max_grant_frames.</summary>
        public const uint MaxGrantFrames = 64;
        /// <summary>INITIAL_NR_GRANT_FRAMES: the frames a domain's table has from creation.</summary>
        public const uint InitialGrantFrames = 1;
        /// <summary>GNTTAB_NR_RESERVED_ENTRIES: entries preserved across set_version.</summary>
        public const uint NrReservedEntries = 8;
    }

    /// <summary>grant_entry_v1/v2 flags (GTF_*). grant_table.h.</summary>
    public static class Gtf
    {
        public const ushort Invalid = 0;
        public const ushort PermitAccess = 1;
        public const ushort AcceptTransfer = 2;
        public const ushort Transitive = 3;
        public const ushort TypeMask = 3;
        public const ushort Readonly = 1 << 2;
        public const ushort Reading = 1 << 3;
        public const ushort Writing = 1 << 4;
        public const ushort Pwt = 1 << 5;
        public const ushort Pcd = 1 << 6;
        public const ushort Pat = 1 << 7;
        public const ushort SubPage = 1 << 8;
    }

    /// <summary>map_grant_ref flags (GNTMAP_*) and copy flags (GNTCOPY_*). grant_table.h.</summary>
    public static class GntMap
    {
        public const uint DeviceMap = 1 << 0;
        public const uint HostMap = 1 << 1;
        public const uint Readonly = 1 << 2;
        public const uint ApplicationMap = 1 << 3;
        public const uint ContainsPte = 1 << 4;
        /// <summary>_GNTMAP_guest_avail0: GNTMAP bits from here on are copied into the PTE's available bits.</summary>
        public const int GuestAvail0 = 16;
        public const ushort CopySourceGref = 1 << 0;
        public const ushort CopyDestGref = 1 << 1;
    }

    /// <summary>Per-operation status codes (GNTST_*), in the status fields. grant_table.h.</summary>
    public static class Gntst
    {
        public const short Okay = 0;
        public const short GeneralError = -1;
        public const short BadDomain = -2;
        public const short BadGntref = -3;
        public const short BadHandle = -4;
        public const short BadVirtAddr = -5;
        public const short BadDevAddr = -6;
        public const short NoDeviceSpace = -7;
        public const short PermissionDenied = -8;
        public const short BadPage = -9;
        public const short BadCopyArg = -10;
        public const short AddressTooBig = -11;
        public const short Eagain = -12;
        public const short NoSpace = -13;
    }

    /// <summary>struct grant_entry_v1, 8 bytes. grant_table.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct GrantEntryV1
    {
        [FieldOffset(0)] public ushort Flags;
        [FieldOffset(2)] public ushort Domid;
        [FieldOffset(4)] public uint Frame;
    }

    /// <summary>union grant_entry_v2, 16 bytes: the header and full_page.frame (the sub_page and transitive forms are not served). grant_table.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct GrantEntryV2
    {
        [FieldOffset(0)] public ushort Flags;
        [FieldOffset(2)] public ushort Domid;
        [FieldOffset(8)] public ulong Frame;
    }

    /// <summary>struct gnttab_setup_table, 24 bytes (IN dom, nr_frames, frame_list; OUT status). grant_table.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct GnttabSetupTable
    {
        [FieldOffset(0)] public ushort Dom;
        [FieldOffset(4)] public uint NrFrames;
        [FieldOffset(8)] public short Status;
        /// <summary>XEN_GUEST_HANDLE(xen_pfn_t): nr_frames 64-bit frame numbers.</summary>
        [FieldOffset(16)] public ulong FrameList;
    }

    /// <summary>struct gnttab_query_size, 16 bytes (IN dom; OUT nr_frames, max_nr_frames, status). grant_table.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct GnttabQuerySize
    {
        [FieldOffset(0)] public ushort Dom;
        [FieldOffset(4)] public uint NrFrames;
        [FieldOffset(8)] public uint MaxNrFrames;
        [FieldOffset(12)] public short Status;
    }

    /// <summary>struct gnttab_set_version, 4 bytes (IN/OUT version). grant_table.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct GnttabSetVersion
    {
        [FieldOffset(0)] public uint Version;
    }

    /// <summary>struct gnttab_get_version, 8 bytes (IN dom; OUT version). grant_table.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct GnttabGetVersion
    {
        [FieldOffset(0)] public ushort Dom;
        [FieldOffset(4)] public uint Version;
    }

    /// <summary>struct gnttab_get_status_frames, 16 bytes (IN nr_frames, dom, frame_list; OUT status). grant_table.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct GnttabGetStatusFrames
    {
        [FieldOffset(0)] public uint NrFrames;
        [FieldOffset(4)] public ushort Dom;
        [FieldOffset(6)] public short Status;
        /// <summary>XEN_GUEST_HANDLE(uint64_t).</summary>
        [FieldOffset(8)] public ulong FrameList;
    }

    /// <summary>struct gnttab_map_grant_ref, 32 bytes (IN host_addr, flags, ref, dom; OUT status, handle, dev_bus_addr). grant_table.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public struct GnttabMapGrantRef
    {
        [FieldOffset(0)] public ulong HostAddr;
        [FieldOffset(8)] public uint Flags;
        [FieldOffset(12)] public uint Ref;
        [FieldOffset(16)] public ushort Dom;
        [FieldOffset(18)] public short Status;
        [FieldOffset(20)] public uint Handle;
        [FieldOffset(24)] public ulong DevBusAddr;
    }

    /// <summary>struct gnttab_unmap_grant_ref, 24 bytes (IN host_addr, dev_bus_addr, handle; OUT status). grant_table.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct GnttabUnmapGrantRef
    {
        [FieldOffset(0)] public ulong HostAddr;
        [FieldOffset(8)] public ulong DevBusAddr;
        [FieldOffset(16)] public uint Handle;
        [FieldOffset(20)] public short Status;
    }

    /// <summary>struct gnttab_swap_grant_ref, 12 bytes (IN ref_a, ref_b; OUT status). grant_table.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 12)]
    public struct GnttabSwapGrantRef
    {
        [FieldOffset(0)] public uint RefA;
        [FieldOffset(4)] public uint RefB;
        [FieldOffset(8)] public short Status;
    }

    /// <summary>struct gnttab_cache_flush, 16 bytes (a.dev_bus_addr or a.ref, offset, length, op). grant_table.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct GnttabCacheFlush
    {
        [FieldOffset(0)] public ulong DevBusAddr;
        [FieldOffset(8)] public ushort Offset;
        [FieldOffset(10)] public ushort Length;
        [FieldOffset(12)] public uint Op;
        public const uint Clean = 1, Inval = 2;
    }

    /// <summary>struct gnttab_copy_ptr, 16 bytes: u.ref or u.gmfn, domid, offset. grant_table.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct GnttabCopyPtr
    {
        /// <summary>u.ref (with GNTCOPY_*_gref) and u.gmfn share these bytes.</summary>
        [FieldOffset(0)] public ulong RefOrGmfn;
        [FieldOffset(8)] public ushort Domid;
        [FieldOffset(10)] public ushort Offset;
    }

    /// <summary>struct gnttab_copy, 40 bytes (IN source, dest, len, flags; OUT status). grant_table.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public struct GnttabCopy
    {
        [FieldOffset(0)] public GnttabCopyPtr Source;
        [FieldOffset(16)] public GnttabCopyPtr Dest;
        [FieldOffset(32)] public ushort Len;
        [FieldOffset(34)] public ushort Flags;
        [FieldOffset(36)] public short Status;
    }
}
