using Microxen.Arch;

namespace Microxen.Acpi
{
    /// <summary>
    /// ACPI sleep registers from the FADT (ACPI 6.4 section 5.2.9, table 5.9), as Xen 4.17's
    /// acpi_fadt_parse_sleep_info keeps them (acpi_sinfo): the sleep control/status registers of
    /// a revision 5+ FADT, the PM1a/PM1b control blocks (the X_ generic addresses of a revision
    /// 3+ FADT, else the 32-bit port fields), none of them on a hardware-reduced platform; and
    /// the writes Xen's acpi_enter_sleep_state makes to enter a state.
    /// </summary>
    public static unsafe class AcpiSleep
    {
        /// <summary>"FACP" as a little-endian word.</summary>
        public const uint Fadt = 0x50434146;
        // FADT offsets (ACPI 6.4 table 5.9) and the sizes that make fields present.
        const uint OffPm1aCntBlk = 64, OffPm1bCntBlk = 68, OffPm1CntLen = 89, OffFlags = 112;
        const uint OffXPm1aCntBlk = 172, OffXPm1bCntBlk = 184, OffSleepControl = 244, OffSleepStatus = 256;
        const uint V5Size = 268;
        /// <summary>FADT flag HW_REDUCED_ACPI (bit 20).</summary>
        const uint HwReduced = 1u << 20;
        /// <summary>Generic Address Structure (ACPI 6.4 5.2.3.2): space id 0 memory, 1 system I/O; address at byte 4.</summary>
        const byte SpaceMemory = 0, SpaceIo = 1;

        /// <summary>One generic address: space, bit width, bit offset, access size, address.</summary>
        public struct Gas { public byte Space, BitWidth, BitOffset, AccessSize; public ulong Address; }

        public static Gas Pm1aCnt, Pm1bCnt, SleepControl, SleepStatus;
        static ulong s_map;

        /// <summary>Reads the FADT through the direct map at <paramref name="map"/> (nothing known without one).</summary>
        public static void Init(ulong map)
        {
            s_map = map;
            ulong fadt = AcpiTables.Find(map, Fadt);   // the one RSDP: the boot loader's copy, else the BIOS-area scan
            if (fadt == 0) return;
            byte* t = (byte*)(map + fadt);
            uint len = *(uint*)(t + 4);
            byte rev = t[8];
            if (rev >= 5 && len >= V5Size)
            {
                SleepControl = Read(t + OffSleepControl);
                SleepStatus = Read(t + OffSleepStatus);
                if (!Whole(SleepControl) || !Whole(SleepStatus)) { SleepControl.Address = 0; SleepStatus.Address = 0; }
            }
            if ((*(uint*)(t + OffFlags) & HwReduced) != 0) { Pm1aCnt = default; Pm1bCnt = default; return; }
            Pm1aCnt = Block(t, len, rev, OffXPm1aCntBlk, OffPm1aCntBlk);
            Pm1bCnt = Block(t, len, rev, OffXPm1bCntBlk, OffPm1bCntBlk);
        }

        static Gas Read(byte* g)
        {
            Gas r;
            r.Space = g[0]; r.BitWidth = g[1]; r.BitOffset = g[2]; r.AccessSize = g[3]; r.Address = *(ulong*)(g + 4);
            return r;
        }

        /// <summary>Xen accepts a v5 sleep register only when it is a whole access: no bit offset, width = access size * 8.</summary>
        static bool Whole(Gas g) => g.Address == 0 || (g.BitOffset == 0 && g.BitWidth == g.AccessSize * 8);

        /// <summary>Xen's acpi_fadt_copy_address: the X_ block of a revision 3+ FADT, else the 32-bit port.</summary>
        static Gas Block(byte* t, uint len, byte rev, uint xOff, uint portOff)
        {
            Gas g = default;
            if (rev >= 3 && len >= xOff + 12) g = Read(t + xOff);
            if (g.Address == 0)
            {
                g.Address = *(uint*)(t + portOff);
                g.Space = SpaceIo;
                g.BitWidth = (byte)(t[OffPm1CntLen] << 3);
            }
            return g;
        }

        /// <summary>Sleep control register: SLP_TYPx at bits 2-4, SLP_EN bit 5 (ACPI 6.4 4.8.3.7).</summary>
        const int XSleepTypeShift = 2;
        const ushort XSleepTypeMask = 0x1c, XSleepEnable = 0x20;

        static bool s_s5Known, s_s5Extended;
        static ushort s_s5A, s_s5B;

        /// <summary>Keeps the guest's S5 values from XENPF_enter_acpi_sleep (the \_S5 package Linux evaluated: the shim reads no AML).</summary>
        public static void SetS5(bool extended, ushort valA, ushort valB)
        {
            s_s5Known = true; s_s5Extended = extended; s_s5A = valA; s_s5B = valB;
        }

        /// <summary>
        /// Enters S5 with the guest's values as Xen's acpi_enter_sleep_state does: SLP_TYP|SLP_EN
        /// to PM1a (and PM1b), or the type with SLP_EN to the sleep control register. Returns when
        /// no values are known or the machine is still running after the writes.
        /// </summary>
        public static void PowerOff()
        {
            if (!s_s5Known) return;
            if (s_s5Extended)
                Write(SleepControl, (ushort)(((s_s5A << XSleepTypeShift) & XSleepTypeMask) | XSleepEnable), true);
            else
            {
                Write(Pm1aCnt, s_s5A, false);
                Write(Pm1bCnt, s_s5B, false);
            }
        }

        /// <summary>Writes <paramref name="value"/> to a PM1 control or sleep control register (16 or 8 bits; I/O port or memory).</summary>
        public static void Write(Gas g, ushort value, bool byteWide)
        {
            if (g.Address == 0) return;
            if (g.Space == SpaceIo)
            {
                if (byteWide) Cpu.Outb((ushort)g.Address, (byte)value);
                else Cpu.Outw((ushort)g.Address, value);
            }
            else if (g.Space == SpaceMemory)
            {
                if (byteWide) *(byte*)(s_map + g.Address) = (byte)value;
                else *(ushort*)(s_map + g.Address) = value;
            }
        }
    }
}
