namespace Microxen.Xen
{
    /// <summary>
    /// memory_op commands (XENMEM_*; the command is the low 6 bits of the first argument, the
    /// rest is the continuation start extent).
    /// Source: xen/include/public/memory.h; MEMOP_EXTENT_SHIFT/MEMOP_CMD_MASK are from Xen's
    /// internal xen/include/xen/hypercall.h; DOMID_* from public/xen.h.
    /// </summary>
    public static class XenMemOp
    {
        public const int XENMEM_increase_reservation = 0;
        public const int XENMEM_decrease_reservation = 1;
        public const int XENMEM_maximum_ram_page = 2;
        public const int XENMEM_current_reservation = 3;
        public const int XENMEM_maximum_reservation = 4;
        public const int XENMEM_machphys_mfn_list = 5;
        public const int XENMEM_populate_physmap = 6;
        public const int XENMEM_add_to_physmap = 7;
        public const int XENMEM_memory_map = 9;
        public const int XENMEM_machine_memory_map = 10;
        public const int XENMEM_exchange = 11;
        public const int XENMEM_machphys_mapping = 12;
        public const int XENMEM_set_memory_map = 13;
        public const int XENMEM_maximum_gpfn = 14;
        public const int XENMEM_remove_from_physmap = 15;
        public const int XENMEM_set_pod_target = 16;
        public const int XENMEM_get_pod_target = 17;
        public const int XENMEM_get_sharing_freed_pages = 18;
        public const int XENMEM_get_sharing_shared_pages = 19;
        public const int XENMEM_paging_op = 20;
        public const int XENMEM_access_op = 21;
        public const int XENMEM_sharing_op = 22;
        public const int XENMEM_add_to_physmap_batch = 23;
        public const int XENMEM_claim_pages = 24;
        public const int XENMEM_machphys_compat_mfn_list = 25;
        public const int XENMEM_get_vnumainfo = 26;
        public const int XENMEM_reserved_device_memory_map = 27;
        public const int XENMEM_acquire_resource = 28;

        /// <summary>MEMOP_EXTENT_SHIFT: bits of the cmd argument that hold the command.</summary>
        public const int MEMOP_EXTENT_SHIFT = 6;
        /// <summary>MEMOP_CMD_MASK.</summary>
        public const int MEMOP_CMD_MASK = (1 << MEMOP_EXTENT_SHIFT) - 1;

        /// <summary>DOMID_SELF.</summary>
        public const ushort DOMID_SELF = 0x7FF0;
        public const ushort DOMID_IO = 0x7FF1;
        public const ushort DOMID_XEN = 0x7FF2;
        public const ushort DOMID_COW = 0x7FF3;
        public const ushort DOMID_INVALID = 0x7FF4;
        public const ushort DOMID_IDLE = 0x7FFF;
    }
}
