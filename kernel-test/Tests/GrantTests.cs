namespace KernelTest.Tests
{
    /// <summary>
    /// Grant tables as Xen 4.17 offers them to a PV dom0 (public/grant_table.h,
    /// xen/common/grant_table.c): the table's size and frames, versions 1 and 2, mapping and
    /// unmapping the domain's own grants, and copies. Per-operation results are GNTST_* in the
    /// status fields. Each test leaves the table at version 1 with its entries cleared.
    /// </summary>
    public static unsafe class GrantTests
    {
        /// <summary>The domain's own id (dom0): the one a grant names and a map asks for.</summary>
        const ushort Dom0 = 0;
        /// <summary>Grant references the tests use (past GNTTAB_NR_RESERVED_ENTRIES).</summary>
        const uint RefA = 10, RefB = 11;

        static long SetupTable(ushort dom, uint frames, ulong* list, out short status, uint count = 1)
        {
            GnttabSetupTable s;
            s.Dom = dom; s.NrFrames = frames; s.Status = 99; s.FrameList = (ulong)list;
            long rc = Hv.GrantTableOp(GnttabOp.GNTTABOP_setup_table, &s, count);
            status = s.Status;
            return rc;
        }

        /// <summary>setup_table(DOMID_SELF, 1 frame), the frame mapped at the test's slot <paramref name="slot"/>; null on failure.</summary>
        static byte* MapTable(int slot)
        {
            ulong frame = 0;
            if (!Check.Rc("setup_table", SetupTable(Hv.DomidSelf, 1, &frame, out short st))) return null;
            if (!Check.Eq("setup_table status", (ulong)(long)st, 0)) return null;
            if (!Check.Rc("map the grant frame", Window.Map(Runner.Slot(slot), frame))) return null;
            return (byte*)Window.Va(Runner.Slot(slot));
        }

        static long SetVersion(uint v, out uint now)
        {
            GnttabSetVersion s;
            s.Version = v;
            long rc = Hv.GrantTableOp(GnttabOp.GNTTABOP_set_version, &s, 1);
            now = s.Version;
            return rc;
        }

        static uint Version()
        {
            GnttabGetVersion g;
            g.Dom = Hv.DomidSelf; g.Version = 99;
            return Hv.GrantTableOp(GnttabOp.GNTTABOP_get_version, &g, 1) == 0 ? g.Version : 99;
        }

        static void Grant(byte* table, uint r, ulong mfn, ushort flags)
        {
            var e = (GrantEntryV1*)table + r;
            e->Domid = Dom0;
            e->Frame = (uint)mfn;
            e->Flags = flags;
        }

        static GnttabMapGrantRef MapRef(uint r, ushort dom, uint flags, ulong hostAddr)
        {
            GnttabMapGrantRef m;
            m.HostAddr = hostAddr; m.Flags = flags; m.Ref = r; m.Dom = dom;
            m.Status = 99; m.Handle = 0xdead; m.DevBusAddr = 0;
            Hv.GrantTableOp(GnttabOp.GNTTABOP_map_grant_ref, &m, 1);
            return m;
        }

        static short Unmap(ulong hostAddr, uint handle)
        {
            GnttabUnmapGrantRef u;
            u.HostAddr = hostAddr; u.DevBusAddr = 0; u.Handle = handle; u.Status = 99;
            long rc = Hv.GrantTableOp(GnttabOp.GNTTABOP_unmap_grant_ref, &u, 1);
            return rc != 0 ? (short)99 : u.Status;
        }

        static bool Status(string what, short got, short want) => Check.Eq(what, (ulong)(long)got, (ulong)(long)want);

        /// <summary>
        /// query_size: 1 frame of at most 64 (Xen 4.17's max_grant_frames for dom0); setup_table
        /// gives the frame (the same each time), refuses more than 64 frames
        /// (GNTST_general_error) and another domain (GNTST_bad_domain); a count other than 1 is
        /// -EINVAL; a second frame grows the table.
        /// </summary>
        public static bool QuerySetup()
        {
            GnttabQuerySize q;
            q.Dom = Hv.DomidSelf; q.NrFrames = 0; q.MaxNrFrames = 0; q.Status = 99;
            if (!Check.Rc("query_size", Hv.GrantTableOp(GnttabOp.GNTTABOP_query_size, &q, 1))) return false;
            if (!Status("query_size status", q.Status, Gntst.Okay)) return false;
            if (!Check.True(q.NrFrames >= 1, "query_size: no frame")) return false;
            if (!Check.Eq("query_size max_nr_frames", q.MaxNrFrames, GnttabOp.MaxGrantFrames)) return false;
            ulong* frames = stackalloc ulong[2];
            frames[0] = frames[1] = 0;
            short st;
            if (!Check.Rc("setup_table", SetupTable(Hv.DomidSelf, 1, frames, out st)) || !Status("setup_table status", st, Gntst.Okay)) return false;
            ulong first = frames[0];
            if (!Check.True(first != 0, "setup_table gave no frame")) return false;
            if (!Check.Rc("setup_table 2", SetupTable(Dom0, 2, frames, out st)) || !Status("setup_table 2 status", st, Gntst.Okay)) return false;
            if (!Check.Eq("setup_table: the first frame again", frames[0], first)) return false;
            if (!Check.True(frames[1] != 0 && frames[1] != first, "setup_table: no second frame")) return false;
            q.Dom = Hv.DomidSelf;
            Hv.GrantTableOp(GnttabOp.GNTTABOP_query_size, &q, 1);
            if (!Check.Eq("query_size after growing", q.NrFrames, 2)) return false;
            if (!Check.Rc("setup_table 65", SetupTable(Hv.DomidSelf, GnttabOp.MaxGrantFrames + 1, frames, out st))) return false;
            if (!Status("setup_table of 65 frames", st, Gntst.GeneralError)) return false;
            if (!Check.Rc("setup_table dom 7", SetupTable(7, 1, frames, out st))) return false;
            if (!Status("setup_table of domain 7", st, Gntst.BadDomain)) return false;
            q.Dom = 7; q.Status = 99;
            Hv.GrantTableOp(GnttabOp.GNTTABOP_query_size, &q, 1);
            if (!Status("query_size of domain 7", q.Status, Gntst.BadDomain)) return false;
            return Check.Eq("setup_table with count 2", (ulong)SetupTable(Hv.DomidSelf, 1, frames, out st, 2), unchecked((ulong)-XenErrno.EINVAL));
        }

        /// <summary>
        /// map_grant_ref of the domain's own grant: by DOMID_SELF it is GNTST_bad_domain (Xen looks
        /// the domain up by id only); by its id the frame appears at host_addr, the entry gets
        /// GTF_reading|GTF_writing, dev_bus_addr is the frame's address; unmap clears both, and the
        /// handle is then GNTST_bad_handle. A ref past the table is GNTST_bad_gntref, an entry not
        /// granted or a write map of a GTF_readonly grant GNTST_general_error, flags without
        /// host_map/device_map GNTST_bad_gntref.
        /// </summary>
        public static bool MapOwn()
        {
            byte* table = MapTable(0);
            if (table == null) return false;
            ulong mfn = Frames.WithPattern(0x6772616e74);
            if (!Check.True(mfn != 0, "no frame")) return false;
            Grant(table, RefA, mfn, Gtf.PermitAccess);
            ulong va = Window.Va(Runner.Slot(1));
            var m = MapRef(RefA, Hv.DomidSelf, GntMap.HostMap, va);
            if (!Status("map by DOMID_SELF", m.Status, Gntst.BadDomain)) return false;
            m = MapRef(RefA, Dom0, GntMap.HostMap, va);
            if (!Status("map by own id", m.Status, Gntst.Okay)) return false;
            ushort flags = ((GrantEntryV1*)table)[RefA].Flags;
            bool ok = Check.Eq("entry flags while mapped", flags, Gtf.PermitAccess | Gtf.Reading | Gtf.Writing)
                && Check.Eq("the mapped frame's first word", *(ulong*)va, 0x6772616e74)
                && Check.Eq("dev_bus_addr", m.DevBusAddr, mfn << 12);
            *(ulong*)(va + 8) = 0x77;                                     // writable
            short un = Unmap(va, m.Handle);
            if (!ok || !Status("unmap", un, Gntst.Okay)) return false;
            if (!Check.Eq("entry flags after unmap", ((GrantEntryV1*)table)[RefA].Flags, Gtf.PermitAccess)) return false;
            if (!Status("unmap of a free handle", Unmap(va, m.Handle), Gntst.BadHandle)) return false;
            if (!Status("map past the table", MapRef(GnttabOp.MaxGrantFrames * 512, Dom0, GntMap.HostMap, va).Status, Gntst.BadGntref)) return false;
            if (!Status("map of an entry not granted", MapRef(RefB, Dom0, GntMap.HostMap, va).Status, Gntst.GeneralError)) return false;
            if (!Status("map without host_map", MapRef(RefA, Dom0, GntMap.Readonly, va).Status, Gntst.BadGntref)) return false;
            Grant(table, RefB, mfn, Gtf.PermitAccess | Gtf.Readonly);
            if (!Status("write map of a read-only grant", MapRef(RefB, Dom0, GntMap.HostMap, va).Status, Gntst.GeneralError)) return false;
            m = MapRef(RefB, Dom0, GntMap.HostMap | GntMap.Readonly, va);
            if (!Status("read-only map", m.Status, Gntst.Okay)) return false;
            ok = Check.Eq("read-only map: flags", ((GrantEntryV1*)table)[RefB].Flags, Gtf.PermitAccess | Gtf.Readonly | Gtf.Reading)
                && Check.Eq("read-only map: the word written before", *(ulong*)(va + 8), 0x77);
            if (!Status("unmap read-only", Unmap(va, m.Handle), Gntst.Okay) || !ok) return false;
            Grant(table, RefA, 0, 0);
            Grant(table, RefB, 0, 0);
            return Check.Rc("unmap the table", Window.Unmap(Runner.Slot(0)));
        }

        /// <summary>
        /// map_grant_ref with GNTMAP_contains_pte (host_addr: the machine address of an L1 entry),
        /// read-only, a guest_avail bit and a GTF_PWT grant: the entry holds the frame with present,
        /// accessed, dirty, NX and available bit 9, not RW and not PWT (grant_to_pte_flags; the
        /// grant's cache bits apply to I/O memory only); unmapping by
        /// the same address clears it. In one batch of two maps, each op gets its own status.
        /// </summary>
        public static bool MapPte()
        {
            byte* table = MapTable(0);
            if (table == null) return false;
            ulong mfn = Frames.WithPattern(0x707465);
            if (!Check.True(mfn != 0, "no frame")) return false;
            Grant(table, RefA, mfn, Gtf.PermitAccess | Gtf.Pwt);
            int slot = Runner.Slot(1);
            uint flags = GntMap.HostMap | GntMap.ContainsPte | GntMap.Readonly | (1u << GntMap.GuestAvail0);
            var m = MapRef(RefA, Dom0, flags, Window.PteMa(slot));
            if (!Status("map by PTE address", m.Status, Gntst.Okay)) return false;
            if (!Check.Rc("map the window's L1 read-only", Window.Map(Runner.Slot(2), Window.L1Mfn, PageFlags.Present | PageFlags.Accessed))) return false;
            ulong pte = ((ulong*)Window.Va(Runner.Slot(2)))[slot];
            const ulong Seen = PageFlags.PADDR_MASK | PageFlags.Present | PageFlags.RW | PageFlags.PWT | PageFlags.PCD
                | PageFlags.Accessed | PageFlags.Dirty | PageFlags.PAT | PageFlags.Avail | PageFlags.NX;
            bool ok = Check.Eq("the L1 entry (frame and flags)", pte & Seen,
                    (mfn << 12) | PageFlags.Present | PageFlags.Accessed | PageFlags.Dirty | PageFlags.NX | (1UL << 9))
                && Check.Eq("the frame through the mapping", *(ulong*)Window.Va(slot), 0x707465);
            short un = Unmap(Window.PteMa(slot), m.Handle);
            if (!ok || !Status("unmap by PTE address", un, Gntst.Okay)) return false;
            if (!Check.Eq("the L1 entry after unmap", ((ulong*)Window.Va(Runner.Slot(2)))[slot], 0)) return false;

            GnttabMapGrantRef* two = stackalloc GnttabMapGrantRef[2];
            two[0] = default; two[1] = default;
            two[0].HostAddr = Window.Va(slot); two[0].Flags = GntMap.HostMap | GntMap.Readonly; two[0].Ref = RefA; two[0].Status = 99;
            two[1].HostAddr = Window.Va(slot); two[1].Flags = GntMap.HostMap; two[1].Ref = GnttabOp.MaxGrantFrames * 512; two[1].Status = 99;
            if (!Check.Rc("map batch of 2", Hv.GrantTableOp(GnttabOp.GNTTABOP_map_grant_ref, two, 2))) return false;
            ok = Status("batch: first", two[0].Status, Gntst.Okay) && Status("batch: second", two[1].Status, Gntst.BadGntref);
            if (two[0].Status == Gntst.Okay && !Status("unmap the batch's map", Unmap(Window.Va(slot), two[0].Handle), Gntst.Okay)) return false;
            Grant(table, RefA, 0, 0);
            return ok && Check.Rc("unmap", Window.Unmap(Runner.Slot(2))) && Check.Rc("unmap the table", Window.Unmap(Runner.Slot(0)));
        }

        static short Copy(ulong src, ushort srcDom, ushort srcOff, ulong dst, ushort dstDom, ushort dstOff, ushort len, ushort flags)
        {
            GnttabCopy c;
            c.Source.RefOrGmfn = src; c.Source.Domid = srcDom; c.Source.Offset = srcOff;
            c.Dest.RefOrGmfn = dst; c.Dest.Domid = dstDom; c.Dest.Offset = dstOff;
            c.Len = len; c.Flags = flags; c.Status = 99;
            long rc = Hv.GrantTableOp(GnttabOp.GNTTABOP_copy, &c, 1);
            return rc != 0 ? (short)99 : c.Status;
        }

        /// <summary>
        /// GNTTABOP_copy from a grant (GNTCOPY_source_gref, DOMID_SELF) to a frame of DOMID_SELF:
        /// the bytes arrive at the offset; a frame named with a domain id rather than DOMID_SELF is
        /// GNTST_permission_denied; offset + len past the page GNTST_bad_copy_arg; a read-only grant
        /// as destination GNTST_general_error; the entry's flags are as before afterwards.
        /// </summary>
        public static bool CopyOwn()
        {
            byte* table = MapTable(0);
            if (table == null) return false;
            ulong src = Frames.WithPattern(0x1122334455667788), dst = Window.ClearedFrame();
            if (!Check.True(src != 0 && dst != 0, "no frames")) return false;
            Grant(table, RefA, src, Gtf.PermitAccess | Gtf.Readonly);
            short st = Copy(RefA, Hv.DomidSelf, 0, dst, Hv.DomidSelf, 16, 8, GntMap.CopySourceGref);
            if (!Status("copy gref to frame", st, Gntst.Okay)) return false;
            if (!Check.Rc("map the destination", Window.Map(Runner.Slot(1), dst))) return false;
            ulong* d = (ulong*)Window.Va(Runner.Slot(1));
            if (!Check.Eq("copied word", d[2], 0x1122334455667788) || !Check.Eq("word before it", d[1], 0)) return false;
            if (!Check.Eq("entry flags after the copy", ((GrantEntryV1*)table)[RefA].Flags, Gtf.PermitAccess | Gtf.Readonly)) return false;
            if (!Status("copy to a frame of domain 0", Copy(RefA, Hv.DomidSelf, 0, dst, Dom0, 0, 8, GntMap.CopySourceGref), Gntst.PermissionDenied)) return false;
            if (!Status("copy past the page", Copy(RefA, Hv.DomidSelf, 4090, dst, Hv.DomidSelf, 0, 8, GntMap.CopySourceGref), Gntst.BadCopyArg)) return false;
            if (!Status("copy into a read-only grant", Copy(src, Hv.DomidSelf, 0, RefA, Hv.DomidSelf, 0, 8, GntMap.CopyDestGref), Gntst.GeneralError)) return false;
            if (!Status("copy of an entry not granted", Copy(RefB, Hv.DomidSelf, 0, dst, Hv.DomidSelf, 0, 8, GntMap.CopySourceGref), Gntst.GeneralError)) return false;
            Grant(table, RefA, 0, 0);
            return Check.Rc("unmap", Window.Unmap(Runner.Slot(1))) && Check.Rc("unmap the table", Window.Unmap(Runner.Slot(0)));
        }

        /// <summary>
        /// set_version / get_version / get_status_frames: version 1 to start with; 3 is -EINVAL
        /// (version 1 written back); version 2 has one status frame for a table of up to 8 frames
        /// (asking for 2 is GNTST_general_error) in which a map sets GTF_reading|GTF_writing while
        /// the v2 entry keeps its flags; set_version while an entry is mapped is -EBUSY; back at
        /// version 1 there are no status frames.
        /// </summary>
        public static bool Versions()
        {
            if (!Check.Eq("get_version", Version(), 1)) return false;
            if (!Check.Eq("set_version(3)", (ulong)SetVersion(3, out uint now), unchecked((ulong)-XenErrno.EINVAL)) || !Check.Eq("version after set_version(3)", now, 1)) return false;
            if (!Check.Rc("set_version(2)", SetVersion(2, out now)) || !Check.Eq("version after set_version(2)", now, 2)) return false;
            if (!Check.Eq("get_version at 2", Version(), 2)) return false;
            GnttabQuerySize q;
            q.Dom = Hv.DomidSelf; q.Status = 99; q.NrFrames = 0; q.MaxNrFrames = 0;
            Hv.GrantTableOp(GnttabOp.GNTTABOP_query_size, &q, 1);
            ulong* sf = stackalloc ulong[2];
            sf[0] = sf[1] = 0;
            GnttabGetStatusFrames g;
            g.NrFrames = 2; g.Dom = Hv.DomidSelf; g.Status = 99; g.FrameList = (ulong)sf;
            if (!Check.Rc("get_status_frames(2)", Hv.GrantTableOp(GnttabOp.GNTTABOP_get_status_frames, &g, 1))) return false;
            if (!Status("get_status_frames(2) with one status frame", g.Status, q.NrFrames <= 8 ? Gntst.GeneralError : Gntst.Okay)) return false;
            g.NrFrames = 1; g.Status = 99;
            if (!Check.Rc("get_status_frames(1)", Hv.GrantTableOp(GnttabOp.GNTTABOP_get_status_frames, &g, 1)) || !Status("get_status_frames(1)", g.Status, Gntst.Okay)) return false;
            if (!Check.True(sf[0] != 0, "no status frame")) return false;

            byte* table = MapTable(0);
            if (table == null) return false;
            if (!Check.Rc("map the status frame", Window.Map(Runner.Slot(2), sf[0]))) return false;
            ushort* status = (ushort*)Window.Va(Runner.Slot(2));
            ulong mfn = Frames.WithPattern(0x7632);
            var e = (GrantEntryV2*)table + RefA;
            e->Domid = Dom0; e->Frame = mfn;
            e->Flags = Gtf.PermitAccess;
            ulong va = Window.Va(Runner.Slot(1));
            var m = MapRef(RefA, Dom0, GntMap.HostMap, va);
            if (!Status("v2 map", m.Status, Gntst.Okay)) return false;
            bool ok = Check.Eq("v2 status entry while mapped", status[RefA], Gtf.Reading | Gtf.Writing)
                && Check.Eq("v2 entry flags while mapped", e->Flags, Gtf.PermitAccess)
                && Check.Eq("v2 mapped word", *(ulong*)va, 0x7632)
                && Check.Eq("set_version(1) while mapped", (ulong)SetVersion(1, out now), unchecked((ulong)-XenErrno.EBUSY));
            if (!Status("v2 unmap", Unmap(va, m.Handle), Gntst.Okay) || !ok) return false;
            if (!Check.Eq("v2 status entry after unmap", status[RefA], 0)) return false;
            e->Flags = 0;
            if (!Check.Rc("unmap the status frame", Window.Unmap(Runner.Slot(2))) || !Check.Rc("unmap the table", Window.Unmap(Runner.Slot(0)))) return false;
            if (!Check.Rc("set_version(1)", SetVersion(1, out now)) || !Check.Eq("version after set_version(1)", now, 1)) return false;
            g.NrFrames = 1; g.Status = 99;
            Hv.GrantTableOp(GnttabOp.GNTTABOP_get_status_frames, &g, 1);
            return Status("get_status_frames at version 1", g.Status, Gntst.GeneralError);
        }
    
        static short Swap(uint a, uint b, out long rc)
        {
            GnttabSwapGrantRef w;
            w.RefA = a; w.RefB = b; w.Status = 99;
            rc = Hv.GrantTableOp(GnttabOp.GNTTABOP_swap_grant_ref, &w, 1);
            return w.Status;
        }

        /// <summary>
        /// swap_grant_ref: two entries trade places; the same ref twice is a no-op; a ref past the
        /// table GNTST_bad_gntref; a mapped entry GNTST_eagain.
        /// </summary>
        public static bool SwapRefs()
        {
            byte* table = MapTable(0);
            if (table == null) return false;
            ulong mfn = Frames.WithPattern(0x73776170);
            if (!Check.True(mfn != 0, "no frame")) return false;
            Grant(table, RefA, mfn, Gtf.PermitAccess);
            Grant(table, RefB, 0, 0);
            if (!Status("swap", Swap(RefA, RefB, out long rc), Gntst.Okay) || !Check.Rc("swap_grant_ref", rc)) return false;
            var ea = (GrantEntryV1*)table + RefA; var eb = (GrantEntryV1*)table + RefB;
            if (!Check.Eq("entry a after the swap", ea->Flags, 0) || !Check.Eq("entry b after the swap", eb->Flags, Gtf.PermitAccess)
                || !Check.Eq("entry b's frame", eb->Frame, (uint)mfn)) return false;
            if (!Status("swap with itself", Swap(RefB, RefB, out rc), Gntst.Okay) || !Check.Eq("entry b unchanged", eb->Flags, Gtf.PermitAccess)) return false;
            if (!Status("swap past the table", Swap(RefA, GnttabOp.MaxGrantFrames * 512, out rc), Gntst.BadGntref)) return false;
            ulong va = Window.Va(Runner.Slot(1));
            var m = MapRef(RefB, Dom0, GntMap.HostMap, va);
            if (!Status("map", m.Status, Gntst.Okay)) return false;
            bool ok = Status("swap of a mapped entry", Swap(RefA, RefB, out rc), Gntst.Eagain);
            if (!Status("unmap", Unmap(va, m.Handle), Gntst.Okay) || !ok) return false;
            Grant(table, RefA, 0, 0);
            Grant(table, RefB, 0, 0);
            return Check.Rc("unmap the table", Window.Unmap(Runner.Slot(0)));
        }
}
}
