using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// mod_l1_entry's fast path for sufficiently-similar mappings (xen/arch/x86/mm.c), before
    /// get_page_from_l1e: with pg_owner DOMID_IO the domain's own frame is not dom_io's (a new
    /// mapping of it is -EBUSY, val_uvm_otherdomain_dom_io), yet an entry that already maps it may
    /// be rewritten with only FASTPATH_FLAG_WHITELIST flags changed, A/D or an AVAIL_HIGH bit (no
    /// reference is taken: 0). Measured under Xen 4.17.
    /// </summary>
    public static unsafe class LoaderMmuTests
    {
        public static bool DomIoFastPath()
        {
            ulong f = Frames.WithPattern(0x5a5a0003);
            if (!Check.True(f != 0, "no free frame")) return false;
            int s = Runner.Slot(0);
            if (!Check.Rc("map", Window.Map(s, f))) return false;
            ulong rw = (f << 12) | PageFlags.Present | PageFlags.RW;
            bool ok = Check.Rc("DOMID_IO, the mapped frame, A and D set", Update(s, rw | PageFlags.Accessed | PageFlags.Dirty));
            ok = Check.Rc("DOMID_IO, the mapped frame, PTE bit 53 (AVAIL_HIGH)", Update(s, rw | (1UL << 53))) && ok;
            ok = Check.Eq("the frame is still mapped", Frames.First(s), 0x5a5a0003) && ok;
            return Check.Rc("unmap", Window.Unmap(s)) && ok;
        }

        /// <summary>One MMU_NORMAL_PT_UPDATE of the slot's entry with foreigndom DOMID_IO.</summary>
        static long Update(int s, ulong val)
        {
            MmuUpdate u;
            u.Ptr = Window.PteMa(s) | MmuCmd.MMU_NORMAL_PT_UPDATE;
            u.Val = val;
            uint done = 0;
            return Hv.Call(Hypercall.MmuUpdate, (ulong)&u, 1, (ulong)&done, XenMemOp.DOMID_IO);
        }
    }
}
