namespace Microxen.Hypercalls
{
    /// <summary>
    /// XENMEM_exchange for the one PV domain, as Xen 4.17's memory_exchange (xen/common/memory.c):
    /// the guest gives up the machine frames listed in <c>in</c> and receives extents of
    /// 2^out.extent_order machine-contiguous, naturally aligned frames below 2^address_bits
    /// (mem_flags bits 0-7; swiotlb-xen's xen_create_contiguous_region). The M2P is updated as
    /// Xen's guest_physmap_remove_page/add_page do for a PV guest: the old frames get
    /// INVALID_M2P_ENTRY and are freed, new frame k of an extent gets gpfn+k; each output entry is
    /// overwritten with the extent's first machine frame.
    /// Errors: -EFAULT (structure or lists unreadable/out of the guest range), -EPERM (an order
    /// above the control domain's memop-max-order 18), -EINVAL (nr_exchanged beyond in.nr_extents,
    /// domids differ, sizes overflow or differ, node out of range, a frame not the guest's or
    /// still referenced: Xen's steal_page), -ESRCH (another domain), -ENOMEM (no contiguous run
    /// below the address width). On a chunk's failure nr_exchanged tells how many input extents
    /// were exchanged; Xen's preemption (a continuation) is not needed: all chunks run at once.
    /// </summary>
    public static unsafe class MemoryExchange
    {
        /// <summary>
        /// Xen 4.17 max_order() for dom0, the control domain: CONFIG_CTLDOM_MAX_ORDER =
        /// CONFIG_PAGEALLOC_MAX_ORDER = 2 * PAGETABLE_ORDER (common/memory.c, asm/config.h).
        /// </summary>
        public const uint CtldomMaxOrder = 18;
        /// <summary>Most output extents of one chunk the shim stages (2^12); a larger chunk is refused -ENOMEM (Xen would do it).</summary>
        const int MaxPending = 1 << 12;
        /// <summary>MAX_NUMNODES of Xen 4.17's default build (CONFIG_NR_NUMA_NODES 64).</summary>
        public const uint MaxNumNodes = 64;
        /// <summary>BITS_PER_LONG + PAGE_SHIFT: the address width when mem_flags gives none.</summary>
        public const uint NoLimitBits = 64 + 12;

        public static long Op(ulong startExtent, XenMemoryExchange* arg)
        {
            if (startExtent != 0) return -XenErrno.EINVAL;
            XenMemoryExchange e = *arg;   // copy_from_guest: a fault is the dispatcher's -EFAULT
            long rc = Exchange(ref e);
            arg->NrExchanged = e.NrExchanged;
            return rc;
        }

        static long Exchange(ref XenMemoryExchange e)
        {
            uint inOrder = e.In.ExtentOrder, outOrder = e.Out.ExtentOrder;
            if ((inOrder > outOrder ? inOrder : outOrder) > CtldomMaxOrder) return -XenErrno.EPERM;
            if (e.NrExchanged > e.In.NrExtents || e.In.Domid != e.Out.Domid
                || (ulong.MaxValue >> (int)inOrder) < e.In.NrExtents
                || (ulong.MaxValue >> (int)outOrder) < e.Out.NrExtents
                || (e.In.NrExtents << (int)inOrder) != (e.Out.NrExtents << (int)outOrder))
                return -XenErrno.EINVAL;
            if (e.NrExchanged == e.In.NrExtents) return 0;
            if (!RangeOk(e.In.ExtentStart, e.NrExchanged, e.In.NrExtents - 1)) return -XenErrno.EFAULT;
            int inChunk = inOrder <= outOrder ? (int)(outOrder - inOrder) : 0;
            int outChunk = inOrder <= outOrder ? 0 : (int)(inOrder - outOrder);
            ulong outFirst = inChunk > 0 ? e.NrExchanged >> inChunk : e.NrExchanged << outChunk;
            if (!RangeOk(e.Out.ExtentStart, outFirst, e.Out.NrExtents - 1)) return -XenErrno.EFAULT;
            uint node = ((e.Out.MemFlags >> XenMemoryExchange.NodeShift) - 1) & 0xff;
            if (node != XenMemoryExchange.NoNode && node >= MaxNumNodes) return -XenErrno.EINVAL;
            if (e.In.Domid != XenMemOp.DOMID_SELF && e.In.Domid != 0) return -XenErrno.ESRCH;
            uint bits = e.Out.MemFlags & XenMemoryExchange.AddressBitsMask;
            if (bits == 0) bits = NoLimitBits;

            ulong* inList = (ulong*)e.In.ExtentStart;
            ulong* outList = (ulong*)e.Out.ExtentStart;
            ulong inPerChunk = 1UL << inChunk, inFrames = 1UL << (int)inOrder;
            ulong outPerChunk = 1UL << outChunk, outFrames = 1UL << (int)outOrder;
            for (ulong i = e.NrExchanged >> inChunk; i < e.In.NrExtents >> inChunk; i++)
            {
                long rc = Chunk(inList + (i << inChunk), inPerChunk, inFrames, outList + (i << outChunk), outPerChunk, (int)outOrder, outFrames, bits);
                if (rc != 0) { e.NrExchanged = i << inChunk; return rc; }
            }
            e.NrExchanged = e.In.NrExtents;
            return 0;
        }

        /// <summary>Output extents of the chunk in progress.</summary>
        struct Pending { public fixed ulong Mfn[MaxPending]; }
        static Pending s_pending;

        /// <summary>
        /// One chunk: checks every input frame (steal_page), allocates every output extent (reserved;
        /// all freed again on -ENOMEM, input untouched), then frees the input frames and assigns the output.
        /// </summary>
        static long Chunk(ulong* inList, ulong inCount, ulong inFrames, ulong* outList, ulong outCount, int outOrder, ulong outFrames, uint bits)
        {
            for (ulong j = 0; j < inCount; j++)
            {
                ulong gmfn = inList[j];
                for (ulong k = 0; k < inFrames; k++)
                    if (!Stealable(gmfn + k)) return -XenErrno.EINVAL;
            }
            if (outCount > MaxPending) return -XenErrno.ENOMEM;
            fixed (Pending* p = &s_pending)
            {
                ulong got = 0;
                for (; got < outCount; got++)
                {
                    ulong mfn = AllocContiguous(outOrder, bits);
                    if (mfn == FrameAllocator.None) break;
                    p->Mfn[got] = mfn;
                }
                if (got < outCount)
                {
                    for (ulong j = 0; j < got; j++)
                        for (ulong k = 0; k < outFrames; k++) Host.Frames.Free(p->Mfn[j] + k);
                    return -XenErrno.ENOMEM;
                }
                for (ulong j = 0; j < inCount; j++)
                    for (ulong k = 0; k < inFrames; k++)
                    {
                        ulong mfn = inList[j] + k;
                        Host.M2p[mfn] = Host.InvalidM2p;   // guest_physmap_remove_page
                        Checked.PageTypes.Forget(mfn);
                        Host.Frames.Free(mfn);
                    }
                for (ulong j = 0; j < outCount; j++)
                {
                    ulong mfn = p->Mfn[j], gpfn = outList[j];
                    for (ulong k = 0; k < outFrames; k++)
                    {
                        Checked.PageTypes.Forget(mfn + k);
                        Host.M2p[mfn + k] = gpfn + k;     // guest_physmap_add_page (PV: set_gpfn_from_mfn)
                    }
                    outList[j] = mfn;
                }
            }
            return 0;
        }

        /// <summary>
        /// steal_page's test: the frame is the guest's and nothing but its allocation holds it
        /// (checked mode: no mapping, no type reference; fast mode keeps no counts and trusts the guest).
        /// </summary>
        static bool Stealable(ulong mfn)
        {
            if (!Host.IsGuestFrame(mfn)) return false;
            if (Checked.PageTypes.Info == null) return true;
            return Checked.PageTypes.RefCount(mfn) == 0 && Checked.PageTypes.TypeCount(mfn) == 0
                && (Checked.PageTypes.Info[mfn].Count & Checked.PageTypes.SharedFlag) == 0;
        }

        /// <summary>
        /// The highest free, naturally aligned run of 2^order frames that ends at or below
        /// 2^bits bytes, reserved; <see cref="FrameAllocator.None"/> when there is none (Xen's
        /// alloc_domheap_pages also refuses widths of PAGE_SHIFT+1 bits or less).
        /// </summary>
        public static ulong AllocContiguous(int order, uint bits)
        {
            if (bits <= 12 + 1) return FrameAllocator.None;
            ulong n = 1UL << order;
            ulong limit = Host.FrameCount;
            if (bits - 12 < 64 && (1UL << (int)(bits - 12)) < limit) limit = 1UL << (int)(bits - 12);
            if (limit < n) return FrameAllocator.None;
            for (ulong b = (limit - n) & ~(n - 1); ; b -= n)
            {
                ulong f = b + n;
                while (f > b && Host.Frames.IsFree(f - 1)) f--;
                if (f == b)
                {
                    for (ulong k = 0; k < n; k++) Host.Frames.TryReserve(b + k);
                    return b;
                }
                if (b < n) return FrameAllocator.None;
            }
        }

        /// <summary>
        /// Xen's guest_handle_subrange_okay for a list of 8-byte entries (array_access_ok): fewer
        /// than 2^64/8 elements first..last, and element first's address guest-accessible (below
        /// 2^47 or from HYPERVISOR_VIRT_END; only the start is checked, as Xen's access_ok does).
        /// </summary>
        public static bool RangeOk(ulong start, ulong first, ulong last) => MemoryOpChecks.ArrayOk(start + first * 8, last - first + 1, 8);
    }
}
