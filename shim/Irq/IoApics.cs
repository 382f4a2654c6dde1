using Microxen.Acpi;

namespace Microxen.Irq
{
    /// <summary>
    /// The machine's IO-APICs as the MADT lists them (82093AA datasheet; SDM vol. 3A 11.1): the
    /// indirect registers IOREGSEL (+0x00) and IOWIN (+0x10) of each, its pin count (register 1,
    /// bits 16-23, plus one), and the limits Xen derives from them (<see cref="IrqLimits"/>).
    /// </summary>
    public static unsafe class IoApics
    {
        public const uint RegSel = 0x00, Window = 0x10, RegVersion = 1;

        struct State
        {
            public MadtInfo Madt;
            public fixed uint Pins[MadtInfo.MaxIoApics];
        }
        static State s_state;

        /// <summary>The MADT found at boot (zero counts when the machine has none).</summary>
        public static MadtInfo* Madt { get { fixed (State* s = &s_state) return &s->Madt; } }
        /// <summary>Pins of IO-APIC i (0 if its version register read all ones: absent).</summary>
        public static uint Pins(int i) { fixed (State* s = &s_state) return s->Pins[i]; }
        public static bool HaveMadt;
        public static uint GsiCount = IrqLimits.IsaIrqs;
        public static uint Dom0Pirqs = IrqLimits.IsaIrqs;
        static ulong s_map;

        /// <summary>The MMIO register window of IO-APIC <paramref name="i"/>.</summary>
        static uint* Regs(int i) => (uint*)(s_map + Madt->IoApic(i)->Address);

        public static uint Read(int i, uint reg)
        {
            uint* r = Regs(i);
            r[RegSel / 4] = reg;
            return r[Window / 4];
        }

        public static void Write(int i, uint reg, uint value)
        {
            uint* r = Regs(i);
            r[RegSel / 4] = reg;
            r[Window / 4] = value;
        }

        /// <summary>The IO-APIC whose MADT address is <paramref name="physbase"/> and which has pins, or -1 (Xen's ioapic_physbase_to_id: -EINVAL).</summary>
        public static int FromPhysbase(ulong physbase)
        {
            MadtInfo* m = Madt;
            for (int i = 0; i < m->IoApicCount; i++)
                if (Pins(i) != 0 && m->IoApic(i)->Address == physbase) return i;
            return -1;
        }

        /// <summary>The IO-APIC whose pins serve <paramref name="gsi"/>, or -1 (Xen's mp_find_ioapic).</summary>
        public static int ForGsi(uint gsi)
        {
            MadtInfo* m = Madt;
            for (int i = 0; i < m->IoApicCount; i++)
            {
                uint b = m->IoApic(i)->GsiBase;
                if (gsi >= b && gsi < b + Pins(i)) return i;
            }
            return -1;
        }

        /// <summary>
        /// Reads the MADT through the direct map at <paramref name="map"/>, counts each IO-APIC's
        /// pins and computes Xen's limits for <paramref name="dom0Vcpus"/> vCPUs.
        /// </summary>
        public static void Init(ulong map, uint dom0Vcpus)
        {
            s_map = map;
            ulong rsdp = AcpiTables.FindRsdp(map);
            ulong madt = AcpiTables.FindTable(map, rsdp, AcpiTables.Madt);
            uint pinSum = 0, highest = 0, cpus = 1;
            fixed (State* s = &s_state)
            {
                MadtInfo* m = &s->Madt;
                if (madt != 0) { Acpi.Madt.Parse((byte*)(map + madt), m); HaveMadt = true; }
                for (int i = 0; i < m->IoApicCount; i++)
                {
                    uint v = Read(i, RegVersion);
                    uint pins = v == 0xffffffff ? 0 : ((v >> 16) & 0xff) + 1;
                    s->Pins[i] = pins;
                    pinSum += pins;
                    uint top = m->IoApic(i)->GsiBase + pins;
                    if (top > highest) highest = top;
                }
                if (m->CpuCount > 0) cpus = (uint)m->CpuCount;
            }
            GsiCount = IrqLimits.GsiCount(pinSum, highest);
            Dom0Pirqs = IrqLimits.Dom0Pirqs(GsiCount, cpus, dom0Vcpus);
            if (Dom0Pirqs > Pirqs.Max) Dom0Pirqs = Pirqs.Max;
        }
    }
}
