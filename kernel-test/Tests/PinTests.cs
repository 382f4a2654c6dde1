namespace KernelTest.Tests
{
    /// <summary>
    /// MMUEXT_PIN_L1..L4_TABLE / MMUEXT_UNPIN_TABLE on free frames, a pinned L2 that refers to an
    /// L1, and MMUEXT_NEW_BASEPTR to a copy of the running L4 and back. Frames that become page
    /// tables are written only before that, through the scratch mapping, and have no other
    /// mapping (Xen refuses page tables that are mapped writable).
    /// </summary>
    public static unsafe class PinTests
    {
        /// <summary>An empty (cleared) frame pinned as a level-<paramref name="level"/> table, then unpinned.</summary>
        public static bool PinEmpty(int level)
        {
            ulong mfn = Window.ClearedFrame();
            if (!Check.True(mfn != 0, "no free frame")) return false;
            uint cmd = level == 1 ? MmuextCmd.MMUEXT_PIN_L1_TABLE : level == 2 ? MmuextCmd.MMUEXT_PIN_L2_TABLE
                : level == 3 ? MmuextCmd.MMUEXT_PIN_L3_TABLE : MmuextCmd.MMUEXT_PIN_L4_TABLE;
            if (!Check.Rc("pin", Hv.Mmuext(cmd, mfn))) return false;
            return Check.Rc("MMUEXT_UNPIN_TABLE", Hv.Mmuext(MmuextCmd.MMUEXT_UNPIN_TABLE, mfn));
        }

        /// <summary>An L2 whose entry 0 refers to an L1 mapping a data frame, pinned as an L2 (which validates the L1 too), then unpinned.</summary>
        public static bool PinL2WithL1()
        {
            ulong data = Frames.WithPattern(0x77);
            ulong l1 = Window.ClearedFrame(), l2 = Window.ClearedFrame();
            if (!Check.True(data != 0 && l1 != 0 && l2 != 0, "no free frames")) return false;
            ulong* p = Window.Scratch(l1);
            if (!Check.True(p != null, "scratch map failed")) return false;
            p[0] = (data << 12) | Mm.KernelRw;
            Window.EndScratch();
            p = Window.Scratch(l2);
            if (!Check.True(p != null, "scratch map failed")) return false;
            p[0] = (l1 << 12) | Mm.KernelRw;
            Window.EndScratch();
            if (!Check.Rc("MMUEXT_PIN_L2_TABLE", Hv.Mmuext(MmuextCmd.MMUEXT_PIN_L2_TABLE, l2))) return false;
            return Check.Rc("MMUEXT_UNPIN_TABLE", Hv.Mmuext(MmuextCmd.MMUEXT_UNPIN_TABLE, l2));
        }

        /// <summary>
        /// A copy of the running L4 (every entry; the hypervisor's own slots it fills in itself),
        /// pinned and loaded with MMUEXT_NEW_BASEPTR: the kernel keeps running on it and sees its
        /// data; then the original is loaded again and the copy unpinned.
        /// </summary>
        public static bool NewBaseptr()
        {
            ulong copy = Window.ClearedFrame();
            if (!Check.True(copy != 0, "no free frame")) return false;
            ulong* src = (ulong*)Mm.Start->PtBase;
            ulong* p = Window.Scratch(copy);
            if (!Check.True(p != null, "scratch map failed")) return false;
            for (int i = 0; i < 512; i++) p[i] = src[i];
            Window.EndScratch();
            if (!Check.Rc("MMUEXT_PIN_L4_TABLE", Hv.Mmuext(MmuextCmd.MMUEXT_PIN_L4_TABLE, copy))) return false;
            if (!Check.Rc("MMUEXT_NEW_BASEPTR(copy)", Hv.Mmuext(MmuextCmd.MMUEXT_NEW_BASEPTR, copy))) return false;
            ulong seen = Mm.Start->NrPages;
            bool ok = Check.Eq("start_info read on the copy", seen, Mm.NrPages);
            if (!Check.Rc("MMUEXT_NEW_BASEPTR(original)", Hv.Mmuext(MmuextCmd.MMUEXT_NEW_BASEPTR, Mm.KernelL4Mfn))) return false;
            if (!Check.Rc("MMUEXT_UNPIN_TABLE", Hv.Mmuext(MmuextCmd.MMUEXT_UNPIN_TABLE, copy))) return false;
            return ok;
        }
    }
}
