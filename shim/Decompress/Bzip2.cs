namespace Microxen.Decompress
{
    /// <summary>The bzip2 decoder's tables in caller work memory (the block itself follows: <see cref="Bzip2.WorkBytes"/>).</summary>
    public unsafe struct Bzip2Work
    {
        public const int MaxGroups = 6, MaxAlpha = 258, MaxCodeLen = 20, MaxSelectors = 32768;
        public fixed uint CrcTable[256];
        public fixed ushort Count[MaxGroups * (MaxCodeLen + 1)];
        public fixed ushort Symbol[MaxGroups * MaxAlpha];
        public fixed byte Length[MaxAlpha];
        public fixed byte Selector[MaxSelectors];
        public fixed byte Mtf[256];
        public fixed byte SeqToUnseq[256];
        public fixed uint ByteCount[256];
    }

    /// <summary>
    /// bzip2 streams (Linux's CONFIG_KERNEL_BZIP2, `bzip2 -9`; the format as bzip2 1.0's
    /// decompress.c and Linux's lib/decompress_bunzip2.c read it): "BZh" and the block size, then
    /// blocks (π magic, CRC, origin pointer, symbol map, Huffman groups and MTF-coded selectors,
    /// RUNA/RUNB run lengths, inverse BWT, the final run-length step), then the √π end marker and
    /// the combined CRC. Every block CRC and the stream CRC are checked. Randomised blocks (bzip2
    /// before 0.9.5) are refused as unbunzip2 does: UnsupportedFormat. Bytes after the end marker are not read.
    /// </summary>
    public static unsafe class Bzip2
    {
        public const int MaxBlock = 900000;
        const ulong BlockMagic = 0x314159265359, EndMagic = 0x177245385090;
        const int GroupRun = 50, RunA = 0, RunB = 1;
        /// <summary>Where the block (tt, 4 bytes a symbol) starts in work memory: after <see cref="Bzip2Work"/> (39 KB).</summary>
        public const int BlockAt = 40 << 10;
        public const int WorkBytes = BlockAt + 4 * MaxBlock;

        /// <summary>Makes at least n (&lt;= 56) bits available, most significant first: Buf holds Count unread bits at its bottom.</summary>
        static void Fill(ref BitInput b, int n)
        {
            for (; b.Count < n; b.Count += 8, b.Pos++)
            {
                if (b.Pos >= b.Len) { b.Overrun = true; b.Buf <<= 8; continue; }
                b.Buf = (b.Buf << 8) | b.Src[b.Pos];
            }
        }

        /// <summary>n bits (n &lt;= 32), most significant first.</summary>
        static uint Get(ref BitInput b, int n)
        {
            Fill(ref b, n);
            b.Count -= n;
            return (uint)(b.Buf >> b.Count) & (uint)((1UL << n) - 1);
        }

        /// <summary>Decodes one stream src[0..srcLen) into dst[0..dstCap). Ok with the output size;
        /// Corrupt, InputTruncated, OutputTooLarge, UnsupportedFormat (a randomised block).</summary>
        public static DecompressError Decode(byte* src, ulong srcLen, byte* dst, ulong dstCap, byte* work, out ulong outLen)
        {
            outLen = 0;
            Bzip2Work* w = (Bzip2Work*)work;
            uint* tt = (uint*)(work + BlockAt);
            for (uint i = 0; i < 256; i++)
            {
                uint c = i << 24;
                for (int k = 0; k < 8; k++) c = (c & 0x80000000) != 0 ? (c << 1) ^ 0x04C11DB7 : c << 1;
                w->CrcTable[i] = c;
            }
            if (srcLen < 4) return DecompressError.InputTruncated;
            if (src[0] != 'B' || src[1] != 'Z' || src[2] != 'h' || src[3] < '1' || src[3] > '9') return DecompressError.Corrupt;
            uint max = (uint)(src[3] - '0') * 100000;
            BitInput b = default;
            b.Src = src + 4; b.Len = srcLen - 4;
            ulong op = 0;
            uint combined = 0;
            while (true)
            {
                ulong magic = (ulong)Get(ref b, 24) << 24 | Get(ref b, 24);
                uint crc = Get(ref b, 32);
                if (b.Overrun) return DecompressError.InputTruncated;
                if (magic == EndMagic)
                {
                    if (crc != combined) return DecompressError.Corrupt;
                    outLen = op;
                    return DecompressError.Ok;
                }
                if (magic != BlockMagic) return DecompressError.Corrupt;
                if (Get(ref b, 1) != 0) return DecompressError.UnsupportedFormat;
                uint origPtr = Get(ref b, 24);
                uint nblock;
                DecompressError e = ReadBlock(ref b, w, tt, max, out nblock);
                if (e != DecompressError.Ok) return e;
                if (origPtr >= nblock) return DecompressError.Corrupt;
                uint got;
                e = Output(w, tt, nblock, origPtr, dst, dstCap, ref op, out got);
                if (e != DecompressError.Ok) return e;
                if (got != crc) return DecompressError.Corrupt;
                combined = ((combined << 1) | (combined >> 31)) ^ crc;
            }
        }

        /// <summary>One block's tables and symbols, MTF- and run-decoded into tt[0..nblock) (bytes in the low 8 bits).</summary>
        static DecompressError ReadBlock(ref BitInput b, Bzip2Work* w, uint* tt, uint max, out uint nblock)
        {
            nblock = 0;
            uint used = Get(ref b, 16);
            int inUse = 0;
            for (int i = 0; i < 16; i++)
            {
                if ((used & (0x8000u >> i)) == 0) continue;
                uint bits = Get(ref b, 16);
                for (int j = 0; j < 16; j++) if ((bits & (0x8000u >> j)) != 0) w->SeqToUnseq[inUse++] = (byte)(i * 16 + j);
            }
            if (inUse == 0) return DecompressError.Corrupt;
            int alpha = inUse + 2;
            int groups = (int)Get(ref b, 3);
            uint selectors = Get(ref b, 15);
            if (groups < 2 || groups > Bzip2Work.MaxGroups || selectors == 0) return DecompressError.Corrupt;
            byte* pos = stackalloc byte[Bzip2Work.MaxGroups];
            for (int i = 0; i < groups; i++) pos[i] = (byte)i;
            for (uint i = 0; i < selectors; i++)
            {
                int j = 0;
                while (Get(ref b, 1) != 0)
                {
                    if (++j >= groups || b.Overrun) return b.Overrun ? DecompressError.InputTruncated : DecompressError.Corrupt;
                }
                byte v = pos[j];
                for (; j > 0; j--) pos[j] = pos[j - 1];
                pos[0] = v;
                w->Selector[i] = v;
            }
            for (int g = 0; g < groups; g++)
            {
                int len = (int)Get(ref b, 5);
                for (int s = 0; s < alpha; s++)
                {
                    while (true)
                    {
                        if (len < 1 || len > Bzip2Work.MaxCodeLen) return DecompressError.Corrupt;
                        if (b.Overrun) return DecompressError.InputTruncated;
                        if (Get(ref b, 1) == 0) break;
                        len += Get(ref b, 1) == 0 ? 1 : -1;
                    }
                    w->Length[s] = (byte)len;
                }
                BuildCode(w->Count + g * (Bzip2Work.MaxCodeLen + 1), w->Symbol + g * Bzip2Work.MaxAlpha, w->Length, alpha);
            }
            for (int i = 0; i < 256; i++) { w->Mtf[i] = (byte)i; w->ByteCount[i] = 0; }
            int eob = inUse + 1, group = -1, left = 0;
            ushort* count = null, sym = null;
            uint run = 0;
            int runBit = 0;
            while (true)
            {
                if (left == 0)
                {
                    if (++group >= (int)selectors) return DecompressError.Corrupt;
                    left = GroupRun;
                    int t = w->Selector[group];
                    count = w->Count + t * (Bzip2Work.MaxCodeLen + 1);
                    sym = w->Symbol + t * Bzip2Work.MaxAlpha;
                }
                left--;
                int s = DecodeSymbol(ref b, count, sym);
                if (b.Overrun) return DecompressError.InputTruncated;
                if (s < 0 || s > eob) return DecompressError.Corrupt;
                if (s == RunA || s == RunB)
                {
                    if (runBit > 20) return DecompressError.Corrupt;
                    run += (uint)(s + 1) << runBit;
                    runBit++;
                    continue;
                }
                if (run != 0)
                {
                    if (run > max - nblock) return DecompressError.Corrupt;
                    byte c = w->SeqToUnseq[w->Mtf[0]];
                    w->ByteCount[c] += run;
                    for (uint k = 0; k < run; k++) tt[nblock++] = c;
                    run = 0; runBit = 0;
                }
                if (s == eob) return DecompressError.Ok;
                if (nblock >= max) return DecompressError.Corrupt;
                int idx = s - 1;
                byte m = w->Mtf[idx];
                for (; idx > 0; idx--) w->Mtf[idx] = w->Mtf[idx - 1];
                w->Mtf[0] = m;
                byte ch = w->SeqToUnseq[m];
                w->ByteCount[ch]++;
                tt[nblock++] = ch;
            }
        }

        /// <summary>Counts per code length and symbols in canonical order (bzip2's hbAssignCodes: by length, then symbol).</summary>
        static void BuildCode(ushort* count, ushort* sym, byte* length, int n)
        {
            for (int i = 0; i <= Bzip2Work.MaxCodeLen; i++) count[i] = 0;
            for (int i = 0; i < n; i++) count[length[i]]++;
            int k = 0;
            for (int len = 1; len <= Bzip2Work.MaxCodeLen; len++)
                for (int i = 0; i < n; i++) if (length[i] == len) sym[k++] = (ushort)i;
        }

        /// <summary>One symbol, from the next 20 bits taken at once; -1 for a code no symbol has.</summary>
        static int DecodeSymbol(ref BitInput b, ushort* count, ushort* sym)
        {
            const int Max = Bzip2Work.MaxCodeLen;
            Fill(ref b, Max);
            uint window = (uint)(b.Buf >> (b.Count - Max));
            int code = 0, first = 0, index = 0;
            for (int len = 1; len <= Max; len++)
            {
                code |= (int)(window >> (Max - len)) & 1;
                int c = count[len];
                if (code - first < c)
                {
                    b.Count -= len;
                    return sym[index + (code - first)];
                }
                index += c; first += c;
                first <<= 1; code <<= 1;
            }
            return -1;
        }

        /// <summary>The inverse BWT from origPtr, then the initial run-length step (four equal bytes and a count), with the block CRC.</summary>
        static DecompressError Output(Bzip2Work* w, uint* tt, uint nblock, uint origPtr, byte* dst, ulong dstCap, ref ulong op, out uint crc)
        {
            crc = 0xFFFFFFFF;
            uint* cf = stackalloc uint[256];
            uint sum = 0;
            for (int i = 0; i < 256; i++) { cf[i] = sum; sum += w->ByteCount[i]; }
            for (uint i = 0; i < nblock; i++)
            {
                uint c = tt[i] & 0xff;
                tt[cf[c]++] |= i << 8;
            }
            uint p = tt[origPtr] >> 8;
            int last = -1, same = 0;
            for (uint k = 0; k < nblock; k++)
            {
                p = tt[p];
                int c = (int)(p & 0xff);
                p >>= 8;
                ulong n = 1;
                if (same == 4) { n = (ulong)c; c = last; same = 0; }
                else if (c == last) same++;
                else { last = c; same = 1; }
                if (n > dstCap - op) return DecompressError.OutputTooLarge;
                for (ulong j = 0; j < n; j++)
                {
                    dst[op++] = (byte)c;
                    crc = (crc << 8) ^ w->CrcTable[(crc >> 24) ^ (uint)c];
                }
            }
            crc = ~crc;
            return DecompressError.Ok;
        }
    }
}
