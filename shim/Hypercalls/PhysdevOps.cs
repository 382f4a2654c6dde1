namespace Microxen.Hypercalls
{
    /// <summary>HYPERVISOR_physdev_op (public/physdev.h): dom0's physical-device operations.</summary>
    public static unsafe class PhysdevOps
    {
        const ulong PHYSDEVOP_set_iopl = 6;

        public static long Op(ulong cmd, ulong arg)
        {
            // The guest kernel runs in ring 0: its I/O privilege needs no change.
            if (cmd == PHYSDEVOP_set_iopl) return 0;
            return HypercallStats.Unimplemented("physdev_op", Hypercall.PhysdevOp, cmd, arg, 0, 0, 0);
        }
    }
}
