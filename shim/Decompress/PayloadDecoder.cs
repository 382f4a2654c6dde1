namespace Microxen.Decompress
{
    /// <summary>Decodes a bzImage payload stream by its format (<see cref="BzImageHeader.Detect"/>).
    /// Work memory: <see cref="WorkBytes"/> bytes the caller provides (no allocation here).</summary>
    public static unsafe class PayloadDecoder
    {
        /// <summary>The most work memory any format needs.</summary>
        public const int WorkBytes = LzmaAlone.MaxWorkBytes;

        /// <summary>The work memory the stream src[0..len) of format f needs (0 for lz4, which needs none).</summary>
        public static int WorkBytesFor(PayloadFormat f, byte* src, ulong len)
        {
            if (f == PayloadFormat.Lzma) return LzmaAlone.WorkBytesFor(src, len);
            if (f == PayloadFormat.Xz) return Xz.WorkBytes;
            if (f == PayloadFormat.Gzip) return Inflate.WorkBytes;
            if (f == PayloadFormat.Zstd) return Zstd.WorkBytes;
            if (f == PayloadFormat.Bzip2) return Bzip2.WorkBytes;
            if (f == PayloadFormat.Lzo) return Lzo.WorkBytes;
            return 0;
        }

        /// <summary>True for the formats decoded here: every one Xen 4.17's xen/common/decompress.c takes.</summary>
        public static bool Supported(PayloadFormat f) => f == PayloadFormat.Xz || f == PayloadFormat.Gzip || f == PayloadFormat.Lz4 || f == PayloadFormat.Zstd ||
            f == PayloadFormat.Lzma || f == PayloadFormat.Bzip2 || f == PayloadFormat.Lzo;

        public static DecompressError Decode(PayloadFormat f, byte* src, ulong srcLen, byte* dst, ulong dstCap, byte* work, out ulong outLen)
        {
            outLen = 0;
            if (f == PayloadFormat.Xz) return Xz.Decode(src, srcLen, dst, dstCap, work, out outLen);
            if (f == PayloadFormat.Gzip) return Inflate.Gzip(src, srcLen, dst, dstCap, work, out outLen);
            if (f == PayloadFormat.Lz4) return Lz4Legacy.Decode(src, srcLen, dst, dstCap, out outLen);
            if (f == PayloadFormat.Zstd) return Zstd.Decode(src, srcLen, dst, dstCap, work, out outLen);
            if (f == PayloadFormat.Lzma) return LzmaAlone.Decode(src, srcLen, dst, dstCap, work, out outLen);
            if (f == PayloadFormat.Bzip2) return Bzip2.Decode(src, srcLen, dst, dstCap, work, out outLen);
            if (f == PayloadFormat.Lzo) return Lzo.Decode(src, srcLen, dst, dstCap, work, out outLen);
            return f == PayloadFormat.Unknown ? DecompressError.UnknownFormat : DecompressError.UnsupportedFormat;
        }

        /// <summary>The whole bzImage: header, format, payload, and the size word checked against the output.
        /// dstCap must be at least the header's DecompressedSize (read it with <see cref="BzImageHeader.Parse"/> first).</summary>
        public static DecompressError DecodeBzImage(byte* image, ulong len, byte* dst, ulong dstCap, byte* work, out ulong outLen, out PayloadFormat format)
        {
            outLen = 0;
            format = PayloadFormat.Unknown;
            BzImageHeader h;
            DecompressError e = BzImageHeader.Parse(image, len, out h);
            if (e != DecompressError.Ok) return e;
            byte* stream = image + h.PayloadFileOffset;
            ulong streamLen = h.PayloadLength - BzImageHeader.SizeWordBytes;
            format = BzImageHeader.Detect(stream, streamLen);
            if (h.DecompressedSize > dstCap) return DecompressError.OutputTooLarge;
            e = Decode(format, stream, streamLen, dst, h.DecompressedSize, work, out outLen);
            if (e == DecompressError.OutputTooLarge) return DecompressError.SizeMismatch;    // more than the size word says
            if (e != DecompressError.Ok) return e;
            return outLen == h.DecompressedSize ? DecompressError.Ok : DecompressError.SizeMismatch;
        }
    }
}
