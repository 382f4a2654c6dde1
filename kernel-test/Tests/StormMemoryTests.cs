using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// Answers of the hypercall storm's memory groups (issue 9, s9a: mmu, uvm, ext, undef) checked
    /// against Xen 4.17: dom0's I/O memory permissions (xen/arch/x86/dom0_build.c
    /// dom0_setup_permissions, mm.c get_page_from_l1e), update_va_mapping_otherdomain under
    /// DOMID_IO, paging_domctl_cont (arch/x86/mm/paging.c), GNTTABOP_transfer's steal_page.
    /// </summary>
    public static unsafe class StormMemoryTests
    {
        /// <summary>A non-canonical address: unreadable in every build.</summary>
        const ulong Unreadable = 0x8000000000000000;
        /// <summary>A frame past any physical address width QEMU or a PC gives (bit 39 of the frame: address bit 51).</summary>
        const ulong PastPaddrBits = (1UL << 39) + 5;
        /// <summary>PADDR_MASK &gt;&gt; PAGE_SHIFT: Xen's "INVALID_MFN?" (-EINVAL rather than -EPERM).</summary>
        const ulong AllAddressBits = (1UL << 40) - 1;
        /// <summary>A frame at 64 GiB: MMIO dom0 may map (below paddr_bits, no RAM there under the test's QEMU).</summary>
        const ulong HighMmio = 1UL << 24;

        /// <summary>
        /// update_va_mapping of a frame past paddr_bits -EPERM, of the all-ones frame -EINVAL (no
        /// iomem permission); a frame at 64 GiB (MMIO within paddr_bits) maps, then unmaps.
        /// </summary>
        public static bool MmioPermissions()
        {
            int s = Runner.Slot(0);
            ulong va = Window.Va(s);
            ulong rw = PageFlags.Present | PageFlags.RW;
            if (!Validation.Rc("frame past paddr_bits", Hv.UpdateVaMapping(va, (PastPaddrBits << 12) | rw, UvmFlags.UVMF_INVLPG), XenErrno.EPERM)) return false;
            if (!Validation.Rc("all-ones frame", Hv.UpdateVaMapping(va, (AllAddressBits << 12) | rw, UvmFlags.UVMF_INVLPG), XenErrno.EINVAL)) return false;
            if (!Validation.Rc("MMIO at 64 GiB", Hv.UpdateVaMapping(va, (HighMmio << 12) | rw, UvmFlags.UVMF_INVLPG), 0)) return false;
            return Check.Rc("unmap", Window.Unmap(s));
        }

        /// <summary>update_va_mapping_otherdomain(DOMID_IO) of the domain's own frame: -EBUSY (it is not dom_io's); unknown domain 5 -ESRCH.</summary>
        public static bool OtherdomainDomIo()
        {
            ulong f = Frames.WithPattern(0x5a5a0001);
            if (!Check.True(f != 0, "no free frame")) return false;
            ulong va = Window.Va(Runner.Slot(0));
            ulong pte = (f << 12) | PageFlags.Present | PageFlags.RW;
            if (!Validation.Rc("DOMID_IO, own frame", Hv.Call(Hypercall.UpdateVaMappingOtherdomain, va, pte, UvmFlags.UVMF_INVLPG, XenMemOp.DOMID_IO), XenErrno.EBUSY)) return false;
            return Validation.Rc("domain 5", Hv.Call(Hypercall.UpdateVaMappingOtherdomain, va, pte, UvmFlags.UVMF_INVLPG, 5), XenErrno.ESRCH);
        }

        /// <summary>paging_domctl_cont (49): unreadable xen_domctl -EFAULT; a zeroed one (cmd 0, interface_version 0) -EOPNOTSUPP.</summary>
        public static bool PagingDomctlCont()
        {
            ulong* d = stackalloc ulong[18];   // sizeof(xen_domctl_t) = 144
            for (int i = 0; i < 18; i++) d[i] = 0;
            if (!Validation.Rc("unreadable", Hv.Call(Hypercall.PagingDomctlCont, Unreadable), XenErrno.EFAULT)) return false;
            return Validation.Rc("zeroed", Hv.Call(Hypercall.PagingDomctlCont, (ulong)d), XenErrno.EOPNOTSUPP);
        }

        /// <summary>
        /// GNTTABOP_transfer of a frame the domain maps (steal_page needs no reference but the
        /// allocation) and of frame 0 (not the domain's): GNTST_bad_page each, the call 0.
        /// </summary>
        public static bool TransferRefused()
        {
            ulong f = Frames.WithPattern(0x5a5a0002);
            if (!Check.True(f != 0, "no free frame")) return false;
            int s = Runner.Slot(0);
            if (!Check.Rc("map", Window.Map(s, f))) return false;
            ulong* g = stackalloc ulong[6];   // two struct gnttab_transfer: mfn, domid, ref, status (24 bytes)
            g[0] = f; g[1] = Hv.DomidSelf; g[2] = 0;
            g[3] = 0; g[4] = Hv.DomidSelf; g[5] = 0;
            if (!Check.Rc("GNTTABOP_transfer", Hv.Call(Hypercall.GrantTableOp, GnttabOp.GNTTABOP_transfer, (ulong)g, 2))) return false;
            if (!Validation.Rc("mapped frame: status", *(short*)(g + 2), -Gntst.BadPage)) return false;
            if (!Validation.Rc("frame 0: status", *(short*)(g + 5), -Gntst.BadPage)) return false;
            if (!Check.Eq("the frame is still the domain's", Frames.First(s), 0x5a5a0002)) return false;
            return Check.Rc("unmap", Window.Unmap(s));
        }
    }
}
