using Microxen.Xen;

namespace KernelTest.Fuzz
{
    public static unsafe partial class FuzzGroups
    {
        /// <summary>
        /// Makes every struct gnttab_transfer in the buffer at <paramref name="buf"/> name a pool
        /// frame or a frame beyond memory: a transfer with a large count reads entries through the
        /// whole page (random words, earlier calls' leftovers), and a small frame number there is
        /// one dom0 owns on one host and not on the other (microxen gives dom0 low memory, Xen
        /// 4.17 frames near the top): seed 1's call 643 stole such a frame on microxen only, and
        /// call 185815's increase_reservation then got one extent more than on Xen. Such a frame
        /// f becomes the wild frame WildFirst + f; no random number is drawn.
        /// </summary>
        static void TransferFramesHostIndependent(ulong buf)
        {
            for (ulong off = 0; off + TransferSize <= 4096; off += TransferSize)
            {
                ulong* mfn = (ulong*)(buf + off);
                if (*mfn < WildFirst && !IsPoolFrame(*mfn)) *mfn += WildFirst;
            }
        }

        static bool IsPoolFrame(ulong f)
        {
            for (int k = 0; k < Fuzz.PoolFrames; k++)
                if (Fuzz.PoolFrame(k) == f) return true;
            return false;
        }

        /// <summary>struct gnttab_transfer (grant_table.h; no shim struct): 24 bytes, domid at byte 8.</summary>
        const int TransferSize = 24, TransferDomid = 8;

        /// <summary>
        /// A grant_table_op command structure's domid fields (in the first two structures of
        /// buffer A, as count is at most 2 there) drawn from the domid pool: left as buffer A's
        /// earlier contents, a pool frame's address gives them the host's memory layout
        /// (get_version read dom 0x7000 from one on Xen 4.17, 0 on microxen: -ESRCH against 0).
        /// </summary>
        static void GnttabDomids(ulong cmd)
        {
            byte* a = (byte*)Fuzz.BufA;
            if (cmd == GnttabOp.GNTTABOP_transfer) TransferFramesHostIndependent(Fuzz.BufA);   // Ptr(BufA) reads no other buffer
            for (int k = 0; k < 2; k++)
            {
                switch (cmd)
                {
                    case GnttabOp.GNTTABOP_map_grant_ref:
                        ((GnttabMapGrantRef*)a)[k].Dom = (ushort)Domid(); break;
                    case GnttabOp.GNTTABOP_setup_table:
                    case GnttabOp.GNTTABOP_dump_table:   // struct gnttab_dump_table: dom first, as setup_table's
                        ((GnttabSetupTable*)a)[k].Dom = (ushort)Domid(); break;
                    case GnttabOp.GNTTABOP_transfer:
                        *(ushort*)(a + k * TransferSize + TransferDomid) = (ushort)Domid(); break;
                    case GnttabOp.GNTTABOP_copy:
                        ((GnttabCopy*)a)[k].Source.Domid = (ushort)Domid();
                        ((GnttabCopy*)a)[k].Dest.Domid = (ushort)Domid(); break;
                    case GnttabOp.GNTTABOP_query_size:
                        ((GnttabQuerySize*)a)[k].Dom = (ushort)Domid(); break;
                    case GnttabOp.GNTTABOP_get_status_frames:
                        ((GnttabGetStatusFrames*)a)[k].Dom = (ushort)Domid(); break;
                    case GnttabOp.GNTTABOP_get_version:
                        ((GnttabGetVersion*)a)[k].Dom = (ushort)Domid(); break;
                    default: return;
                }
            }
        }
    }
}
