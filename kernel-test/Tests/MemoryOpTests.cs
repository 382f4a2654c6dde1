using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// memory_op answers as Xen 4.17's do_memory_op / arch_memory_op give them to a PV dom0
    /// (xen/common/memory.c, arch/x86/mm.c): the reservation calls' start_extent results and
    /// the structure, field and domain checks of the commands a PV domain cannot use.
    /// </summary>
    public static unsafe class MemoryOpTests
    {
        const ulong Shift = XenMemOp.MEMOP_EXTENT_SHIFT;

        static long Mem(ulong cmd, void* arg) => Hv.Call(Hypercall.MemoryOp, cmd, (ulong)arg);

        static void Zero(ulong* p, int words) { for (int i = 0; i < words; i++) p[i] = 0; }

        static void Reservation(XenMemoryReservation* r, ulong* list, ulong n, uint order, uint flags, ushort domid)
        {
            r->ExtentStart = (ulong)list; r->NrExtents = n; r->ExtentOrder = order; r->MemFlags = flags; r->Domid = domid;
        }

        /// <summary>
        /// increase/decrease_reservation and populate_physmap refuse with the start extent, never an
        /// errno: a NULL structure with start extent 2 gives 2; nr_extents 0 gives 0; start extent 5
        /// of 3 extents 5; domain 1 0; an address width of 12 bits 0; node 200 0; order 19 0;
        /// populate-on-demand on oneself 0; decrease of a frame beyond memory 0 (nothing removed).
        /// </summary>
        public static bool ReservationRefusals()
        {
            ulong* list = stackalloc ulong[4];
            XenMemoryReservation r;
            ulong inc = XenMemOp.XENMEM_increase_reservation, dec = XenMemOp.XENMEM_decrease_reservation, pop = XenMemOp.XENMEM_populate_physmap;
            if (!Check.Eq("NULL structure, start extent 2", (ulong)Mem(inc | 2UL << (int)Shift, null), 2)) return false;
            if (!Check.Eq("decrease: NULL structure, start extent 7", (ulong)Mem(dec | 7UL << (int)Shift, null), 7)) return false;
            list[0] = 1UL << 40;   // a frame far beyond memory
            Reservation(&r, list, 0, 0, 0, XenMemOp.DOMID_SELF);
            if (!Check.Eq("nr_extents 0", (ulong)Mem(dec, &r), 0)) return false;
            Reservation(&r, list, 3, 0, 0, XenMemOp.DOMID_SELF);
            if (!Check.Eq("start extent 5 of 3", (ulong)Mem(dec | 5UL << (int)Shift, &r), 5)) return false;
            Reservation(&r, list, 1, 0, 0, 1);
            if (!Check.Eq("domain 1", (ulong)Mem(pop, &r), 0)) return false;
            Reservation(&r, list, 1, 0, 12, XenMemOp.DOMID_SELF);
            if (!Check.Eq("address width 12", (ulong)Mem(pop, &r), 0)) return false;
            Reservation(&r, list, 1, 0, (200 + 1) << 8, XenMemOp.DOMID_SELF);
            if (!Check.Eq("node 200", (ulong)Mem(inc, &r), 0)) return false;
            Reservation(&r, list, 1, 19, 0, XenMemOp.DOMID_SELF);
            if (!Check.Eq("order 19", (ulong)Mem(dec, &r), 0)) return false;
            Reservation(&r, list, 1, 0, 1u << 16, XenMemOp.DOMID_SELF);
            if (!Check.Eq("populate on demand on oneself", (ulong)Mem(pop, &r), 0)) return false;
            Reservation(&r, list, 1, 0, 0, XenMemOp.DOMID_SELF);
            if (!Check.Eq("decrease of a frame beyond memory", (ulong)Mem(dec, &r), 0)) return false;
            return Check.Eq("list untouched", list[0], 1UL << 40);
        }

        /// <summary>
        /// The commands a PV dom0 cannot use, each refused by the check Xen makes first:
        /// add_to_physmap start extent 0x10000 -EDOM, foreign space -ENOSYS, domain 5 -ESRCH, its
        /// own domain -EACCES (not translated); add_to_physmap_batch gmfn_range -EOPNOTSUPP;
        /// remove_from_physmap -EACCES; access_op on domain 0 (itself) -EPERM, DOMID_SELF -ESRCH;
        /// claim_pages of DOMID_SELF -EINVAL, of 0 pages 0; get_vnumainfo pad -EINVAL, no vNUMA
        /// -EOPNOTSUPP; acquire_resource pad -EINVAL, of itself -EPERM; get_pod_target -EINVAL (not
        /// HVM); machine_memory_map with a NULL buffer 0, a 1-entry buffer -EINVAL; set_memory_map
        /// of 0 entries 0, memory_map then still -ENOSYS; reserved_device_memory_map 0 with
        /// nr_entries 0 (no IOMMU).
        /// </summary>
        public static bool FieldChecks()
        {
            ulong* a = stackalloc ulong[8];
            ulong* buf = stackalloc ulong[8];
            Zero(a, 8);
            a[0] = XenMemOp.DOMID_SELF;   // domid DOMID_SELF, size 0, space 0 (shared_info)
            if (!Validation.Rc("add_to_physmap start extent 0x10000", Mem(XenMemOp.XENMEM_add_to_physmap | 0x10000UL << (int)Shift, a), XenErrno.EDOM)) return false;
            if (!Validation.Rc("add_to_physmap shared_info", Mem(XenMemOp.XENMEM_add_to_physmap, a), XenErrno.EACCES)) return false;
            a[0] = XenMemOp.DOMID_SELF | (ulong)XenMemOpArgs.XENMAPSPACE_gmfn_foreign << 32;
            if (!Validation.Rc("add_to_physmap foreign", Mem(XenMemOp.XENMEM_add_to_physmap, a), XenErrno.ENOSYS)) return false;
            a[0] = 5;
            if (!Validation.Rc("add_to_physmap domain 5", Mem(XenMemOp.XENMEM_add_to_physmap, a), XenErrno.ESRCH)) return false;
            a[0] = XenMemOp.DOMID_SELF | (ulong)XenMemOpArgs.XENMAPSPACE_gmfn_range << 16;
            if (!Validation.Rc("add_to_physmap_batch gmfn_range", Mem(XenMemOp.XENMEM_add_to_physmap_batch, a), XenErrno.EOPNOTSUPP)) return false;
            a[0] = XenMemOp.DOMID_SELF;
            if (!Validation.Rc("remove_from_physmap", Mem(XenMemOp.XENMEM_remove_from_physmap, a), XenErrno.EACCES)) return false;
            a[0] = 0;   // xen_mem_access_op: domid at byte 2
            if (!Validation.Rc("access_op on itself", Mem(XenMemOp.XENMEM_access_op, a), XenErrno.EPERM)) return false;
            a[0] = (ulong)XenMemOp.DOMID_SELF << 16;
            if (!Validation.Rc("access_op DOMID_SELF", Mem(XenMemOp.XENMEM_access_op, a), XenErrno.ESRCH)) return false;
            XenMemoryReservation r;
            Reservation(&r, null, 0, 0, 0, XenMemOp.DOMID_SELF);
            if (!Validation.Rc("claim_pages DOMID_SELF", Mem(XenMemOp.XENMEM_claim_pages, &r), XenErrno.EINVAL)) return false;
            Reservation(&r, null, 0, 0, 0, 0);
            if (!Check.Rc("claim_pages of 0 pages", Mem(XenMemOp.XENMEM_claim_pages, &r))) return false;
            Zero(a, 8);
            a[0] = XenMemOp.DOMID_SELF | 1UL << 16;
            if (!Validation.Rc("get_vnumainfo pad", Mem(XenMemOp.XENMEM_get_vnumainfo, a), XenErrno.EINVAL)) return false;
            a[0] = XenMemOp.DOMID_SELF;
            if (!Validation.Rc("get_vnumainfo", Mem(XenMemOp.XENMEM_get_vnumainfo, a), XenErrno.EOPNOTSUPP)) return false;
            Zero(a, 8);
            a[1] = 1UL << 32;   // pad
            if (!Validation.Rc("acquire_resource pad", Mem(XenMemOp.XENMEM_acquire_resource, a), XenErrno.EINVAL)) return false;
            a[1] = 0;
            if (!Validation.Rc("acquire_resource of itself", Mem(XenMemOp.XENMEM_acquire_resource, a), XenErrno.EPERM)) return false;
            Zero(a, 8);
            a[4] = XenMemOp.DOMID_SELF;
            if (!Validation.Rc("get_pod_target", Mem(XenMemOp.XENMEM_get_pod_target, a), XenErrno.EINVAL)) return false;
            XenMemoryMap m;
            m.NrEntries = 1; m.Buffer = 0;
            if (!Check.Rc("machine_memory_map, NULL buffer", Mem(XenMemOp.XENMEM_machine_memory_map, &m))) return false;
            m.NrEntries = 1; m.Buffer = (ulong)buf;
            if (!Validation.Rc("machine_memory_map, 1 entry", Mem(XenMemOp.XENMEM_machine_memory_map, &m), XenErrno.EINVAL)) return false;
            Zero(a, 8);
            a[0] = XenMemOp.DOMID_SELF;   // xen_foreign_memory_map, 0 entries
            if (!Check.Rc("set_memory_map, 0 entries", Mem(XenMemOp.XENMEM_set_memory_map, a))) return false;
            m.NrEntries = 1; m.Buffer = (ulong)buf;
            if (!Validation.Rc("memory_map, none set", Mem(XenMemOp.XENMEM_memory_map, &m), XenErrno.ENOSYS)) return false;
            Zero(a, 8);
            a[0] = 4UL << 32;   // flags 0, nr_entries 4
            a[1] = (ulong)buf;
            if (!Check.Rc("reserved_device_memory_map", Mem(XenMemOp.XENMEM_reserved_device_memory_map, a))) return false;
            return Check.Eq("no reserved regions", a[0] >> 32, 0);
        }
    }
}
