using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// XENMEM_exchange (xen/common/memory.c memory_exchange) as swiotlb-xen's
    /// xen_create_contiguous_region uses it: order-0 machine frames in, one naturally aligned
    /// machine-contiguous extent below an address width out; and its refusals.
    /// </summary>
    public static unsafe class MemoryExchangeTests
    {
        /// <summary>Frames exchanged by the success test: one order-2 extent.</summary>
        const int Order = 2, N = 1 << Order;
        /// <summary>The address width asked for (swiotlb-xen asks for its DMA mask's, 32 bits).</summary>
        const uint Bits = 32;

        static void Fill(XenMemoryExchange* e, ulong* inList, ulong nIn, uint inOrder, ulong* outList, ulong nOut, uint outOrder, uint flags)
        {
            e->In.ExtentStart = (ulong)inList; e->In.NrExtents = nIn; e->In.ExtentOrder = inOrder;
            e->In.MemFlags = 0; e->In.Domid = XenMemOp.DOMID_SELF;
            e->Out.ExtentStart = (ulong)outList; e->Out.NrExtents = nOut; e->Out.ExtentOrder = outOrder;
            e->Out.MemFlags = flags; e->Out.Domid = XenMemOp.DOMID_SELF;
            e->NrExchanged = 0;
        }

        static long Exchange(XenMemoryExchange* e, ulong startExtent = 0) =>
            Hv.Call(Hypercall.MemoryOp, XenMemOp.XENMEM_exchange | (startExtent << XenMemOp.MEMOP_EXTENT_SHIFT), (ulong)e);

        /// <summary>
        /// Four unmapped frames for one order-2 extent below 2^32: rc 0, nr_exchanged 4, the
        /// extent aligned to 4 frames and below the width, the M2P gives gpfn+k for its frames
        /// and INVALID_M2P_ENTRY (~0) for the frames given up.
        /// </summary>
        public static bool Contiguous()
        {
            ulong* inList = stackalloc ulong[N];
            ulong* gpfn = stackalloc ulong[N];
            for (int i = 0; i < N; i++)
            {
                inList[i] = Mm.AllocFrame();
                if (!Check.True(inList[i] != 0, "no free frame")) return false;
                gpfn[i] = Mm.M2p[inList[i]];
            }
            ulong outList = gpfn[0];
            XenMemoryExchange e;
            Fill(&e, inList, N, 0, &outList, 1, Order, Bits);
            if (!Check.Rc("XENMEM_exchange 4 frames -> order 2 below 2^32", Exchange(&e))) return false;
            if (!Check.Eq("nr_exchanged", e.NrExchanged, N)) return false;
            if (!Check.Eq("extent aligned", outList & (N - 1), 0)) return false;
            if (!Check.True(outList + N <= 1UL << (int)(Bits - 12), "extent below the address width")) return false;
            for (int k = 0; k < N; k++)
            {
                if (!Check.Eq("m2p of new frame", Mm.M2p[outList + (ulong)k], gpfn[0] + (ulong)k)) return false;
                if (!Check.Eq("m2p of old frame", Mm.M2p[inList[k]], ulong.MaxValue)) return false;
                Mm.P2m[gpfn[0] + (ulong)k] = outList + (ulong)k;
            }
            // The new frames are the guest's: MMUEXT_CLEAR_PAGE accepts them.
            return Check.Rc("clear a new frame", Hv.Mmuext(MmuextCmd.MMUEXT_CLEAR_PAGE, outList + N - 1));
        }

        /// <summary>
        /// Refusals before any frame moves: an order above 18 (dom0's memop-max-order) -EPERM; start_extent bits, sizes that
        /// differ, nr_exchanged past nr_extents -EINVAL; another domain -ESRCH; nr_exchanged equal
        /// to nr_extents 0. Then two order-0 extents, the second a frame not the guest's (an M2P
        /// frame: steal_page refuses): -EINVAL, nr_exchanged 1, the first exchanged.
        /// </summary>
        public static bool Refusals()
        {
            ulong xenFrame = ValidationMmuTests.M2pFrame();
            ulong free = Mm.AllocFrame();
            if (!Check.True(xenFrame != 0 && free != 0, "no M2P frame or free frame")) return false;
            ulong gp = Mm.M2p[free];
            ulong* inList = stackalloc ulong[2];
            ulong* outList = stackalloc ulong[2];
            inList[0] = free; inList[1] = xenFrame;
            outList[0] = gp; outList[1] = gp;
            XenMemoryExchange e;
            Fill(&e, inList, 1, 19, outList, 1, 19, 0);
            if (!Validation.Rc("order 19", Exchange(&e), XenErrno.EPERM)) return false;
            Fill(&e, inList, 1, 0, outList, 1, 0, 0);
            if (!Validation.Rc("start_extent bits", Exchange(&e, 1), XenErrno.EINVAL)) return false;
            Fill(&e, inList, 1, 0, outList, 1, 1, 0);
            if (!Validation.Rc("1 frame for 2", Exchange(&e), XenErrno.EINVAL)) return false;
            Fill(&e, inList, 1, 0, outList, 1, 0, 0);
            e.NrExchanged = 2;
            if (!Validation.Rc("nr_exchanged past nr_extents", Exchange(&e), XenErrno.EINVAL)) return false;
            Fill(&e, inList, 1, 0, outList, 1, 0, 0);
            e.In.Domid = 1; e.Out.Domid = 1;
            if (!Validation.Rc("domain 1", Exchange(&e), XenErrno.ESRCH)) return false;
            Fill(&e, inList, 1, 0, outList, 1, 0, 0);
            e.NrExchanged = 1;
            if (!Check.Rc("nr_exchanged == nr_extents: nothing to do", Exchange(&e))) return false;
            if (!Check.Eq("nothing exchanged", Mm.M2p[free], gp)) return false;
            Fill(&e, inList, 2, 0, outList, 2, 0, 0);
            if (!Validation.Rc("second frame Xen's", Exchange(&e), XenErrno.EINVAL)) return false;
            if (!Check.Eq("nr_exchanged", e.NrExchanged, 1)) return false;
            if (!Check.Eq("old frame gone", Mm.M2p[free], ulong.MaxValue)) return false;
            if (!Check.Eq("new frame's gpfn", Mm.M2p[outList[0]], gp)) return false;
            Mm.P2m[gp] = outList[0];
            return Check.Eq("second output entry untouched", outList[1], gp);
        }
    }
}
