namespace Microxen.Hypercalls
{
    /// <summary>HYPERVISOR_physdev_op (public/physdev.h): dom0's physical-device operations.</summary>
    public static unsafe class PhysdevOps
    {
        const ulong PHYSDEVOP_set_iopl = 6;

        /// <summary>
        /// PHYSDEVOP_unmap_pirq(physdev_unmap_pirq {domid (uint16), pirq (int32 at 4)})
        /// (arch/x86/physdev.c): the structure is copied in (-EFAULT); a domain other than dom0
        /// (id 0 or DOMID_SELF) -ESRCH; the shim maps no pirq, so every pirq is -EINVAL
        /// (unmap_domain_pirq: out of range or not mapped).
        /// </summary>

        static long UnmapPirq(ushort* a)
        {
            s_lastPirq = ((int*)a)[1];   // the whole structure is read first (-EFAULT)
            if (a[0] != 0 && a[0] != XenMemOp.DOMID_SELF) return -XenErrno.ESRCH;
            return -XenErrno.EINVAL;
        }

        /// <summary>The pirq of the last PHYSDEVOP_unmap_pirq (read so a short structure faults).</summary>
        static int s_lastPirq;

        public static long Op(ulong cmd, ulong arg)
        {
            // The guest kernel runs in ring 0: its I/O privilege needs no change.
            if (cmd == PHYSDEVOP_set_iopl) return 0;
            if (cmd == PhysdevOp.PHYSDEVOP_unmap_pirq) return UnmapPirq((ushort*)arg);
            return HypercallStats.Unimplemented("physdev_op", Hypercall.PhysdevOp, cmd, arg, 0, 0, 0);
        }
    }
}
