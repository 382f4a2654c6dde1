namespace Microxen.Decompress
{
    /// <summary>
    /// DEFLATE (RFC 1951) in a gzip member (RFC 1952): stored, fixed and dynamic Huffman blocks,
    /// canonical codes decoded a bit at a time from (count, symbol) tables in caller work memory
    /// (<see cref="WorkBytes"/>); the member's CRC-32 and ISIZE are checked.
    /// </summary>
    public static unsafe class Inflate
    {
        const int MaxBits = 15, MaxLitLen = 288, MaxDist = 30, MaxCodes = MaxLitLen + MaxDist;
        // Work layout (ushorts after the CRC table): counts and symbols of the two codes, code lengths.
        const int CrcAt = 0, LenCountAt = Crc.Crc32TableBytes, LenSymAt = LenCountAt + 2 * (MaxBits + 1);
        const int DistCountAt = LenSymAt + 2 * MaxLitLen, DistSymAt = DistCountAt + 2 * (MaxBits + 1);
        const int LengthsAt = DistSymAt + 2 * MaxDist;
        public const int WorkBytes = LengthsAt + 2 * MaxCodes;
        const byte FText = 1, FHcrc = 2, FExtra = 4, FName = 8, FComment = 16;

        static uint Need(ref BitInput b, int n)
        {
            while (b.Count < n)
            {
                ulong v = 0;
                if (b.Pos < b.Len) v = b.Src[b.Pos]; else b.Overrun = true;
                b.Pos++;
                b.Buf |= v << b.Count;
                b.Count += 8;
            }
            uint r = (uint)(b.Buf & ((1UL << n) - 1));
            b.Buf >>= n; b.Count -= n;
            return r;
        }

        /// <summary>Builds a canonical code from lengths; false if over-subscribed, or incomplete
        /// while more than one symbol is coded (RFC 1951 3.2.2; one-code distance trees are allowed).</summary>
        static bool Build(ushort* count, ushort* sym, ushort* lengths, int n)
        {
            for (int i = 0; i <= MaxBits; i++) count[i] = 0;
            for (int i = 0; i < n; i++) count[lengths[i]]++;
            if (count[0] == n) return true;
            int left = 1;
            for (int len = 1; len <= MaxBits; len++)
            {
                left <<= 1;
                left -= count[len];
                if (left < 0) return false;
            }
            ushort* offs = stackalloc ushort[MaxBits + 1];
            offs[1] = 0;
            for (int len = 1; len < MaxBits; len++) offs[len + 1] = (ushort)(offs[len] + count[len]);
            for (int i = 0; i < n; i++) if (lengths[i] != 0) sym[offs[lengths[i]]++] = (ushort)i;
            return left == 0 || n - count[0] == 1;
        }

        static int Decode(ref BitInput b, ushort* count, ushort* sym)
        {
            int code = 0, first = 0, index = 0;
            for (int len = 1; len <= MaxBits; len++)
            {
                code |= (int)Need(ref b, 1);
                int c = count[len];
                if (code - c < first) return sym[index + (code - first)];
                index += c; first += c;
                first <<= 1; code <<= 1;
            }
            return -1;
        }

        /// <summary>RFC 1951 3.2.5's length and distance bases and extra bits, computed rather than tabled.</summary>
        static void LengthCode(int s, out int bas, out int extra)
        {
            if (s < 265) { bas = s - 254; extra = 0; return; }
            if (s == 285) { bas = 258; extra = 0; return; }
            int k = s - 261;
            extra = k / 4;
            bas = (((k & 3) + 4) << extra) + 3;
        }

        static void DistCode(int s, out int bas, out int extra)
        {
            if (s < 4) { bas = s + 1; extra = 0; return; }
            extra = (s >> 1) - 1;
            bas = ((2 | (s & 1)) << extra) + 1;
        }

        /// <summary>One gzip member into dst[0..dstCap): header fields skipped (FHCRC checked), inflated, CRC-32 and ISIZE checked.</summary>
        public static DecompressError Gzip(byte* src, ulong srcLen, byte* dst, ulong dstCap, byte* work, out ulong outLen)
        {
            outLen = 0;
            uint* crc = (uint*)(work + CrcAt);
            Crc.Init32(crc);
            if (srcLen < 18) return DecompressError.InputTruncated;
            if (src[0] != 0x1f || src[1] != 0x8b || src[2] != 8 || (src[3] & 0xE0) != 0) return DecompressError.Corrupt;
            byte flg = src[3];
            ulong ip = 10;
            if ((flg & FExtra) != 0)
            {
                if (srcLen - ip < 2) return DecompressError.InputTruncated;
                ip += 2 + (ulong)(src[ip] | src[ip + 1] << 8);
            }
            if ((flg & FName) != 0) { while (ip < srcLen && src[ip] != 0) ip++; ip++; }
            if ((flg & FComment) != 0) { while (ip < srcLen && src[ip] != 0) ip++; ip++; }
            if ((flg & FHcrc) != 0)
            {
                if (ip + 2 > srcLen) return DecompressError.InputTruncated;
                if ((Crc.Crc32(crc, 0, src, ip) & 0xFFFF) != (uint)(src[ip] | src[ip + 1] << 8)) return DecompressError.Corrupt;
                ip += 2;
            }
            if (ip >= srcLen) return DecompressError.InputTruncated;
            BitInput b = default;
            b.Src = src + ip; b.Len = srcLen - ip;
            ulong op = 0;
            DecompressError e = Raw(ref b, dst, dstCap, ref op, work);
            if (e != DecompressError.Ok) return e;
            ulong end = ip + b.Pos;                 // whole bytes: the trailer starts after the last block's byte
            if (end + 8 > srcLen) return DecompressError.InputTruncated;
            if (Crc.Crc32(crc, 0, dst, op) != *(uint*)(src + end)) return DecompressError.Corrupt;
            if ((uint)op != *(uint*)(src + end + 4)) return DecompressError.Corrupt;
            outLen = op;
            return DecompressError.Ok;
        }

        /// <summary>Raw DEFLATE blocks until the one marked final.</summary>
        static DecompressError Raw(ref BitInput b, byte* dst, ulong cap, ref ulong op, byte* work)
        {
            ushort* lc = (ushort*)(work + LenCountAt), ls = (ushort*)(work + LenSymAt);
            ushort* dc = (ushort*)(work + DistCountAt), ds = (ushort*)(work + DistSymAt);
            ushort* lengths = (ushort*)(work + LengthsAt);
            uint last;
            do
            {
                last = Need(ref b, 1);
                uint type = Need(ref b, 2);
                if (type == 0)
                {
                    b.Buf = 0; b.Count = 0;             // to a byte boundary (Need reads whole bytes)
                    if (b.Len - b.Pos < 4 || b.Pos > b.Len) return DecompressError.InputTruncated;
                    uint len = (uint)(b.Src[b.Pos] | b.Src[b.Pos + 1] << 8), nlen = (uint)(b.Src[b.Pos + 2] | b.Src[b.Pos + 3] << 8);
                    b.Pos += 4;
                    if ((len ^ 0xFFFF) != nlen) return DecompressError.Corrupt;
                    if (len > b.Len - b.Pos) return DecompressError.InputTruncated;
                    if (len > cap - op) return DecompressError.OutputTooLarge;
                    Lz4Legacy.Copy(dst + op, b.Src + b.Pos, len);
                    b.Pos += len; op += len;
                    continue;
                }
                if (type == 3) return DecompressError.Corrupt;
                if (type == 1)
                {
                    for (int i = 0; i < MaxCodes; i++) lengths[i] = (ushort)(i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : i < MaxLitLen ? 8 : 5);
                    Build(lc, ls, lengths, MaxLitLen);
                    Build(dc, ds, lengths + MaxLitLen, MaxDist);
                }
                else
                {
                    DecompressError e = Dynamic(ref b, lc, ls, dc, ds, lengths);
                    if (e != DecompressError.Ok) return e;
                }
                while (true)
                {
                    int s = Decode(ref b, lc, ls);
                    if (b.Overrun) return DecompressError.InputTruncated;
                    if (s < 0) return DecompressError.Corrupt;
                    if (s < 256)
                    {
                        if (op >= cap) return DecompressError.OutputTooLarge;
                        dst[op++] = (byte)s;
                        continue;
                    }
                    if (s == 256) break;
                    if (s > 285) return DecompressError.Corrupt;
                    int lb, le, db, de;
                    LengthCode(s, out lb, out le);
                    ulong len = (ulong)lb + Need(ref b, le);
                    int d = Decode(ref b, dc, ds);
                    if (d < 0 || d >= 30) return DecompressError.Corrupt;
                    DistCode(d, out db, out de);
                    ulong dist = (ulong)db + Need(ref b, de);
                    if (b.Overrun) return DecompressError.InputTruncated;
                    if (dist > op) return DecompressError.Corrupt;
                    if (len > cap - op) return DecompressError.OutputTooLarge;
                    Lz4Legacy.LzCopy(dst, op, dist, len);
                    op += len;
                }
            } while (last == 0);
            if (b.Overrun) return DecompressError.InputTruncated;
            b.Pos -= (ulong)(b.Count / 8);          // give back whole unread bytes
            return DecompressError.Ok;
        }

        static DecompressError Dynamic(ref BitInput b, ushort* lc, ushort* ls, ushort* dc, ushort* ds, ushort* lengths)
        {
            int nlen = (int)Need(ref b, 5) + 257, ndist = (int)Need(ref b, 5) + 1, ncode = (int)Need(ref b, 4) + 4;
            if (nlen > 286 || ndist > 30) return DecompressError.Corrupt;
            // RFC 1951 3.2.7: the order the code-length code's lengths come in (16, 17, 18, 0, 8, 7, 9, 6, ...).
            for (int i = 0; i < 19; i++) lengths[i] = 0;
            for (int i = 0; i < ncode; i++) lengths[ClOrder(i)] = (ushort)Need(ref b, 3);
            if (!Build(lc, ls, lengths, 19)) return DecompressError.Corrupt;
            int idx = 0;
            while (idx < nlen + ndist)
            {
                int s = Decode(ref b, lc, ls);
                if (b.Overrun) return DecompressError.InputTruncated;
                if (s < 0) return DecompressError.Corrupt;
                if (s < 16) { lengths[idx++] = (ushort)s; continue; }
                ushort v = 0;
                int rep;
                if (s == 16)
                {
                    if (idx == 0) return DecompressError.Corrupt;
                    v = lengths[idx - 1];
                    rep = 3 + (int)Need(ref b, 2);
                }
                else if (s == 17) rep = 3 + (int)Need(ref b, 3);
                else rep = 11 + (int)Need(ref b, 7);
                if (idx + rep > nlen + ndist) return DecompressError.Corrupt;
                while (rep-- > 0) lengths[idx++] = v;
            }
            if (lengths[256] == 0) return DecompressError.Corrupt;
            if (!Build(lc, ls, lengths, nlen)) return DecompressError.Corrupt;
            if (!Build(dc, ds, lengths + nlen, ndist)) return DecompressError.Corrupt;
            return DecompressError.Ok;
        }

        static int ClOrder(int i)
        {
            if (i < 3) return 16 + i;                          // 16, 17, 18
            if (i == 3) return 0;
            // then 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
            int k = i - 4;
            return (k & 1) == 0 ? 8 + k / 2 : 7 - k / 2;
        }
    }
}
