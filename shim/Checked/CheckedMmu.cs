using Microxen.Arch;
using Microxen.Boot;
using Microxen.Guest;
using Microxen.Hypercalls;
using Microxen.Memory;
using Microxen.Xen;

namespace Microxen.Checked
{
    /// <summary>
    /// mmu_update, update_va_mapping and mmuext_op under mode=checked: Xen 4.17's do_mmu_update,
    /// __do_update_va_mapping and do_mmuext_op (xen/arch/x86/mm.c) over <see cref="PageTypes"/>.
    /// A batch stops at its first error; *pdone gets the requests that succeeded (Xen adds them to
    /// the value read from pdone only for a continuation; a single vCPU never preempts, so the
    /// observable result is the count). The tables are the hardware's: an accepted entry is the
    /// live entry; TLB flushes are native.
    /// </summary>
    public static unsafe partial class CheckedMmu
    {
        /// <summary>Allocates the per-frame array (contiguous frames from the top) and fills PageTypes' view of the machine.</summary>
        public static void Init()
        {
            ulong bytes = Host.FrameCount * (ulong)sizeof(PageInfo);
            ulong pages = (bytes + 4095) >> 12;
            ulong last = FrameAllocator.None;
            for (ulong i = 0; i < pages; i++)
            {
                ulong f = Host.Frames.AllocHigh();
                if (f == FrameAllocator.None || (last != FrameAllocator.None && f != last - 1)) Panic.Stop("no contiguous memory for the page-type array");
                last = f;
                Host.Mem.ZeroFrame(f);
            }
            PageTypes.Info = (PageInfo*)Host.Mem.Frame(last);
            PageTypes.FrameCount = Host.FrameCount;
            PageTypes.Mem = Host.Mem;
            PageTypes.M2p = Host.M2p;
            PageTypes.M2pEntries = Host.M2pEntries;
            PageTypes.M2pFirstMfn = Host.M2pFirstMfn;
            PageTypes.M2pFrames = Host.M2pFrames;
            PageTypes.Ram = Host.Boot->Region(0);
            PageTypes.RamCount = Host.Boot->MemoryRegionCount;
            PageTypes.IoAllowed = true;
            IomemPermissions.Init(PageTypes.Ram, PageTypes.RamCount);
        }

        /// <summary>
        /// get_pg_owner((domid_t)foreigndom): DOMID_SELF, DOMID_IO and DOMID_XEN name a page owner;
        /// the domain's own id is refused ("Cannot specify itself as foreign domain", -ESRCH), and
        /// any other domain does not exist here (-ESRCH). Foreign page owners are treated as the
        /// domain itself (one domain).
        /// </summary>
        public static bool PgOwnerOk(ulong foreigndom)
        {
            ushort d = (ushort)foreigndom;
            if (d == XenMemOp.DOMID_SELF || d == XenMemOp.DOMID_IO || d == XenMemOp.DOMID_XEN) return true;
            if (d == GrantTableOps.SelfId) { CheckLog.Refuse("get_pg_owner: cannot specify itself as foreign domain", foreigndom); return false; }
            CheckLog.Refuse("get_pg_owner: unknown domain", foreigndom);
            return false;
        }

        /// <summary>__addr_ok (access_ok, guest_handle_okay): <see cref="GuestPointer.AddrOk"/>.</summary>
        public static bool AddrOk(ulong a) => GuestPointer.AddrOk(a);

        /// <summary>
        /// Whether Xen's copy_from_guest / copy_to_guest of <paramref name="size"/> bytes at
        /// <paramref name="va"/> succeeds: access_ok and every page present (and for a write,
        /// writable) in the current tables. The shim then reads or writes the guest pointer itself.
        /// </summary>
        public static bool GuestCan(ulong va, ulong size, bool write)
        {
            if (size == 0) return true;
            ulong end = va + size - 1;
            if (end < va || !AddrOk(va)) return false;
            ulong need = write ? PageTables.Present | PageTables.Rw : PageTables.Present;
            if (((va ^ end) >> 12) == 0) return Mapped(va, need);      // one page (canonical: AddrOk)
            for (ulong p = va & ~4095UL; ; p += 4096)
            {
                if (!PageTables.IsCanonical(p) || !Mapped(p, need)) return false;
                if (p >= (end & ~4095UL)) return true;
            }
        }

        /// <summary>
        /// <see cref="PageTables.Walk"/> in the current tables for one canonical address, unrolled:
        /// every level present and carrying <paramref name="need"/>'s bits (RW for a write), a
        /// 1 GiB or 2 MiB leaf ending it. The hot part of every guest-pointer check.
        /// </summary>
        static bool Mapped(ulong va, ulong need)
        {
            const ulong A = PageTables.AddrMask & ~0xfffUL;
            byte* mem = Host.Mem.Base;
            ulong e = *(ulong*)(mem + (Cpu.ReadCr3() & A) + ((va >> 36) & 0xff8));
            if ((e & need) != need) return false;
            e = *(ulong*)(mem + (e & A) + ((va >> 27) & 0xff8));
            if ((e & need) != need) return false;
            if ((e & PageTables.Pse) != 0) return true;
            e = *(ulong*)(mem + (e & A) + ((va >> 18) & 0xff8));
            if ((e & need) != need) return false;
            if ((e & PageTables.Pse) != 0) return true;
            e = *(ulong*)(mem + (e & A) + ((va >> 9) & 0xff8));
            return (e & need) == need;
        }

        /// <summary>MMU_UPDATE_PREEMPTED in count: cleared, and the done count so far read from pdone (copy_from_guest, a failure leaves 0).</summary>
        public static uint DoneIn(ref ulong count, ulong done)
        {
            count = (uint)count;
            if ((count & MmuCmd.MMU_UPDATE_PREEMPTED) == 0) return 0;
            count &= ~MmuCmd.MMU_UPDATE_PREEMPTED;
            return done != 0 && GuestCan(done, 4, false) ? *(uint*)done : 0;
        }

        /// <summary>copy_to_guest(pdone, &amp;done, 1) when pdone is not null; a failure is ignored, as Xen does.</summary>
        public static void DoneOut(ulong done, uint value)
        {
            if (done != 0 && GuestCan(done, 4, true)) *(uint*)done = value;
        }

        /// <summary>HYPERVISOR_mmu_update under checked mode.</summary>
        public static long MmuUpdate(ulong reqs, ulong count, ulong done, ulong domid)
        {
            uint done0 = DoneIn(ref count, done);
            if (!AddrOk(reqs)) return -XenErrno.EFAULT;        // guest_handle_okay
            uint ptDom = (uint)domid >> 16;                     // foreigndom's page-table owner + 1
            if (ptDom != 0 && ptDom - 1 != GrantTableOps.SelfId) return -XenErrno.ESRCH;
            if (!PgOwnerOk(domid))
            {
                DoneOut(done, done0);   // do_mmu_update's "goto out" writes *pdone
                return -XenErrno.ESRCH;
            }
            ushort owner = (ushort)domid;
            bool foreign = owner == XenMemOp.DOMID_IO || owner == XenMemOp.DOMID_XEN;
            PageTypes.ForeignPgOwner = foreign ? owner : (ushort)0;
            bool flushLinear = false;
            MmuUpdate* r = (MmuUpdate*)reqs;
            ulong i = 0;
            long rc = 0;
            for (; i < count; i++)
            {
                // __copy_from_guest of the request: a fault ends the batch with -EFAULT, done still written.
                if (!GuestCan((ulong)(r + i), (ulong)sizeof(MmuUpdate), false)) { rc = -XenErrno.EFAULT; break; }
                ulong cmd = r[i].Ptr & 7;               // req.ptr & (sizeof(l1_pgentry_t)-1)
                ulong ma = r[i].Ptr & ~7UL;
                if (cmd > MmuCmd.MMU_PT_UPDATE_NO_TRANSLATE)
                {
                    HypercallStats.CountSub(Hypercall.MmuUpdate, cmd);
                    CheckLog.Refuse("do_mmu_update: unknown command", cmd);
                    rc = -XenErrno.ENOSYS;
                    break;
                }
                ulong val = r[i].Val;
                ulong mfn = ma >> 12;
                HypercallStats.CountSub(Hypercall.MmuUpdate, cmd);
                if (cmd == MmuCmd.MMU_MACHPHYS_UPDATE)
                {
                    if (!PageTypes.Owned(mfn) || foreign) { CheckLog.Refuse("do_mmu_update: MACHPHYS_UPDATE of a frame not the domain's", mfn); rc = -XenErrno.EINVAL; break; }
                    Host.M2p[mfn] = val;
                    continue;
                }
                if (!PageTypes.Owned(mfn))
                {
                    CheckLog.Refuse("do_mmu_update: could not get page for normal update", mfn);
                    rc = -XenErrno.EINVAL;
                    break;
                }
                rc = UpdateEntry(mfn, (int)((ma & 4095) >> 3), val, cmd == MmuCmd.MMU_PT_UPDATE_PRESERVE_AD, foreign);
                if (rc != 0) break;
                uint x = PageTypes.Info[mfn].TypeInfo;
                PageType t = (PageType)(x >> PageTypes.TypeShift);
                if (t >= PageType.L2 && t <= PageType.L4 && (x & PageTypes.CountMask) != 0) flushLinear = true;
            }
            PageTypes.ForeignPgOwner = 0;
            if (flushLinear) Cpu.FlushTlb();   // flush_linear_pt: an L2-L4 entry changed
            DoneOut(done, done0 + (uint)i);
            return rc;
        }

        /// <summary>do_mmu_update's NORMAL/PRESERVE_AD/NO_TRANSLATE: by the frame's type (page_lock needs a validated, referenced type), else a plain write with a writable type reference.</summary>
        static long UpdateEntry(ulong mfn, int index, ulong val, bool preserveAd, bool foreign)
        {
            PageInfo* p = PageTypes.Info + mfn;
            uint x = p->TypeInfo;
            if ((x & PageTypes.Validated) != 0 && (x & PageTypes.CountMask) != 0)
            {
                PageType t = (PageType)(x >> PageTypes.TypeShift);
                if (t >= PageType.L2 && t <= PageType.L4 && foreign)
                {
                    // An L2-L4 entry names only page tables of pt_owner: with pg_owner dom_io/dom_xen
                    // (pg_owner != pt_owner) the update is refused before mod_lN_entry.
                    CheckLog.Refuse("do_mmu_update: L2-L4 update with a foreign page owner", mfn);
                    return -XenErrno.EINVAL;
                }
                if (t >= PageType.L1 && t <= PageType.L4)
                {
                    long rc = PageTypes.ModEntry(mfn, (int)t, index, val, preserveAd);
                    if (rc == 0) Host.PtFrames.Mark(mfn);
                    return rc;
                }
                if (t == PageType.Writable) { ((ulong*)Host.Mem.Frame(mfn))[index] = val; return 0; }
                CheckLog.Refuse("do_mmu_update: normal update of a frame of another type", mfn);
                return -XenErrno.EINVAL;
            }
            if (PageTypes.GetPageType(mfn, PageType.Writable) != 0)
            {
                CheckLog.Refuse("do_mmu_update: could not get page type PGT_writable_page", mfn);
                return -XenErrno.EINVAL;
            }
            ((ulong*)Host.Mem.Frame(mfn))[index] = val;
            PageTypes.PutPageType(mfn);
            return 0;
        }

        /// <summary>The L1 frame mapping <paramref name="va"/> in the current tables (map_guest_l1e), or None.</summary>
        static ulong L1FrameOf(ulong va)
        {
            ulong* pte = MmuOps.L1Entry(Cpu.ReadCr3() >> 12, va);
            if (pte == null) return FrameAllocator.None;
            return ((ulong)pte - (ulong)Host.Mem.Base) >> 12;
        }

        /// <summary>__do_update_va_mapping under checked mode: the L1 mapping va must be typed PGT_l1_page_table; then mod_l1_entry and the flush.</summary>
        public static long UpdateVaMapping(ulong va, ulong val, ulong flags)
        {
            if (!PageTables.IsCanonical(va)) { CheckLog.Refuse("__do_update_va_mapping: no L1 maps va", va); return -XenErrno.EINVAL; }
            ulong l1 = L1FrameOf(va);
            if (l1 == FrameAllocator.None || !PageTypes.Owned(l1)) { CheckLog.Refuse("__do_update_va_mapping: no L1 maps va", va); return -XenErrno.EINVAL; }
            uint x = PageTypes.Info[l1].TypeInfo;
            if ((x & PageTypes.Validated) == 0 || (x & PageTypes.CountMask) == 0 || (PageType)(x >> PageTypes.TypeShift) != PageType.L1)
            {
                CheckLog.Refuse("__do_update_va_mapping: the table mapping va is not a PGT_l1_page_table", l1);
                return -XenErrno.EINVAL;
            }
            long rc = PageTypes.ModEntry(l1, 1, PageTables.Index(va, 1), val, false);
            if (rc != 0) return rc;
            ulong type = flags & UvmFlags.UVMF_FLUSHTYPE_MASK;
            if (type != UvmFlags.UVMF_INVLPG && type != UvmFlags.UVMF_TLB_FLUSH) return 0;
            ulong bmap = flags & ~UvmFlags.UVMF_FLUSHTYPE_MASK;
            // UVMF_MULTI: vcpumask_to_pcpumask reads the vCPU bitmap; a pointer it cannot read is -EFAULT (no flush).
            if (bmap != UvmFlags.UVMF_LOCAL && bmap != UvmFlags.UVMF_ALL)
            {
                if (!GuestCan(bmap, 8, false)) return -XenErrno.EFAULT;
                Smp.Tlb.FlushOthers(Smp.Tlb.Mask(bmap));
                if ((*(ulong*)bmap >> Smp.Cpus.Current() & 1) == 0) return 0;
            }
            else if (bmap == UvmFlags.UVMF_ALL) Smp.Tlb.FlushOthers(ulong.MaxValue);
            if (type == UvmFlags.UVMF_INVLPG) Cpu.Invlpg(va);
            else Cpu.FlushTlb();
            return 0;
        }

        /// <summary>
        /// write_ptbase / switch_cr3_cr4: the CR3 write, and when the (ring-0) guest has set CR4.PGE,
        /// PGE toggled so the user mappings adjust_guest_l1e made global do not survive a
        /// NEW_BASEPTR (the shim and Linux leave PGE clear: then the CR3 write flushes them).
        /// </summary>
        static void WriteBase(ulong cr3)
        {
            ulong cr4 = Cpu.ReadCr4();
            if ((cr4 & X86.Cr4.PGE) != 0) Cpu.WriteCr4(cr4 & ~X86.Cr4.PGE);
            Cpu.WriteCr3(cr3);
            if ((cr4 & X86.Cr4.PGE) != 0) Cpu.WriteCr4(cr4);
        }

        /// <summary>new_guest_cr3 / NEW_USER_BASEPTR: the new L4's references taken, the old one's put.</summary>
        static long SwitchBase(ulong mfn, bool user)
        {
            ulong old = (user ? Vcpu.UserL4 : Vcpu.KernelL4) >> 12;
            if (mfn == old)
            {
                if (!user) WriteBase(mfn << 12);
                return 0;
            }
            if (mfn != 0 || !user)
            {
                long rc = PageTypes.GetPageAndType(mfn, PageType.L4);
                if (rc != 0)
                {
                    CheckLog.Refuse("new_guest_cr3: error while installing new baseptr", mfn);
                    return rc;
                }
                Host.FillShimSlots(mfn);
            }
            if (user) Vcpu.UserL4 = mfn << 12;
            else { Vcpu.KernelL4 = mfn << 12; WriteBase(mfn << 12); }
            if (old != 0) PageTypes.PutPageAndType(old);
            return 0;
        }
    }
}
