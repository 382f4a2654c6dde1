using Microxen.Boot;
using Microxen.Hypercalls;
using Microxen.Xen;

namespace Microxen.Checked
{
    /// <summary>
    /// GNTTABOP_transfer under mode=checked, over <see cref="PageTypes"/>' reference counts (Xen
    /// 4.17 common/grant_table.c gnttab_transfer and arch/x86/mm.c steal_page): a frame the domain
    /// owns with no reference but its allocation (nothing maps it, no type held) is stolen, and as
    /// no other domain exists here the transfer then fails and Xen frees the frame
    /// (free_domheap_page): it leaves the domain. Status GNTST_bad_page when the frame is not
    /// valid or cannot be stolen, GNTST_bad_domain for a domain id that names no domain (DOMID_SELF
    /// included: rcu_lock_domain_by_id), GNTST_general_error for the domain itself (no grant entry
    /// of its own accepts a transfer here: gnttab_prepare_for_transfer fails).
    /// </summary>
    public static unsafe class GrantTransfer
    {
        /// <summary>One struct gnttab_transfer's status for frame <paramref name="mfn"/> sent to <paramref name="domid"/>.</summary>
        public static short Transfer(ulong mfn, ushort domid)
        {
            if (mfn >= PageTypes.FrameCount) return Gntst.BadPage;           // !mfn_valid
            PageInfo* p = PageTypes.Info + mfn;
            if (!PageTypes.Owned(mfn) || (p->Count & PageTypes.SharedFlag) != 0
                || (p->Count & PageTypes.RefMask) != 0 || (p->TypeInfo & PageTypes.CountMask) != 0)
            {
                CheckLog.Refuse("steal_page: bad steal mfn", mfn);
                return Gntst.BadPage;
            }
            // Stolen, then freed by the failed transfer into Xen's heap, where 4.17's allocator
            // (highest zone first) leaves it while higher memory is free. The shim's AllocHigh
            // would hand it straight back as the next grant-table frame, mappable again by the
            // guest (a frame Xen answers -EBUSY for): checked mode keeps it out of the allocator.
            Host.M2p[mfn] = Host.InvalidM2p;
            PageTypes.Forget(mfn);
            p->Count = PageTypes.StolenFlag;   // XENMEM_machine_memory_map reports it as RAM, as Xen's free page
            MemoryReservation.Released();      // tot_pages one less: increase_reservation may take a page back
            return domid == GrantTableOps.SelfId ? Gntst.GeneralError : Gntst.BadDomain;
        }
    }
}
