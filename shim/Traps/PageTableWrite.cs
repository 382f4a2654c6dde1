using Microxen.Arch;
using Microxen.Boot;
using Microxen.Checked;
using Microxen.Guest;
using Microxen.Hypercalls;
using Microxen.Xen;

namespace Microxen.Traps
{
    /// <summary>
    /// Writes to read-only page tables. PV kernels map their page tables read-only and still
    /// write them directly in places (Linux's ptep_get_and_clear is an xchg, ptep_set_wrprotect
    /// a clear_bit), relying on Xen to emulate the write (xen/arch/x86/pv/ro-page-fault.c).
    /// Fast mode emulates Linux's forms in this one trap (Traps/PageTableWriteEmulation.cs); any
    /// other instruction does the write itself: the faulting PTE is made writable,
    /// the instruction is single-stepped (RFLAGS.TF), and the #DB that follows puts the PTE
    /// back read-only. Only page-table frames are written so (Memory/PageTableFrames.cs), as
    /// Xen's ptwr does: a write to any other read-only page faults into the guest, which Linux
    /// relies on (xen_safe_write_ulong), and so does a kernel write to a read-only user page
    /// (copy-on-write). The address may be in either half, as on Xen (a kernel linked low), but
    /// fast mode does not look at a lower-half write made by code in the upper half: for Linux
    /// that is a copy-on-write fault (copy_to_user), never a page table, and looking would run
    /// the deferred PIN_L4 walks (Memory/DeferredTreeMarks.cs) on each.
    /// Checked mode (ptwr_do_page_fault, ptwr_emulated_update): only a frame typed
    /// PGT_l1_page_table is written so; Linux's forms are done in the trap as in fast mode (the
    /// guest's PTE is never made writable), any other form is stepped; the entry written is
    /// validated right after (the old value and the registers saved before it): a new entry
    /// get_page_from_l1e refuses is undone and the #PF goes to the guest at the faulting
    /// instruction, as Xen's X86EMUL_UNHANDLEABLE does; an accepted one takes its references and
    /// drops the old one's. Checked mode must not step Linux's writes with several vCPUs: during
    /// the step the table is writable through the guest's PTE for every vCPU, and another vCPU's
    /// write to any entry of it would bypass the checks (a PTE cleared so leaves its frame's
    /// PGT_writable_page reference behind, and that frame later fails to become a page table).
    /// With several vCPUs each has its own pending step (indexed by Vcpu.Id, under the shim's
    /// lock); two vCPUs stepping writes through the same PTE share it: it is made read-only
    /// again when the last of them ends its step, and in checked mode every other CPU's TLB is
    /// flushed then (a writable entry another vCPU cached during the step is dropped).
    /// </summary>
    public static unsafe class PageTableWrite
    {
        /// <summary>Each vCPU's pending step: the L1 entry made writable (0: none), its address, DR6.BS before; checked mode: the entry written, its old value, cr2, the frame before.</summary>
        struct Steps
        {
            public fixed ulong Pte[Vcpu.Max], Va[Vcpu.Max], BsBefore[Vcpu.Max], Entry[Vcpu.Max], Old[Vcpu.Max], Cr2[Vcpu.Max];
            public fixed byte Before[Vcpu.Max * 176];
        }
        static Steps s_steps;
        static ulong s_emulated;

        [DllImport("*", EntryPoint = "fast_ptwr_count"), SuppressGCTransition]
        static extern ulong NativeCount(long delta);

        /// <summary>
        /// Writes done for the guest: here, and natively (Traps/FastPageTableWrite.asm.cs) by every
        /// CPU's copy of the entry code, each counting in its own copy (Smp/EntryCopy.cs; 0: the BSP's).
        /// </summary>
        public static ulong Emulated
        {
            get
            {
                ulong n = s_emulated + NativeCount(0);
                for (int cpu = 1; cpu < Smp.Cpus.Count; cpu++)
                    if (Smp.EntryCopy.Delta(cpu) != 0) n += NativeCount(Smp.EntryCopy.Delta(cpu));
                return n;
            }
        }

        static ulong* Slot(ulong* a) => a + Vcpu.Id;

        /// <summary>Whether a vCPU other than the current one has a step pending through <paramref name="pte"/>.</summary>
        static bool SharedStep(Steps* s, ulong pte)
        {
            for (int v = 0; v < Smp.Vcpus.Count; v++) if (v != Vcpu.Id && s->Pte[v] == pte) return true;
            return false;
        }

        /// <summary>True when the #PF in <paramref name="f"/> was taken over (the instruction will be stepped).</summary>
        public static bool TryBegin(CpuFrame* f, ulong cr2)
        {
            const ulong Present = 1, Write = 2, User = 4, Reserved = 8, Fetch = 16;
            ulong e = f->ErrorCode;
            if ((e & (Present | Write | User | Reserved | Fetch)) != (Present | Write)) return false;
            fixed (Steps* s = &s_steps)
            {
            if ((f->Cs & 3) != 0 || *Slot(s->Pte) != 0) return false;
            if (!CheckedMode.On && (cr2 >> 63) == 0 && (f->Rip >> 63) != 0) return false;   // Linux's copy-on-write: no walk
            ulong* pte = MmuOps.L1Entry(Cpu.ReadCr3() >> 12, cr2);
            if (pte == null || (*pte & PageFlags.Present) == 0) return false;
            // Writable already: another vCPU is stepping through this PTE (join its step), else not ours to emulate.
            if ((*pte & PageFlags.RW) != 0 && !SharedStep(s, (ulong)pte)) return false;
            ulong target = (*pte & PageFlags.PADDR_MASK) >> 12;
            if (CheckedMode.On)
            {
                // page_lock: a validated L1 with a type reference; any other frame is the guest's fault.
                if (!PageTypes.Owned(target) || PageTypes.TypeOf(target) != PageType.L1 || PageTypes.TypeCount(target) == 0 || !PageTypes.IsValidated(target)) return false;
                ulong* entry = (ulong*)Host.Mem.Frame(target) + ((cr2 & 4095) >> 3);
                *Slot(s->Entry) = (ulong)entry;
                *Slot(s->Old) = *entry;
                *Slot(s->Cr2) = cr2;
                *((CpuFrame*)s->Before + Vcpu.Id) = *f;
                // Linux's forms are done in this trap through the shim's own mapping, as Xen
                // emulates them: the guest's PTE never turns writable, so no other vCPU can
                // write the table unchecked through it (nor keep a writable TLB entry for it).
                if (PageTableWriteEmulation.TryEmulate(f, cr2, Host.Mem.Frame(target) + (cr2 & 4095)))
                {
                    s_emulated++;
                    Validate(f, entry, *Slot(s->Old), cr2, (CpuFrame*)s->Before + Vcpu.Id);
                    return true;
                }
                if (Smp.ShimLock.Active && !s_stepWarned) StepWarning(f->Rip);
            }
            else if (!Host.IsGuestFrame(target) || !Host.PtFrames.IsMarked(target)) return false;   // not a page table: the guest's fault
            else if (PageTableWriteEmulation.TryEmulate(f, cr2, Host.Mem.Frame(target) + (cr2 & 4095)))
            {
                s_emulated++;
                return true;   // done in this trap (fast mode's common forms)
            }
            *pte |= PageFlags.RW;
            Cpu.Invlpg(cr2);
            *Slot(s->Pte) = (ulong)pte;
            *Slot(s->Va) = cr2;
            *Slot(s->BsBefore) = Cpu.ReadDr6() & X86.Dr6.BS;   // the step's #DB sets BS: the guest's DR6 must not show it
            f->Rflags |= X86.Rflags.TF;   // one instruction, then #DB
            return true;
            }
        }

        static bool s_stepWarned;

        /// <summary>Checked mode with several vCPUs, once: a form not emulated is stepped (its RIP and the qword there), the table writable meanwhile for every vCPU.</summary>
        static void StepWarning(ulong rip)
        {
            s_stepWarned = true;
            if (!Console.Log.On(Console.LogLevel.Warn)) return;
            Console.Log.Begin(); Console.Log.Str("checked: ptwr single-stepped with several vCPUs (form not emulated) at rip "); Console.Log.Hex(rip);
            Console.Log.Str(" (qword there "); Console.Log.Hex(*(ulong*)rip); Console.Log.Str(")"); Console.Log.End();
        }

        /// <summary>True when this #DB ended a pending step (the PTE is read-only again).</summary>
        public static bool TryEnd(CpuFrame* f)
        {
            fixed (Steps* s = &s_steps)
            {
            ulong* pte = (ulong*)*Slot(s->Pte);
            if (pte == null) return false;
            if (!SharedStep(s, (ulong)pte)) *pte &= ~PageFlags.RW;   // the last vCPU stepping through it
            Cpu.Invlpg(*Slot(s->Va));
            // Another vCPU's walk may have cached the writable entry meanwhile: checked mode drops it.
            if (CheckedMode.On) Smp.Tlb.FlushOthers(ulong.MaxValue);
            *Slot(s->Pte) = 0;
            f->Rflags &= ~X86.Rflags.TF;
            if (*Slot(s->BsBefore) == 0) Cpu.WriteDr6(Cpu.ReadDr6() & ~X86.Dr6.BS);   // Xen's emulated write leaves DR6 alone
            s_emulated++;
            if (CheckedMode.On) Validate(f, (ulong*)*Slot(s->Entry), *Slot(s->Old), *Slot(s->Cr2), (CpuFrame*)s->Before + Vcpu.Id);
            return true;
            }
        }

        /// <summary>Checked mode, after the step: the new entry's references, or the write undone and the #PF delivered.</summary>
        static void Validate(CpuFrame* f, ulong* s_entry, ulong s_old, ulong s_cr2, CpuFrame* before)
        {
            ulong nv = *s_entry;
            if (nv == s_old) return;
            if ((nv & PageFlags.Present) != 0)
            {
                long rc = PageTypes.GetPageFromL1e(nv);
                if (rc < 0)
                {
                    CheckLog.Refuse("ptwr_emulated_update: could not get_page_from_l1e()", nv);
                    *s_entry = s_old;
                    *f = *before;
                    Vcpu.Info->Arch.Cr2 = s_cr2;
                    if (!TrapDispatch.Deliver(f, X86.Vector.PF, true)) TrapDispatch.CrashGuest(f, X86.Vector.PF, "no handler registered");
                    return;
                }
                if (rc > 0) nv ^= (ulong)rc;
                *s_entry = PageTypes.Adjust(nv, 1);   // ptwr_emulated_update: adjust_guest_l1e
            }
            PageTypes.PutPageFromL1e(s_old);
        }
    }
}
