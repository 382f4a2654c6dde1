using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// What becomes of a frame GNTTABOP_transfer takes (Xen 4.17 common/grant_table.c
    /// gnttab_transfer, arch/x86/mm.c steal_page): the domain loses it for good. Xen frees it to
    /// its heap, and growing the grant table does not hand it back to the domain (a storm seed
    /// showed microxen's checked mode reusing it as the next grant frame).
    /// </summary>
    public static unsafe class StormTransferTests
    {
        /// <summary>
        /// A free frame transferred to DOMID_SELF: GNTST_bad_domain, the call 0, and the frame is
        /// gone: mapping it is -EBUSY (get_page_from_l1e: not the domain's), and no grant frame of
        /// the table grown to its 64 frames is that frame.
        /// </summary>
        public static bool TransferredFrameGone()
        {
            ulong f = Frames.WithPattern(0x5a5a0003);
            if (!Check.True(f != 0, "no free frame")) return false;
            ulong* g = stackalloc ulong[3];   // struct gnttab_transfer: mfn, domid, ref, status (24 bytes)
            g[0] = f; g[1] = Hv.DomidSelf; g[2] = 0;
            if (!Check.Rc("GNTTABOP_transfer", Hv.Call(Hypercall.GrantTableOp, GnttabOp.GNTTABOP_transfer, (ulong)g, 1))) return false;
            if (!Validation.Rc("transfer to DOMID_SELF: status", *(short*)(g + 2), -Gntst.BadDomain)) return false;
            const uint n = GnttabOp.MaxGrantFrames;
            ulong* list = stackalloc ulong[(int)n];
            GnttabSetupTable s;
            s.Dom = Hv.DomidSelf; s.NrFrames = n; s.Status = 99; s.FrameList = (ulong)list;
            if (!Check.Rc("setup_table", Hv.GrantTableOp(GnttabOp.GNTTABOP_setup_table, &s, 1))) return false;
            if (!Validation.Rc("setup_table status", s.Status, 0)) return false;
            for (uint i = 0; i < n; i++)
                if (!Check.True(list[i] != f, "the transferred frame came back as a grant frame")) return false;
            int slot = Runner.Slot(0);
            if (!Validation.Rc("map the transferred frame read-only", Window.Map(slot, f, PageFlags.Present), XenErrno.EBUSY)) return false;
            return Validation.Rc("map the transferred frame", Window.Map(slot, f), XenErrno.EBUSY);
        }
    }
}
