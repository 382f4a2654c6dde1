using Microxen.Arch;
using Microxen.Boot;
using Microxen.Guest;
using Microxen.Hypercalls;
using Microxen.Memory;
using Microxen.Xen;

namespace Microxen.Checked
{
    /// <summary>mmuext_op under mode=checked: Xen 4.17's do_mmuext_op (xen/arch/x86/mm.c); the rest of <see cref="CheckedMmu"/> is in CheckedMmu.cs.</summary>
    public static unsafe partial class CheckedMmu
    {
        /// <summary>HYPERVISOR_mmuext_op under checked mode.</summary>
        public static long MmuextOp(ulong ops, ulong count, ulong done, ulong domid)
        {
            uint done0 = DoneIn(ref count, done);
            if (!AddrOk(ops)) return -XenErrno.EFAULT;          // guest_handle_okay
            if (!PgOwnerOk(domid)) return -XenErrno.ESRCH;
            ushort owner = (ushort)domid;
            bool foreign = owner == XenMemOp.DOMID_IO || owner == XenMemOp.DOMID_XEN;   // dom_io / dom_xen: PV, and dom0 may name them
            MmuextOp* op = (MmuextOp*)ops;
            ulong i = 0;
            long rc = 0;
            for (; i < count; i++, op++)
            {
                // __copy_from_guest of the op: a fault ends the batch with -EFAULT, done still written.
                if (!GuestCan((ulong)op, (ulong)sizeof(MmuextOp), false)) { rc = -XenErrno.EFAULT; break; }
                uint cmd = op->Cmd;
                HypercallStats.CountSub(Hypercall.MmuextOp, cmd);
                rc = foreign ? ForeignOwner(cmd) : One(op, cmd);
                if (rc != 0) break;
            }
            DoneOut(done, done0 + (uint)i);
            return rc;
        }

        /// <summary>
        /// do_mmuext_op with pg_owner dom_io or dom_xen: the frame ops find no page of that owner
        /// (get_page_from_gfn fails: -EINVAL), the others need currd == pg_owner (-EPERM).
        /// </summary>
        static long ForeignOwner(uint cmd)
        {
            switch (cmd)
            {
                case MmuextCmd.MMUEXT_PIN_L1_TABLE:
                case MmuextCmd.MMUEXT_PIN_L2_TABLE:
                case MmuextCmd.MMUEXT_PIN_L3_TABLE:
                case MmuextCmd.MMUEXT_PIN_L4_TABLE:
                case MmuextCmd.MMUEXT_UNPIN_TABLE:
                case MmuextCmd.MMUEXT_CLEAR_PAGE:
                case MmuextCmd.MMUEXT_COPY_PAGE:
                    CheckLog.Refuse("do_mmuext_op: no page of the foreign page owner", cmd);
                    return -XenErrno.EINVAL;
                case MmuextCmd.MMUEXT_MARK_SUPER:
                case MmuextCmd.MMUEXT_UNMARK_SUPER:
                    return -XenErrno.EOPNOTSUPP;
                case MmuextCmd.MMUEXT_NEW_BASEPTR:
                case MmuextCmd.MMUEXT_NEW_USER_BASEPTR:
                case MmuextCmd.MMUEXT_TLB_FLUSH_LOCAL:
                case MmuextCmd.MMUEXT_INVLPG_LOCAL:
                case MmuextCmd.MMUEXT_TLB_FLUSH_MULTI:
                case MmuextCmd.MMUEXT_INVLPG_MULTI:
                case MmuextCmd.MMUEXT_TLB_FLUSH_ALL:
                case MmuextCmd.MMUEXT_INVLPG_ALL:
                case MmuextCmd.MMUEXT_FLUSH_CACHE:
                case MmuextCmd.MMUEXT_FLUSH_CACHE_GLOBAL:
                case MmuextCmd.MMUEXT_SET_LDT:
                    CheckLog.Refuse("do_mmuext_op: currd != pg_owner", cmd);
                    return -XenErrno.EPERM;
                default:
                    return -XenErrno.ENOSYS;
            }
        }

        static long One(MmuextOp* op, uint cmd)
        {
            switch (cmd)
            {
                case MmuextCmd.MMUEXT_PIN_L1_TABLE:
                case MmuextCmd.MMUEXT_PIN_L2_TABLE:
                case MmuextCmd.MMUEXT_PIN_L3_TABLE:
                case MmuextCmd.MMUEXT_PIN_L4_TABLE:
                {
                    long rc = PageTypes.Pin(op->Mfn, (PageType)(cmd - MmuextCmd.MMUEXT_PIN_L1_TABLE + 1));
                    if (rc != 0) return rc;
                    Host.PtFrames.Mark(op->Mfn);
                    if (cmd == MmuextCmd.MMUEXT_PIN_L4_TABLE)
                    {
                        Host.FillShimSlots(op->Mfn);
                        Host.PtFrames.MarkTree(Host.Mem, op->Mfn, 0, 256);
                    }
                    return 0;
                }
                case MmuextCmd.MMUEXT_UNPIN_TABLE:
                    return PageTypes.Unpin(op->Mfn);
                case MmuextCmd.MMUEXT_NEW_BASEPTR:
                    return SwitchBase(op->Mfn, false);
                case MmuextCmd.MMUEXT_NEW_USER_BASEPTR:
                    return SwitchBase(op->Mfn, true);
                case MmuextCmd.MMUEXT_TLB_FLUSH_MULTI:
                case MmuextCmd.MMUEXT_INVLPG_MULTI:
                    // vcpumask_to_pcpumask reads the guest's vcpu bitmap (one word for one vCPU):
                    // a pointer it cannot read is this op's -EINVAL.
                    if (!GuestCan(op->Vcpumask, 8, false)) return -XenErrno.EINVAL;
                    Smp.Tlb.FlushOthers(Smp.Tlb.Mask(op->Vcpumask));
                    if ((*(ulong*)op->Vcpumask >> Smp.Cpus.Current() & 1) == 0) return 0;
                    if (cmd == MmuextCmd.MMUEXT_TLB_FLUSH_MULTI) { Cpu.FlushTlb(); return 0; }
                    if (PageTables.IsCanonical(op->LinearAddr)) Cpu.Invlpg(op->LinearAddr);
                    return 0;
                case MmuextCmd.MMUEXT_TLB_FLUSH_LOCAL:
                case MmuextCmd.MMUEXT_TLB_FLUSH_ALL:
                    Cpu.FlushTlb();
                    if (cmd == MmuextCmd.MMUEXT_TLB_FLUSH_ALL) Smp.Tlb.FlushOthers(ulong.MaxValue);
                    return 0;
                case MmuextCmd.MMUEXT_INVLPG_LOCAL:
                case MmuextCmd.MMUEXT_INVLPG_ALL:
                    // paging_invlpg / __addr_ok: a non-canonical address is no error, nothing is flushed.
                    if (PageTables.IsCanonical(op->LinearAddr)) Cpu.Invlpg(op->LinearAddr);
                    if (cmd == MmuextCmd.MMUEXT_INVLPG_ALL) Smp.Tlb.FlushOthers(ulong.MaxValue);
                    return 0;
                case MmuextCmd.MMUEXT_FLUSH_CACHE:
                case MmuextCmd.MMUEXT_FLUSH_CACHE_GLOBAL:
                    return 0;
                case MmuextCmd.MMUEXT_SET_LDT:
                    return Ldt.Set(op->LinearAddr, op->NrEnts);
                case MmuextCmd.MMUEXT_CLEAR_PAGE:
                    if (PageTypes.GetPageAndType(op->Mfn, PageType.Writable) != 0)
                    {
                        CheckLog.Refuse("do_mmuext_op: error clearing mfn", op->Mfn);
                        return -XenErrno.EINVAL;
                    }
                    Host.Mem.ZeroFrame(op->Mfn);
                    PageTypes.PutPageAndType(op->Mfn);
                    return 0;
                case MmuextCmd.MMUEXT_COPY_PAGE:
                {
                    if (!PageTypes.GetPage(op->SrcMfn)) { CheckLog.Refuse("do_mmuext_op: error copying from mfn", op->SrcMfn); return -XenErrno.EINVAL; }
                    if (PageTypes.GetPageAndType(op->Mfn, PageType.Writable) != 0)
                    {
                        PageTypes.PutPage(op->SrcMfn);
                        CheckLog.Refuse("do_mmuext_op: error copying to mfn", op->Mfn);
                        return -XenErrno.EINVAL;
                    }
                    ulong* d = (ulong*)Host.Mem.Frame(op->Mfn);
                    ulong* s = (ulong*)Host.Mem.Frame(op->SrcMfn);
                    for (int k = 0; k < 512; k++) d[k] = s[k];
                    PageTypes.PutPageAndType(op->Mfn);
                    PageTypes.PutPage(op->SrcMfn);
                    return 0;
                }
                case MmuextCmd.MMUEXT_MARK_SUPER:
                case MmuextCmd.MMUEXT_UNMARK_SUPER:
                    CheckLog.Refuse("do_mmuext_op: MARK_SUPER/UNMARK_SUPER not supported", cmd);
                    return -XenErrno.EOPNOTSUPP;
                default:
                    CheckLog.Refuse("do_mmuext_op: unknown command", cmd);
                    return -XenErrno.ENOSYS;
            }
        }
    }
}
