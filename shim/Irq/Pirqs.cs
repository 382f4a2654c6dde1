namespace Microxen.Irq
{
    /// <summary>
    /// dom0's pirqs as Xen 4.17 keeps them (xen/arch/x86/irq.c: struct pirq, arch.irq): each pirq
    /// below <see cref="IoApics.Dom0Pirqs"/> is free, allocated (PIRQ_ALLOCATED: reserved by
    /// PHYSDEVOP_get_free_pirq, no interrupt behind it) or mapped. Xen keeps a pirq's struct once
    /// created (pirq_get_info), so a pirq that was ever allocated has "info" for PHYSDEVOP_eoi.
    /// </summary>
    public static unsafe class Pirqs
    {
        /// <summary>The most pirqs any machine gives dom0 (<see cref="IrqLimits.EoiBitmapBits"/>).</summary>
        public const int Max = (int)IrqLimits.EoiBitmapBits;
        public const byte Free = 0, Allocated = 1;

        struct Table
        {
            public fixed byte State[Max];
            /// <summary>Bit per pirq: Xen created its struct pirq (pirq_get_info) at some point.</summary>
            public fixed byte HasInfo[Max / 8];
        }
        static Table s_t;

        public static byte State(int pirq) { fixed (Table* t = &s_t) return t->State[pirq]; }
        public static bool HasInfo(int pirq) { fixed (Table* t = &s_t) return (t->HasInfo[pirq >> 3] & (1 << (pirq & 7))) != 0; }

        static void Set(int pirq, byte state)
        {
            fixed (Table* t = &s_t)
            {
                t->State[pirq] = state;
                t->HasInfo[pirq >> 3] |= (byte)(1 << (pirq & 7));
            }
        }

        /// <summary>
        /// Xen's get_free_pirq: for a GSI the lowest free pirq from 16 below nr_irqs_gsi, else (and
        /// then) the highest free pirq at or above nr_irqs_gsi; it becomes allocated. -ENOSPC if none.
        /// </summary>
        public static int AllocateFree(int type)
        {
            int gsis = (int)IoApics.GsiCount;
            if (type == Xen.PhysdevOp.MAP_PIRQ_TYPE_GSI)
                for (int i = (int)IrqLimits.IsaIrqs; i < gsis; i++)
                    if (State(i) == Free) { Set(i, Allocated); return i; }
            for (int i = (int)IoApics.Dom0Pirqs - 1; i >= gsis; i--)
                if (State(i) == Free) { Set(i, Allocated); return i; }
            return -Xen.XenErrno.ENOSPC;
        }
    }
}
