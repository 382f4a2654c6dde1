namespace Microxen.Hypercalls
{
    /// <summary>
    /// HYPERVISOR_grant_table_op (public/grant_table.h, xen/common/grant_table.c) for the one PV
    /// domain, dom0 (domain id 0), as Xen 4.17 offers it: a table of 1 frame that grows to
    /// max_grant_frames (64), versions 1 and 2 (status frames), setup_table, query_size,
    /// set_version, get_version, get_status_frames, map_grant_ref / unmap_grant_ref of the domain's
    /// own grants (dom 0; DOMID_SELF is not a domain to map from: GNTST_bad_domain, as on Xen),
    /// and copy. Frames come from the shim's frame allocator and are not the guest's (no M2P
    /// entry), as Xen's shared xenheap pages. Per-operation failures are GNTST_* in the status
    /// fields; the hypercall itself returns -EINVAL (count, opaque bits) or -ENOSYS (an
    /// operation not served: dump_table, unmap_and_replace of a live handle). swap_grant_ref,
    /// cache_flush (x86: clean only) and the failures of transfer and unmap_and_replace are served.
    /// </summary>
    public static unsafe partial class GrantTableOps
    {
        /// <summary>Entries per frame: grant_entry_v1 (8 bytes) / grant_entry_v2 (16 bytes) / v2 status (2 bytes).</summary>
        const uint V1PerFrame = 4096 / 8, V2PerFrame = 4096 / 16, StatusPerFrame = 4096 / 2;
        const uint MaxStatusFrames = (GnttabOp.MaxGrantFrames * V2PerFrame + StatusPerFrame - 1) / StatusPerFrame;
        /// <summary>Map handles the shim tracks (Xen's maptrack is larger; beyond: GNTST_no_space).</summary>
        public const int MaxHandles = 1024;
        /// <summary>The domain's own id: the shim runs dom0.</summary>
        public const ushort SelfId = 0;

        struct Table
        {
            public fixed ulong Shared[(int)GnttabOp.MaxGrantFrames];
            public fixed ulong Status[(int)MaxStatusFrames];
            public fixed uint HandleRef[MaxHandles];
            public fixed uint HandleFlags[MaxHandles];        // GNTMAP_* of the mapping; 0 = free handle
            public fixed ulong HandleMfn[MaxHandles];
        }
        static Table s_t;
        static uint s_version = 1, s_frames, s_statusFrames;

        public static long Op(ulong cmdWord, ulong uop, ulong count)
        {
            if ((int)count < 0) return -XenErrno.EINVAL;
            ulong cmd = cmdWord & GnttabOp.CmdMask;
            if (cmd != GnttabOp.GNTTABOP_cache_flush && (cmdWord & ~(ulong)GnttabOp.CmdMask) != 0) return -XenErrno.EINVAL;
            if (s_frames == 0 && !Grow(GnttabOp.InitialGrantFrames)) return -XenErrno.ENOMEM;
            if (IsArrayOp(cmd)) Guest.GuestPointer.Require(uop);   // guest_handle_okay(uop, count): -EFAULT in Xen's range
            switch (cmd)
            {
                case GnttabOp.GNTTABOP_setup_table: return count != 1 ? -XenErrno.EINVAL : SetupTable((GnttabSetupTable*)uop);
                case GnttabOp.GNTTABOP_query_size:
                {
                    if (count != 1) return -XenErrno.EINVAL;
                    var q = (GnttabQuerySize*)uop;
                    if (!IsSelf(q->Dom)) { q->Status = Gntst.BadDomain; return 0; }
                    q->NrFrames = s_frames;
                    q->MaxNrFrames = GnttabOp.MaxGrantFrames;
                    q->Status = Gntst.Okay;
                    return 0;
                }
                case GnttabOp.GNTTABOP_set_version: return SetVersion((GnttabSetVersion*)uop);
                case GnttabOp.GNTTABOP_get_version:
                {
                    var g = (GnttabGetVersion*)uop;
                    Touch(uop, 8);                                      // copy_from_guest of the whole struct
                    if (!IsSelf(g->Dom)) return -XenErrno.ESRCH;
                    g->Version = s_version;
                    return 0;
                }
                case GnttabOp.GNTTABOP_get_status_frames:
                {
                    if (count != 1) return -XenErrno.EINVAL;
                    var g = (GnttabGetStatusFrames*)uop;
                    if (!AddrOk(g->FrameList)) return -XenErrno.EFAULT;   // guest_handle_okay(frame_list)
                    if (!IsSelf(g->Dom)) { g->Status = Gntst.BadDomain; return 0; }
                    if (g->NrFrames > s_statusFrames) { g->Status = Gntst.GeneralError; return 0; }
                    g->Status = Gntst.Okay;
                    fixed (Table* t = &s_t) for (uint i = 0; i < g->NrFrames; i++) Put(g->FrameList, i, t->Status[i], &g->Status);
                    return 0;
                }
                case GnttabOp.GNTTABOP_map_grant_ref:
                    for (ulong i = 0; i < count; i++) Map((GnttabMapGrantRef*)uop + i);
                    return 0;
                case GnttabOp.GNTTABOP_unmap_grant_ref:
                    for (ulong i = 0; i < count; i++) Unmap((GnttabUnmapGrantRef*)uop + i);
                    return 0;
                case GnttabOp.GNTTABOP_copy:
                    for (ulong i = 0; i < count; i++) { var c = (GnttabCopy*)uop + i; c->Status = Copy(c); }
                    return 0;
                case GnttabOp.GNTTABOP_unmap_and_replace:
                    // unmap_common: a handle not in use GNTST_bad_handle. Replacing a live mapping is not served.
                    for (ulong i = 0; i < count; i++)
                    {
                        var u = (GnttabUnmapGrantRef*)((byte*)uop + i * 24);   // host_addr, new_addr, handle, status
                        uint h = *(uint*)((byte*)u + 16);
                        bool live;
                        fixed (Table* t = &s_t) live = h < MaxHandles && t->HandleFlags[h] != 0;
                        if (live) return HypercallStats.Unimplemented("grant_table_op", Hypercall.GrantTableOp, cmdWord, uop, count, 0, 0);
                        *(short*)((byte*)u + 20) = Gntst.BadHandle;
                    }
                    return 0;
                case GnttabOp.GNTTABOP_transfer:
                    // gnttab_transfer (struct gnttab_transfer: mfn, domid, ref, status; 24 bytes): a frame
                    // not the domain's GNTST_bad_page; steal_page of one of its frames fails while the
                    // domain maps it (count beyond PGC_allocated + 1): GNTST_general_error, the shim's
                    // answer for every guest frame (it keeps no reference counts outside checked mode).
                    for (ulong i = 0; i < count; i++)
                    {
                        byte* g = (byte*)uop + i * 24;
                        if (Checked.CheckedMode.On) { *(short*)(g + 16) = Checked.GrantTransfer.Transfer(*(ulong*)g, *(ushort*)(g + 8)); continue; }
                        *(short*)(g + 16) = Host.IsGuestFrame(*(ulong*)g) ? Gntst.GeneralError : Gntst.BadPage;
                    }
                    return 0;
                case GnttabOp.GNTTABOP_swap_grant_ref:
                    for (ulong i = 0; i < count; i++) { var w = (GnttabSwapGrantRef*)uop + i; w->Status = Swap(w->RefA, w->RefB); }
                    return 0;
                case GnttabOp.GNTTABOP_cache_flush:
                {
                    uint curRef = (uint)(cmdWord & ~(ulong)GnttabOp.CmdMask);
                    for (ulong i = 0; i < count; i++)
                    {
                        long rc = CacheFlush((GnttabCacheFlush*)uop + i, curRef);
                        if (rc < 0) return rc;
                        curRef = 0;
                    }
                    return 0;
                }
                default:
                    return HypercallStats.Unimplemented("grant_table_op", Hypercall.GrantTableOp, cmdWord, uop, count, 0, 0);
            }
        }

        /// <summary>
        /// swap_grant_ref: a ref past the table GNTST_bad_gntref; the same ref twice a no-op; an
        /// entry with mappings (act->pin) GNTST_eagain; else the two entries (and v2 status
        /// entries) trade places.
        /// </summary>
        static short Swap(uint a, uint b)
        {
            if (a >= Entries || b >= Entries) return Gntst.BadGntref;
            if (a == b) return Gntst.Okay;
            if (Pins(a, false) != 0 || Pins(b, false) != 0) return Gntst.Eagain;
            if (s_version == 1)
            {
                var ea = (GrantEntryV1*)Flags(a); var eb = (GrantEntryV1*)Flags(b);
                var t = *ea; *ea = *eb; *eb = t;
            }
            else
            {
                var ea = (GrantEntryV2*)Flags(a); var eb = (GrantEntryV2*)Flags(b);
                var t = *ea; *ea = *eb; *eb = t;
                ushort s = *StatusOf(a); *StatusOf(a) = *StatusOf(b); *StatusOf(b) = s;
            }
            return Gntst.Okay;
        }

        /// <summary>
        /// _cache_flush (x86): a range past the page or op bits other than CLEAN/INVAL -EINVAL;
        /// nothing to do: 0 (-EILSEQ when a continuation's ref was passed in the opaque bits);
        /// a frame that is not the domain's -EPERM (Xen: -EINVAL when no frame exists at all,
        /// which depends on the machine's memory map and is approximated by the shim's frames);
        /// INVAL alone -EOPNOTSUPP (x86 has no invalidate-only), CLEAN 0.
        /// </summary>
        static long CacheFlush(GnttabCacheFlush* op, uint curRef)
        {
            uint off = op->Offset, len = op->Length, o = op->Op;
            if (off >= 4096 || len > 4096 || off + len > 4096 || (o & ~(GnttabCacheFlush.Clean | GnttabCacheFlush.Inval)) != 0) return -XenErrno.EINVAL;
            if (len == 0 || o == 0) return curRef == 0 ? 0 : -XenErrno.EILSEQ;
            ulong mfn = op->DevBusAddr >> 12;
            if (!Host.IsGuestFrame(mfn)) return mfn < Host.M2pEntries ? -XenErrno.EPERM : -XenErrno.EINVAL;
            return o == GnttabCacheFlush.Inval ? -XenErrno.EOPNOTSUPP : 0;
        }

        /// <summary>The commands whose uop is an array Xen checks with guest_handle_okay before anything else (map, unmap, transfer, copy, unmap_and_replace, swap_grant_ref, cache_flush).</summary>
        static bool IsArrayOp(ulong cmd) => cmd == GnttabOp.GNTTABOP_map_grant_ref || cmd == GnttabOp.GNTTABOP_unmap_grant_ref
            || cmd == GnttabOp.GNTTABOP_transfer || cmd == GnttabOp.GNTTABOP_copy || cmd == GnttabOp.GNTTABOP_unmap_and_replace
            || cmd == GnttabOp.GNTTABOP_swap_grant_ref || cmd == GnttabOp.GNTTABOP_cache_flush;

        static void Touch(ulong p, uint size) => Guest.GuestPointer.Touch(p, size);   // a fault, or Xen's range: -EFAULT

        /// <summary>__addr_ok (x86-64 PV): below 2^47 or past the hypervisor's hole.</summary>
        static bool AddrOk(ulong va) => Guest.GuestPointer.AddrOk(va);

        /// <summary>
        /// One frame number into a frame_list (__copy_to_guest_offset): where the guest's page tables
        /// give no writable mapping, the op's status becomes GNTST_bad_virt_addr instead.
        /// </summary>
        static void Put(ulong list, uint i, ulong frame, short* status)
        {
            ulong va = list + i * 8ul;
            if (GuestWritable(va) && GuestWritable(va + 7)) *(ulong*)va = frame;
            else *status = Gntst.BadVirtAddr;
        }

        /// <summary>The guest's current page tables map va present and writable at every level.</summary>
        static bool GuestWritable(ulong va)
        {
            if (!AddrOk(va)) return false;
            ulong t = Cpu.ReadCr3() >> 12;
            for (int level = 4; level >= 1; level--)
            {
                if (t >= Host.FrameCount) return false;
                ulong e = PageTables.Table(Host.Mem, t)[PageTables.Index(va, level)];
                if ((e & PageFlags.Present) == 0 || (e & PageFlags.RW) == 0) return false;
                if (level is 2 or 3 && (e & PageFlags.PSE) != 0) return true;
                t = PageTables.EntryMfn(e);
            }
            return true;
        }

        /// <summary>rcu_lock_domain_by_any_id: DOMID_SELF or the domain's own id.</summary>
        static bool IsSelf(ushort dom) => dom == XenMemOp.DOMID_SELF || dom == SelfId;

        static uint Entries => s_version == 1 ? s_frames * V1PerFrame : s_frames * V2PerFrame;
        static uint StatusFramesFor(uint frames) => (frames * V2PerFrame + StatusPerFrame - 1) / StatusPerFrame;

        /// <summary>gnttab_grow_table: zeroed frames up to <paramref name="frames"/> (and v2 status frames).</summary>
        static bool Grow(uint frames)
        {
            fixed (Table* t = &s_t)
            {
                for (; s_frames < frames; s_frames++)
                    if ((t->Shared[s_frames] = NewFrame()) == FrameAllocator.None) return false;
                if (s_version == 2)
                    for (uint need = StatusFramesFor(s_frames); s_statusFrames < need; s_statusFrames++)
                        if ((t->Status[s_statusFrames] = NewFrame()) == FrameAllocator.None) return false;
            }
            return true;
        }

        static ulong NewFrame()
        {
            ulong mfn = Host.Frames.AllocHigh();
            if (mfn != FrameAllocator.None) Host.Mem.ZeroFrame(mfn);
            if (mfn != FrameAllocator.None) Checked.PageTypes.Share(mfn);   // Xen's share_xen_page_with_guest (checked mode's types)
            return mfn;
        }

        static long SetupTable(GnttabSetupTable* op)
        {
            if (!AddrOk(op->FrameList)) return -XenErrno.EFAULT;          // guest_handle_okay(frame_list)
            if (!IsSelf(op->Dom)) { op->Status = Gntst.BadDomain; return 0; }
            if (op->NrFrames > GnttabOp.MaxGrantFrames || !Grow(op->NrFrames)) { op->Status = Gntst.GeneralError; return 0; }
            op->Status = Gntst.Okay;
            fixed (Table* t = &s_t) for (uint i = 0; i < op->NrFrames; i++) Put(op->FrameList, i, t->Shared[i], &op->Status);
            return 0;
        }

        /// <summary>
        /// gnttab_set_version: 1 or 2 (else -EINVAL); -EBUSY while entries past the 8 reserved ones
        /// are mapped. Switching clears the table but the 8 reserved entries, which are converted;
        /// v2 gets status frames, v1 gives them back. The version in force is written back.
        /// </summary>
        static long SetVersion(GnttabSetVersion* op)
        {
            long rc = 0;
            Touch((ulong)op, 4);                                        // copy_from_guest(&op, uop, 1)
            uint v = op->Version;
            if (v != 1 && v != 2) rc = -XenErrno.EINVAL;
            else if (v != s_version)
            {
                fixed (Table* t = &s_t)
                    for (int h = 0; h < MaxHandles; h++)
                        if (t->HandleFlags[h] != 0 && t->HandleRef[h] >= GnttabOp.NrReservedEntries) { rc = -XenErrno.EBUSY; break; }
                if (rc == 0) rc = Switch(v);
            }
            op->Version = s_version;
            return rc;
        }

        static long Switch(uint v)
        {
            GrantEntryV1* keep = stackalloc GrantEntryV1[(int)GnttabOp.NrReservedEntries];
            for (uint i = 0; i < GnttabOp.NrReservedEntries; i++)
            {
                keep[i].Flags = (ushort)(*Flags(i) | *StatusOf(i));
                keep[i].Domid = *(ushort*)((byte*)Flags(i) + 2);
                ulong frame = Frame(i);
                ushort type = (ushort)(keep[i].Flags & Gtf.TypeMask);
                if (s_version == 2 && type != Gtf.Invalid && (type != Gtf.PermitAccess || (frame >> 32) != 0)) return -XenErrno.ERANGE;
                if (s_version == 2 && type == Gtf.Invalid) { keep[i].Flags = 0; keep[i].Domid = 0; frame = 0; }
                keep[i].Frame = (uint)frame;
            }
            fixed (Table* t = &s_t)
            {
                if (v == 1) { for (uint i = 0; i < s_statusFrames; i++) Host.Frames.Free(t->Status[i]); s_statusFrames = 0; }
                for (uint i = 0; i < s_frames; i++) Host.Mem.ZeroFrame(t->Shared[i]);
            }
            s_version = v;
            if (v == 2 && !Grow(s_frames)) return -XenErrno.ENOMEM;
            for (uint i = 0; i < GnttabOp.NrReservedEntries; i++)
            {
                if (v == 1) { *(GrantEntryV1*)Flags(i) = keep[i]; continue; }
                var e = (GrantEntryV2*)Flags(i);
                *StatusOf(i) = (ushort)(keep[i].Flags & (Gtf.Reading | Gtf.Writing));
                e->Flags = (ushort)(keep[i].Flags & ~(Gtf.Reading | Gtf.Writing));
                e->Domid = keep[i].Domid;
                e->Frame = keep[i].Frame;
            }
            return 0;
        }

        /// <summary>The entry's header flags (shared_entry_header): v1 and v2 both start flags, domid.</summary>
        static ushort* Flags(uint r)
        {
            uint per = s_version == 1 ? V1PerFrame : V2PerFrame;
            ulong mfn;
            fixed (Table* t = &s_t) mfn = t->Shared[r / per];
            return (ushort*)(Host.Mem.Frame(mfn) + (r % per) * (4096 / per));
        }

        /// <summary>Where GTF_reading / GTF_writing live: the flags in v1, the status entry in v2.</summary>
        static ushort* StatusOf(uint r)
        {
            if (s_version == 1) return Flags(r);
            ulong mfn;
            fixed (Table* t = &s_t) mfn = t->Status[r / StatusPerFrame];
            return (ushort*)Host.Mem.Frame(mfn) + r % StatusPerFrame;
        }

        static ulong Frame(uint r) => s_version == 1 ? ((GrantEntryV1*)Flags(r))->Frame : ((GrantEntryV2*)Flags(r))->Frame;

        /// <summary>
        /// _set_status_v1/_v2 for an entry not yet pinned the needed way: a permit_access entry (no
        /// sub_page when mapping) granted to this domain, writable unless GTF_readonly; sets
        /// GTF_reading (and GTF_writing). GNTST_general_error otherwise, and for a v2 sub_page
        /// grant in a copy, which Xen serves for its byte range and the shim does not.
        /// </summary>
        static short Pin(uint r, bool readOnly, bool mapping)
        {
            ushort f = *Flags(r);
            ushort mask = mapping ? (ushort)(Gtf.TypeMask | Gtf.SubPage) : Gtf.TypeMask;
            if (Pins(r, false) == 0 && ((f & mask) != Gtf.PermitAccess || *((ushort*)Flags(r) + 1) != SelfId)) return Gntst.GeneralError;
            if (!readOnly && (f & Gtf.Readonly) != 0) return Gntst.GeneralError;
            if (s_version == 2 && (f & Gtf.SubPage) != 0) return Gntst.GeneralError;   // v2 sub-page grants are not served
            *StatusOf(r) |= readOnly ? Gtf.Reading : (ushort)(Gtf.Reading | Gtf.Writing);
            return Gntst.Okay;
        }

        /// <summary>
        /// The entry's pin count (Xen's act->pin): mappings of <paramref name="r"/> held by handles,
        /// only the writable ones when <paramref name="writers"/>.
        /// </summary>
        static int Pins(uint r, bool writers)
        {
            int n = 0;
            fixed (Table* t = &s_t)
                for (int h = 0; h < MaxHandles; h++)
                    if (t->HandleFlags[h] != 0 && t->HandleRef[h] == r && (!writers || (t->HandleFlags[h] & GntMap.Readonly) == 0)) n++;
            return n;
        }

        /// <summary>The frame the entry's existing mappings map.</summary>
        static ulong PinnedMfn(uint r)
        {
            fixed (Table* t = &s_t)
                for (int h = 0; h < MaxHandles; h++)
                    if (t->HandleFlags[h] != 0 && t->HandleRef[h] == r) return t->HandleMfn[h];
            return FrameAllocator.None;
        }

        /// <summary>
        /// After an unmap, a failed map or a copy: GTF_writing stays only while a writable mapping
        /// is left, GTF_reading while any is (release_grant_for_copy, unmap_common_complete).
        /// </summary>
        static void Settle(uint r)
        {
            if (Pins(r, true) == 0) *StatusOf(r) &= unchecked((ushort)~Gtf.Writing);
            if (Pins(r, false) == 0) *StatusOf(r) &= unchecked((ushort)~(Gtf.Reading | Gtf.Writing));
        }
    }
}
