namespace Microxen.Irq
{
    /// <summary>
    /// PHYSDEVOP_setup_gsi (physdev_setup_gsi {gsi (int32), triggering (uint8, 1 = level),
    /// polarity (uint8, 1 = active low)}; Xen 4.17 arch/x86/physdev.c and mpparse.c
    /// mp_register_gsi, which Xen builds without CONFIG_ACPI_BUS, so the SCI is no exception):
    /// -EINVAL for a GSI outside [0, nr_irqs_gsi); without IO-APICs an ISA IRQ is 0, others
    /// -EINVAL; a GSI no IO-APIC serves -EINVAL; -EEXIST for an IRQ the hypervisor uses itself
    /// (Xen's irq_desc is numbered by GSI: IRQ 0, Xen's PIT timer, and IRQ 4, its COM1 console;
    /// the shim keeps both: COM1 is its console) and for a pin set up before; else the pin's
    /// trigger and polarity are recorded, 0. The pin stays masked until its pirq is bound.
    /// Checked against Xen 4.17 on QEMU's pc board (kernel-test physdev_op_edges).
    /// </summary>
    public static unsafe class Gsis
    {
        /// <summary>The IRQs Xen keeps: 0 (its timer) and COM1's 4 (its console).</summary>
        public const int TimerIrq = 0, ConsoleIrq = 4;
        public const int MaxGsis = 4096;

        struct Table { public fixed byte Programmed[MaxGsis]; public fixed byte Level[MaxGsis]; public fixed byte Low[MaxGsis]; }
        static Table s_t;

        /// <summary>
        /// The trigger and polarity of <paramref name="gsi"/>: as PHYSDEVOP_setup_gsi set them; else a
        /// MADT interrupt source override's INTI flags (bus default = ISA: edge, active high); else
        /// an ISA GSI (below 16) edge, active high, and a PCI GSI level, active low (ACPI 6.4 5.2.12.5).
        /// </summary>
        public static void Mode(int gsi, out bool level, out bool activeLow)
        {
            fixed (Table* t = &s_t)
                if (gsi < MaxGsis && t->Programmed[gsi] != 0) { level = t->Level[gsi] != 0; activeLow = t->Low[gsi] != 0; return; }
            Acpi.MadtInfo* m = IoApics.Madt;
            for (int i = 0; i < m->OverrideCount; i++)
                if (m->Override(i)->Gsi == (uint)gsi)
                {
                    ushort f = m->Override(i)->Flags;
                    level = ((f >> 2) & 3) == 3;
                    activeLow = (f & 3) == 3;
                    return;
                }
            level = activeLow = gsi >= (int)IrqLimits.IsaIrqs;
        }

        public static long SetupGsi(int* a)
        {
            int gsi = a[0];
            byte trig = ((byte*)a)[4], pol = ((byte*)a)[5];
            if (gsi < 0 || gsi >= (int)IoApics.GsiCount) return -Xen.XenErrno.EINVAL;
            if (IoApics.Madt->IoApicCount == 0) return gsi < (int)IrqLimits.IsaIrqs ? 0 : -Xen.XenErrno.EINVAL;
            if (IoApics.ForGsi((uint)gsi) < 0) return -Xen.XenErrno.EINVAL;
            if (gsi == TimerIrq || gsi == ConsoleIrq) return -Xen.XenErrno.EEXIST;
            fixed (Table* t = &s_t)
            {
                if (t->Programmed[gsi] != 0) return -Xen.XenErrno.EEXIST;
                t->Programmed[gsi] = 1;
                t->Level[gsi] = trig;
                t->Low[gsi] = pol;
            }
            return 0;
        }
    }
}
