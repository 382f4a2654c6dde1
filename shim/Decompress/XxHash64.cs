namespace Microxen.Decompress
{
    /// <summary>XXH64 (xxHash's doc/xxhash_spec.md), seed 0 here: zstd's content checksum is its low 32 bits.</summary>
    public static unsafe class XxHash64
    {
        const ulong P1 = 0x9E3779B185EBCA87, P2 = 0xC2B2AE3D27D4EB4F, P3 = 0x165667B19E3779F9;
        const ulong P4 = 0x85EBCA77C2B2AE63, P5 = 0x27D4EB2F165667C5;

        static ulong Rotl(ulong x, int r) => (x << r) | (x >> (64 - r));
        static ulong Round(ulong acc, ulong lane) => Rotl(acc + lane * P2, 31) * P1;
        static ulong Merge(ulong acc, ulong v) => (acc ^ Round(0, v)) * P1 + P4;

        public static ulong Hash(byte* p, ulong len, ulong seed)
        {
            ulong h, i = 0;
            if (len >= 32)
            {
                ulong v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
                for (; i + 32 <= len; i += 32)
                {
                    v1 = Round(v1, *(ulong*)(p + i)); v2 = Round(v2, *(ulong*)(p + i + 8));
                    v3 = Round(v3, *(ulong*)(p + i + 16)); v4 = Round(v4, *(ulong*)(p + i + 24));
                }
                h = Rotl(v1, 1) + Rotl(v2, 7) + Rotl(v3, 12) + Rotl(v4, 18);
                h = Merge(h, v1); h = Merge(h, v2); h = Merge(h, v3); h = Merge(h, v4);
            }
            else h = seed + P5;
            h += len;
            for (; i + 8 <= len; i += 8) h = Rotl(h ^ Round(0, *(ulong*)(p + i)), 27) * P1 + P4;
            if (i + 4 <= len) { h = Rotl(h ^ (*(uint*)(p + i) * P1), 23) * P2 + P3; i += 4; }
            for (; i < len; i++) h = Rotl(h ^ (p[i] * P5), 11) * P1;
            h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32;
            return h;
        }
    }
}
