namespace Microxen.Decompress
{
    /// <summary>
    /// The LZMA-alone (.lzma) file Linux writes for CONFIG_KERNEL_LZMA (`lzma -9`, from a pipe): a
    /// 13-byte header (properties byte, 32-bit dictionary size, 64-bit uncompressed size, all ones
    /// when unknown), then one LZMA stream ending at the known size or, if unknown, at the end
    /// marker (the LZMA SDK's lzma.txt). Any lc/lp/pb is taken, as Linux's and Xen's unlzma do, the
    /// probabilities sized by lc + lp (<see cref="WorkBytesFor"/>). The whole output is the dictionary.
    /// </summary>
    public static unsafe class LzmaAlone
    {
        public const int HeaderSize = 13;
        public const int MaxWorkBytes = Lzma.MaxProbBytes;
        const ulong UnknownSize = ulong.MaxValue;

        /// <summary>The work memory the stream's properties byte asks for (the most if it is invalid).</summary>
        public static int WorkBytesFor(byte* src, ulong len)
        {
            LzmaState s = default;
            if (len == 0 || !Lzma.SetPropsAny(ref s, src[0])) return MaxWorkBytes;
            return Lzma.ProbBytesFor(s.Lc + s.Lp);
        }

        /// <summary>Decodes src[0..srcLen) into dst[0..dstCap). Ok with the output size; Corrupt
        /// (bad properties, a bad distance, a coder not finished at the end marker), InputTruncated,
        /// or OutputTooLarge. Bytes after the stream's end are not looked at (unlzma neither).</summary>
        public static DecompressError Decode(byte* src, ulong srcLen, byte* dst, ulong dstCap, byte* work, out ulong outLen)
        {
            outLen = 0;
            if (srcLen < HeaderSize) return DecompressError.InputTruncated;
            LzmaState s = default;
            if (!Lzma.SetPropsAny(ref s, src[0])) return DecompressError.Corrupt;
            ulong size = *(ulong*)(src + 5);
            bool unknown = size == UnknownSize;
            if (!unknown && size > dstCap) return DecompressError.OutputTooLarge;
            ushort* probs = (ushort*)work;
            Lzma.Reset(ref s, probs);
            ulong pos = 0, used;
            uint code;
            DecompressError e = Lzma.Decode(ref s, probs, src + HeaderSize, srcLen - HeaderSize, dst, 0, ref pos,
                                            unknown ? dstCap : size, unknown, out used, out code);
            if (e != DecompressError.Ok) return e;
            if (unknown && code != 0) return DecompressError.Corrupt;
            outLen = pos;
            return DecompressError.Ok;
        }
    }
}
