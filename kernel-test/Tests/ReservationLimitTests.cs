using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// dom0's page count against its limit, as Xen 4.17 keeps them (common/memory.c
    /// XENMEM_current_reservation: domain_tot_pages; XENMEM_maximum_reservation: max_pages, which
    /// arch/x86/dom0_build.c dom0_compute_nr_pages sets from dom0_mem's max:; page_alloc.c
    /// assign_pages refuses an extent past max_pages). The storm's 10^6-call seed 1 once got one
    /// extent more from increase_reservation on microxen than on Xen: this row pins the counts.
    /// </summary>
    public static unsafe class ReservationLimitTests
    {
        static long Count(ulong cmd)
        {
            ushort dom = Hv.DomidSelf;
            return Hv.Call(Hypercall.MemoryOp, cmd, (ulong)&dom);
        }

        static long Increase(ulong* list, ulong n)
        {
            XenMemoryReservation r;
            r.ExtentStart = (ulong)list; r.NrExtents = n; r.ExtentOrder = 0; r.MemFlags = 0; r.Domid = Hv.DomidSelf;
            return Hv.Call(Hypercall.MemoryOp, XenMemOp.XENMEM_increase_reservation, (ulong)&r);
        }

        /// <summary>
        /// maximum_reservation is start_info's nr_pages (dom0_mem=N,max:N under Xen, the shim's
        /// dom0 size); current_reservation is at most that. A free frame given back
        /// (decrease_reservation: 1) lowers the current count by one; an increase of headroom + 2
        /// extents then gets exactly the headroom and the count is back at the limit; one more
        /// extent gets 0.
        /// </summary>
        public static bool Headroom()
        {
            long max = Count(XenMemOp.XENMEM_maximum_reservation);
            if (!Check.Eq("maximum_reservation = start_info nr_pages", (ulong)max, Mm.Start->NrPages)) return false;
            long cur = Count(XenMemOp.XENMEM_current_reservation);
            if (!Check.True(cur > 0 && cur <= max, "current_reservation within 1..maximum")) return false;
            ulong f = Window.ClearedFrame();
            if (!Check.True(f != 0, "no free frame")) return false;
            XenMemoryReservation d;
            d.ExtentStart = (ulong)&f; d.NrExtents = 1; d.ExtentOrder = 0; d.MemFlags = 0; d.Domid = Hv.DomidSelf;
            if (!Check.Eq("decrease_reservation of a free frame", (ulong)Hv.Call(Hypercall.MemoryOp, XenMemOp.XENMEM_decrease_reservation, (ulong)&d), 1)) return false;
            long after = Count(XenMemOp.XENMEM_current_reservation);
            if (!Check.Eq("current_reservation after giving one page back", (ulong)after, (ulong)(cur - 1))) return false;
            ulong room = (ulong)(max - after);
            if (!Check.True(room <= 62, "headroom above 62 pages")) return false;
            ulong* list = stackalloc ulong[64];
            if (!Check.Eq("increase_reservation of headroom + 2 extents", (ulong)Increase(list, room + 2), room)) return false;
            if (!Check.Eq("current_reservation at the limit", (ulong)Count(XenMemOp.XENMEM_current_reservation), (ulong)max)) return false;
            return Check.Eq("increase_reservation at the limit", (ulong)Increase(list, 1), 0);
        }
    

        /// <summary>
        /// XENMEM_machine_memory_map (arch/x86/mm.c): Xen copies an entry only while nr_entries &gt;
        /// n + the entries left, so a buffer needs one slot more than the map: nr_entries = the
        /// map's count is -EINVAL, count + 1 gives 0 and nr_entries = count.
        /// </summary>
        public static bool MachineMapRoom()
        {
            const int Max = 128;
            byte* buf = stackalloc byte[Max * XenMemoryMap.E820EntrySize];
            XenMemoryMap m;
            m.NrEntries = Max; m.Buffer = (ulong)buf;
            if (!Check.Rc("machine_memory_map", Hv.Call(Hypercall.MemoryOp, XenMemOp.XENMEM_machine_memory_map, (ulong)&m))) return false;
            uint n = m.NrEntries;
            if (!Check.True(n >= 1 && n < Max, "machine_memory_map: 1..127 entries")) return false;
            m.NrEntries = n;
            if (!Validation.Rc("machine_memory_map, room for the entries only", Hv.Call(Hypercall.MemoryOp, XenMemOp.XENMEM_machine_memory_map, (ulong)&m), XenErrno.EINVAL)) return false;
            m.NrEntries = n + 1;
            if (!Check.Rc("machine_memory_map, one slot more", Hv.Call(Hypercall.MemoryOp, XenMemOp.XENMEM_machine_memory_map, (ulong)&m))) return false;
            return Check.Eq("machine_memory_map: nr_entries", m.NrEntries, n);
        }
    }
}
