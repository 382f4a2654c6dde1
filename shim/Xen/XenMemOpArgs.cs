namespace Microxen.Xen
{
    /// <summary>
    /// Sizes (bytes) of memory_op argument structures the shim only checks as Xen 4.17 does
    /// (copy_from_guest of the whole structure first), and the flag values those checks read.
    /// Source: xen/include/public/memory.h (structures under __XEN_TOOLS__ included: the
    /// hypercall accepts them from any caller); checked by tests/Microxen.Tests/abi/layout.c.
    /// </summary>
    public static class XenMemOpArgs
    {
        /// <summary>struct xen_add_to_physmap: domid u16 @0, size u16 @2, space u32 @4, idx @8, gpfn @16.</summary>
        public const int AddToPhysmapSize = 24;
        /// <summary>struct xen_add_to_physmap_batch: domid u16 @0, space u16 @2, size u16 @4, handles from @8.</summary>
        public const int AddToPhysmapBatchSize = 32;
        /// <summary>struct xen_remove_from_physmap: domid u16 @0, gpfn @8.</summary>
        public const int RemoveFromPhysmapSize = 16;
        /// <summary>struct xen_foreign_memory_map: domid u16 @0, map (xen_memory_map: nr_entries u32 @8, buffer @16).</summary>
        public const int ForeignMemoryMapSize = 24;
        /// <summary>struct xen_vnuma_topology_info: domid u16 @0, pad u16 @2, counts and handles after.</summary>
        public const int VnumaTopologyInfoSize = 40;
        /// <summary>struct xen_mem_acquire_resource: domid u16 @0, type u16, id u32, nr_frames u32 @8, pad u32 @12, frame @16, frame_list @24.</summary>
        public const int AcquireResourceSize = 32;
        /// <summary>struct xen_reserved_device_memory_map: flags u32 @0, nr_entries u32 @4, buffer @8, dev @16.</summary>
        public const int ReservedDeviceMemoryMapSize = 24;
        /// <summary>struct xen_reserved_device_memory (one entry of the map above): start_pfn, nr_pages.</summary>
        public const int ReservedDeviceMemorySize = 16;
        /// <summary>struct xen_pod_target: four counts, domid u16 @32.</summary>
        public const int PodTargetSize = 40;
        /// <summary>struct xen_mem_access_op: op u8, access u8, domid u16 @2, ...</summary>
        public const int MemAccessOpSize = 32;
        /// <summary>XENMAPSPACE_gmfn_range: add_to_physmap_batch refuses it (-EOPNOTSUPP).</summary>
        public const uint XENMAPSPACE_gmfn_range = 3;
        /// <summary>XENMAPSPACE_gmfn_foreign: add_to_physmap refuses it (-ENOSYS).</summary>
        public const uint XENMAPSPACE_gmfn_foreign = 4;
        /// <summary>XENMEMF_populate_on_demand (mem_flags of populate_physmap).</summary>
        public const uint XENMEMF_populate_on_demand = 1u << 16;
        /// <summary>XENMEMF_vnode: the node in mem_flags is a virtual node.</summary>
        public const uint XENMEMF_vnode = 1u << 18;
        /// <summary>XENMEM_RDM_ALL: reserved_device_memory_map's only flag.</summary>
        public const uint XENMEM_RDM_ALL = 1;
    }
}
