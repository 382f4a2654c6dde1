using Microxen.Arch;
using Microxen.Boot;
using Microxen.Checked;
using Microxen.Guest;
using Microxen.Memory;
using Microxen.Xen;

namespace Microxen.Hypercalls
{
    /// <summary>
    /// mmu_update, mmuext_op and update_va_mapping in fast mode: the guest's page tables are the
    /// hardware's, so a request is applied as given with native instructions (a store through
    /// the direct map, mov cr3, invlpg). Pinning needs only the shim's L4 slots filled in.
    /// Sources: public/xen.h (MMU_*, MMUEXT_*, UVMF_*), xen/arch/x86/mm.c for the semantics.
    /// </summary>
    public static unsafe class MmuOps
    {
        const ulong AccessedDirty = PageFlags.Accessed | PageFlags.Dirty;

        /// <summary>HYPERVISOR_mmu_update(reqs, count, done, domid).</summary>
        public static long MmuUpdate(ulong reqs, ulong count, ulong done, ulong domid)
        {
            if (CheckedMode.On) return CheckedMmu.MmuUpdate(reqs, count, done, domid);
            uint done0 = CheckedMmu.DoneIn(ref count, done);   // count: Xen's unsigned int; a continuation's *done read
            MmuUpdate* r = (MmuUpdate*)reqs;
            ulong i = 0;
            long rc = 0;
            for (; i < count; i++)
            {
                // __copy_from_guest of the request: a fault ends the batch with -EFAULT, done still written.
                if (!CheckedMmu.GuestCan((ulong)(r + i), (ulong)sizeof(MmuUpdate), false)) { rc = -XenErrno.EFAULT; break; }
                ulong cmd = r[i].Ptr & MmuCmd.CmdMask;
                ulong ma = r[i].Ptr & ~7UL;
                ulong val = r[i].Val;
                HypercallStats.CountSub(Hypercall.MmuUpdate, cmd);
                if (cmd == MmuCmd.MMU_NORMAL_PT_UPDATE || cmd == MmuCmd.MMU_PT_UPDATE_PRESERVE_AD)
                {
                    if ((ma >> 12) >= Host.FrameCount) { rc = -XenErrno.EINVAL; break; }
                    ulong* pte = (ulong*)Host.Mem.At(ma);
                    if (cmd == MmuCmd.MMU_PT_UPDATE_PRESERVE_AD) val |= *pte & AccessedDirty;
                    *pte = val;
                    Host.PtFrames.Mark(ma >> 12);     // a frame written through mmu_update is a page table
                }
                else if (cmd == MmuCmd.MMU_MACHPHYS_UPDATE)
                {
                    ulong mfn = ma >> 12;
                    if (mfn >= Host.M2pEntries) { rc = -XenErrno.EINVAL; break; }
                    Host.M2p[mfn] = val;
                }
                else { rc = -XenErrno.ENOSYS; break; }
            }
            CheckedMmu.DoneOut(done, done0 + (uint)i);   // a *done it cannot write is skipped, rc kept (as Xen)
            return rc;
        }

        /// <summary>HYPERVISOR_update_va_mapping(va, val, flags): rewrites the L1 entry mapping va.</summary>
        public static long UpdateVaMapping(ulong va, ulong val, ulong flags)
        {
            if (CheckedMode.On) return CheckedMmu.UpdateVaMapping(va, val, flags);
            ulong* pte = L1Entry(Cpu.ReadCr3() >> 12, va);
            if (pte == null) return -XenErrno.EINVAL;
            *pte = val;
            Flush(va, flags);
            return 0;
        }

        /// <summary>
        /// HYPERVISOR_update_va_mapping_otherdomain(va, val, flags, domid): fast mode has none
        /// (-ENOSYS, logged once); checked mode serves DOMID_SELF (and DOMID_IO/XEN) as
        /// update_va_mapping (Xen's get_pg_owner), the domain's own id and any other domain -ESRCH.
        /// </summary>
        public static long UpdateVaMappingOtherdomain(ulong va, ulong val, ulong flags, ulong domid)
        {
            if (!CheckedMode.On) return HypercallStats.Unimplemented(HypercallTable.Name(Hypercall.UpdateVaMappingOtherdomain), Hypercall.UpdateVaMappingOtherdomain, va, val, flags, domid, 0);
            if (!CheckedMmu.PgOwnerOk(domid)) return -XenErrno.ESRCH;
            // pg_owner dom_io / dom_xen: get_page_from_l1e takes the new entry's frame as that owner's (-EBUSY for the domain's own frames).
            ushort owner = (ushort)domid;
            if (owner == XenMemOp.DOMID_IO || owner == XenMemOp.DOMID_XEN) PageTypes.ForeignPgOwner = owner;
            long rc = CheckedMmu.UpdateVaMapping(va, val, flags);
            PageTypes.ForeignPgOwner = 0;
            return rc;
        }

        static void Flush(ulong va, ulong flags)
        {
            ulong type = flags & UvmFlags.UVMF_FLUSHTYPE_MASK;
            if (type == UvmFlags.UVMF_INVLPG) Cpu.Invlpg(va);
            else if (type == UvmFlags.UVMF_TLB_FLUSH) Cpu.FlushTlb();
            else return;
            ulong bmap = flags & ~UvmFlags.UVMF_FLUSHTYPE_MASK;   // UVMF_MULTI: the vCPU bitmap's address
            if (bmap != UvmFlags.UVMF_LOCAL) Smp.Tlb.FlushOthers(bmap == UvmFlags.UVMF_ALL ? ulong.MaxValue : Smp.Tlb.Mask(bmap));
        }

        /// <summary>The other vCPUs' part of a *_MULTI (op's vcpumask) or *_ALL flush (Smp/Tlb.cs).</summary>
        static void RemoteFlush(uint cmd, MmuextOp* op)
        {
            if (cmd == MmuextCmd.MMUEXT_TLB_FLUSH_ALL || cmd == MmuextCmd.MMUEXT_INVLPG_ALL) Smp.Tlb.FlushOthers(ulong.MaxValue);
            else if (cmd == MmuextCmd.MMUEXT_TLB_FLUSH_MULTI || cmd == MmuextCmd.MMUEXT_INVLPG_MULTI) Smp.Tlb.FlushOthers(Smp.Tlb.Mask(op->Vcpumask));
        }

        /// <summary>The L1 entry for va under L4 frame l4Mfn, or null (not mapped through an L1).</summary>
        public static ulong* L1Entry(ulong l4Mfn, ulong va)
        {
            ulong t = l4Mfn;
            for (int level = 4; level > 1; level--)
            {
                ulong e = PageTables.Table(Host.Mem, t)[PageTables.Index(va, level)];
                if ((e & PageFlags.Present) == 0 || (level < 4 && (e & PageFlags.PSE) != 0)) return null;
                t = PageTables.EntryMfn(e);
                if (t >= Host.FrameCount) return null;
            }
            return PageTables.Table(Host.Mem, t) + PageTables.Index(va, 1);
        }

        /// <summary>HYPERVISOR_mmuext_op(ops, count, done, domid).</summary>
        public static long MmuextOp(ulong ops, ulong count, ulong done, ulong domid)
        {
            // do_mmuext_op: count == MMU_UPDATE_PREEMPTED with a NULL uops (its old_guest_table
            // continuation) returns (int)foreigndom and does nothing else.
            if ((uint)count == MmuCmd.MMU_UPDATE_PREEMPTED && ops == 0) return (int)(uint)domid;
            if (CheckedMode.On) return CheckedMmu.MmuextOp(ops, count, done, domid);
            uint done0 = CheckedMmu.DoneIn(ref count, done);
            MmuextOp* op = (MmuextOp*)ops;
            ulong i = 0;
            long rc = 0;
            for (; i < count && rc == 0; i++, op++)
            {
                // __copy_from_guest of the op: a fault ends the batch with -EFAULT, done still written.
                if (!CheckedMmu.GuestCan((ulong)op, (ulong)sizeof(MmuextOp), false)) { rc = -XenErrno.EFAULT; continue; }   // the loop stops on rc; done = i
                uint cmd = op->Cmd;
                HypercallStats.CountSub(Hypercall.MmuextOp, cmd);
                switch (cmd)
                {
                    case MmuextCmd.MMUEXT_PIN_L4_TABLE:
                        if (op->Mfn >= Host.FrameCount) { rc = -XenErrno.EINVAL; break; }
                        Host.FillShimSlots(op->Mfn);
                        Host.PtFrames.Mark(op->Mfn);
                        DeferredTreeMarks.Add(ref Host.PtFrames, op->Mfn);   // Xen types every table under a pinned L4: marked when first asked
                        break;
                    case MmuextCmd.MMUEXT_PIN_L1_TABLE:
                    case MmuextCmd.MMUEXT_PIN_L2_TABLE:
                    case MmuextCmd.MMUEXT_PIN_L3_TABLE:
                        if (op->Mfn >= Host.FrameCount) { rc = -XenErrno.EINVAL; break; }
                        Host.PtFrames.Mark(op->Mfn);
                        break;
                    case MmuextCmd.MMUEXT_UNPIN_TABLE:
                        if (op->Mfn >= Host.FrameCount) rc = -XenErrno.EINVAL;
                        break;
                    case MmuextCmd.MMUEXT_NEW_BASEPTR:
                        // Frame 0 is never the domain's (Xen's new_guest_cr3: get_page fails, -EINVAL); loading it would stop the machine.
                        if (op->Mfn == 0 || op->Mfn >= Host.FrameCount) { rc = -XenErrno.EINVAL; break; }
                        Host.FillShimSlots(op->Mfn);
                        Vcpu.KernelL4 = op->Mfn << 12;
                        Cpu.WriteCr3(op->Mfn << 12);
                        break;
                    case MmuextCmd.MMUEXT_NEW_USER_BASEPTR:
                        if (op->Mfn != 0 && op->Mfn >= Host.FrameCount) { rc = -XenErrno.EINVAL; break; }
                        if (op->Mfn != 0) Host.FillShimSlots(op->Mfn);
                        Vcpu.UserL4 = op->Mfn << 12;
                        break;
                    case MmuextCmd.MMUEXT_TLB_FLUSH_LOCAL:
                    case MmuextCmd.MMUEXT_TLB_FLUSH_MULTI:
                    case MmuextCmd.MMUEXT_TLB_FLUSH_ALL:
                        Cpu.FlushTlb();
                        RemoteFlush(cmd, op);
                        break;
                    case MmuextCmd.MMUEXT_INVLPG_LOCAL:
                    case MmuextCmd.MMUEXT_INVLPG_MULTI:
                    case MmuextCmd.MMUEXT_INVLPG_ALL:
                        Cpu.Invlpg(op->LinearAddr);
                        RemoteFlush(cmd, op);
                        break;
                    case MmuextCmd.MMUEXT_FLUSH_CACHE:
                    case MmuextCmd.MMUEXT_FLUSH_CACHE_GLOBAL:
                        break;
                    case MmuextCmd.MMUEXT_SET_LDT:
                        rc = Guest.Ldt.Set(op->LinearAddr, op->NrEnts);
                        break;
                    case MmuextCmd.MMUEXT_CLEAR_PAGE:
                        if (op->Mfn >= Host.FrameCount) { rc = -XenErrno.EINVAL; break; }
                        Host.Mem.ZeroFrame(op->Mfn);
                        break;
                    case MmuextCmd.MMUEXT_COPY_PAGE:
                    {
                        if (op->Mfn >= Host.FrameCount || op->SrcMfn >= Host.FrameCount) { rc = -XenErrno.EINVAL; break; }
                        ulong* d = (ulong*)Host.Mem.Frame(op->Mfn);
                        ulong* s = (ulong*)Host.Mem.Frame(op->SrcMfn);
                        for (int k = 0; k < 512; k++) d[k] = s[k];
                        break;
                    }
                    default:
                        rc = HypercallStats.Unimplemented("mmuext_op", Hypercall.MmuextOp, cmd, op->Mfn, 0, 0, 0);
                        break;
                }
            }
            if (rc != 0 && i > 0) i--;
            CheckedMmu.DoneOut(done, done0 + (uint)i);
            return rc;
        }
    }
}
