namespace Microxen.Hypercalls
{
    /// <summary>
    /// The memory_op commands a PV dom0 cannot use (no paging translation, no PoD, no vNUMA, no
    /// other domains, no IOMMU), answered with Xen 4.17's checks in Xen's order
    /// (xen/common/memory.c do_memory_op, arch/x86/mm.c arch_memory_op, common/mem_access.c):
    /// the start extent bits, then copy_from_guest of the structure (-EFAULT), its fields
    /// (-EINVAL, -EOPNOTSUPP), the domain (-ESRCH; -EPERM for ops on a remote domain naming
    /// oneself), and the final refusal Xen gives a PV domain. Plus the pseudo-physical map that
    /// XENMEM_set_memory_map stores and XENMEM_memory_map returns.
    /// </summary>
    public static unsafe class MemoryOpChecks
    {
        /// <summary>E820MAX of Xen 4.17 (arch/x86/include/asm/e820.h): most entries set_memory_map takes.</summary>
        const uint E820Max = 1024;
        const int E820Size = XenMemoryMap.E820EntrySize;
        /// <summary>End of the guest-accessible low half (Xen's __addr_ok).</summary>
        const ulong LowHalfEnd = 1UL << 47;

        struct Map { public fixed byte Bytes[(int)E820Max * E820Size]; }
        static Map s_map;
        static uint s_mapEntries;
        /// <summary>dom0's outstanding claim (XENMEM_claim_pages), pages.</summary>
        static ulong s_claim;

        /// <summary>Xen's array_access_ok (x86 uaccess.h): count below 2^64/size and the start address __addr_ok.</summary>
        public static bool ArrayOk(ulong addr, ulong count, ulong size) =>
            count < ulong.MaxValue / size && (addr < LowHalfEnd || addr >= Layout.HYPERVISOR_VIRT_END);

        /// <summary>copy_from_guest / copy_to_guest of size bytes at va would succeed.</summary>
        public static bool Can(ulong va, ulong size, bool write) => Checked.CheckedMmu.GuestCan(va, size, write);

        /// <summary>rcu_lock_domain_by_any_id finds the domain: DOMID_SELF or dom0's own id.</summary>
        public static bool AnyId(ushort domid) => domid == XenMemOp.DOMID_SELF || domid == 0;

        /// <summary>rcu_lock_(live_)remote_domain_by_id: -EPERM for the caller itself (id 0), -ESRCH for every other id.</summary>
        static long Remote(ushort domid) => domid == 0 ? -XenErrno.EPERM : -XenErrno.ESRCH;

        /// <summary>
        /// The command's answer; <paramref name="handled"/> false for commands this class does
        /// not answer.
        /// </summary>
        public static long Op(int cmd, ulong se, ulong arg, out bool handled)
        {
            handled = true;
            switch (cmd)
            {
                case XenMemOp.XENMEM_add_to_physmap:
                case XenMemOp.XENMEM_add_to_physmap_batch:
                {
                    bool batch = cmd == XenMemOp.XENMEM_add_to_physmap_batch;
                    if (se > 0xffff) return -XenErrno.EDOM;   // start_extent beyond the u16 size field
                    if (!Can(arg, batch ? (ulong)XenMemOpArgs.AddToPhysmapBatchSize : XenMemOpArgs.AddToPhysmapSize, false)) return -XenErrno.EFAULT;
                    if (!batch && *(uint*)(arg + 4) == XenMemOpArgs.XENMAPSPACE_gmfn_foreign) return -XenErrno.ENOSYS;
                    if (batch && *(ushort*)(arg + 2) == XenMemOpArgs.XENMAPSPACE_gmfn_range) return -XenErrno.EOPNOTSUPP;
                    if (!AnyId(*(ushort*)arg)) return -XenErrno.ESRCH;
                    return -XenErrno.EACCES;   // xatp_permission_check: not paging_mode_translate
                }
                case XenMemOp.XENMEM_remove_from_physmap:
                    if (se != 0) return -XenErrno.EINVAL;
                    if (!Can(arg, XenMemOpArgs.RemoveFromPhysmapSize, false)) return -XenErrno.EFAULT;
                    if (!AnyId(*(ushort*)arg)) return -XenErrno.ESRCH;
                    return -XenErrno.EACCES;   // not paging_mode_translate
                case XenMemOp.XENMEM_access_op:
                    if (!Can(arg, XenMemOpArgs.MemAccessOpSize, false)) return -XenErrno.EFAULT;
                    return Remote(*(ushort*)(arg + 2));
                case XenMemOp.XENMEM_claim_pages:
                    return ClaimPages(se, arg);
                case XenMemOp.XENMEM_get_vnumainfo:
                    if (se != 0) return -XenErrno.EINVAL;
                    if (!Can(arg, XenMemOpArgs.VnumaTopologyInfoSize, false)) return -XenErrno.EFAULT;
                    if (*(ushort*)(arg + 2) != 0) return -XenErrno.EINVAL;   // pad
                    if (!AnyId(*(ushort*)arg)) return -XenErrno.ESRCH;
                    return -XenErrno.EOPNOTSUPP;   // no vNUMA topology
                case XenMemOp.XENMEM_reserved_device_memory_map:
                    if (se != 0) return -XenErrno.EINVAL;
                    if (!Can(arg, XenMemOpArgs.ReservedDeviceMemoryMapSize, false)
                        || !ArrayOk(*(ulong*)(arg + 8), *(uint*)(arg + 4), XenMemOpArgs.ReservedDeviceMemorySize))
                        return -XenErrno.EFAULT;
                    if ((*(uint*)arg & ~XenMemOpArgs.XENMEM_RDM_ALL) != 0) return -XenErrno.EINVAL;
                    // No IOMMU: no reserved regions; nr_entries = 0 is copied back.
                    if (!Can(arg, XenMemOpArgs.ReservedDeviceMemoryMapSize, true)) return -XenErrno.EFAULT;
                    *(uint*)(arg + 4) = 0;
                    return 0;
                case XenMemOp.XENMEM_acquire_resource:
                    if (!Can(arg, XenMemOpArgs.AcquireResourceSize, false)) return -XenErrno.EFAULT;
                    if (*(uint*)(arg + 12) != 0) return -XenErrno.EINVAL;   // pad
                    {
                        ulong frame = *(ulong*)(arg + 16);
                        if ((frame >> 32) != 0 || ((frame + *(uint*)(arg + 8)) >> 32) != 0) return -XenErrno.EINVAL;
                    }
                    return Remote(*(ushort*)arg);
                case XenMemOp.XENMEM_set_pod_target:
                case XenMemOp.XENMEM_get_pod_target:
                    if (!Can(arg, XenMemOpArgs.PodTargetSize, false)) return -XenErrno.EFAULT;
                    if (!AnyId(*(ushort*)(arg + 32))) return -XenErrno.ESRCH;
                    return -XenErrno.EINVAL;   // not an HVM domain
                case XenMemOp.XENMEM_set_memory_map:
                    return SetMemoryMap(arg);
                case XenMemOp.XENMEM_memory_map:
                    return MemoryMap(arg);
                default:
                    handled = false;
                    return 0;
            }
        }

        /// <summary>XENMEM_claim_pages (reservation structure; domain_set_outstanding_pages).</summary>
        static long ClaimPages(ulong se, ulong arg)
        {
            if (se != 0) return -XenErrno.EINVAL;
            if (!Can(arg, 32, false)) return -XenErrno.EFAULT;
            XenMemoryReservation r = *(XenMemoryReservation*)arg;
            if (r.ExtentStart != 0 || r.ExtentOrder != 0 || r.MemFlags != 0) return -XenErrno.EINVAL;
            if (r.Domid != 0) return -XenErrno.EINVAL;   // rcu_lock_domain_by_id: DOMID_SELF is no id
            ulong pages = r.NrExtents;
            if (pages == 0) { s_claim = 0; return 0; }
            ulong tot = MemoryReservation.TotPages;
            if (s_claim != 0 || pages <= tot || pages > MemoryReservation.MaxPages) return -XenErrno.EINVAL;
            if (pages - tot > Host.Frames.FreeCount) return -XenErrno.ENOMEM;
            s_claim = pages - tot;   // recorded only: allocations are bounded by max_pages anyway
            return 0;
        }

        /// <summary>XENMEM_set_memory_map (struct xen_foreign_memory_map): stores up to E820MAX entries for XENMEM_memory_map.</summary>
        static long SetMemoryMap(ulong arg)
        {
            if (!Can(arg, XenMemOpArgs.ForeignMemoryMapSize, false)) return -XenErrno.EFAULT;
            uint n = *(uint*)(arg + 8);
            ulong buffer = *(ulong*)(arg + 16);
            if (n > E820Max) return -XenErrno.EINVAL;
            if (!AnyId(*(ushort*)arg)) return -XenErrno.ESRCH;
            if (!Can(buffer, (ulong)n * E820Size, false)) return -XenErrno.EFAULT;   // copy_from_guest: 0 bytes always succeed
            fixed (Map* m = &s_map)
            {
                byte* src = (byte*)buffer;
                for (uint k = 0; k < n * E820Size; k++) m->Bytes[k] = src[k];
            }
            s_mapEntries = n;
            return 0;
        }

        /// <summary>
        /// XENMEM_memory_map (struct xen_memory_map): the map set by XENMEM_set_memory_map, at most
        /// nr_entries of it; -ENOSYS while none is set (Xen's "backwards compatibility").
        /// </summary>
        static long MemoryMap(ulong arg)
        {
            if (!Can(arg, 16, false)) return -XenErrno.EFAULT;
            if (s_mapEntries == 0) return -XenErrno.ENOSYS;
            XenMemoryMap* map = (XenMemoryMap*)arg;
            uint n = map->NrEntries < s_mapEntries ? map->NrEntries : s_mapEntries;
            ulong buffer = map->Buffer;
            if (!Can(buffer, (ulong)n * E820Size, true) || !Can(arg, 16, true)) return -XenErrno.EFAULT;
            fixed (Map* m = &s_map)
            {
                byte* dst = (byte*)buffer;
                for (uint k = 0; k < n * E820Size; k++) dst[k] = m->Bytes[k];
            }
            map->NrEntries = n;
            return 0;
        }
    }
}
