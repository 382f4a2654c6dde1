namespace KernelTest.Tests
{
    /// <summary>
    /// Hypercalls given arguments the hypervisor cannot use get Xen's error codes and the guest
    /// goes on (xen/arch/x86/mm.c, pv/misc-hypercalls.c).
    /// </summary>
    public static unsafe class BadArgumentTests
    {
        const ulong Unmapped = 0xffffffffc0000000UL;
        const long EFAULT = -14, EINVAL = -22;

        /// <summary>mmu_update and mmuext_op whose request array is not mapped: -EFAULT.</summary>
        public static bool BatchFromUnmappedArray()
        {
            long rc = Hv.Call(Hypercall.MmuUpdate, Unmapped, 1, 0, XenMemOp.DOMID_SELF);
            if (!Check.Eq("mmu_update with an unmapped request array", (ulong)rc, unchecked((ulong)EFAULT))) return false;
            rc = Hv.Call(Hypercall.MmuextOp, Unmapped, 1, 0, XenMemOp.DOMID_SELF);
            return Check.Eq("mmuext_op with an unmapped op array", (ulong)rc, unchecked((ulong)EFAULT));
        }

        /// <summary>set_segment_base with a non-canonical base: -EINVAL; the base in use is unchanged.</summary>
        public static bool SegmentBaseNonCanonical()
        {
            long rc = Hv.SetSegmentBase(Layout.SEGBASE_FS, 0x8000000000000000UL);
            if (!Check.Eq("set_segment_base(FS, non-canonical)", (ulong)rc, unchecked((ulong)EINVAL))) return false;
            rc = Hv.SetSegmentBase(Layout.SEGBASE_GS_USER, 0x0000800000000000UL);
            return Check.Eq("set_segment_base(GS_USER, non-canonical)", (ulong)rc, unchecked((ulong)EINVAL));
        }

        /// <summary>set_segment_base(GS_USER_SEL) with a selector that cannot be loaded: the NUL selector is loaded, result 0.</summary>
        public static bool SegmentSelectorUnloadable()
        {
            long rc = Hv.SetSegmentBase(Layout.SEGBASE_GS_USER_SEL, 0xfff8);
            if (!Check.Rc("set_segment_base(GS_USER_SEL, 0xfff8)", rc)) return false;
            // An LDT selector (TI set) with no LDT loaded: Xen loads the NUL selector (found by the storm).
            if (!Check.Rc("set_segment_base(GS_USER_SEL, 0xcca4)", Hv.SetSegmentBase(Layout.SEGBASE_GS_USER_SEL, 0xcca4))) return false;
            return Check.Rc("set_segment_base(GS_USER_SEL, 0)", Hv.SetSegmentBase(Layout.SEGBASE_GS_USER_SEL, 0));
        }
    }
}
