namespace Microxen.Decompress
{
    /// <summary>
    /// A bit stream read backwards, as zstd's FSE and Huffman streams are written (RFC 8878 4.1,
    /// "bitstreams are read in reverse direction"): the last byte's highest set bit marks the end,
    /// the bits below it are read first, most significant first. Bits before the stream's first
    /// byte read as zero and drive <see cref="Left"/> negative (an overrun the caller checks).
    /// </summary>
    public unsafe struct BackBits
    {
        public byte* Start;
        public ulong Len;
        /// <summary>Bits not yet read; negative after reading past the start.</summary>
        public long Left;

        /// <summary>False when the stream is empty or its last byte is 0 (no end mark).</summary>
        public static bool Init(out BackBits b, byte* p, ulong n)
        {
            b = default;
            if (n == 0 || p[n - 1] == 0) return false;
            int hb = 7;
            while ((p[n - 1] >> hb) == 0) hb--;
            b.Start = p; b.Len = n; b.Left = (long)(n - 1) * 8 + hb;
            return true;
        }

        /// <summary>The next <paramref name="n"/> bits (0..56) without consuming them.</summary>
        public ulong Peek(int n)
        {
            long low = Left - n;
            if (low >= 0 && ((ulong)low >> 3) + 8 <= Len)
                return (*(ulong*)(Start + ((ulong)low >> 3)) >> (int)(low & 7)) & ((1UL << n) - 1);
            ulong v = 0;
            for (long bit = Left - 1; bit >= low; bit--)
            {
                v <<= 1;
                if (bit >= 0) v |= (ulong)(Start[bit >> 3] >> (int)(bit & 7)) & 1;
            }
            return v;
        }

        public ulong Read(int n)
        {
            ulong v = Peek(n);
            Left -= n;
            return v;
        }
    }
}
