using Microxen.Xen;

namespace Microxen.Irq
{
    /// <summary>
    /// MSI and MSI-X IRQs for dom0's PHYSDEVOP_map_pirq (Xen 4.17 arch/x86/msi.c,
    /// irq.c allocate_and_map_msi_pirq; PCI 3.0 6.8). The shim creates the IRQ (the lowest free
    /// number at or above nr_irqs_gsi, as create_irq), gives it a vector of its own and writes
    /// the message into the device as Xen does: address 0xfee00000 | boot CPU's APIC id &lt;&lt; 12
    /// (physical destination, no redirection hint), data = the vector (fixed delivery, edge).
    /// The vector is masked (MSI per-vector mask bit where the device has one; the MSI-X
    /// entry's vector-control bit) until the pirq is bound to a port. Like Xen with a dom0 (its
    /// "split brain" model), the shim never sets the capability's enable bit: dom0's PCI code
    /// does. Xen write-protects the MSI-X table from dom0; in ring 0 the shim cannot, so a dom0
    /// that writes the table itself could redirect its device's interrupts (README).
    /// </summary>
    public static unsafe class Msi
    {
        public const int CapIdMsi = 0x05;
        public const uint MsiAddressBase = 0xfee00000;
        /// <summary>MSI control bits: 64-bit address (7), per-vector masking (8); MSI-X: table size mask, BIR mask.</summary>
        public const uint Msi64 = 1u << 7, MsiMaskBit = 1u << 8, MsixTableSize = 0x7ff, MsixBir = 7;
        /// <summary>MULTI_MSI's limit (MAX_MSI_IRQS).</summary>
        public const int MaxMsiIrqs = 32;

        struct Table
        {
            /// <summary>Per IRQ: the word whose bit 0 masks it (MSI-X vector control or MSI mask register address), 0 if none.</summary>
            public fixed ulong MaskVa[Pirqs.MaxIrqs];
            /// <summary>Per IRQ: bus/devfn + 1 for an MSI mask in config space (0: MSI-X or no mask).</summary>
            public fixed uint MaskBdf[Pirqs.MaxIrqs];
            public fixed ushort MaskReg[Pirqs.MaxIrqs];
            public fixed byte Created[Pirqs.MaxIrqs];
        }
        static Table s_t;

        static uint ApicId() => *(uint*)(IrqDelivery.LapicBase() + IrqDelivery.LapicId) >> 24;

        /// <summary>create_irq: the lowest IRQ at or above nr_irqs_gsi with no user, or -ENOSPC.</summary>
        public static int CreateIrq()
        {
            int limit = (int)IrqLimits.IrqCount(IoApics.GsiCount, 1);
            if (limit > Pirqs.MaxIrqs) limit = Pirqs.MaxIrqs;
            fixed (Table* t = &s_t)
                for (int irq = (int)IoApics.GsiCount; irq < limit; irq++)
                    if (t->Created[irq] == 0 && Pirqs.FromIrq(irq) == 0) { t->Created[irq] = 1; return irq; }
            return -XenErrno.ENOSPC;
        }

        /// <summary>Whether <paramref name="irq"/> was created for dom0 (create_irq granted it access).</summary>
        public static bool IsCreated(int irq) { fixed (Table* t = &s_t) return irq > 0 && irq < Pirqs.MaxIrqs && t->Created[irq] != 0; }

        public static void DestroyIrq(int irq)
        {
            Mask(irq, true);
            fixed (Table* t = &s_t) { t->Created[irq] = 0; t->MaskVa[irq] = 0; t->MaskBdf[irq] = 0; }
            IrqDelivery.FreeVector(irq);
        }

        /// <summary>Masks or unmasks an MSI/MSI-X IRQ where the device can (bit 0 of its mask word).</summary>
        public static void Mask(int irq, bool masked)
        {
            fixed (Table* t = &s_t)
            {
                if (t->MaskVa[irq] != 0)
                {
                    uint* w = (uint*)t->MaskVa[irq];
                    *w = masked ? *w | 1 : *w & ~1u;
                }
                else if (t->MaskBdf[irq] != 0)
                {
                    uint bdf = t->MaskBdf[irq] - 1;
                    uint v = PciDevices.Read32(bdf, t->MaskReg[irq]);
                    PciDevices.Write32(bdf, t->MaskReg[irq], masked ? v | 1 : v & ~1u);
                }
            }
        }

        /// <summary>
        /// Writes IRQ <paramref name="irq"/>'s message into device <paramref name="bdf"/>: MSI
        /// (<paramref name="tableBase"/> 0) or MSI-X entry <paramref name="entry"/>. -ENODEV without
        /// the capability, -EINVAL for an entry past the MSI-X table, -ENXIO if the table's BAR is
        /// not decoded or above the shim's direct map, -ENOSPC with no vector left.
        /// </summary>
        public static long Program(int irq, uint bdf, bool msix, uint entry)
        {
            int vector = IrqDelivery.VectorFor(irq);
            if (vector == 0) return -XenErrno.ENOSPC;
            uint addr = MsiAddressBase | (ApicId() << 12), data = (uint)vector;
            return msix ? ProgramMsix(irq, bdf, entry, addr, data) : ProgramMsi(irq, bdf, addr, data);
        }

        static long ProgramMsi(int irq, uint bdf, uint addr, uint data)
        {
            int pos = PciDevices.FindCap(bdf, CapIdMsi);
            if (pos == 0) return -XenErrno.ENODEV;
            uint control = PciDevices.Read32(bdf, pos) >> 16;
            bool is64 = (control & Msi64) != 0;
            int dataReg = pos + (is64 ? 12 : 8);
            PciDevices.Write32(bdf, pos + 4, addr);
            if (is64) PciDevices.Write32(bdf, pos + 8, 0);
            uint old = PciDevices.Read32(bdf, dataReg);
            PciDevices.Write32(bdf, dataReg, (old & 0xffff0000u) | data);
            if ((control & MsiMaskBit) != 0)
                fixed (Table* t = &s_t) { t->MaskBdf[irq] = bdf + 1; t->MaskReg[irq] = (ushort)(dataReg + 4); }
            Mask(irq, true);
            return 0;
        }

        static long ProgramMsix(int irq, uint bdf, uint entry, uint addr, uint data)
        {
            int pos = PciDevices.MsixCap(bdf);
            if (pos == 0) return -XenErrno.ENODEV;
            uint control = PciDevices.Read32(bdf, pos) >> 16;
            if (entry > (control & MsixTableSize)) return -XenErrno.EINVAL;
            if ((PciDevices.Read32(bdf, 4) & 2) == 0) return -XenErrno.ENXIO;   // memory space not decoded
            uint tbl = PciDevices.Read32(bdf, pos + 4);
            int barReg = 0x10 + 4 * (int)(tbl & MsixBir);
            uint lo = PciDevices.Read32(bdf, barReg);
            ulong bar = lo & 0xfffffff0u;
            if ((lo & 6) == 4) bar |= (ulong)PciDevices.Read32(bdf, barReg + 4) << 32;
            ulong pa = bar + (tbl & ~MsixBir) + entry * 16;
            if (bar == 0 || pa + 16 > 4UL << 30) return -XenErrno.ENXIO;
            uint* e = (uint*)(Boot.Host.DirectMapVirt + pa);
            e[3] |= 1;          // masked while it changes
            e[0] = addr; e[1] = 0; e[2] = data;
            fixed (Table* t = &s_t) t->MaskVa[irq] = (ulong)(e + 3);
            return 0;
        }
    }
}
