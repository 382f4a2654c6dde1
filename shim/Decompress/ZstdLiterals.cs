namespace Microxen.Decompress
{
    /// <summary>
    /// A zstd block's literals section (RFC 8878 3.1.1.3.1): raw, RLE, Huffman-compressed (one or
    /// four streams) or treeless (the previous block's Huffman table), and the Huffman tree
    /// description (4.2.1: weights direct or FSE-compressed, the last weight implied).
    /// </summary>
    public static unsafe class ZstdLiterals
    {
        /// <summary>Block_Maximum_Size: no block and no literals section regenerates more.</summary>
        public const int MaxBlock = 128 << 10;
        public const int MaxHuffmanBits = 11, HuffmanCells = 1 << MaxHuffmanBits;
        const int WeightLog = 6;

        /// <summary>Decodes the section at p[0..n). Literals land in lit (raw ones are used in place:
        /// <paramref name="literals"/> points at them). Returns the section's size, or -1 if corrupt or cut.</summary>
        public static long Decode(ZstdWork* w, byte* p, ulong n, out byte* literals, out ulong count)
        {
            literals = w->Literals; count = 0;
            if (n == 0) return -1;
            int type = p[0] & 3, sf = (p[0] >> 2) & 3;
            if (type < 2)
            {
                ulong hdr, size;
                if ((sf & 1) == 0) { hdr = 1; size = (ulong)p[0] >> 3; }
                else if (sf == 1) { hdr = 2; if (n < 2) return -1; size = ((ulong)p[0] >> 4) | ((ulong)p[1] << 4); }
                else { hdr = 3; if (n < 3) return -1; size = ((ulong)p[0] >> 4) | ((ulong)p[1] << 4) | ((ulong)p[2] << 12); }
                if (size > MaxBlock) return -1;
                count = size;
                if (type == 0)
                {
                    if (size > n - hdr) return -1;
                    literals = p + hdr;
                    return (long)(hdr + size);
                }
                if (hdr >= n) return -1;
                for (ulong i = 0; i < size; i++) w->Literals[i] = p[hdr];
                return (long)hdr + 1;
            }
            int hbytes = sf < 2 ? 3 : sf + 2, streams = sf == 0 ? 1 : 4;
            if ((ulong)hbytes > n) return -1;
            ulong h = 0;
            for (int i = 0; i < hbytes; i++) h |= (ulong)p[i] << (8 * i);
            int sizeBits = hbytes == 3 ? 10 : hbytes == 4 ? 14 : 18;
            ulong regen = (h >> 4) & ((1UL << sizeBits) - 1), comp = (h >> (4 + sizeBits)) & ((1UL << sizeBits) - 1);
            if (regen > MaxBlock || comp > n - (ulong)hbytes) return -1;
            byte* q = p + hbytes;
            ulong m = comp;
            if (type == 2)
            {
                long used = ReadTree(w, q, m);
                if (used < 0) return -1;
                q += used; m -= (ulong)used;
            }
            else if (w->HuffmanBits == 0) return -1;
            count = regen;
            if (streams == 1)
            {
                if (!Stream(w, q, m, w->Literals, regen)) return -1;
                return hbytes + (long)comp;
            }
            if (m < 6) return -1;
            ulong s1 = *(ushort*)q, s2 = *(ushort*)(q + 2), s3 = *(ushort*)(q + 4);
            if (s1 + s2 + s3 > m - 6) return -1;
            ulong s4 = m - 6 - s1 - s2 - s3, seg = (regen + 3) / 4;
            if (3 * seg > regen) return -1;
            byte* d = w->Literals;
            q += 6;
            if (!Stream(w, q, s1, d, seg) || !Stream(w, q + s1, s2, d + seg, seg) ||
                !Stream(w, q + s1 + s2, s3, d + 2 * seg, seg) || !Stream(w, q + s1 + s2 + s3, s4, d + 3 * seg, regen - 3 * seg))
                return -1;
            return hbytes + (long)comp;
        }

        /// <summary>One Huffman stream of exactly <paramref name="count"/> symbols that uses every bit.</summary>
        static bool Stream(ZstdWork* w, byte* p, ulong n, byte* d, ulong count)
        {
            BackBits b;
            if (!BackBits.Init(out b, p, n)) return false;
            int bits = w->HuffmanBits;
            ushort* t = w->Huffman;
            for (ulong i = 0; i < count; i++)
            {
                ushort e = t[b.Peek(bits)];
                d[i] = (byte)e;
                b.Left -= e >> 8;
            }
            return b.Left == 0;
        }

        /// <summary>The Huffman tree description at p[0..n): weights, then the decoding table
        /// (symbols of weight 1 first, each weight k taking 2^(k-1) cells). Returns its size or -1.</summary>
        static long ReadTree(ZstdWork* w, byte* p, ulong n)
        {
            if (n == 0) return -1;
            byte* wt = w->Weights;
            int count, hb = p[0];
            long used;
            if (hb >= 128)
            {
                count = hb - 127;
                used = 1 + (count + 1) / 2;
                if ((ulong)used > n) return -1;
                for (int i = 0; i < count; i++) wt[i] = (byte)((i & 1) == 0 ? p[1 + i / 2] >> 4 : p[1 + i / 2] & 15);
            }
            else
            {
                used = 1 + hb;
                if ((ulong)used > n) return -1;
                count = FseWeights(w, p + 1, (ulong)hb);
                if (count < 0) return -1;
            }
            uint total = 0;
            for (int i = 0; i < count; i++)
            {
                if (wt[i] > MaxHuffmanBits) return -1;
                if (wt[i] != 0) total += 1u << (wt[i] - 1);
            }
            if (total == 0 || count > 255) return -1;
            int maxBits = Fse.HighBit(total) + 1;
            if (maxBits > MaxHuffmanBits) return -1;
            uint rest = (1u << maxBits) - total;
            if ((rest & (rest - 1)) != 0) return -1;
            wt[count++] = (byte)(Fse.HighBit(rest) + 1);
            uint pos = 0;
            for (int k = 1; k <= maxBits; k++)
            {
                for (int s = 0; s < count; s++)
                {
                    if (wt[s] != k) continue;
                    uint len = 1u << (k - 1);
                    ushort e = (ushort)(s | ((maxBits + 1 - k) << 8));
                    for (uint i = 0; i < len; i++) w->Huffman[pos + i] = e;
                    pos += len;
                }
            }
            w->HuffmanBits = maxBits;
            return used;
        }

        /// <summary>FSE-compressed weights: a table description (log at most 6), then two states
        /// sharing one backward stream, alternating until the stream overruns. Returns the count or -1.</summary>
        static int FseWeights(ZstdWork* w, byte* p, ulong n)
        {
            int log, symbols;
            int hdr = Fse.ReadCounts(p, n, w->Norm, Fse.MaxSymbols - 1, WeightLog, out log, out symbols);
            if (hdr < 0 || !Fse.Build(w->WeightTable, w->Norm, symbols, log)) return -1;
            BackBits b;
            if (!BackBits.Init(out b, p + hdr, n - (ulong)hdr)) return -1;
            FseCell* t = w->WeightTable;
            uint s1 = (uint)b.Read(log), s2 = (uint)b.Read(log);
            if (b.Left < 0) return -1;
            byte* wt = w->Weights;
            int count = 0;
            while (true)
            {
                if (count > 253) return -1;
                wt[count++] = t[s1].Symbol;
                s1 = t[s1].Base + (uint)b.Read(t[s1].Bits);
                if (b.Left < 0) { wt[count++] = t[s2].Symbol; return count; }
                wt[count++] = t[s2].Symbol;
                s2 = t[s2].Base + (uint)b.Read(t[s2].Bits);
                if (b.Left < 0) { wt[count++] = t[s1].Symbol; return count; }
            }
        }
    }
}
