using Microxen.Arch;
using Microxen.Boot;
using Microxen.Hypercalls;
using Microxen.Xen;

namespace Microxen.Traps
{
    /// <summary>
    /// Writes to read-only page tables. PV kernels map their page tables read-only and still
    /// write them directly in places (Linux's ptep_get_and_clear is an xchg, ptep_set_wrprotect
    /// a clear_bit), relying on Xen to emulate the write (xen/arch/x86/pv/ro-page-fault.c).
    /// Fast mode does the write with the instruction itself: the faulting PTE is made writable,
    /// the instruction is single-stepped (RFLAGS.TF), and the #DB that follows puts the PTE
    /// back read-only. Only page-table frames are written so (Memory/PageTableFrames.cs), as
    /// Xen's ptwr does: a write to any other read-only page faults into the guest, which Linux
    /// relies on (xen_safe_write_ulong). User-half faults (copy-on-write) always go to the guest.
    /// </summary>
    public static unsafe class PageTableWrite
    {
        static ulong* s_pte;      // L1 entry made writable, null when no step is pending
        static ulong s_va;
        public static ulong Emulated;

        /// <summary>True when the #PF in <paramref name="f"/> was taken over (the instruction will be stepped).</summary>
        public static bool TryBegin(CpuFrame* f, ulong cr2)
        {
            const ulong Present = 1, Write = 2, User = 4, Reserved = 8, Fetch = 16;
            ulong e = f->ErrorCode;
            if ((e & (Present | Write | User | Reserved | Fetch)) != (Present | Write)) return false;
            if ((cr2 >> 63) == 0 || (f->Cs & 3) != 0 || s_pte != null) return false;
            ulong* pte = MmuOps.L1Entry(Cpu.ReadCr3() >> 12, cr2);
            if (pte == null || (*pte & (PageFlags.Present | PageFlags.RW)) != PageFlags.Present) return false;
            ulong target = (*pte & PageFlags.PADDR_MASK) >> 12;
            if (!Host.IsGuestFrame(target) || !Host.PtFrames.IsMarked(target)) return false;   // not a page table: the guest's fault
            *pte |= PageFlags.RW;
            Cpu.Invlpg(cr2);
            s_pte = pte;
            s_va = cr2;
            f->Rflags |= X86.Rflags.TF;   // one instruction, then #DB
            return true;
        }

        /// <summary>True when this #DB ended a pending step (the PTE is read-only again).</summary>
        public static bool TryEnd(CpuFrame* f)
        {
            if (s_pte == null) return false;
            *s_pte &= ~PageFlags.RW;
            Cpu.Invlpg(s_va);
            s_pte = null;
            f->Rflags &= ~X86.Rflags.TF;
            Emulated++;
            return true;
        }
    }
}
