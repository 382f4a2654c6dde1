using Microxen.Events;

namespace Microxen.Irq
{
    /// <summary>
    /// Device interrupts through the IO-APICs to pirq event channels (Xen 4.17 arch/x86/irq.c
    /// do_IRQ_guest, io_apic.c). Each IRQ bound to a pirq gets a vector of its own in
    /// [<see cref="FirstVector"/>, <see cref="LastVector"/>], below the shim's timer (0xf0), which
    /// the local APIC therefore always serves first: a device line that keeps firing cannot starve
    /// it. The redirection entry sends the vector, fixed delivery, physical destination = the boot
    /// CPU's APIC id. On the interrupt the shim EOIs the local APIC at once; a level-triggered line
    /// is first masked at the IO-APIC and stays masked until the guest's PHYSDEVOP_eoi (Xen's
    /// ACKTYPE_UNMASK), with its bit set in the pirq EOI page if the guest registered one; an
    /// edge line is not masked. Then the pirq's port is set pending.
    /// </summary>
    public static unsafe class IrqDelivery
    {
        public const int FirstVector = 0x30, LastVector = 0xdf;
        /// <summary>Redirection entry bits (82093AA 3.2.4): polarity low, remote IRR, level, mask.</summary>
        public const uint RteActiveLow = 1u << 13, RteLevel = 1u << 15, RteMasked = 1u << 16;
        /// <summary>Local APIC registers: ID (bits 24-31), EOI.</summary>
        public const int LapicId = 0x20, LapicEoi = 0xb0;

        struct Table
        {
            public fixed ushort VectorIrq[256];   // IRQ + 1 per vector, 0 = none
            public fixed byte IrqVector[Pirqs.MaxIrqs];
            public fixed byte AwaitingEoi[Pirqs.MaxIrqs];
            public fixed byte LevelIrq[Pirqs.MaxIrqs];
        }
        static Table s_t;
        static byte* s_lapic;
        public static ulong Interrupts, Spurious;
        /// <summary>The guest's pirq EOI bitmap (PHYSDEVOP_pirq_eoi_gmfn), null if none.</summary>
        public static byte* EoiMap;

        /// <summary>The local APIC's registers through the direct map.</summary>
        public static byte* LapicBase() => Lapic();

        /// <summary>Releases <paramref name="irq"/>'s vector (destroy_irq).</summary>
        public static void FreeVector(int irq)
        {
            fixed (Table* t = &s_t)
            {
                int v = t->IrqVector[irq];
                if (v != 0) t->VectorIrq[v] = 0;
                t->IrqVector[irq] = 0;
                t->AwaitingEoi[irq] = 0;
                t->LevelIrq[irq] = 0;
            }
        }

        static byte* Lapic()
        {
            if (s_lapic == null)
                s_lapic = (byte*)(Boot.Host.DirectMapVirt + (Arch.Cpu.Rdmsr(Arch.X86.Msr.IA32_APIC_BASE) & 0xffffff000UL));
            return s_lapic;
        }

        /// <summary>The vector of <paramref name="irq"/>, allocated on first use; 0 when all are taken.</summary>
        public static int VectorFor(int irq)
        {
            fixed (Table* t = &s_t)
            {
                if (t->IrqVector[irq] != 0) return t->IrqVector[irq];
                for (int v = FirstVector; v <= LastVector; v++)
                    if (t->VectorIrq[v] == 0) { t->VectorIrq[v] = (ushort)(irq + 1); t->IrqVector[irq] = (byte)v; return v; }
            }
            return 0;
        }

        /// <summary>
        /// Points GSI <paramref name="gsi"/>'s pin at its vector with <paramref name="level"/> trigger
        /// and <paramref name="activeLow"/> polarity, unmasked. False when no IO-APIC serves it or no vector is free.
        /// </summary>
        public static bool RouteGsi(int gsi, bool level, bool activeLow)
        {
            int apic = IoApics.ForGsi((uint)gsi);
            int v = VectorFor(gsi);
            if (apic < 0 || v == 0) return false;
            uint pin = (uint)gsi - IoApics.Madt->IoApic(apic)->GsiBase;
            uint dest = *(uint*)(Lapic() + LapicId) >> 24;
            uint lo = (uint)v | (level ? RteLevel : 0) | (activeLow ? RteActiveLow : 0);
            IoApics.Write(apic, 0x10 + 2 * pin, lo | RteMasked);
            IoApics.Write(apic, 0x11 + 2 * pin, dest << 24);
            IoApics.Write(apic, 0x10 + 2 * pin, lo);
            fixed (Table* t = &s_t) t->LevelIrq[gsi] = (byte)(level ? 1 : 0);
            return true;
        }

        /// <summary>Masks or unmasks GSI <paramref name="gsi"/>'s pin (keeping the rest of its entry).</summary>
        public static void MaskGsi(int gsi, bool masked)
        {
            int apic = IoApics.ForGsi((uint)gsi);
            if (apic < 0) return;
            uint reg = 0x10 + 2 * ((uint)gsi - IoApics.Madt->IoApic(apic)->GsiBase);
            uint lo = IoApics.Read(apic, reg);
            IoApics.Write(apic, reg, masked ? lo | RteMasked : lo & ~RteMasked);
        }

        static bool Level(int irq) { fixed (Table* t = &s_t) return t->LevelIrq[irq] != 0; }

        /// <summary>
        /// Handles vector <paramref name="v"/> if it is a device vector (true): local APIC EOI,
        /// level lines masked until the guest's EOI, the bound port set pending.
        /// </summary>
        public static bool Handle(ulong v)
        {
            if (v < FirstVector || v > LastVector) return false;
            int irq;
            fixed (Table* t = &s_t) irq = t->VectorIrq[v] - 1;
            bool level = irq >= 0 && Level(irq);
            if (level)
            {
                MaskGsi(irq, true);
                fixed (Table* t = &s_t) t->AwaitingEoi[irq] = 1;
            }
            *(uint*)(Lapic() + LapicEoi) = 0;
            int pirq = irq >= 0 ? Pirqs.FromIrq(irq) : 0;
            uint port = pirq > 0 ? Pirqs.Port(pirq) : 0;
            if (port == 0 || Evtchn.State(port) != Evtchn.PortState.Pirq || Evtchn.Arg(port) != (uint)pirq)
            {
                Spurious++;
                return true;    // no guest wants it: a level line stays masked
            }
            Interrupts++;
            if (level && EoiMap != null) EoiMap[pirq >> 3] |= (byte)(1 << (pirq & 7));
            Evtchn.SetPending(port);
            return true;
        }

        /// <summary>PHYSDEVOP_eoi's work for a mapped pirq (pirq_guest_eoi): a masked level line is unmasked, its EOI bit cleared.</summary>
        public static void GuestEoi(int pirq)
        {
            int irq = Pirqs.ToIrq(pirq);
            if (irq <= 0) return;
            if (EoiMap != null) EoiMap[pirq >> 3] &= (byte)~(1 << (pirq & 7));
            fixed (Table* t = &s_t)
            {
                if (t->AwaitingEoi[irq] == 0) return;
                t->AwaitingEoi[irq] = 0;
            }
            MaskGsi(irq, false);
        }
    }
}
