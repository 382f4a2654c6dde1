namespace Microxen.Decompress
{
    /// <summary>
    /// The lz4 "legacy" frame Linux builds its kernels with (`lz4 -l`; lz4's doc/lz4_Frame_format.md,
    /// "Legacy frame"): the magic 0x184C2102 (little-endian), then blocks, each a 4-byte little-endian
    /// compressed size and an lz4 block (doc/lz4_Block_format.md) of at most 8 MiB output. A size
    /// equal to the magic starts another legacy frame; the input's end ends the stream.
    /// </summary>
    public static unsafe class Lz4Legacy
    {
        public const uint Magic = 0x184C2102;
        /// <summary>The largest output of one legacy block (LEGACY_BLOCKSIZE, 8 MiB).</summary>
        public const uint MaxBlockOutput = 8u << 20;
        const int MinMatch = 4;

        /// <summary>Decodes the frame into dst[0..dstCap); Ok with the output size, Corrupt,
        /// InputTruncated, or OutputTooLarge.</summary>
        public static DecompressError Decode(byte* src, ulong srcLen, byte* dst, ulong dstCap, out ulong outLen)
        {
            outLen = 0;
            if (srcLen < 4 || *(uint*)src != Magic) return DecompressError.Corrupt;
            ulong ip = 4, op = 0;
            while (ip < srcLen)
            {
                if (srcLen - ip < 4) return DecompressError.InputTruncated;
                uint size = *(uint*)(src + ip);
                ip += 4;
                if (size == Magic) continue;
                if (size > srcLen - ip) return DecompressError.InputTruncated;
                ulong before = op;
                DecompressError e = Block(src + ip, size, dst, dstCap, ref op);
                if (e != DecompressError.Ok) return e;
                if (op - before > MaxBlockOutput) return DecompressError.Corrupt;
                ip += size;
            }
            outLen = op;
            return DecompressError.Ok;
        }

        /// <summary>One lz4 block: sequences of (token, literals, offset, match) until the input ends
        /// after a sequence's literals. Matches may reach back into earlier blocks (the whole output).</summary>
        public static DecompressError Block(byte* s, ulong n, byte* dst, ulong cap, ref ulong op)
        {
            ulong ip = 0;
            while (true)
            {
                if (ip >= n) return DecompressError.InputTruncated;
                uint token = s[ip++];
                ulong lit = token >> 4;
                if (lit == 15 && !MoreLength(s, n, ref ip, ref lit)) return DecompressError.InputTruncated;
                if (lit > n - ip) return DecompressError.InputTruncated;
                if (lit > cap - op) return DecompressError.OutputTooLarge;
                Copy(dst + op, s + ip, lit);
                ip += lit; op += lit;
                if (ip == n) return DecompressError.Ok;             // the last sequence has no match
                if (n - ip < 2) return DecompressError.InputTruncated;
                ulong dist = (ulong)(s[ip] | (s[ip + 1] << 8));
                ip += 2;
                if (dist == 0 || dist > op) return DecompressError.Corrupt;
                ulong len = token & 15;
                if (len == 15 && !MoreLength(s, n, ref ip, ref len)) return DecompressError.InputTruncated;
                len += MinMatch;
                if (len > cap - op) return DecompressError.OutputTooLarge;
                LzCopy(dst, op, dist, len);
                op += len;
            }
        }

        /// <summary>A length's extension bytes: each adds its value; 255 means another follows. False if the block ends first.</summary>
        static bool MoreLength(byte* s, ulong n, ref ulong ip, ref ulong len)
        {
            byte b;
            do
            {
                if (ip >= n) return false;
                b = s[ip++];
                len += b;
            } while (b == 255);
            return true;
        }

        /// <summary>Non-overlapping copy, 8 bytes at a time.</summary>
        public static void Copy(byte* d, byte* s, ulong n)
        {
            ulong i = 0;
            for (; i + 8 <= n; i += 8) *(ulong*)(d + i) = *(ulong*)(s + i);
            for (; i < n; i++) d[i] = s[i];
        }

        /// <summary>The LZ77 copy: <paramref name="len"/> bytes from <paramref name="dist"/> back
        /// (dist &lt;= pos); overlapping copies repeat the pattern, as the formats define.</summary>
        public static void LzCopy(byte* buf, ulong pos, ulong dist, ulong len)
        {
            byte* d = buf + pos;
            byte* s = d - dist;
            if (dist >= 8)
            {
                ulong i = 0;
                for (; i + 8 <= len; i += 8) *(ulong*)(d + i) = *(ulong*)(s + i);
                for (; i < len; i++) d[i] = s[i];
            }
            else
            {
                for (ulong i = 0; i < len; i++) d[i] = s[i];
            }
        }
    }
}
