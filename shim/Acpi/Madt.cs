namespace Microxen.Acpi
{
    /// <summary>One IO-APIC (MADT entry type 1): its id, MMIO base and first GSI.</summary>
    public struct MadtIoApic
    {
        public byte Id;
        public uint Address;
        public uint GsiBase;
    }

    /// <summary>
    /// One interrupt source override (MADT entry type 2): ISA IRQ <see cref="Source"/> is GSI
    /// <see cref="Gsi"/>; <see cref="Flags"/> is the MPS INTI flags word (bits 0-1 polarity:
    /// 0 bus default, 1 high, 3 low; bits 2-3 trigger: 0 bus default, 1 edge, 3 level).
    /// </summary>
    public struct MadtOverride
    {
        public byte Source;
        public uint Gsi;
        public ushort Flags;
    }

    /// <summary>
    /// A local-APIC NMI input (MADT type 4, or type 0xa for x2APIC): the processor's ACPI UID
    /// (0xff / 0xffffffff: all processors), INTI flags, LINT pin (0 or 1).
    /// </summary>
    public struct MadtLapicNmi
    {
        public uint ProcessorUid;
        public ushort Flags;
        public byte Lint;
    }

    /// <summary>
    /// What the MADT (ACPI 6.4 section 5.2.12) says about the machine's interrupt hardware: the
    /// local APIC address (with a type-5 override), enabled or online-capable CPUs (types 0 and 9,
    /// by APIC id), IO-APICs (type 1), ISA overrides (type 2), NMI sources (type 3) and local-APIC
    /// NMI inputs (types 4, 0xa). Entries past a table's capacity are counted in
    /// <see cref="Dropped"/>; an entry whose length runs past the table or is below 2 ends parsing
    /// (<see cref="Truncated"/>).
    /// </summary>
    public unsafe struct MadtInfo
    {
        public const int MaxCpus = 256, MaxIoApics = 16, MaxOverrides = 32, MaxNmis = 16;

        public ulong LocalApicAddress;
        /// <summary>MADT flags bit 0: the machine also has dual 8259 PICs (PCAT_COMPAT).</summary>
        public bool PcAtCompat;
        public int CpuCount;
        public fixed uint CpuApicId[MaxCpus];
        public fixed uint CpuUid[MaxCpus];
        public int IoApicCount;
        public fixed byte IoApicBytes[MaxIoApics * 12];
        public int OverrideCount;
        public fixed byte OverrideBytes[MaxOverrides * 12];
        public int NmiSourceCount;
        public fixed uint NmiSourceGsi[MaxNmis];
        public fixed ushort NmiSourceFlags[MaxNmis];
        public int LapicNmiCount;
        public fixed byte LapicNmiBytes[MaxNmis * 8];
        public int Dropped;
        public bool Truncated;

        public MadtIoApic* IoApic(int i) { fixed (byte* p = IoApicBytes) return (MadtIoApic*)(p + i * sizeof(MadtIoApic)); }
        public MadtOverride* Override(int i) { fixed (byte* p = OverrideBytes) return (MadtOverride*)(p + i * sizeof(MadtOverride)); }
        public MadtLapicNmi* LapicNmi(int i) { fixed (byte* p = LapicNmiBytes) return (MadtLapicNmi*)(p + i * sizeof(MadtLapicNmi)); }

        /// <summary>The GSI ISA IRQ <paramref name="isa"/> arrives on (identity without an override), and its INTI flags.</summary>
        public uint IsaToGsi(int isa, out ushort flags)
        {
            for (int i = 0; i < OverrideCount; i++)
            {
                MadtOverride* o = Override(i);
                if (o->Source == isa) { flags = o->Flags; return o->Gsi; }
            }
            flags = 0;
            return (uint)isa;
        }
    }

    /// <summary>Parses the MADT (see <see cref="MadtInfo"/>).</summary>
    public static unsafe class Madt
    {
        public const byte TypeLapic = 0, TypeIoApic = 1, TypeOverride = 2, TypeNmiSource = 3, TypeLapicNmi = 4,
            TypeLapicAddress = 5, TypeX2Apic = 9, TypeX2ApicNmi = 0xa;
        /// <summary>Local APIC flags: bit 0 enabled, bit 1 online capable (ACPI 6.4 table 5.47).</summary>
        public const uint LapicEnabled = 1, LapicOnlineCapable = 2;
        /// <summary>Offset of the first entry: the header, local APIC address (u32), flags (u32).</summary>
        public const uint FirstEntry = AcpiTables.HeaderSize + 8;

        /// <summary>Fills <paramref name="m"/> from the MADT at <paramref name="t"/> (already validated by <see cref="AcpiTables.IsTable"/>).</summary>
        public static void Parse(byte* t, MadtInfo* m)
        {
            *m = default;
            uint len = *(uint*)(t + 4);
            m->LocalApicAddress = *(uint*)(t + AcpiTables.HeaderSize);
            m->PcAtCompat = (*(uint*)(t + AcpiTables.HeaderSize + 4) & 1) != 0;
            uint off = FirstEntry;
            while (off + 2 <= len)
            {
                byte* e = t + off;
                uint el = e[1];
                if (el < 2 || off + el > len) { m->Truncated = true; return; }
                Entry(e, el, m);
                off += el;
            }
        }

        static void Entry(byte* e, uint el, MadtInfo* m)
        {
            switch (e[0])
            {
                case TypeLapic:
                    if (el >= 8) AddCpu(m, e[3], e[2], *(uint*)(e + 4));
                    break;
                case TypeX2Apic:
                    if (el >= 16) AddCpu(m, *(uint*)(e + 4), *(uint*)(e + 12), *(uint*)(e + 8));
                    break;
                case TypeIoApic:
                    if (el < 12) break;
                    if (m->IoApicCount == MadtInfo.MaxIoApics) { m->Dropped++; break; }
                    MadtIoApic* a = m->IoApic(m->IoApicCount++);
                    a->Id = e[2]; a->Address = *(uint*)(e + 4); a->GsiBase = *(uint*)(e + 8);
                    break;
                case TypeOverride:
                    if (el < 10) break;
                    if (m->OverrideCount == MadtInfo.MaxOverrides) { m->Dropped++; break; }
                    MadtOverride* o = m->Override(m->OverrideCount++);
                    o->Source = e[3]; o->Gsi = *(uint*)(e + 4); o->Flags = *(ushort*)(e + 8);
                    break;
                case TypeNmiSource:
                    if (el < 8) break;
                    if (m->NmiSourceCount == MadtInfo.MaxNmis) { m->Dropped++; break; }
                    m->NmiSourceFlags[m->NmiSourceCount] = *(ushort*)(e + 2);
                    m->NmiSourceGsi[m->NmiSourceCount++] = *(uint*)(e + 4);
                    break;
                case TypeLapicNmi:
                    if (el >= 6) AddLapicNmi(m, e[2] == 0xff ? 0xffffffffu : e[2], *(ushort*)(e + 3), e[5]);
                    break;
                case TypeX2ApicNmi:
                    if (el >= 12) AddLapicNmi(m, *(uint*)(e + 4), *(ushort*)(e + 2), e[8]);
                    break;
                case TypeLapicAddress:
                    if (el >= 12) m->LocalApicAddress = *(ulong*)(e + 4);
                    break;
            }
        }

        static void AddCpu(MadtInfo* m, uint apicId, uint uid, uint flags)
        {
            if ((flags & (LapicEnabled | LapicOnlineCapable)) == 0) return;
            if (m->CpuCount == MadtInfo.MaxCpus) { m->Dropped++; return; }
            m->CpuUid[m->CpuCount] = uid;
            m->CpuApicId[m->CpuCount++] = apicId;
        }

        static void AddLapicNmi(MadtInfo* m, uint uid, ushort flags, byte lint)
        {
            if (m->LapicNmiCount == MadtInfo.MaxNmis) { m->Dropped++; return; }
            MadtLapicNmi* n = m->LapicNmi(m->LapicNmiCount++);
            n->ProcessorUid = uid; n->Flags = flags; n->Lint = lint;
        }
    }
}
