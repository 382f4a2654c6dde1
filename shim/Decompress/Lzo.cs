namespace Microxen.Decompress
{
    /// <summary>
    /// lzop files (Linux's CONFIG_KERNEL_LZO, `lzop -9`; the layout lzop 1.0x writes and Linux's
    /// lib/decompress_unlzo.c reads): the 9-byte magic, a header (versions, method LZO1X, flags,
    /// mode, times, name) with its Adler-32 or CRC-32, then blocks of at most 256 KiB (Xen's and
    /// Linux's LZO_BLOCK_SIZE): sizes, the checksums the flags ask for (checked), and the block
    /// stored or LZO1X-compressed (<see cref="Lzo1x"/>); a zero size ends the file. Filters,
    /// extra header fields and multipart files (which lzop does not write by default) are
    /// UnsupportedFormat.
    /// </summary>
    public static unsafe class Lzo
    {
        public const int MaxBlock = 256 << 10;
        const uint AdlerD = 0x1, AdlerC = 0x2, ExtraField = 0x40, CrcD = 0x100, CrcC = 0x200, Multipart = 0x400;
        const uint Filter = 0x800, HeaderCrc = 0x1000;
        public const int WorkBytes = Crc.Crc32TableBytes;

        static uint Be32(byte* p) => (uint)(p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]);

        /// <summary>Adler-32 (RFC 1950) of p[0..n), continuing <paramref name="a"/> (1 to start).</summary>
        public static uint Adler32(uint a, byte* p, ulong n)
        {
            uint s1 = a & 0xffff, s2 = a >> 16;
            while (n > 0)
            {
                ulong k = n < 3800 ? n : 3800;
                n -= k;
                for (ulong i = 0; i < k; i++) { s1 += p[i]; s2 += s1; }
                p += k;
                s1 %= 65521; s2 %= 65521;
            }
            return s2 << 16 | s1;
        }

        /// <summary>Decodes src[0..srcLen) into dst[0..dstCap). Ok with the output size; Corrupt,
        /// InputTruncated, OutputTooLarge, or UnsupportedFormat.</summary>
        public static DecompressError Decode(byte* src, ulong srcLen, byte* dst, ulong dstCap, byte* work, out ulong outLen)
        {
            outLen = 0;
            uint* crc = (uint*)work;
            Crc.Init32(crc);
            if (srcLen < 9 + 16) return DecompressError.InputTruncated;
            if (BzImageHeader.Detect(src, srcLen) != PayloadFormat.Lzo || src[4] != 0 || src[5] != 0x0d || src[6] != 0x0a || src[7] != 0x1a || src[8] != 0x0a)
                return DecompressError.Corrupt;
            ulong ip = 9;
            uint version = (uint)(src[ip] << 8 | src[ip + 1]);
            ulong need = version >= 0x0940 ? 2UL + 2 + 2 + 1 + 1 : 2UL + 2 + 1;
            ulong at = ip + need;                                  // at the flags
            if (srcLen - at < 4) return DecompressError.InputTruncated;
            byte method = src[at - (version >= 0x0940 ? 2UL : 1UL)];
            uint flags = Be32(src + at);
            at += 4;
            if ((flags & (Filter | ExtraField | Multipart)) != 0) return DecompressError.UnsupportedFormat;
            if (method < 1 || method > 3) return DecompressError.UnsupportedFormat;
            at += 8 + (version >= 0x0940 ? 4UL : 0UL);           // mode, mtime low (and high)
            if (at >= srcLen) return DecompressError.InputTruncated;
            at += 1 + (ulong)src[at];                              // the name
            if (at > srcLen || srcLen - at < 4) return DecompressError.InputTruncated;
            uint hsum = (flags & HeaderCrc) != 0 ? Crc.Crc32(crc, 0, src + ip, at - ip) : Adler32(1, src + ip, at - ip);
            if (hsum != Be32(src + at)) return DecompressError.Corrupt;
            ip = at + 4;
            ulong op = 0;
            while (true)
            {
                if (srcLen - ip < 4) return DecompressError.InputTruncated;
                uint dlen = Be32(src + ip);
                ip += 4;
                if (dlen == 0) break;
                if (dlen > MaxBlock) return DecompressError.Corrupt;
                if (srcLen - ip < 4) return DecompressError.InputTruncated;
                uint slen = Be32(src + ip);
                ip += 4;
                if (slen == 0 || slen > dlen) return DecompressError.Corrupt;
                uint dAdler = 0, dCrc = 0, cAdler = 0, cCrc = 0;
                if (!Sum(src, srcLen, ref ip, (flags & AdlerD) != 0, ref dAdler) || !Sum(src, srcLen, ref ip, (flags & CrcD) != 0, ref dCrc)) return DecompressError.InputTruncated;
                bool packed = slen < dlen;
                if (!Sum(src, srcLen, ref ip, packed && (flags & AdlerC) != 0, ref cAdler) || !Sum(src, srcLen, ref ip, packed && (flags & CrcC) != 0, ref cCrc)) return DecompressError.InputTruncated;
                if (slen > srcLen - ip) return DecompressError.InputTruncated;
                if (dlen > dstCap - op) return DecompressError.OutputTooLarge;
                if (packed)
                {
                    if ((flags & AdlerC) != 0 && Adler32(1, src + ip, slen) != cAdler) return DecompressError.Corrupt;
                    if ((flags & CrcC) != 0 && Crc.Crc32(crc, 0, src + ip, slen) != cCrc) return DecompressError.Corrupt;
                    ulong n;
                    DecompressError e = Lzo1x.Decode(src + ip, slen, dst + op, dlen, out n);
                    if (e == DecompressError.OutputTooLarge || (e == DecompressError.Ok && n != dlen)) return DecompressError.Corrupt;
                    if (e != DecompressError.Ok) return e;
                }
                else Lz4Legacy.Copy(dst + op, src + ip, dlen);
                if ((flags & AdlerD) != 0 && Adler32(1, dst + op, dlen) != dAdler) return DecompressError.Corrupt;
                if ((flags & CrcD) != 0 && Crc.Crc32(crc, 0, dst + op, dlen) != dCrc) return DecompressError.Corrupt;
                ip += slen; op += dlen;
            }
            outLen = op;
            return DecompressError.Ok;
        }

        static bool Sum(byte* src, ulong srcLen, ref ulong ip, bool present, ref uint v)
        {
            if (!present) return true;
            if (srcLen - ip < 4) return false;
            v = Be32(src + ip);
            ip += 4;
            return true;
        }
    }

    /// <summary>
    /// LZO1X decompression (the instruction encoding of Linux's Documentation/staging/lzo.rst):
    /// literal runs and the M1..M4 matches, each naming 0..3 literals to follow; M4 at distance
    /// 16384 ends the block. Every read, write and distance is checked (lzo1x_decompress_safe).
    /// </summary>
    public static unsafe class Lzo1x
    {
        /// <summary>Decodes s[0..n) into d[0..cap). Ok with the size when the end marker is the
        /// last input; Corrupt, InputTruncated, OutputTooLarge.</summary>
        public static DecompressError Decode(byte* s, ulong n, byte* d, ulong cap, out ulong outLen)
        {
            outLen = 0;
            ulong ip = 0, op = 0, t;
            int state = 0;                         // literals the last instruction copied: 0, 1..3, or 4 (a run)
            if (n == 0) return DecompressError.InputTruncated;
            if (s[0] > 17)
            {
                t = (ulong)s[ip++] - 17;
                DecompressError e0 = Literals(s, n, ref ip, d, cap, ref op, t);
                if (e0 != DecompressError.Ok) return e0;
                state = t < 4 ? (int)t : 4;
            }
            while (true)
            {
                if (ip >= n) return DecompressError.InputTruncated;
                t = s[ip++];
                ulong opcode = t, len, dist;
                if (t < 16)
                {
                    if (state == 0)
                    {
                        len = t;
                        if (len == 0 && !Extend(s, n, ref ip, 15, ref len)) return DecompressError.InputTruncated;
                        DecompressError e1 = Literals(s, n, ref ip, d, cap, ref op, len + 3);
                        if (e1 != DecompressError.Ok) return e1;
                        state = 4;
                        continue;
                    }
                    if (ip >= n) return DecompressError.InputTruncated;
                    dist = 1 + (t >> 2) + ((ulong)s[ip++] << 2);
                    if (state == 4) { dist += 0x800; len = 3; } else len = 2;
                }
                else if (t >= 64)
                {
                    if (ip >= n) return DecompressError.InputTruncated;
                    dist = 1 + ((t >> 2) & 7) + ((ulong)s[ip++] << 3);
                    len = (t >> 5) + 1;
                }
                else
                {
                    bool m3 = t >= 32;
                    len = m3 ? t & 31 : t & 7;
                    if (len == 0 && !Extend(s, n, ref ip, m3 ? 31UL : 7UL, ref len)) return DecompressError.InputTruncated;
                    len += 2;
                    if (n - ip < 2) return DecompressError.InputTruncated;
                    ulong v = (ulong)(s[ip] | s[ip + 1] << 8);
                    ip += 2;
                    t = v;                                         // its low bits name the literals
                    if (m3) dist = 1 + (v >> 2);
                    else
                    {
                        dist = ((opcode & 8) << 11) + (v >> 2);
                        if (dist == 0)
                        {
                            if (ip != n) return DecompressError.Corrupt;
                            outLen = op;
                            return DecompressError.Ok;
                        }
                        dist += 0x4000;
                    }
                }
                if (dist > op) return DecompressError.Corrupt;
                if (len > cap - op) return DecompressError.OutputTooLarge;
                Lz4Legacy.LzCopy(d, op, dist, len);
                op += len;
                state = (int)(t & 3);
                if (state != 0)
                {
                    DecompressError e2 = Literals(s, n, ref ip, d, cap, ref op, (ulong)state);
                    if (e2 != DecompressError.Ok) return e2;
                }
            }
        }

        /// <summary>A long length: each zero byte adds 255, the first non-zero byte adds itself plus <paramref name="bas"/>.</summary>
        static bool Extend(byte* s, ulong n, ref ulong ip, ulong bas, ref ulong len)
        {
            ulong add = 0;
            while (true)
            {
                if (ip >= n) return false;
                byte b = s[ip++];
                if (b != 0) { len = add + bas + b; return true; }
                add += 255;
                if (add > (1UL << 32)) return false;
            }
        }

        static DecompressError Literals(byte* s, ulong n, ref ulong ip, byte* d, ulong cap, ref ulong op, ulong count)
        {
            if (count > n - ip) return DecompressError.InputTruncated;
            if (count > cap - op) return DecompressError.OutputTooLarge;
            Lz4Legacy.Copy(d + op, s + ip, count);
            ip += count; op += count;
            return DecompressError.Ok;
        }
    }
}
