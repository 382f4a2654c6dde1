namespace KernelTest.Fuzz
{
    /// <summary>
    /// The storm's deterministic generator and digest. PRNG: splitmix64 (Steele, Lea, Flood 2014;
    /// state += 0x9e3779b97f4a7c15, then the two xor-shift-multiply rounds), seeded with the SEED
    /// of <c>fuzz=SEED,COUNT</c>; every choice the storm makes is one or more <see cref="Next"/>
    /// draws in a fixed order, so a seed names the same call sequence on every host. Digest:
    /// 64-bit FNV-1a over the little-endian bytes of each folded 64-bit word.
    /// </summary>
    public static class FuzzRandom
    {
        public const ulong FnvOffset = 0xcbf29ce484222325;
        public const ulong FnvPrime = 0x100000001b3;

        static ulong s_state;

        public static void Seed(ulong seed) { s_state = seed; }

        /// <summary>The next 64-bit value of splitmix64.</summary>
        public static ulong Next()
        {
            s_state += 0x9e3779b97f4a7c15;
            ulong z = s_state;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
            z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
            return z ^ (z >> 31);
        }

        /// <summary>A value in [0, n) (n &gt; 0; modulo bias is irrelevant here).</summary>
        public static ulong Below(ulong n) => Next() % n;

        /// <summary>True with probability num/den.</summary>
        public static bool Chance(ulong num, ulong den) => Next() % den < num;

        /// <summary>FNV-1a of <paramref name="h"/> extended by the 8 bytes of <paramref name="v"/> (little-endian).</summary>
        public static ulong Fold(ulong h, ulong v)
        {
            for (int i = 0; i < 8; i++)
            {
                h ^= (v >> (i * 8)) & 0xff;
                h *= FnvPrime;
            }
            return h;
        }
    }
}
