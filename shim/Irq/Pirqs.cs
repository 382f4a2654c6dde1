namespace Microxen.Irq
{
    /// <summary>
    /// dom0's pirqs as Xen 4.17 keeps them (xen/arch/x86/irq.c: struct pirq with arch.irq and
    /// evtchn; d->arch.irq_pirq): each pirq below <see cref="IoApics.Dom0Pirqs"/> is free,
    /// allocated (PIRQ_ALLOCATED: reserved by PHYSDEVOP_get_free_pirq, no IRQ behind it) or mapped
    /// to an IRQ (a GSI's number, or an MSI IRQ at or above nr_irqs_gsi), and may be bound to an
    /// event-channel port. Xen keeps a pirq's struct once created (pirq_get_info), so a pirq that
    /// was ever allocated has "info" for PHYSDEVOP_eoi.
    /// </summary>
    public static unsafe class Pirqs
    {
        /// <summary>
        /// The most pirqs the shim gives dom0: Xen allows up to <see cref="IrqLimits.EoiBitmapBits"/>,
        /// reached only with thousands of GSIs; the shim's tables (in its loaded image) stop at 4096.
        /// </summary>
        public const int Max = 4096;
        /// <summary>IRQ numbers the shim tracks (GSIs and MSI IRQs).</summary>
        public const int MaxIrqs = 4096;
        public const byte Free = 0, Allocated = 1, Mapped = 2;

        struct Table
        {
            public fixed byte State[Max];
            /// <summary>Bit per pirq: Xen created its struct pirq (pirq_get_info) at some point.</summary>
            public fixed byte HasInfo[Max / 8];
            public fixed ushort Irq[Max];
            public fixed ushort Port[Max];
            /// <summary>IRQ to pirq + 1 (0: none).</summary>
            public fixed ushort IrqPirq[MaxIrqs];
        }
        static Table s_t;

        public static byte State(int pirq) { fixed (Table* t = &s_t) return t->State[pirq]; }
        public static bool HasInfo(int pirq) { fixed (Table* t = &s_t) return (t->HasInfo[pirq >> 3] & (1 << (pirq & 7))) != 0; }

        /// <summary>Xen's domain_pirq_to_irq: the mapped IRQ, 0 if none (an allocated pirq has none).</summary>
        public static int ToIrq(int pirq) { fixed (Table* t = &s_t) return pirq >= 0 && pirq < Max && t->State[pirq] == Mapped ? t->Irq[pirq] : 0; }

        /// <summary>Xen's domain_irq_to_pirq: the pirq mapped to <paramref name="irq"/>, 0 if none.</summary>
        public static int FromIrq(int irq)
        {
            if (irq <= 0 || irq >= MaxIrqs) return 0;
            fixed (Table* t = &s_t) return t->IrqPirq[irq] == 0 ? 0 : t->IrqPirq[irq] - 1;
        }

        /// <summary>The port <paramref name="pirq"/> is bound to, 0 if none.</summary>
        public static uint Port(int pirq) { fixed (Table* t = &s_t) return t->Port[pirq]; }
        public static void SetPort(int pirq, uint port) { fixed (Table* t = &s_t) t->Port[pirq] = (ushort)port; }

        static void Set(int pirq, byte state)
        {
            fixed (Table* t = &s_t)
            {
                t->State[pirq] = state;
                t->HasInfo[pirq >> 3] |= (byte)(1 << (pirq & 7));
            }
        }

        /// <summary>Maps <paramref name="pirq"/> to <paramref name="irq"/> both ways.</summary>
        public static void Map(int pirq, int irq)
        {
            Set(pirq, Mapped);
            fixed (Table* t = &s_t) { t->Irq[pirq] = (ushort)irq; t->IrqPirq[irq] = (ushort)(pirq + 1); }
        }

        /// <summary>Removes <paramref name="pirq"/>'s IRQ mapping; the pirq keeps its info (and stays allocated to nobody).</summary>
        public static void Unmap(int pirq)
        {
            fixed (Table* t = &s_t)
            {
                if (t->State[pirq] == Mapped) t->IrqPirq[t->Irq[pirq]] = 0;
                t->State[pirq] = Free;
                t->Irq[pirq] = 0;
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
