namespace Microxen.Decompress
{
    /// <summary>Why a bzImage or its payload was refused (each maps to one <c>ExitCode</c> in the shim
    /// and one exit status in tools/BzImage).</summary>
    public enum DecompressError
    {
        Ok = 0,
        /// <summary>No "HdrS" at 0x202, a boot protocol before 2.08, or a payload too short for its size word.</summary>
        NotBzImage,
        /// <summary>The module ends before the payload its header declares.</summary>
        Truncated,
        /// <summary>The payload starts with no magic of a format the decoder knows.</summary>
        UnknownFormat,
        /// <summary>The format is known but the stream uses a feature no decoder here has (as Xen's own
        /// decoders lack it): a zstd dictionary, a randomised bzip2 block, an lzop filter, extra
        /// field or multipart file, an xz filter other than x86 BCJ, an lzop method other than LZO1X.</summary>
        UnsupportedFormat,
        /// <summary>The stream is corrupt: bad header, bad code, a distance before the start, a check mismatch.</summary>
        Corrupt,
        /// <summary>The stream ends before its end marker.</summary>
        InputTruncated,
        /// <summary>The output would be larger than the buffer (the size word, or the memory given).</summary>
        OutputTooLarge,
        /// <summary>The output size differs from the payload's trailing size word.</summary>
        SizeMismatch,
    }

    /// <summary>One-line descriptions of <see cref="DecompressError"/> (no allocation).</summary>
    public static class DecompressErrors
    {
        public static string Describe(DecompressError e)
        {
            switch (e)
            {
                case DecompressError.Ok: return "ok";
                case DecompressError.NotBzImage: return "not a bzImage (no HdrS setup header of boot protocol 2.08+, or no room for a payload)";
                case DecompressError.Truncated: return "the module ends before the payload its setup header declares";
                case DecompressError.UnknownFormat: return "the payload starts with no known compression magic (gzip, bzip2, lzma, xz, lzo, lz4, zstd)";
                case DecompressError.UnsupportedFormat: return "the payload's stream uses a feature microxen's decoders lack (zstd dictionary, randomised bzip2 block, lzop filter, xz filter other than x86 BCJ)";
                case DecompressError.Corrupt: return "the compressed stream is corrupt";
                case DecompressError.InputTruncated: return "the compressed stream is cut short";
                case DecompressError.OutputTooLarge: return "the decompressed kernel does not fit the memory given to it";
                case DecompressError.SizeMismatch: return "the decompressed size differs from the payload's size word";
                default: return "unknown error";
            }
        }
    }
}
