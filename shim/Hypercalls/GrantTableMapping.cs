namespace Microxen.Hypercalls
{
    /// <summary>grant_table_op's map_grant_ref, unmap_grant_ref and copy (xen/common/grant_table.c); the table itself and the other operations are in GrantTableOps.cs.</summary>
    public static unsafe partial class GrantTableOps
    {
        /// <summary>
        /// map_grant_ref: flags without host_map or device_map GNTST_bad_gntref; a domain other
        /// than this one's id (DOMID_SELF included) GNTST_bad_domain; no handle GNTST_no_space;
        /// ref past the table GNTST_bad_gntref; an entry not granted GNTST_general_error; a frame
        /// not the domain's GNTST_bad_page; with host_map, host_addr names the L1 entry to fill
        /// (GNTMAP_contains_pte: its machine address; else the virtual address, whose L1 table must
        /// exist: GNTST_general_error). Out: handle, dev_bus_addr (the frame's machine address).
        /// </summary>
        static void Map(GnttabMapGrantRef* op)
        {
            uint flags = op->Flags;
            if ((flags & (GntMap.HostMap | GntMap.DeviceMap)) == 0) { op->Status = Gntst.BadGntref; return; }
            if (op->Dom != SelfId) { op->Status = Gntst.BadDomain; return; }
            int h = FreeHandle();
            if (h < 0) { op->Status = Gntst.NoSpace; return; }
            uint r = op->Ref;
            if (r >= Entries) { op->Status = Gntst.BadGntref; return; }
            bool ro = (flags & GntMap.Readonly) != 0;
            bool pinned = Pins(r, false) != 0;
            short st = !pinned || (!ro && Pins(r, true) == 0) ? Pin(r, ro, true) : Gntst.Okay;
            if (st != Gntst.Okay) { op->Status = st; return; }
            ulong mfn = pinned ? PinnedMfn(r) : Frame(r);                   // act->mfn: the frame of the first pin
            if (!pinned && !Host.IsGuestFrame(mfn)) { Settle(r); op->Status = Gntst.BadPage; return; }
            if ((flags & GntMap.HostMap) != 0)
            {
                ulong* pte = PteFor(op->HostAddr, flags);
                if (pte == null) { Settle(r); op->Status = Gntst.GeneralError; return; }
                if (!Checked.CheckedMode.On) *pte = (mfn << 12) | PteFlags(flags);
                else if (!Checked.PageTypes.GrantMapPte(pte, (mfn << 12) | PteFlags(flags))) { Settle(r); op->Status = Gntst.GeneralError; return; }
                if ((flags & GntMap.ContainsPte) == 0) Cpu.Invlpg(op->HostAddr);
                else Cpu.FlushTlb();
            }
            fixed (Table* t = &s_t) { t->HandleRef[h] = r; t->HandleFlags[h] = flags; t->HandleMfn[h] = mfn; }
            op->DevBusAddr = mfn << 12;
            op->Handle = (uint)h;
            op->Status = Gntst.Okay;
        }

        /// <summary>
        /// grant_to_pte_flags (arch/x86/pv/grant_table.c, release build: no _PAGE_GNTTAB): present,
        /// accessed, dirty, NX; RW unless GNTMAP_readonly; USER with GNTMAP_application_map; the
        /// GNTMAP_guest_avail bits (16 up) in the PTE's available bits 9-11
        /// (XENFEAT_gnttab_map_avail_bits). The grant's GTF_PWT/PCD/PAT apply to I/O memory
        /// only (map_grant_ref passes cache flags 0 for RAM), and a grant here is always RAM.
        /// </summary>
        static ulong PteFlags(uint flags)
        {
            ulong e = PageFlags.Present | PageFlags.Accessed | PageFlags.Dirty | PageFlags.NX;
            if ((flags & GntMap.Readonly) == 0) e |= PageFlags.RW;
            if ((flags & GntMap.ApplicationMap) != 0) e |= PageFlags.User;
            e |= ((ulong)(flags >> GntMap.GuestAvail0) << 9) & PageFlags.Avail;
            return e;
        }

        /// <summary>The L1 entry a host mapping names: by machine address (GNTMAP_contains_pte) or by virtual address.</summary>
        static ulong* PteFor(ulong hostAddr, uint flags)
        {
            if ((flags & GntMap.ContainsPte) == 0) return MmuOps.L1Entry(Cpu.ReadCr3() >> 12, hostAddr);
            if ((hostAddr & 7) != 0 || !Host.PtFrames.IsMarked(hostAddr >> 12)) return null;
            return (ulong*)Host.Mem.At(hostAddr);
        }

        static int FreeHandle()
        {
            fixed (Table* t = &s_t) for (int h = 0; h < MaxHandles; h++) if (t->HandleFlags[h] == 0) return h;
            return -1;
        }

        /// <summary>
        /// unmap_grant_ref: a handle not in use GNTST_bad_handle; a dev_bus_addr given with a device
        /// mapping that is not the frame's GNTST_bad_dev_addr; with host_addr and a host mapping, the
        /// L1 entry there must map the frame (else GNTST_general_error) and is cleared.
        /// </summary>
        static void Unmap(GnttabUnmapGrantRef* op)
        {
            uint h = op->Handle;
            uint flags, r;
            ulong mfn;
            fixed (Table* t = &s_t)
            {
                if (h >= MaxHandles || t->HandleFlags[h] == 0) { op->Status = Gntst.BadHandle; return; }
                flags = t->HandleFlags[h]; r = t->HandleRef[h]; mfn = t->HandleMfn[h];
            }
            if (op->DevBusAddr != 0 && (flags & GntMap.DeviceMap) != 0 && op->DevBusAddr != mfn << 12) { op->Status = Gntst.BadDevAddr; return; }
            if (op->HostAddr != 0 && (flags & GntMap.HostMap) != 0)
            {
                ulong* pte = PteFor(op->HostAddr, flags);
                if (pte == null || (*pte & PageFlags.Present) == 0 || PageTables.EntryMfn(*pte) != mfn) { op->Status = Gntst.GeneralError; return; }
                if (Checked.CheckedMode.On) Checked.PageTypes.GrantUnmapPte(pte); else *pte = 0;
                if ((flags & GntMap.ContainsPte) == 0) Cpu.Invlpg(op->HostAddr);
                else Cpu.FlushTlb();
            }
            fixed (Table* t = &s_t) t->HandleFlags[h] = 0;
            Settle(r);
            op->Status = Gntst.Okay;
        }

        /// <summary>
        /// One gnttab_copy: each side a grant reference of this domain (GNTCOPY_*_gref; DOMID_SELF
        /// or its id) or a frame of DOMID_SELF (a frame with another domid: GNTST_permission_denied;
        /// another domain: GNTST_bad_domain). A grant must be a permit_access entry for this domain
        /// (writable for the destination), else GNTST_general_error (ref past the table:
        /// GNTST_bad_gntref); a frame not the domain's GNTST_bad_page, a destination frame that is a
        /// page table GNTST_general_error; offset + len past the page GNTST_bad_copy_arg.
        /// </summary>
        static short Copy(GnttabCopy* op)
        {
            bool srcGref = (op->Flags & GntMap.CopySourceGref) != 0, dstGref = (op->Flags & GntMap.CopyDestGref) != 0;
            if (!srcGref && op->Source.Domid != XenMemOp.DOMID_SELF) return Gntst.PermissionDenied;
            if (!IsSelf(op->Source.Domid)) return Gntst.BadDomain;
            if (!dstGref && op->Dest.Domid != XenMemOp.DOMID_SELF) return Gntst.PermissionDenied;
            if (!IsSelf(op->Dest.Domid)) return Gntst.BadDomain;
            ulong src, dst;
            short st = Claim(&op->Source, srcGref, true, out src);
            if (st != Gntst.Okay) return st;
            st = Claim(&op->Dest, dstGref, false, out dst);
            if (st == Gntst.Okay && (op->Source.Offset + op->Len > 4096 || op->Dest.Offset + op->Len > 4096)) st = Gntst.BadCopyArg;
            if (st == Gntst.Okay)
            {
                byte* s = Host.Mem.Frame(src) + op->Source.Offset, d = Host.Mem.Frame(dst) + op->Dest.Offset;
                for (int i = 0; i < op->Len; i++) d[i] = s[i];
            }
            if (dstGref && dst != FrameAllocator.None) Settle((uint)op->Dest.RefOrGmfn);
            if (srcGref) Settle((uint)op->Source.RefOrGmfn);
            return st;
        }

        /// <summary>acquire_grant_for_copy / get_paged_frame for one side of a copy; the frame in <paramref name="mfn"/>.</summary>
        static short Claim(GnttabCopyPtr* p, bool gref, bool readOnly, out ulong mfn)
        {
            mfn = FrameAllocator.None;
            ulong f = p->RefOrGmfn;
            if (gref)
            {
                uint r = (uint)f;
                if (r >= Entries) return Gntst.BadGntref;
                short st = Pin(r, readOnly, false);
                if (st != Gntst.Okay) return st;
                f = Frame(r);
                if (!Host.IsGuestFrame(f)) { Settle(r); return Gntst.BadPage; }
            }
            else if (!Host.IsGuestFrame(f)) return Gntst.BadPage;
            else if (!readOnly && Host.PtFrames.IsMarked(f)) return Gntst.GeneralError;
            mfn = f;
            return Gntst.Okay;
        }
    }
}
