namespace Microxen.Decompress
{
    /// <summary>
    /// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320: gzip RFC 1952 and xz) and CRC-64
    /// (ECMA-182, reflected polynomial 0xC96C5795D7870F42: xz check type 4), byte-wise with tables
    /// the caller stores (<see cref="Crc32TableBytes"/>, <see cref="Crc64TableBytes"/>).
    /// </summary>
    public static unsafe class Crc
    {
        public const uint Poly32 = 0xEDB88320;
        public const ulong Poly64 = 0xC96C5795D7870F42;
        public const int Crc32TableBytes = 256 * 4, Crc64TableBytes = 256 * 8;

        public static void Init32(uint* t)
        {
            for (uint i = 0; i < 256; i++)
            {
                uint c = i;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ Poly32 : c >> 1;
                t[i] = c;
            }
        }

        public static void Init64(ulong* t)
        {
            for (uint i = 0; i < 256; i++)
            {
                ulong c = i;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ Poly64 : c >> 1;
                t[i] = c;
            }
        }

        /// <summary>The CRC-32 of p[0..len), continuing <paramref name="crc"/> (0 to start).</summary>
        public static uint Crc32(uint* t, uint crc, byte* p, ulong len)
        {
            crc = ~crc;
            for (ulong i = 0; i < len; i++) crc = t[(byte)(crc ^ p[i])] ^ (crc >> 8);
            return ~crc;
        }

        /// <summary>The CRC-64 of p[0..len), continuing <paramref name="crc"/> (0 to start).</summary>
        public static ulong Crc64(ulong* t, ulong crc, byte* p, ulong len)
        {
            crc = ~crc;
            for (ulong i = 0; i < len; i++) crc = t[(byte)(crc ^ p[i])] ^ (crc >> 8);
            return ~crc;
        }
    }
}
