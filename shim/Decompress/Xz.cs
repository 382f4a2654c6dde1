namespace Microxen.Decompress
{
    /// <summary>
    /// The .xz container (The .xz File Format 1.1.0, tukaani.org): stream header, blocks (block
    /// header, LZMA2 data with an optional x86 BCJ filter before it, padding, check), index and
    /// footer; check types None, CRC32 and CRC64 verified, SHA-256 skipped (Linux's kernels use
    /// CRC32). Decodes in one call into the output buffer, which is also LZMA2's dictionary.
    /// Work memory: <see cref="WorkBytes"/> (probabilities and CRC tables).
    /// </summary>
    public static unsafe class Xz
    {
        public const int HeaderSize = 12, FooterSize = 12;
        public const byte CheckNone = 0, CheckCrc32 = 1, CheckCrc64 = 4, CheckSha256 = 10;
        public const ulong FilterX86 = 0x04, FilterLzma2 = 0x21;
        const int Crc32At = 0, Crc64At = Crc.Crc32TableBytes, ProbsAt = Crc64At + Crc.Crc64TableBytes;
        public const int WorkBytes = ProbsAt + Lzma.ProbBytes;

        /// <summary>Size in bytes of check type t (section 3.4: 0, 4, 8, 16, 32, 64 by groups of three).</summary>
        public static int CheckSize(int t) => t == 0 ? 0 : 4 << ((t - 1) / 3);

        /// <summary>Reads a multibyte integer (section 1.2: 7 bits a byte, at most 9 bytes, minimal).</summary>
        public static bool Vli(byte* p, ulong n, ref ulong i, out ulong v)
        {
            v = 0;
            for (int k = 0; k < 9; k++)
            {
                if (i >= n) return false;
                byte b = p[i++];
                v |= (ulong)(b & 0x7f) << (7 * k);
                if ((b & 0x80) == 0) return b != 0 || k == 0;
            }
            return false;
        }

        /// <summary>Decodes one xz stream (src[0..srcLen), nothing after it but zero stream padding)
        /// into dst[0..dstCap). Ok with the output size; Corrupt, InputTruncated, OutputTooLarge.</summary>
        public static DecompressError Decode(byte* src, ulong srcLen, byte* dst, ulong dstCap, byte* work, out ulong outLen)
        {
            outLen = 0;
            uint* crc32 = (uint*)(work + Crc32At);
            ulong* crc64 = (ulong*)(work + Crc64At);
            Crc.Init32(crc32);
            Crc.Init64(crc64);
            if (srcLen < HeaderSize + FooterSize) return DecompressError.InputTruncated;
            if (BzImageHeader.Detect(src, srcLen) != PayloadFormat.Xz) return DecompressError.Corrupt;
            if (src[6] != 0 || (src[7] & 0xF0) != 0 || Crc.Crc32(crc32, 0, src + 6, 2) != *(uint*)(src + 8)) return DecompressError.Corrupt;
            int check = src[7];
            int checkSize = CheckSize(check);
            ulong ip = HeaderSize, op = 0, blocks = 0, unpaddedSum = 0, uncompressedSum = 0;
            // Records of the index are checked against the blocks as two running sums (xz's own way is a hash).
            while (true)
            {
                if (ip >= srcLen) return DecompressError.InputTruncated;
                if (src[ip] == 0) break;                              // the index indicator
                ulong outStart = op;
                ulong hdrSize = ((ulong)src[ip] + 1) * 4;
                if (hdrSize > srcLen - ip) return DecompressError.InputTruncated;
                if (Crc.Crc32(crc32, 0, src + ip, hdrSize - 4) != *(uint*)(src + ip + hdrSize - 4)) return DecompressError.Corrupt;
                ulong declaredIn, declaredOut, bcjStart;
                bool hasIn, hasOut, bcj;
                DecompressError e = BlockHeader(src + ip, hdrSize - 4, out hasIn, out declaredIn, out hasOut, out declaredOut, out bcj, out bcjStart);
                if (e != DecompressError.Ok) return e;
                ip += hdrSize;
                ulong dataStart = ip;
                e = Lzma2(src, srcLen, ref ip, dst, dstCap, ref op, work);
                if (e != DecompressError.Ok) return e;
                ulong compressed = ip - dataStart;
                if (hasIn && compressed != declaredIn) return DecompressError.Corrupt;
                if (hasOut && op - outStart != declaredOut) return DecompressError.Corrupt;
                while ((ip & 3) != 0)
                {
                    if (ip >= srcLen) return DecompressError.InputTruncated;
                    if (src[ip++] != 0) return DecompressError.Corrupt;
                }
                if (bcj) BcjX86.Decode(dst + outStart, op - outStart, (uint)bcjStart);
                if ((ulong)checkSize > srcLen - ip) return DecompressError.InputTruncated;
                if (check == CheckCrc32 && Crc.Crc32(crc32, 0, dst + outStart, op - outStart) != *(uint*)(src + ip)) return DecompressError.Corrupt;
                if (check == CheckCrc64 && Crc.Crc64(crc64, 0, dst + outStart, op - outStart) != *(ulong*)(src + ip)) return DecompressError.Corrupt;
                ip += (ulong)checkSize;
                blocks++;
                unpaddedSum += hdrSize + compressed + (ulong)checkSize;
                uncompressedSum += op - outStart;
            }
            ulong indexStart = ip;
            ip++;
            ulong records, u1 = 0, u2 = 0;
            if (!Vli(src, srcLen, ref ip, out records)) return ip >= srcLen ? DecompressError.InputTruncated : DecompressError.Corrupt;
            if (records != blocks) return DecompressError.Corrupt;
            for (ulong r = 0; r < records; r++)
            {
                ulong unpadded, uncompressed;
                if (!Vli(src, srcLen, ref ip, out unpadded) || !Vli(src, srcLen, ref ip, out uncompressed))
                    return ip >= srcLen ? DecompressError.InputTruncated : DecompressError.Corrupt;
                u1 += unpadded; u2 += uncompressed;
            }
            if (u1 != unpaddedSum || u2 != uncompressedSum) return DecompressError.Corrupt;
            while ((ip & 3) != 0)
            {
                if (ip >= srcLen) return DecompressError.InputTruncated;
                if (src[ip++] != 0) return DecompressError.Corrupt;
            }
            if (srcLen - ip < 4 + FooterSize) return DecompressError.InputTruncated;
            if (Crc.Crc32(crc32, 0, src + indexStart, ip - indexStart) != *(uint*)(src + ip)) return DecompressError.Corrupt;
            ip += 4;
            byte* f = src + ip;
            if (f[10] != 0x59 || f[11] != 0x5a) return DecompressError.Corrupt;
            if (Crc.Crc32(crc32, 0, f + 4, 6) != *(uint*)f) return DecompressError.Corrupt;
            if (f[8] != src[6] || f[9] != src[7]) return DecompressError.Corrupt;
            if (((ulong)*(uint*)(f + 4) + 1) * 4 != ip - indexStart) return DecompressError.Corrupt;
            ip += FooterSize;
            while (ip < srcLen) if (src[ip++] != 0) return DecompressError.Corrupt;   // stream padding
            outLen = op;
            return DecompressError.Ok;
        }

        /// <summary>Block header fields (section 3.1): flags, optional sizes, then the filter chain:
        /// optionally x86 BCJ (no properties, or a 4-byte start offset), then LZMA2 (1 property byte).</summary>
        static DecompressError BlockHeader(byte* h, ulong n, out bool hasIn, out ulong inSize, out bool hasOut, out ulong outSize,
                                           out bool bcj, out ulong bcjStart)
        {
            inSize = outSize = bcjStart = 0;
            bcj = false;
            byte flags = h[1];
            hasIn = (flags & 0x40) != 0; hasOut = (flags & 0x80) != 0;
            if ((flags & 0x3C) != 0) return DecompressError.Corrupt;
            int filters = (flags & 3) + 1;
            ulong i = 2;
            if (hasIn && (!Vli(h, n, ref i, out inSize) || inSize == 0)) return DecompressError.Corrupt;
            if (hasOut && !Vli(h, n, ref i, out outSize)) return DecompressError.Corrupt;
            for (int k = 0; k < filters; k++)
            {
                ulong id, psize;
                if (!Vli(h, n, ref i, out id) || !Vli(h, n, ref i, out psize) || psize > n - i) return DecompressError.Corrupt;
                bool last = k == filters - 1;
                if (id == FilterX86 && !last && k == 0 && filters == 2)
                {
                    bcj = true;
                    if (psize == 4) bcjStart = *(uint*)(h + i);
                    else if (psize != 0) return DecompressError.Corrupt;
                }
                else if (id == FilterLzma2 && last)
                {
                    if (psize != 1 || (h[i] & 0xC0) != 0 || h[i] > 40) return DecompressError.Corrupt;
                }
                else return DecompressError.UnsupportedFormat;
                i += psize;
            }
            while (i < n) if (h[i++] != 0) return DecompressError.Corrupt;
            return DecompressError.Ok;
        }

        /// <summary>LZMA2 chunks (section 5.3.2 and liblzma's lzma2_decoder.c's documented layout) until
        /// the end byte 0x00; output appended at dst[op].</summary>
        static DecompressError Lzma2(byte* src, ulong srcLen, ref ulong ip, byte* dst, ulong dstCap, ref ulong op, byte* work)
        {
            LzmaState s = default;
            ushort* probs = (ushort*)(work + ProbsAt);
            ulong dictStart = op;
            bool needDictReset = true, needProps = true;
            while (true)
            {
                if (ip >= srcLen) return DecompressError.InputTruncated;
                byte c = src[ip++];
                if (c == 0) return DecompressError.Ok;
                if (c < 0x80)
                {
                    if (c > 2) return DecompressError.Corrupt;
                    if (c == 1) { dictStart = op; needDictReset = false; }
                    else if (needDictReset) return DecompressError.Corrupt;
                    if (srcLen - ip < 2) return DecompressError.InputTruncated;
                    ulong size = ((ulong)src[ip] << 8 | src[ip + 1]) + 1;
                    ip += 2;
                    if (size > srcLen - ip) return DecompressError.InputTruncated;
                    if (size > dstCap - op) return DecompressError.OutputTooLarge;
                    Lz4Legacy.Copy(dst + op, src + ip, size);
                    ip += size; op += size;
                    continue;
                }
                if (srcLen - ip < 4) return DecompressError.InputTruncated;
                ulong outSize = ((ulong)(c & 0x1F) << 16 | (ulong)src[ip] << 8 | src[ip + 1]) + 1;
                ulong inSize = ((ulong)src[ip + 2] << 8 | src[ip + 3]) + 1;
                ip += 4;
                int reset = (c >> 5) & 3;
                if (reset == 3) { dictStart = op; needDictReset = false; }
                else if (needDictReset) return DecompressError.Corrupt;
                if (reset >= 2)
                {
                    if (ip >= srcLen) return DecompressError.InputTruncated;
                    if (!Lzma.SetProps(ref s, src[ip++])) return DecompressError.Corrupt;
                    needProps = false;
                }
                else if (needProps) return DecompressError.Corrupt;
                if (reset >= 1) Lzma.Reset(ref s, probs);
                if (inSize > srcLen - ip) return DecompressError.InputTruncated;
                if (outSize > dstCap - op) return DecompressError.OutputTooLarge;
                DecompressError e = Lzma.DecodeChunk(ref s, probs, src + ip, inSize, dst, dictStart, op, op + outSize);
                if (e != DecompressError.Ok) return e;
                ip += inSize; op += outSize;
            }
        }
    }
}
