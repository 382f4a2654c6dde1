using Microxen.Memory;
using Microxen.Xen;

namespace Microxen.Checked
{
    /// <summary>
    /// Xen's page types (xen/arch/x86/include/asm/mm.h, PGT_*): what a frame is used as while it is
    /// typed. A frame holds one type at a time, with a type count; a page-table type is validated
    /// when its count first becomes non-zero.
    /// </summary>
    public enum PageType : uint
    {
        None = 0,
        L1 = 1,
        L2 = 2,
        L3 = 3,
        L4 = 4,
        /// <summary>PGT_seg_desc_page: a GDT or LDT frame (set_gdt, SET_LDT, update_descriptor).</summary>
        SegDesc = 5,
        /// <summary>PGT_writable_page: mapped writable somewhere.</summary>
        Writable = 7,
    }

    /// <summary>
    /// One frame's page_info (xen/arch/x86/include/asm/mm.h): <see cref="TypeInfo"/> is
    /// u.inuse.type_info (type count bits 0-23, <see cref="PageTypes.Validated"/>,
    /// <see cref="PageTypes.Pinned"/>, the type in bits 28-31); <see cref="Count"/> is count_info
    /// (general references in bits 0-29, <see cref="PageTypes.SharedFlag"/> for a shim frame
    /// given to the guest as Xen shares its own pages: shared_info, grant-table frames).
    /// </summary>
    public struct PageInfo
    {
        public uint TypeInfo;
        public uint Count;
    }

    /// <summary>
    /// Checked mode's page types and reference counts, as Xen 4.17 keeps them (xen/arch/x86/mm.c):
    /// get_page/put_page (general references: one per mapping, per typed use), get_page_type /
    /// put_page_type (the type count; a type changes only at count 0; a page-table type is
    /// validated entry by entry when its count goes 0 -> 1 and devalidated when it drops to 0,
    /// so a whole tree is validated by validating its root), the L1-L4 entry checks
    /// (get_page_from_l1e ... l4e, put_page_from_lNe) and mod_l1_entry ... mod_l4_entry.
    /// All frames are reached through <see cref="Mem"/>; the guest owns a frame when the M2P
    /// names a pfn for it (or it is shared, <see cref="Share"/>). Single vCPU: no locking, no
    /// preemption (Xen's -ERESTART paths never trigger for one vCPU's tables of 512 entries).
    /// Errors are Xen's negative errno values.
    /// </summary>
    public static unsafe partial class PageTypes
    {
        public const uint CountMask = 0x00ffffff;
        /// <summary>PGT_validated: the page-table contents were checked for the current type.</summary>
        public const uint Validated = 1u << 24;
        /// <summary>PGT_pinned: MMUEXT_PIN_Lx_TABLE holds one type reference.</summary>
        public const uint Pinned = 1u << 25;
        public const int TypeShift = 28;
        public const uint RefMask = 0x3fffffff;
        /// <summary>count_info flag: a shim frame the guest may map (Xen's share_xen_page_with_guest).</summary>
        public const uint SharedFlag = 1u << 30;
        /// <summary>count_info flag: a frame GNTTABOP_transfer took from the domain, which Xen frees to its heap (see <see cref="GrantTransfer"/>).</summary>
        public const uint StolenFlag = 1u << 31;

        /// <summary>Whether <paramref name="mfn"/> was taken by GNTTABOP_transfer: free memory to Xen, kept out of the shim's allocator.</summary>
        public static bool Stolen(ulong mfn) => Info != null && mfn < FrameCount && (Info[mfn].Count & StolenFlag) != 0;

        /// <summary>Xen's base_disallow_mask complement: PRESENT, RW, USER, A/D, AVAIL (9-11), AVAIL_HIGH (52-62), NX.</summary>
        public const ulong BaseAllowed = PageFlags.Present | PageFlags.RW | PageFlags.User | PageFlags.Accessed
            | PageFlags.Dirty | PageFlags.Avail | (0x7ffUL << 52) | PageFlags.NX;
        /// <summary>_PAGE_GNTTAB: 0 in a release build of Xen 4.17 (asm/page.h, NDEBUG; bit 62 in debug builds), so bit 62 is an ordinary available bit.</summary>
        public const ulong GntTab = 0;
        /// <summary>PAGE_CACHE_ATTRS in an L1 entry: PWT, PCD, PAT.</summary>
        public const ulong CacheAttrs = PageFlags.PWT | PageFlags.PCD | PageFlags.PAT;
        /// <summary>Bits of an entry that are flags (not the frame address, bits 12-51).</summary>
        public const ulong FlagBits = ~PageFlags.PADDR_MASK;

        /// <summary>The per-frame array (<see cref="FrameCount"/> entries), null when checked mode is off.</summary>
        public static PageInfo* Info;
        public static ulong FrameCount;
        public static PhysMem Mem;
        /// <summary>M2P (mfn -> pfn, ~0 for frames not the guest's).</summary>
        public static ulong* M2p;
        public static ulong M2pEntries;
        /// <summary>The M2P table's own frames: the guest may map them read-only only.</summary>
        public static ulong M2pFirstMfn, M2pFrames;
        /// <summary>The domain may map I/O frames (Xen: iomem_access_permitted, dom0's iomem_caps); then L1 cache attributes are allowed too.</summary>
        public static bool IoAllowed;
        /// <summary>RAM ranges of the machine (e820 type 1): frames outside are I/O (Xen's arch_init_memory).</summary>
        public static E820Entry* Ram;
        public static int RamCount;
        /// <summary>First L4 slot Xen reserves (256) and the first guest slot after them (272): never validated.</summary>
        public const int XenSlotFirst = 256, XenSlotEnd = 272;

        /// <summary>Type held by <paramref name="mfn"/> (meaningful while its type count is non-zero).</summary>
        public static PageType TypeOf(ulong mfn) => (PageType)(Info[mfn].TypeInfo >> TypeShift);
        public static uint TypeCount(ulong mfn) => Info[mfn].TypeInfo & CountMask;
        public static uint RefCount(ulong mfn) => Info[mfn].Count & RefMask;
        public static bool IsPinned(ulong mfn) => (Info[mfn].TypeInfo & Pinned) != 0;
        public static bool IsValidated(ulong mfn) => (Info[mfn].TypeInfo & Validated) != 0;

        /// <summary>True when the guest owns <paramref name="mfn"/> (page_get_owner == d).</summary>
        public static bool Owned(ulong mfn)
        {
            if (Info == null || mfn >= FrameCount) return false;
            if ((Info[mfn].Count & SharedFlag) != 0) return true;
            return mfn < M2pEntries && M2p[mfn] != ulong.MaxValue;
        }

        /// <summary>Makes shim frame <paramref name="mfn"/> mappable by the guest (share_xen_page_with_guest: PGT_writable_page, validated, count 1).</summary>
        public static void Share(ulong mfn)
        {
            if (Info == null || mfn >= FrameCount) return;
            Info[mfn].Count = SharedFlag | 1;
            Info[mfn].TypeInfo = ((uint)PageType.Writable << TypeShift) | Validated | 1;
        }

        /// <summary>Forgets <paramref name="mfn"/> (a frame the guest gave back: free_domheap_page).</summary>
        public static void Forget(ulong mfn)
        {
            if (Info == null || mfn >= FrameCount) return;
            Info[mfn].Count = 0;
            Info[mfn].TypeInfo = 0;
        }

        static bool IsRam(ulong mfn)
        {
            ulong a = mfn << 12;
            for (int i = 0; i < RamCount; i++)
                if (Ram[i].Type == E820Entry.Ram && a >= Ram[i].Addr && a < Ram[i].Addr + Ram[i].Size) return true;
            return false;
        }

        /// <summary>Frames below 1 MiB: I/O whatever the e820 says (arch_init_memory: "first 1MB of RAM is historically marked as I/O").</summary>
        public const ulong LowIoFrames = 0x100;

        /// <summary>I/O frame not the guest's (Xen's is_iomem_page: owned by dom_io): the first MiB, and every frame that is not e820 RAM.</summary>
        public static bool IsIo(ulong mfn) => mfn >= FrameCount || mfn < LowIoFrames || !IsRam(mfn);

        /// <summary>get_page(page, d): a general reference; false when the guest does not own the frame.</summary>
        public static bool GetPage(ulong mfn)
        {
            if (!Owned(mfn)) return false;
            if ((Info[mfn].Count & RefMask) == RefMask) return false;
            Info[mfn].Count++;
            return true;
        }

        /// <summary>put_page.</summary>
        public static void PutPage(ulong mfn)
        {
            if (Info == null || mfn >= FrameCount || (Info[mfn].Count & RefMask) == 0) return;
            Info[mfn].Count--;
        }

        /// <summary>
        /// _get_page_type(page, type): a type reference. At count 0 the type may change (and a
        /// page-table type is then validated: every entry taken with get_page_from_lNe); at a
        /// non-zero count the type must match. 0 or -EINVAL (wrong type, count overflow, or the
        /// validation's error: -EINVAL, -EBUSY, -EPERM...).
        /// </summary>
        public static long GetPageType(ulong mfn, PageType type)
        {
            uint x = Info[mfn].TypeInfo;
            uint cnt = x & CountMask;
            if (cnt == CountMask) { CheckLog.Refuse("_get_page_type: type count overflow", mfn); return -XenErrno.EINVAL; }
            if (cnt == 0)
            {
                uint nx = x;
                if ((PageType)(x >> TypeShift) != type) nx = (uint)type << TypeShift;
                nx = (nx & ~CountMask) | 1;
                Info[mfn].TypeInfo = nx;
                if ((nx & Validated) != 0) return 0;
                long rc = 0;
                if (type >= PageType.L1 && type <= PageType.L4) rc = PromoteTable(mfn, type);
                else if (type == PageType.SegDesc) AllocSegDescPage(mfn, ref rc);
                if (rc != 0) { Info[mfn].TypeInfo = nx & ~(CountMask | Pinned); return rc; }
                Info[mfn].TypeInfo = nx | Validated;
                return 0;
            }
            if ((PageType)(x >> TypeShift) != type)
            {
                PageType have = (PageType)(x >> TypeShift);
                // A higher-level table taken as the next level down looks like a linear mapping: not logged (Xen).
                if (!(have >= PageType.L2 && have <= PageType.L4 && (uint)type == (uint)have - 1))
                    CheckLog.Refuse("_get_page_type: bad type", ((ulong)have << 32) | (uint)type);
                return -XenErrno.EINVAL;
            }
            Info[mfn].TypeInfo = x + 1;
            return 0;
        }

        /// <summary>
        /// alloc_segdesc_page: every descriptor of a frame becoming PGT_seg_desc_page (a GDT frame
        /// of set_gdt, an LDT page on first use, update_descriptor's target) must pass
        /// check_descriptor (<see cref="Descriptor.FirstRefused"/>), else -EINVAL.
        /// </summary>
        static void AllocSegDescPage(ulong mfn, ref long rc)
        {
            ulong* page = (ulong*)Mem.At(mfn << 12);
            int bad = Descriptor.FirstRefused(page, out DescriptorVerdict v);
            if (bad < 0) return;
            CheckLog.Refuse(Descriptor.Site(v), page[bad]);
            rc = -XenErrno.EINVAL;
        }

        /// <summary>
        /// invalidate_shadow_ldt: a read-only mapping of a descriptor frame went away, so the LDT
        /// pages mapped so far are dropped (mapped again on use) and the TLB flushed. A partial
        /// method: shim/Checked/PageTypesLdt.cs implements it over the shim's LDT (Guest/Ldt.cs).
        /// </summary>
        static partial void InvalidateShadowLdt();

        /// <summary>_put_page_type: drops a type reference; the last one of a page-table type devalidates it (free_page_type).</summary>
        public static void PutPageType(ulong mfn)
        {
            if (Info == null || mfn >= FrameCount) return;
            uint x = Info[mfn].TypeInfo;
            if ((x & CountMask) == 0) return;
            PageType t = (PageType)(x >> TypeShift);
            if ((x & CountMask) == 1 && (x & Validated) != 0 && t >= PageType.L1 && t <= PageType.L4)
            {
                DemoteTable(mfn, t);
                x = Info[mfn].TypeInfo & ~Validated;
            }
            Info[mfn].TypeInfo = x - 1;
        }

        /// <summary>
        /// get_page_and_type(mfn, d, type): a general and a type reference on <paramref name="mfn"/>;
        /// 0, or -EINVAL when the frame is not the guest's, or the type reference's error.
        /// </summary>
        public static long GetPageAndType(ulong mfn, PageType type)
        {
            if (Info == null) return 0;
            if (!GetPage(mfn)) return -XenErrno.EINVAL;
            long rc = GetPageType(mfn, type);
            if (rc != 0) PutPage(mfn);
            return rc;
        }

        /// <summary>put_page_and_type(mfn): drops the references <see cref="GetPageAndType"/> took.</summary>
        public static void PutPageAndType(ulong mfn)
        {
            if (Info == null) return;
            PutPageType(mfn);
            PutPage(mfn);
        }

        // ---- pinning and base pointers ----

        /// <summary>MMUEXT_PIN_Lx_TABLE: a type reference held by the pin. -EINVAL when not the guest's frame, already pinned, or the validation's error.</summary>
        public static long Pin(ulong mfn, PageType type)
        {
            long rc = GetPageAndType(mfn, type);
            if (rc != 0)
            {
                CheckLog.Refuse("do_mmuext_op: error while pinning mfn", mfn);
                return rc;
            }
            if ((Info[mfn].TypeInfo & Pinned) != 0)
            {
                CheckLog.Refuse("do_mmuext_op: mfn already pinned", mfn);
                PutPageAndType(mfn);
                return -XenErrno.EINVAL;
            }
            Info[mfn].TypeInfo |= Pinned;
            return 0;
        }

        /// <summary>MMUEXT_UNPIN_TABLE: -EINVAL when the frame is not the guest's or not pinned.</summary>
        public static long Unpin(ulong mfn)
        {
            if (!GetPage(mfn)) { CheckLog.Refuse("do_mmuext_op: unpin of a bad mfn, or bad owner", mfn); return -XenErrno.EINVAL; }
            if ((Info[mfn].TypeInfo & Pinned) == 0)
            {
                PutPage(mfn);
                CheckLog.Refuse("do_mmuext_op: mfn not pinned", mfn);
                return -XenErrno.EINVAL;
            }
            Info[mfn].TypeInfo &= ~Pinned;
            PutPageAndType(mfn);
            PutPage(mfn);
            return 0;
        }

        /// <summary>
        /// create_grant_pv_mapping and map_grant_ref's references: the entry <paramref name="pte"/>
        /// must be in a validated PGT_l1_page_table; the granted frame takes a general reference
        /// and, when <paramref name="nval"/> is writable, a PGT_writable_page one; then the entry is
        /// written and the old entry's references put. False (GNTST_general_error) when refused.
        /// </summary>
        public static bool GrantMapPte(ulong* pte, ulong nval)
        {
            ulong l1 = ((ulong)pte - (ulong)Mem.Base) >> 12;
            if (!Owned(l1) || TypeOf(l1) != PageType.L1 || TypeCount(l1) == 0 || !IsValidated(l1))
            {
                CheckLog.Refuse("create_grant_pv_mapping: the entry is not in a PGT_l1_page_table", l1);
                return false;
            }
            ulong mfn = PageTables.EntryMfn(nval);
            if (!GetPage(mfn)) { CheckLog.Refuse("map_grant_ref: could not get the granted page", mfn); return false; }
            if ((nval & PageFlags.RW) != 0 && GetPageType(mfn, PageType.Writable) != 0)
            {
                PutPage(mfn);
                CheckLog.Refuse("map_grant_ref: could not get page type PGT_writable_page", mfn);
                return false;
            }
            ulong old = *pte;
            *pte = Adjust(nval, 1);   // create_grant_pv_mapping: adjust_guest_l1e
            PutPageFromL1e(old);
            return true;
        }

        /// <summary>unmap_grant_ref: the entry cleared and the grant mapping's references dropped.</summary>
        public static void GrantUnmapPte(ulong* pte)
        {
            ulong old = *pte;
            *pte = 0;
            PutPageFromL1e(old);
        }

        /// <summary>
        /// dom0_build.c's typing of the initial tables: the tree under <paramref name="l4Mfn"/> is
        /// validated (every table typed with count 1, every page mapped writable typed
        /// PGT_writable_page), the L4 holds guest_table's reference and is pinned (type count 2).
        /// 0 or the validation's error (the builder's tables are then wrong).
        /// </summary>
        public static long TypeInitialTables(ulong l4Mfn)
        {
            s_noAdjust = true;
            long rc = GetPageAndType(l4Mfn, PageType.L4);
            s_noAdjust = false;
            if (rc != 0) return rc;
            return Pin(l4Mfn, PageType.L4);
        }
    }
}
