using Microxen.Memory;
using Microxen.Xen;

namespace Microxen.Checked
{
    /// <summary>
    /// Page-table entry validation and updates (xen/arch/x86/mm.c): get_page_from_lNe /
    /// put_page_from_lNe, adjust_guest_lNe, table promotion and demotion, and mod_lN_entry. The
    /// type and count state they act on is in PageTypes.cs.
    /// </summary>
    public static unsafe partial class PageTypes
    {
        // ---- entry validation (get_page_from_lNe / put_page_from_lNe) ----

        /// <summary>The flags an L1 entry of this domain may not carry (l1_disallow_mask).</summary>
        public static ulong L1Disallowed
        {
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
            get
            {
                ulong m = (~BaseAllowed | GntTab) & ~PageFlags.Global & FlagBits;
                return IoAllowed ? m & ~CacheAttrs : m;
            }
        }

        /// <summary>L2_DISALLOW_MASK = L3 (64-bit) = L4_DISALLOW_MASK: base_disallow_mask (PSE included: no superpages for PV).</summary>
        public const ulong UpperDisallowed = ~BaseAllowed & FlagBits;

        /// <summary>
        /// get_page_from_l1e for a present entry: the flags, then the frame: the guest's frames take
        /// a general reference (and a writable type reference when RW); I/O frames are allowed
        /// when <see cref="IoAllowed"/> (no references; the result is the flags to flip, as Xen
        /// makes WB MMIO uncached); the M2P read-only. 0 or flags to flip (positive), or -EINVAL,
        /// -EPERM, -EBUSY.
        /// </summary>
        public static long GetPageFromL1e(ulong e)
        {
            ulong bad = e & L1Disallowed;
            if (bad != 0) { CheckLog.Refuse(L1BadFlagsSite, bad); return -XenErrno.EINVAL; }
            ulong mfn = PageTables.EntryMfn(e);
            if (ForeignPgOwner != 0)
            {
                // mmu_update's pg_owner dom_io / dom_xen: the domain's frames are not that owner's
                // (xsm_priv_mapping refuses: -EBUSY); MMIO under dom_xen lacks iomem permission.
                if (Owned(mfn) || !IsIo(mfn)) { CheckLog.Refuse("get_page_from_l1e: frame not the foreign pg_owner's", mfn); return -XenErrno.EBUSY; }
                if (ForeignPgOwner == XenMemOp.DOMID_XEN) { CheckLog.Refuse("get_page_from_l1e: dom_xen may not map MMIO", mfn); return -XenErrno.EPERM; }
            }
            if (!Owned(mfn))
            {
                if (mfn >= M2pFirstMfn && mfn < M2pFirstMfn + M2pFrames)
                {
                    // The M2P is Xen's (owned by dom_xen): a guest L1 entry naming its frames is
                    // refused even read-only (-EBUSY, measured under Xen 4.17); the guest reads
                    // the M2P through the shim's read-only mapping at HYPERVISOR_VIRT_START.
                    CheckLog.Refuse("get_page_from_l1e: M2P frame is Xen's memory", mfn);
                    return -XenErrno.EBUSY;
                }
                if (!IsIo(mfn))
                {
                    CheckLog.Refuse("get_page_from_l1e: pg_owner is not the domain (Xen's memory)", mfn);
                    return -XenErrno.EBUSY;
                }
                if (!IoAllowed || !IomemPermissions.Permitted(mfn))
                {
                    CheckLog.Refuse("get_page_from_l1e: non-privileged attempt to map MMIO space", mfn);
                    return mfn == InvalidMfn ? -XenErrno.EINVAL : -XenErrno.EPERM;
                }
                // MMIO must not be cachable unless asked so: WB becomes UC, WT/WP gain PCD.
                ulong attrs = e & CacheAttrs;
                if (attrs == 0) return (long)(PageFlags.PWT | PageFlags.PCD);
                if (attrs == PageFlags.PWT || attrs == (PageFlags.PWT | PageFlags.PAT)) return (long)(PageFlags.PCD | (e & PageFlags.PAT));
                return 0;
            }
            Info[mfn].Count++;
            if ((e & PageFlags.RW) != 0 && GetPageType(mfn, PageType.Writable) != 0)
            {
                PutPage(mfn);
                CheckLog.Refuse("get_page_from_l1e: could not get page type PGT_writable_page", mfn);
                return -XenErrno.EBUSY;
            }
            return 0;
        }

        /// <summary>PADDR_MASK &gt;&gt; PAGE_SHIFT: the frame of an entry with every address bit set (Xen's "INVALID_MFN?": -EINVAL rather than -EPERM).</summary>
        const ulong InvalidMfn = (1UL << 40) - 1;

        /// <summary>do_mmu_update's pg_owner when it is DOMID_IO or DOMID_XEN (0: the domain itself); set for the batch by CheckedMmu.</summary>
        public static ushort ForeignPgOwner;

        /// <summary>The low flags lNe_has_changed compares outside FASTPATH_FLAG_WHITELIST: P, RW, PWT,
        /// PCD, PAT/PSE (Debian's Xen has CONFIG_PV_LINEAR_PT, so RW counts at every level).</summary>
        const ulong FastpathChecked = 0x9b;

        /// <summary>put_page_from_l1e.</summary>
        public static void PutPageFromL1e(ulong e)
        {
            if ((e & PageFlags.Present) == 0) return;
            ulong mfn = PageTables.EntryMfn(e);
            if (!Owned(mfn)) return;
            if ((e & PageFlags.RW) != 0) PutPageType(mfn);
            else if (TypeOf(mfn) == PageType.SegDesc && TypeCount(mfn) != 0) InvalidateShadowLdt();
            PutPage(mfn);
        }

        const string L1BadFlagsSite = "get_page_from_l1e: bad L1 flags";

        static string BadFlagsSite(int level)
        {
            if (level == 2) return "get_page_from_l2e: bad L2 flags";
            if (level == 3) return "get_page_from_l3e: bad L3 flags";
            return "get_page_from_l4e: bad L4 flags";
        }

        /// <summary>
        /// get_page_from_l2e / l3e / l4e for a present entry of the level-<paramref name="level"/>
        /// table <paramref name="tableMfn"/>: the flags, then the next table taken with its type
        /// (validating it), else a linear (same-level, read-only) mapping as get_lN_linear_pagetable
        /// allows it. 0 or -EINVAL / the next level's error.
        /// </summary>
        public static long GetPageFromUpper(ulong e, int level, ulong tableMfn)
        {
            ulong bad = e & UpperDisallowed;
            if (bad != 0) { CheckLog.Refuse(BadFlagsSite(level), bad); return -XenErrno.EINVAL; }
            ulong mfn = PageTables.EntryMfn(e);
            long rc = GetPageAndType(mfn, (PageType)(uint)(level - 1));
            if (rc == -XenErrno.EINVAL && GetLinear(e, level, tableMfn)) rc = 0;
            return rc;
        }

        /// <summary>get_lN_linear_pagetable: a read-only entry naming a validated table of the same level (or itself).</summary>
        static bool GetLinear(ulong e, int level, ulong tableMfn)
        {
            ulong mfn = PageTables.EntryMfn(e);
            if ((e & PageFlags.RW) != 0)
            {
                CheckLog.Refuse("get_linear_pagetable: linear p.t. with write perms", e);
                // Why the next level was refused: its count_info (high half) and type_info (low half).
                if (Owned(mfn)) CheckLog.Refuse("get_linear_pagetable: that frame's count_info:type_info", ((ulong)Info[mfn].Count << 32) | Info[mfn].TypeInfo);
                return false;
            }
            if (mfn == tableMfn) return true;
            if (!GetPage(mfn)) return false;
            uint x = Info[mfn].TypeInfo;
            if ((x & CountMask) == CountMask || (PageType)(x >> TypeShift) != (PageType)(uint)level || (x & Validated) == 0)
            {
                PutPage(mfn);
                return false;
            }
            Info[mfn].TypeInfo = x + 1;
            return true;
        }

        /// <summary>put_page_from_l2e / l3e / l4e (a self-reference holds nothing).</summary>
        public static void PutPageFromUpper(ulong e, ulong tableMfn)
        {
            if ((e & PageFlags.Present) == 0) return;
            ulong mfn = PageTables.EntryMfn(e);
            if (mfn == tableMfn) return;
            PutPageAndType(mfn);
        }

        /// <summary>While the initial domain's tables are typed: dom0_build.c writes its entries as they are (no adjust_guest_lNe).</summary>
        static bool s_noAdjust;

        /// <summary>
        /// adjust_guest_l1e .. l4e (xen/arch/x86/pv/mm.h) for a 64-bit PV domain, applied to a present
        /// entry as Xen stores it: L1 without USER gains USER and _PAGE_GUEST_KERNEL (bit 52), and an
        /// L1 without _PAGE_GUEST_KERNEL (a user mapping) gains GLOBAL and USER; L2 and L3 gain USER;
        /// L4 gains USER and ACCESSED. Only guest entries of guest tables reach this (the shim's
        /// own slots 256-271 and its own tables never do).
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static ulong Adjust(ulong e, int level)
        {
            if ((e & PageFlags.Present) == 0 || s_noAdjust) return e;
            if (level == 1)
            {
                if ((e & PageFlags.User) == 0) e |= PageFlags.GuestKernel | PageFlags.User;
                if ((e & PageFlags.GuestKernel) == 0) e |= PageFlags.Global | PageFlags.User;
                return e;
            }
            if (level == 4) return e | PageFlags.User | PageFlags.Accessed;
            return e | PageFlags.User;
        }

        /// <summary>is_guest_lN_slot: the L4 slots Xen reserves are neither validated nor changed by the guest.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static bool IsGuestSlot(int level, int i) => level != 4 || i < XenSlotFirst || i >= XenSlotEnd;

        /// <summary>alloc_page_type for a page table: every present guest entry taken; on failure the ones taken are put back.</summary>
        static long PromoteTable(ulong mfn, PageType type)
        {
            int level = (int)type;
            ulong* t = (ulong*)Mem.Frame(mfn);
            for (int i = 0; i < 512; i++)
            {
                if (!IsGuestSlot(level, i) || (t[i] & PageFlags.Present) == 0) continue;
                long rc;
                if (level == 1)
                {
                    rc = GetPageFromL1e(t[i]);
                    if (rc > 0) { t[i] ^= (ulong)rc; rc = 0; }   // promote_l1_table writes the flipped flags back
                }
                else rc = GetPageFromUpper(t[i], level, mfn);
                if (rc == 0) { t[i] = Adjust(t[i], level); continue; }
                CheckLog.Refuse("alloc_page_type: failure while validating a page table", ((ulong)level << 56) | (mfn << 12) | (uint)i);
                while (--i >= 0)
                {
                    if (!IsGuestSlot(level, i)) continue;
                    if (level == 1) PutPageFromL1e(t[i]); else PutPageFromUpper(t[i], mfn);
                }
                return rc;
            }
            return 0;
        }

        /// <summary>free_page_type for a page table: every present guest entry put.</summary>
        static void DemoteTable(ulong mfn, PageType type)
        {
            int level = (int)type;
            ulong* t = (ulong*)Mem.Frame(mfn);
            for (int i = 0; i < 512; i++)
            {
                if (!IsGuestSlot(level, i)) continue;
                if (level == 1) PutPageFromL1e(t[i]); else PutPageFromUpper(t[i], mfn);
            }
        }

        // ---- mod_lN_entry ----

        /// <summary>
        /// mod_l1_entry .. mod_l4_entry: writes <paramref name="nval"/> into entry <paramref name="index"/>
        /// of the table <paramref name="tableMfn"/> (of type <paramref name="level"/>) after taking the
        /// new entry's references, then puts the old entry's. <paramref name="preserveAd"/>: A/D of
        /// the old entry kept (MMU_PT_UPDATE_PRESERVE_AD). 0 or Xen's errno (-EINVAL for an entry in
        /// a slot Xen reserves, bad flags; the reference errors).
        /// </summary>
        public static long ModEntry(ulong tableMfn, int level, int index, ulong nval, bool preserveAd)
        {
            ulong* p = (ulong*)Mem.Frame(tableMfn) + index;
            ulong old = *p;
            if (!IsGuestSlot(level, index))
            {
                CheckLog.Refuse("mod_l4_entry: attempt to modify a Xen slot", (ulong)index);
                return -XenErrno.EINVAL;
            }
            if (preserveAd) nval |= old & (PageFlags.Accessed | PageFlags.Dirty);
            if ((nval & PageFlags.Present) != 0)
            {
                // The disallow mask first, then adjust_guest_lNe, then the fast path for
                // sufficiently-similar mappings (any level, any pg_owner): the same frame with only
                // FASTPATH_FLAG_WHITELIST flags changed is written without taking references.
                ulong bad = nval & (level == 1 ? L1Disallowed : UpperDisallowed);
                if (bad != 0)
                {
                    if (level == 1) CheckLog.Refuse(L1BadFlagsSite, bad);
                    else CheckLog.Refuse(BadFlagsSite(level), bad);
                    return -XenErrno.EINVAL;
                }
                nval = Adjust(nval, level);
                if ((old & PageFlags.Present) != 0 && ((old ^ nval) & (PageTables.AddrMask & ~0xfffUL | FastpathChecked)) == 0)
                {
                    *p = nval;
                    return 0;
                }
                long rc;
                if (level == 1)
                {
                    rc = GetPageFromL1e(nval);
                    if (rc > 0) { nval ^= (ulong)rc; rc = 0; }
                }
                else rc = GetPageFromUpper(nval, level, tableMfn);
                if (rc != 0) return rc;
            }
            *p = nval;
            if (level == 1) PutPageFromL1e(old); else PutPageFromUpper(old, tableMfn);
            return 0;
        }
    }
}
