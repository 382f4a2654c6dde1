namespace Microxen.Hypercalls
{
    /// <summary>
    /// XENMEM_increase_reservation, decrease_reservation and populate_physmap (public/memory.h,
    /// struct xen_memory_reservation) as Xen 4.17's do_memory_op runs them for a PV domain
    /// (xen/common/memory.c): every refusal returns the start extent (the cmd's bits above
    /// MEMOP_EXTENT_SHIFT), never an errno: an unreadable structure, nr_extents above
    /// UINT_MAX &gt;&gt; 6 or not above the start extent, a domain other than DOMID_SELF/0, an
    /// address width of 12 bits or less, a NUMA node of 64 or more, an extent list outside the
    /// guest's addresses, an order above dom0's max_order 18, a populate-on-demand request on
    /// oneself. Otherwise the result is the number of extents done (start extent included).
    /// The domain's page count is Xen's tot_pages against max_pages: dom0 starts with every page
    /// it may have, so new extents come only after frames were given back (as under Xen with
    /// dom0_mem=N,max:N).
    /// </summary>
    public static unsafe class MemoryReservation
    {
        /// <summary>sizeof(struct xen_memory_reservation).</summary>
        const ulong ReservationSize = 32;
        /// <summary>Pages given back minus pages taken since boot (tot_pages = NrPages - this).</summary>
        static long s_released;

        /// <summary>domain_tot_pages(dom0).</summary>
        public static ulong TotPages => (ulong)((long)Host.NrPages - s_released);
        /// <summary>A page that left the domain another way (checked mode's GNTTABOP_transfer: steal_page's domain_adjust_tot_pages(d, -1)).</summary>
        public static void Released() => s_released++;
        /// <summary>dom0's max_pages: its initial allocation.</summary>
        public static ulong MaxPages => Host.NrPages;

        static bool Can(ulong va, ulong size, bool write) => Checked.CheckedMmu.GuestCan(va, size, write);

        /// <summary>get_order_from_pages(n): the smallest order with 2^order &gt;= n.</summary>
        static uint OrderOf(ulong n)
        {
            uint o = 0;
            while (o < 63 && (1UL << (int)o) < n) o++;
            return o;
        }

        public static long Op(int cmd, ulong se, ulong arg)
        {
            long start = (long)se;
            if (!Can(arg, ReservationSize, false)) return start;
            XenMemoryReservation r = *(XenMemoryReservation*)arg;
            if (r.NrExtents > (0xffffffffUL >> XenMemOp.MEMOP_EXTENT_SHIFT) || se >= r.NrExtents) return start;
            if (r.Domid != XenMemOp.DOMID_SELF && r.Domid != 0) return start;
            // construct_memop_from_reservation: an address width below the machine's is a limit.
            uint bits = r.MemFlags & XenMemoryExchange.AddressBitsMask;
            if (bits != 0 && bits < OrderOf(Host.FrameCount) + 12) { if (bits <= 12) return start; }
            else bits = 0;
            if ((r.MemFlags & XenMemOpArgs.XENMEMF_vnode) == 0)
            {
                uint node = ((r.MemFlags >> XenMemoryExchange.NodeShift) - 1) & 0xff;
                if (node != XenMemoryExchange.NoNode && node >= MemoryExchange.MaxNumNodes) return start;
            }
            ulong list = r.ExtentStart;
            if (cmd == XenMemOp.XENMEM_decrease_reservation) return Decrease(list, se, r.NrExtents, r.ExtentOrder);
            if (cmd == XenMemOp.XENMEM_increase_reservation)
            {
                if (list != 0 && !MemoryExchange.RangeOk(list, se, r.NrExtents - 1)) return start;
                if (r.ExtentOrder > MemoryExchange.CtldomMaxOrder) return start;
            }
            else
            {
                if (!MemoryExchange.RangeOk(list, se, r.NrExtents - 1)) return start;
                // Xen allows orders up to MAX_ORDER for populate-on-demand, but refuses PoD on
                // oneself at the first extent: either way nothing is done.
                if ((r.MemFlags & XenMemOpArgs.XENMEMF_populate_on_demand) != 0) return start;
                if (r.ExtentOrder > MemoryExchange.CtldomMaxOrder) return start;
            }
            return Populate(list, se, r.NrExtents, (int)r.ExtentOrder, bits, cmd == XenMemOp.XENMEM_populate_physmap);
        }

        /// <summary>
        /// alloc_domheap_pages + guest_physmap_add_page for each extent: populate reads the gpfn
        /// first and sets the M2P; both write the first frame back to the list (a list entry
        /// that cannot be read or written ends the call, the frame stays the domain's).
        /// </summary>
        static long Populate(ulong list, ulong i, ulong n, int order, uint bits, bool populate)
        {
            ulong count = 1UL << order;
            for (; i < n; i++)
            {
                ulong* slot = (ulong*)(list + i * 8);
                ulong gpfn = 0;
                if (populate)
                {
                    if (!Can((ulong)slot, 8, false)) break;
                    gpfn = *slot;
                }
                if (TotPages + count > MaxPages) break;   // assign_pages: over max_pages
                ulong mfn = MemoryExchange.AllocContiguous(order, bits == 0 ? MemoryExchange.NoLimitBits : bits);
                if (mfn == FrameAllocator.None) break;
                s_released -= (long)count;
                for (ulong k = 0; k < count; k++)
                {
                    Checked.PageTypes.Forget(mfn + k);   // a fresh page: no type, no references
                    // populate: the guest's gpfn; increase: owned, no gpfn given (Xen leaves the entry stale).
                    Host.M2p[mfn + k] = populate ? gpfn + k : mfn + k;
                }
                if (list == 0) continue;
                if (!Can((ulong)slot, 8, true)) break;
                *slot = mfn;
            }
            return (long)i;
        }

        /// <summary>
        /// decrease_reservation: guest_remove_page for each of the extent's 2^order frames
        /// (for a PV domain the list names machine frames); a frame that is not the guest's ends
        /// the call with the frames of that extent removed so far staying removed, as in Xen.
        /// </summary>
        static long Decrease(ulong list, ulong i, ulong n, uint order)
        {
            if (!MemoryExchange.RangeOk(list, i, n - 1) || order > MemoryExchange.CtldomMaxOrder) return (long)i;
            ulong count = 1UL << (int)order;
            for (; i < n; i++)
            {
                ulong* slot = (ulong*)(list + i * 8);
                if (!Can((ulong)slot, 8, false)) break;
                ulong gmfn = *slot;
                for (ulong j = 0; j < count; j++)
                {
                    ulong mfn = gmfn + j;
                    if (mfn < gmfn || !Host.IsGuestFrame(mfn)) return (long)i;
                    Host.M2p[mfn] = Host.InvalidM2p;
                    Host.Frames.Free(mfn);
                    Checked.PageTypes.Forget(mfn);
                    s_released++;
                }
            }
            return (long)i;
        }
    }
}
