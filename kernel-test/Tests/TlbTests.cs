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
            switch (how)
            {
                case How.UvmfInvlpg:
                    if (!Check.Rc("update_va_mapping(UVMF_INVLPG)", Hv.UpdateVaMapping(va, pte, UvmFlags.UVMF_INVLPG))) return false;
                    break;
                case How.UvmfTlbFlush:
                    if (!Check.Rc("update_va_mapping(UVMF_TLB_FLUSH)", Hv.UpdateVaMapping(va, pte, UvmFlags.UVMF_TLB_FLUSH))) return false;
                    break;
                case How.UvmfInvlpgAll:
                    if (!Check.Rc("update_va_mapping(UVMF_INVLPG|UVMF_ALL)", Hv.UpdateVaMapping(va, pte, UvmFlags.UVMF_INVLPG | UvmFlags.UVMF_ALL))) return false;
                    break;
                case How.UvmfTlbFlushAll:
                    if (!Check.Rc("update_va_mapping(UVMF_TLB_FLUSH|UVMF_ALL)", Hv.UpdateVaMapping(va, pte, UvmFlags.UVMF_TLB_FLUSH | UvmFlags.UVMF_ALL))) return false;
                    break;
                case How.UvmfNoneThenInvlpgLocal:
                    if (!Check.Rc("update_va_mapping(UVMF_NONE)", Hv.UpdateVaMapping(va, pte, UvmFlags.UVMF_NONE))) return false;
                    if (!Check.Rc("MMUEXT_INVLPG_LOCAL", Hv.Mmuext(MmuextCmd.MMUEXT_INVLPG_LOCAL, va))) return false;
                    break;
                case How.MmuUpdateThenTlbFlushLocal:
                    if (!Check.Rc("mmu_update", Hv.WritePte(Window.PteMa(s), pte))) return false;
                    if (!Check.Rc("MMUEXT_TLB_FLUSH_LOCAL", Hv.Mmuext(MmuextCmd.MMUEXT_TLB_FLUSH_LOCAL, 0))) return false;
                    break;
                case How.MmuUpdateThenInvlpgAll:
                    if (!Check.Rc("mmu_update", Hv.WritePte(Window.PteMa(s), pte))) return false;
                    if (!Check.Rc("MMUEXT_INVLPG_ALL", Hv.Mmuext(MmuextCmd.MMUEXT_INVLPG_ALL, va))) return false;
                    break;
                case How.MmuUpdateThenTlbFlushAll:
                    if (!Check.Rc("mmu_update", Hv.WritePte(Window.PteMa(s), pte))) return false;
                    if (!Check.Rc("MMUEXT_TLB_FLUSH_ALL", Hv.Mmuext(MmuextCmd.MMUEXT_TLB_FLUSH_ALL, 0))) return false;
                    break;
            }
            if (!Check.Eq("frame shown after the flush", Frames.First(s), 0x2000b)) return false;
            return Check.Rc("unmap", Window.Unmap(s));
        }
    }
}
