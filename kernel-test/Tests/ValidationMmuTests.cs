using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// The validation group, page tables (xen/arch/x86/mm.c, pv/mm.h of Xen 4.17): mmu_update,
    /// update_va_mapping and mmuext_op requests that Xen refuses or adjusts, each checked against
    /// the result Xen 4.17 gives (errno, done counts, what the tables hold afterwards). Tables are
    /// free frames pinned on their own; every test unpins and unmaps what it made.
    /// </summary>
    public static unsafe class ValidationMmuTests
    {
        const ulong Rw = Mm.KernelRw;
        const int EINVAL = XenErrno.EINVAL, EBUSY = XenErrno.EBUSY;

        /// <summary>A pinned L1 mapped writable with update_va_mapping: -EBUSY (get_page_from_l1e: a page table is never writable).</summary>
        public static bool WritableMapOfPinnedL1()
        {
            ulong l1 = Validation.Pinned(1);
            if (!Check.True(l1 != 0, "no pinned L1")) return false;
            int s = Runner.Slot(0);
            long rc = Window.Map(s, l1);
            Window.Unmap(s);
            bool ok = Validation.Rc("update_va_mapping(pinned L1, writable)", rc, EBUSY);
            return Check.Rc("unpin", Validation.Unpin(l1)) && ok;
        }

        /// <summary>A pinned L1 mapped read-only: accepted, and it reads as the empty table it is.</summary>
        public static bool ReadOnlyMapOfPinnedL1()
        {
            ulong l1 = Validation.Pinned(1);
            if (!Check.True(l1 != 0, "no pinned L1")) return false;
            bool ok = Check.Eq("entry 0 read through a read-only mapping", Validation.ReadEntry(l1, 0), 0);
            return Check.Rc("unpin", Validation.Unpin(l1)) && ok;
        }

        /// <summary>MMUEXT_PIN_L1_TABLE of a frame mapped writable: -EINVAL.</summary>
        public static bool PinOfWritableFrame()
        {
            ulong f = Window.ClearedFrame();
            if (!Check.True(f != 0, "no free frame")) return false;
            int s = Runner.Slot(0);
            if (!Check.Rc("map writable", Window.Map(s, f))) return false;
            long rc = Hv.Mmuext(MmuextCmd.MMUEXT_PIN_L1_TABLE, f);
            if (rc == 0) Validation.Unpin(f);
            bool ok = Validation.Rc("MMUEXT_PIN_L1_TABLE(frame mapped writable)", rc, EINVAL);
            return Check.Rc("unmap", Window.Unmap(s)) && ok;
        }

        /// <summary>
        /// Entry 0 of a pinned level-<paramref name="level"/> table (2-4) set with mmu_update to a
        /// cleared frame with <paramref name="extra"/> flags: -<paramref name="errno"/>. When
        /// accepted, the entry reads back as <paramref name="readBack"/> flags (Xen adds _PAGE_USER
        /// to a 64-bit PV guest's L2-L4 entries), and is cleared again.
        /// </summary>
        public static bool EntryFlags(int level, ulong extra, int errno, ulong readBack)
        {
            ulong t = Validation.Pinned(level), child = Window.ClearedFrame();
            if (!Check.True(t != 0 && child != 0, "no frames")) return false;
            long rc = Hv.WritePte(Validation.EntryMa(t, 0), (child << 12) | Rw | extra);
            bool ok = Validation.Rc("mmu_update(entry 0)", rc, errno);
            if (rc == 0)
            {
                ok = Check.Eq("entry read back", Validation.ReadEntry(t, 0), (child << 12) | Rw | readBack) && ok;
                ok = Check.Rc("clear entry 0", Hv.WritePte(Validation.EntryMa(t, 0), 0)) && ok;
            }
            return Check.Rc("unpin", Validation.Unpin(t)) && ok;
        }

        /// <summary>
        /// A data frame mapped with update_va_mapping and <paramref name="flags"/>; the L1 entry
        /// read back holds <paramref name="readBack"/> flags (Xen's adjust_guest_l1e: a kernel
        /// mapping gets _PAGE_USER and _PAGE_GUEST_KERNEL, a user mapping _PAGE_GLOBAL).
        /// </summary>
        public static bool L1Adjusted(ulong flags, ulong readBack)
        {
            ulong f = Frames.WithPattern(0x1e1e);
            if (!Check.True(f != 0, "no free frame")) return false;
            int s = Runner.Slot(0);
            if (!Check.Rc("update_va_mapping", Window.Map(s, f, flags))) return false;
            bool ok = Check.Eq("L1 entry read back", Validation.ReadEntry(Window.L1Mfn, s), (f << 12) | readBack);
            return Check.Rc("unmap", Window.Unmap(s)) && ok;
        }

        /// <summary>MMU_PT_UPDATE_PRESERVE_AD without A/D over an entry that has them: A and D are kept.</summary>
        public static bool PreserveAd()
        {
            ulong f = Frames.WithPattern(0xad);
            if (!Check.True(f != 0, "no free frame")) return false;
            int s = Runner.Slot(0);
            if (!Check.Rc("update_va_mapping", Window.Map(s, f))) return false;
            MmuUpdate u;
            u.Ptr = Window.PteMa(s) | MmuCmd.MMU_PT_UPDATE_PRESERVE_AD;
            u.Val = (f << 12) | PageFlags.Present | PageFlags.RW;
            uint done = 0;
            bool ok = Check.Rc("mmu_update(PRESERVE_AD)", Hv.MmuUpdate(&u, 1, &done));
            ok = Check.Eq("done", done, 1) && ok;
            ulong e = Validation.ReadEntry(Window.L1Mfn, s);
            ok = Check.Eq("frame and A/D bits read back", e & (PageFlags.PADDR_MASK | PageFlags.Accessed | PageFlags.Dirty),
                (f << 12) | PageFlags.Accessed | PageFlags.Dirty) && ok;
            return Check.Rc("unmap", Window.Unmap(s)) && ok;
        }

        /// <summary>MMUEXT_UNPIN_TABLE of a frame never pinned: -EINVAL.</summary>
        public static bool UnpinUnpinned()
        {
            ulong f = Window.ClearedFrame();
            if (!Check.True(f != 0, "no free frame")) return false;
            return Validation.Rc("MMUEXT_UNPIN_TABLE(not pinned)", Validation.Unpin(f), EINVAL);
        }

        /// <summary>
        /// mmuext_op <paramref name="cmd"/> on a frame pinned as an L1 (with a cleared frame as
        /// the source when <paramref name="withSource"/>): -<paramref name="errno"/>. A second
        /// PIN_L1 or a PIN_L2 (a frame has one type and one pin), COPY_PAGE into it or CLEAR_PAGE
        /// of it (a page table is never written as data) are -EINVAL. One unpin undoes the pin.
        /// </summary>
        public static bool MmuextOnPinnedL1(uint cmd, bool withSource, int errno)
        {
            ulong l1 = Validation.Pinned(1), src = withSource ? Window.ClearedFrame() : 0;
            if (!Check.True(l1 != 0 && (src != 0 || !withSource), "no frames")) return false;
            bool ok = Validation.Rc("mmuext_op on a pinned L1", Hv.Mmuext(cmd, l1, src), errno);
            return Check.Rc("unpin", Validation.Unpin(l1)) && ok;
        }

        /// <summary>
        /// An L1 pinned and referred to by a pinned L2: its unpin succeeds, but it stays an L1
        /// (a writable mapping gets -EBUSY) until the L2 is unpinned too; then it may be mapped writable.
        /// </summary>
        public static bool UnpinReferencedL1()
        {
            ulong l1 = Validation.Pinned(1), l2 = Window.ClearedFrame();
            if (!Check.True(l1 != 0 && l2 != 0, "no frames")) return false;
            ulong* p = Window.Scratch(l2);
            if (!Check.True(p != null, "scratch map failed")) return false;
            p[0] = (l1 << 12) | Rw;
            Window.EndScratch();
            if (!Check.Rc("MMUEXT_PIN_L2_TABLE", Hv.Mmuext(MmuextCmd.MMUEXT_PIN_L2_TABLE, l2))) return false;
            bool ok = Check.Rc("unpin the L1 still referenced", Validation.Unpin(l1));
            int s = Runner.Slot(0);
            long rc = Window.Map(s, l1);
            Window.Unmap(s);
            ok = Validation.Rc("map the referenced L1 writable", rc, EBUSY) && ok;
            ok = Check.Rc("unpin the L2", Validation.Unpin(l2)) && ok;
            ok = Check.Rc("map the unreferenced frame writable", Window.Map(s, l1)) && ok;
            return Check.Rc("unmap", Window.Unmap(s)) && ok;
        }

        /// <summary>
        /// MMUEXT_NEW_BASEPTR of a copy of the running L4 that is mapped writable, or (when
        /// <paramref name="badEntry"/>) whose unused slot 201 names a frame mapped writable, so that
        /// it fails validation as an L4: -EINVAL either way; the kernel stays on its own L4.
        /// </summary>
        public static bool NewBaseptrRefused(bool badEntry)
        {
            const int Slot = 201;
            if (!Check.Eq("kernel L4 slot 201", ((ulong*)Mm.Start->PtBase)[Slot], 0)) return false;
            ulong copy = Validation.L4Copy(), w = badEntry ? Window.ClearedFrame() : copy;
            if (!Check.True(copy != 0 && w != 0, "no frames")) return false;
            ulong* p = Window.Scratch(copy);
            if (!Check.True(p != null, "scratch map failed")) return false;
            if (badEntry) p[Slot] = (w << 12) | Rw;
            Window.EndScratch();
            int s = Runner.Slot(0);
            if (!Check.Rc("map writable", Window.Map(s, w))) return false;
            bool ok = Validation.Rc("MMUEXT_NEW_BASEPTR", Validation.NewBaseptr(copy), EINVAL);
            ok = Validation.BackOnKernelL4() && ok;
            return Check.Rc("unmap", Window.Unmap(s)) && ok;
        }

        /// <summary>
        /// MMUEXT_NEW_BASEPTR of a valid L4 copy that was never pinned: Xen validates it then and
        /// there (accepted); once the kernel is back on its own L4 the copy has no type left and
        /// may be mapped writable.
        /// </summary>
        public static bool NewBaseptrUnpinnedL4()
        {
            ulong copy = Validation.L4Copy();
            if (!Check.True(copy != 0, "no frame")) return false;
            if (!Check.Rc("MMUEXT_NEW_BASEPTR(unpinned copy)", Validation.NewBaseptr(copy))) return false;
            bool ok = Check.Eq("start_info read on the copy", Mm.Start->NrPages, Mm.NrPages);
            if (!Validation.BackOnKernelL4()) return false;
            int s = Runner.Slot(0);
            ok = Check.Rc("map the former L4 writable", Window.Map(s, copy)) && ok;
            return Check.Rc("unmap", Window.Unmap(s)) && ok;
        }

        /// <summary>
        /// MMUEXT_NEW_BASEPTR of a frame in use as a GDT frame (set_gdt accepted it: an L4 copy's
        /// entries are all not-present descriptors): -EINVAL, the frame is not an L4.
        /// </summary>
        public static bool NewBaseptrGdtFrame()
        {
            if (!UserSpace.Ensure()) return false;
            ulong copy = Validation.L4Copy();
            if (!Check.True(copy != 0, "no frame")) return false;
            if (!Check.Rc("set_gdt(the L4 copy, 512 entries)", Validation.SetGdt(copy, 512))) return false;
            bool ok = Validation.Rc("MMUEXT_NEW_BASEPTR(GDT frame)", Validation.NewBaseptr(copy), EINVAL);
            ok = Validation.BackOnKernelL4() && ok;
            return Validation.RestoreGdt() && ok;
        }

        /// <summary>
        /// An mmu_update batch of 6 whose 5th entry maps a pinned L1 writable: -EBUSY with
        /// done = 4; entries 1-4 applied, the 6th not.
        /// </summary>
        public static bool BatchFifthFails()
        {
            ulong l1 = Validation.Pinned(1);
            ulong* f = stackalloc ulong[4];
            for (int i = 0; i < 4; i++) f[i] = Frames.WithPattern(0xb000 + (ulong)i);
            if (!Check.True(l1 != 0 && f[0] != 0 && f[1] != 0 && f[2] != 0 && f[3] != 0, "no frames")) return false;
            MmuUpdate* u = stackalloc MmuUpdate[6];
            for (int i = 0; i < 4; i++) { u[i].Ptr = Window.PteMa(Runner.Slot(i)); u[i].Val = (f[i] << 12) | Rw; }
            u[4].Ptr = Window.PteMa(Runner.Slot(0)); u[4].Val = (l1 << 12) | Rw;
            u[5].Ptr = Window.PteMa(Runner.Slot(1)); u[5].Val = (f[0] << 12) | Rw;
            uint done = 0xffff;
            long rc = Hv.MmuUpdate(u, 6, &done);
            Hv.Mmuext(MmuextCmd.MMUEXT_TLB_FLUSH_LOCAL, 0);
            bool ok = Validation.Rc("mmu_update(6 entries, the 5th bad)", rc, EBUSY);
            ok = Check.Eq("done", done, 4) && ok;
            for (int i = 0; i < 4; i++) ok = Check.Eq("frame mapped by entries 1-4", Frames.First(Runner.Slot(i)), 0xb000 + (ulong)i) && ok;
            for (int i = 0; i < 4; i++) ok = Check.Rc("unmap", Window.Unmap(Runner.Slot(i))) && ok;
            return Check.Rc("unpin", Validation.Unpin(l1)) && ok;
        }

        /// <summary>An mmuext_op batch [TLB_FLUSH_LOCAL, TLB_FLUSH_LOCAL, UNPIN of an unpinned frame, TLB_FLUSH_LOCAL]: -EINVAL, done = 2.</summary>
        public static bool MmuextBatchThirdFails()
        {
            ulong f = Window.ClearedFrame();
            if (!Check.True(f != 0, "no free frame")) return false;
            MmuextOp* ops = stackalloc MmuextOp[4];
            for (int i = 0; i < 4; i++) { ops[i].Cmd = MmuextCmd.MMUEXT_TLB_FLUSH_LOCAL; ops[i].Mfn = 0; ops[i].Vcpumask = 0; }
            ops[2].Cmd = MmuextCmd.MMUEXT_UNPIN_TABLE;
            ops[2].Mfn = f;
            uint done = 0xffff;
            long rc = Hv.Call(Hypercall.MmuextOp, (ulong)ops, 4, (ulong)&done, Hv.DomidSelf);
            bool ok = Validation.Rc("mmuext_op(4 ops, the 3rd bad)", rc, EINVAL);
            return Check.Eq("done", done, 2) && ok;
        }

        /// <summary>The first frame of the M2P (XENMEM_machphys_mfn_list, one extent), 0 on failure.</summary>
        internal static ulong M2pFrame()
        {
            // struct xen_machphys_mfn_list: max_extents (uint, 0), extent_start (8), nr_extents (uint, 16).
            ulong* arg = stackalloc ulong[3];
            ulong first = 0;
            arg[0] = 1;
            arg[1] = (ulong)&first;
            arg[2] = 0;
            long rc = Hv.Call(Hypercall.MemoryOp, XenMemOp.XENMEM_machphys_mfn_list, (ulong)arg);
            return rc == 0 && (uint)arg[2] == 1 ? first : 0;
        }

        /// <summary>
        /// An M2P frame mapped by its machine frame number, writable (<paramref name="flags"/>)
        /// or read-only: -EBUSY either way (get_page_from_l1e: the frame is Xen's, not the
        /// guest's; guests read the M2P at HYPERVISOR_VIRT_START).
        /// </summary>
        public static bool M2pMapped(ulong flags)
        {
            ulong m = M2pFrame();
            if (!Check.True(m != 0, "XENMEM_machphys_mfn_list failed")) return false;
            int s = Runner.Slot(0);
            long rc = Window.Map(s, m, flags);
            Window.Unmap(s);
            return Validation.Rc("update_va_mapping(M2P frame)", rc, EBUSY);
        }

        static long MachphysUpdate(ulong mfn, ulong pfn)
        {
            MmuUpdate u;
            u.Ptr = (mfn << 12) | MmuCmd.MMU_MACHPHYS_UPDATE;
            u.Val = pfn;
            uint done = 0;
            return Hv.MmuUpdate(&u, 1, &done);
        }

        /// <summary>MMU_MACHPHYS_UPDATE of machine frame 0 (not the guest's; the value it already has): -EINVAL.</summary>
        public static bool MachphysForeign() =>
            Validation.Rc("MMU_MACHPHYS_UPDATE(mfn 0)", MachphysUpdate(0, Mm.M2p[0]), EINVAL);

        /// <summary>MMU_MACHPHYS_UPDATE of one of the guest's free frames: accepted and visible in the M2P; restored.</summary>
        public static bool MachphysOwn()
        {
            ulong f = Mm.AllocFrame();
            if (!Check.True(f != 0, "no free frame")) return false;
            ulong old = Mm.M2p[f];
            bool ok = Check.Rc("MMU_MACHPHYS_UPDATE(own frame)", MachphysUpdate(f, 0x12345));
            ok = Check.Eq("M2P entry after the update", Mm.M2p[f], 0x12345) && ok;
            return Check.Rc("restore the M2P entry", MachphysUpdate(f, old)) && ok;
        }

        /// <summary>mmu_update whose ptr lies in a frame past the end of RAM: -EINVAL, done = 0.</summary>
        public static bool BadPtr()
        {
            MmuUpdate u;
            u.Ptr = (0xfffffffffUL << 12) | MmuCmd.MMU_NORMAL_PT_UPDATE;
            u.Val = 0;
            uint done = 0xffff;
            bool ok = Validation.Rc("mmu_update(ptr past RAM)", Hv.MmuUpdate(&u, 1, &done), EINVAL);
            return Check.Eq("done", done, 0) && ok;
        }

        /// <summary>mmu_update with command 3 (MMU_PT_UPDATE_NO_TRANSLATE) on a PV guest's own (empty) PTE: a normal update for a PV guest, done = 1.</summary>
        public static bool NoTranslateCmd()
        {
            MmuUpdate u;
            u.Ptr = Window.PteMa(Runner.Slot(0)) | MmuCmd.MMU_PT_UPDATE_NO_TRANSLATE;
            u.Val = 0;
            uint done = 0xffff;
            bool ok = Check.Rc("mmu_update(MMU_PT_UPDATE_NO_TRANSLATE)", Hv.MmuUpdate(&u, 1, &done));
            return Check.Eq("done", done, 1) && ok;
        }

        /// <summary>update_va_mapping of an address with no L3 (kernel L4 slot 4): -EINVAL.</summary>
        public static bool UpdateVaMappingUnmapped()
        {
            const int Slot = 4;
            if (!Check.Eq("kernel L4 slot 4", ((ulong*)Mm.Start->PtBase)[Slot], 0)) return false;
            return Validation.Rc("update_va_mapping(no L3)", Hv.UpdateVaMapping((ulong)Slot << 39, 0, UvmFlags.UVMF_INVLPG), EINVAL);
        }

        /// <summary>mmuext_op with an unknown command (99): -ENOSYS, done = 0.</summary>
        public static bool MmuextUnknown()
        {
            MmuextOp op;
            op.Vcpumask = 0;
            op.Cmd = 99;
            op.Mfn = 0;
            uint done = 0xffff;
            bool ok = Validation.Rc("mmuext_op(cmd 99)", Hv.Call(Hypercall.MmuextOp, (ulong)&op, 1, (ulong)&done, Hv.DomidSelf), XenErrno.ENOSYS);
            return Check.Eq("done", done, 0) && ok;
        }

        /// <summary>
        /// mmuext_op and mmu_update naming the domain's own id (0) as the foreign domain: Xen's
        /// get_pg_owner refuses it ("Cannot specify itself as foreign domain"), -ESRCH;
        /// mmuext_op leaves done untouched, mmu_update writes done = 0.
        /// </summary>
        public static bool OwnDomidRefused()
        {
            MmuextOp op;
            op.Vcpumask = 0;
            op.Cmd = MmuextCmd.MMUEXT_TLB_FLUSH_LOCAL;
            op.Mfn = 0;
            op.SrcMfn = 0;
            uint done = 0xffff;
            bool ok = Validation.Rc("mmuext_op(domid 0)", Hv.Call(Hypercall.MmuextOp, (ulong)&op, 1, (ulong)&done, 0), XenErrno.ESRCH);
            ok = Check.Eq("mmuext_op done", done, 0xffff) && ok;
            MmuUpdate u;
            u.Ptr = Window.PteMa(Runner.Slot(0)) | MmuCmd.MMU_NORMAL_PT_UPDATE;
            u.Val = 0;
            done = 0xffff;
            ok = Validation.Rc("mmu_update(domid 0)", Hv.Call(Hypercall.MmuUpdate, (ulong)&u, 1, (ulong)&done, 0), XenErrno.ESRCH) && ok;
            return Check.Eq("mmu_update done", done, 0) && ok;
        }

        /// <summary>
        /// A linear (self) mapping: entry 0 of a pinned level-<paramref name="level"/> table names
        /// the table itself, read-only or <paramref name="writable"/>: -<paramref name="errno"/>
        /// (Xen 4.17 allows read-only linear page tables; a writable one is -EINVAL at L2-L4 and,
        /// at L1, a writable mapping of a page table: -EBUSY). Cleared again.
        /// </summary>
        public static bool SelfMap(int level, bool writable, int errno)
        {
            ulong t = Validation.Pinned(level);
            if (!Check.True(t != 0, "no pinned table")) return false;
            ulong flags = writable ? Rw : Validation.KernelRo;
            long rc = Hv.WritePte(Validation.EntryMa(t, 0), (t << 12) | flags);
            bool ok = Validation.Rc("mmu_update(self entry)", rc, errno);
            if (rc == 0) ok = Check.Rc("clear the self entry", Hv.WritePte(Validation.EntryMa(t, 0), 0)) && ok;
            return Check.Rc("unpin", Validation.Unpin(t)) && ok;
        }

        /// <summary>MMUEXT_COPY_PAGE from a pinned L1 into a free frame: accepted (the source is only read).</summary>
        public static bool CopyPageFromPageTable()
        {
            ulong l1 = Validation.Pinned(1), dst = Frames.WithPattern(0x77);
            if (!Check.True(l1 != 0 && dst != 0, "no frames")) return false;
            bool ok = Check.Rc("MMUEXT_COPY_PAGE(src pinned L1)", Hv.Mmuext(MmuextCmd.MMUEXT_COPY_PAGE, dst, l1));
            ok = Check.Eq("copied (empty) table word 0", Validation.ReadEntry(dst, 0), 0) && ok;
            return Check.Rc("unpin", Validation.Unpin(l1)) && ok;
        }

        /// <summary>MMUEXT_SET_LDT(<paramref name="linear"/>, <paramref name="entries"/>): -<paramref name="errno"/>; MMUEXT_SET_LDT(0, 0) after.</summary>
        public static bool SetLdt(ulong linear, uint entries, int errno)
        {
            bool ok = Validation.Rc("MMUEXT_SET_LDT", Hv.Mmuext(MmuextCmd.MMUEXT_SET_LDT, linear, entries), errno);
            return Check.Rc("MMUEXT_SET_LDT(0, 0)", Hv.Mmuext(MmuextCmd.MMUEXT_SET_LDT, 0, 0)) && ok;
        }
    }
}
