namespace Microxen.Acpi
{
    /// <summary>
    /// Finding ACPI tables in machine memory (ACPI 6.4 section 5.2): the RSDP by the BIOS-area scan
    /// (5.2.5.1: the first KiB of the EBDA, whose segment is the 16-bit word at physical 0x40e, then
    /// 0xe0000-0xfffff, on 16-byte boundaries), then the XSDT (revision 2 and a nonzero address) or
    /// the RSDT, then a table by its signature. Every table read is checked: signature, length at
    /// least the header's 36 bytes, byte sum 0. Physical address p is read at <c>map + p</c> (the
    /// shim's direct map; host tests pass a buffer's address minus its fake physical base).
    /// </summary>
    public static unsafe class AcpiTables
    {
        /// <summary>Size of the common table header (ACPI 6.4 table 5.4).</summary>
        public const uint HeaderSize = 36;
        /// <summary>RSDP v1 part (checksummed) and the v2 structure's size (ACPI 6.4 table 5.3).</summary>
        public const uint RsdpV1Size = 20, RsdpV2Size = 36;
        /// <summary>Bytes of a table the shim accepts at most (guards a corrupt length).</summary>
        public const uint MaxTableSize = 1u << 20;

        /// <summary>"RSD PTR " as a little-endian 64-bit word.</summary>
        public const ulong RsdpSignature = 0x2052545020445352UL;
        /// <summary>Table signatures as little-endian 32-bit words.</summary>
        public const uint Madt = 0x43495041 /* "APIC" */, Xsdt = 0x54445358 /* "XSDT" */, Rsdt = 0x54445352 /* "RSDT" */;

        public const ulong EbdaSegmentWord = 0x40e, BiosAreaStart = 0xe0000, BiosAreaEnd = 0x100000;

        /// <summary>Sum of <paramref name="n"/> bytes mod 256 (0 for a valid ACPI structure).</summary>
        public static byte Sum(byte* p, uint n)
        {
            byte s = 0;
            for (uint i = 0; i < n; i++) s += p[i];
            return s;
        }

        /// <summary>A valid RSDP at <paramref name="p"/>: signature, v1 checksum, and for revision 2+ the extended checksum.</summary>
        public static bool IsRsdp(byte* p)
        {
            if (*(ulong*)p != RsdpSignature || Sum(p, RsdpV1Size) != 0) return false;
            if (p[15] < 2) return true;
            uint len = *(uint*)(p + 20);
            return len >= RsdpV2Size && len <= 4096 && Sum(p, len) == 0;
        }

        /// <summary>Physical address of the RSDP found by the BIOS-area scan, 0 if none.</summary>
        public static ulong FindRsdp(ulong map)
        {
            ulong ebda = (ulong)*(ushort*)(map + EbdaSegmentWord) << 4;
            if (ebda >= 0x80000 && ebda < 0xa0000)
            {
                ulong r = Scan(map, ebda, ebda + 1024);
                if (r != 0) return r;
            }
            return Scan(map, BiosAreaStart, BiosAreaEnd);
        }

        static ulong Scan(ulong map, ulong start, ulong end)
        {
            for (ulong a = start; a + RsdpV1Size <= end; a += 16)
                if (IsRsdp((byte*)(map + a))) return a;
            return 0;
        }

        /// <summary>A valid table with signature <paramref name="sig"/> at physical <paramref name="phys"/>.</summary>
        public static bool IsTable(ulong map, ulong phys, uint sig)
        {
            if (phys == 0) return false;
            byte* t = (byte*)(map + phys);
            uint len = *(uint*)(t + 4);
            return *(uint*)t == sig && len >= HeaderSize && len <= MaxTableSize && Sum(t, len) == 0;
        }

        /// <summary>
        /// Physical address of the first valid table with signature <paramref name="sig"/> listed by
        /// the XSDT (64-bit entries) or, without one, the RSDT (32-bit entries) of the RSDP at
        /// <paramref name="rsdp"/>; 0 if none.
        /// </summary>
        public static ulong FindTable(ulong map, ulong rsdp, uint sig)
        {
            if (rsdp == 0) return 0;
            byte* r = (byte*)(map + rsdp);
            ulong xsdt = r[15] >= 2 ? *(ulong*)(r + 24) : 0;
            bool wide = IsTable(map, xsdt, Xsdt);
            ulong root = wide ? xsdt : *(uint*)(r + 16);
            if (!wide && !IsTable(map, root, Rsdt)) return 0;
            byte* t = (byte*)(map + root);
            uint entry = wide ? 8u : 4u;
            uint n = (*(uint*)(t + 4) - HeaderSize) / entry;
            for (uint i = 0; i < n; i++)
            {
                byte* e = t + HeaderSize + i * entry;
                ulong a = wide ? *(ulong*)e : *(uint*)e;
                if (IsTable(map, a, sig)) return a;
            }
            return 0;
        }
    }
}
