namespace Microxen.Decompress
{
    /// <summary>One cell of an FSE decoding table: the symbol, and the next state's base and bit count.</summary>
    public struct FseCell
    {
        public ushort Base;
        public byte Symbol, Bits;
    }

    /// <summary>
    /// Finite State Entropy tables (RFC 8878 4.1.1): the table description (accuracy log, then the
    /// normalised probabilities in a variable-length code), and the decoding table built from it.
    /// </summary>
    public static unsafe class Fse
    {
        /// <summary>The highest symbol count any table here has (Huffman weights: 256).</summary>
        public const int MaxSymbols = 256;

        /// <summary>k bits (k &lt;= 16) at bit position pos of p[0..n), little-endian; zero past the end.</summary>
        static uint Get(byte* p, ulong n, ulong pos, int k)
        {
            uint v = 0;
            for (int i = 0; i < 3; i++)
            {
                ulong at = (pos >> 3) + (ulong)i;
                if (at < n) v |= (uint)p[at] << (8 * i);
            }
            return (v >> (int)(pos & 7)) & ((1u << k) - 1);
        }

        public static int HighBit(uint x)
        {
            int r = 0;
            while ((x >>= 1) != 0) r++;
            return r;
        }

        /// <summary>Reads a table description from p[0..n) into norm[0..symbols) (-1 for "less than 1").
        /// Returns the bytes it took, or -1 if corrupt (log above maxLog, a symbol above maxSymbol,
        /// probabilities not summing to the table size, or the description running past n).</summary>
        public static int ReadCounts(byte* p, ulong n, short* norm, int maxSymbol, int maxLog, out int log, out int symbols)
        {
            symbols = 0;
            log = 0;
            if (n == 0) return -1;
            log = (int)Get(p, n, 0, 4) + 5;
            if (log > maxLog) return -1;
            ulong pos = 4;
            int remaining = (1 << log) + 1, threshold = 1 << log, bits = log + 1, sym = 0;
            while (remaining > 1)
            {
                if (sym > maxSymbol || pos > n * 8) return -1;
                int max = 2 * threshold - 1 - remaining;
                int v = (int)Get(p, n, pos, bits - 1);
                if (v < max) pos += (ulong)(bits - 1);
                else
                {
                    v = (int)Get(p, n, pos, bits);
                    if (v >= threshold) v -= max;
                    pos += (ulong)bits;
                }
                int prob = v - 1;
                norm[sym++] = (short)prob;
                remaining -= prob < 0 ? -prob : prob;
                if (remaining < 1) return -1;
                if (prob == 0)
                {
                    uint rep;
                    do
                    {
                        rep = Get(p, n, pos, 2);
                        pos += 2;
                        for (uint i = 0; i < rep; i++)
                        {
                            if (sym > maxSymbol) return -1;
                            norm[sym++] = 0;
                        }
                    } while (rep == 3 && pos <= n * 8);
                }
                while (remaining < threshold) { bits--; threshold >>= 1; }
            }
            if (pos > n * 8) return -1;
            symbols = sym;
            return (int)((pos + 7) >> 3);
        }

        /// <summary>Builds the decoding table (1 &lt;&lt; log cells) from a description ReadCounts accepted:
        /// "less than 1" symbols at the top, the others spread with step (size/2 + size/8 + 3).</summary>
        public static bool Build(FseCell* t, short* norm, int symbols, int log)
        {
            int size = 1 << log, high = size - 1;
            ushort* next = stackalloc ushort[MaxSymbols];
            for (int s = 0; s < symbols; s++)
            {
                if (norm[s] == -1) { t[high--].Symbol = (byte)s; next[s] = 1; }
                else next[s] = (ushort)norm[s];
            }
            int pos = 0, step = (size >> 1) + (size >> 3) + 3, mask = size - 1;
            for (int s = 0; s < symbols; s++)
            {
                for (int i = 0; i < norm[s]; i++)
                {
                    t[pos].Symbol = (byte)s;
                    do pos = (pos + step) & mask; while (pos > high);
                }
            }
            if (pos != 0) return false;
            for (int i = 0; i < size; i++)
            {
                uint x = next[t[i].Symbol]++;
                int b = log - HighBit(x);
                t[i].Bits = (byte)b;
                t[i].Base = (ushort)((x << b) - (uint)size);
            }
            return true;
        }

        /// <summary>A one-cell table (log 0) that always gives <paramref name="symbol"/> (zstd's RLE mode).</summary>
        public static void Rle(FseCell* t, byte symbol)
        {
            t[0].Symbol = symbol; t[0].Bits = 0; t[0].Base = 0;
        }
    }
}
