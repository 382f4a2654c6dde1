namespace KernelTest.Tests
{
    /// <summary>
    /// TLB flush semantics: a mapping is read (so the TLB may hold it), changed to another
    /// frame, and flushed one way or another; afterwards the new frame must be what the address
    /// shows. (A stale translation before the flush is allowed, not required, so it is not
    /// tested.) Sources: public/xen.h UVMF_*, MMUEXT_*; xen/arch/x86/mm.c.
    /// </summary>
    public static unsafe class TlbTests
    {
        public enum How
        {
            UvmfInvlpg, UvmfTlbFlush, UvmfInvlpgAll, UvmfTlbFlushAll,
            UvmfNoneThenInvlpgLocal, MmuUpdateThenTlbFlushLocal, MmuUpdateThenInvlpgAll, MmuUpdateThenTlbFlushAll,
        }

        public static bool Switch(How how)
        {
            ulong a = Frames.WithPattern(0x1000a), b = Frames.WithPattern(0x2000b);
            if (!Check.True(a != 0 && b != 0, "no free frames")) return false;
            int s = Runner.Slot(0);
            ulong va = Window.Va(s);
            if (!Check.Rc("map", Window.Map(s, a))) return false;
            if (!Check.Eq("first frame", Frames.First(s), 0x1000a)) return false;
            ulong pte = (b << 12) | Mm.KernelRw;
            if (!Change(how, s, va, pte)) return false;
            if (!Check.Eq("frame shown after the flush", Frames.First(s), 0x2000b)) return false;
            return Check.Rc("unmap", Window.Unmap(s));
        }

        /// <summary>The new PTE <paramref name="pte"/> for slot <paramref name="s"/> written and flushed as <paramref name="how"/> says.</summary>
        static bool Change(How how, int s, ulong va, ulong pte)
        {
            switch (how)
            {
                case How.UvmfInvlpg: return Uvm("update_va_mapping(UVMF_INVLPG)", va, pte, UvmFlags.UVMF_INVLPG);
                case How.UvmfTlbFlush: return Uvm("update_va_mapping(UVMF_TLB_FLUSH)", va, pte, UvmFlags.UVMF_TLB_FLUSH);
                case How.UvmfInvlpgAll: return Uvm("update_va_mapping(UVMF_INVLPG|UVMF_ALL)", va, pte, UvmFlags.UVMF_INVLPG | UvmFlags.UVMF_ALL);
                case How.UvmfTlbFlushAll: return Uvm("update_va_mapping(UVMF_TLB_FLUSH|UVMF_ALL)", va, pte, UvmFlags.UVMF_TLB_FLUSH | UvmFlags.UVMF_ALL);
                case How.UvmfNoneThenInvlpgLocal:
                    return Uvm("update_va_mapping(UVMF_NONE)", va, pte, UvmFlags.UVMF_NONE)
                        && Check.Rc("MMUEXT_INVLPG_LOCAL", Hv.Mmuext(MmuextCmd.MMUEXT_INVLPG_LOCAL, va));
                case How.MmuUpdateThenTlbFlushLocal:
                    return MmuUpdate(s, pte) && Check.Rc("MMUEXT_TLB_FLUSH_LOCAL", Hv.Mmuext(MmuextCmd.MMUEXT_TLB_FLUSH_LOCAL, 0));
                case How.MmuUpdateThenInvlpgAll:
                    return MmuUpdate(s, pte) && Check.Rc("MMUEXT_INVLPG_ALL", Hv.Mmuext(MmuextCmd.MMUEXT_INVLPG_ALL, va));
                case How.MmuUpdateThenTlbFlushAll:
                    return MmuUpdate(s, pte) && Check.Rc("MMUEXT_TLB_FLUSH_ALL", Hv.Mmuext(MmuextCmd.MMUEXT_TLB_FLUSH_ALL, 0));
            }
            return true;
        }

        static bool Uvm(string what, ulong va, ulong pte, ulong flags) => Check.Rc(what, Hv.UpdateVaMapping(va, pte, flags));

        static bool MmuUpdate(int s, ulong pte) => Check.Rc("mmu_update", Hv.WritePte(Window.PteMa(s), pte));
    }
}
