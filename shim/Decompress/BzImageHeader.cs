namespace Microxen.Decompress
{
    /// <summary>The compression of a bzImage payload, from its first bytes (Linux scripts/Makefile.lib
    /// cmd_gzip ... cmd_zstd22, lib/decompress.c's magic table).</summary>
    /// <summary>Elf: an uncompressed payload (CONFIG_KERNEL_UNCOMPRESSED) that is the ELF itself.</summary>
    public enum PayloadFormat { Unknown = 0, Gzip, Bzip2, Lzma, Xz, Lzo, Lz4, Zstd, Elf }

    /// <summary>
    /// The Linux x86 boot protocol setup header (Documentation/arch/x86/boot.rst): the one place for
    /// its offsets and magic numbers, used by the shim and by tools/BzImage. The compressed payload
    /// starts at file offset (setup_sects+1)*512 + payload_offset, is payload_length bytes long, and
    /// its last 4 bytes are the little-endian decompressed size (scripts/Makefile.lib size_append).
    /// </summary>
    public unsafe struct BzImageHeader
    {
        /// <summary>Offset of setup_sects (u8; 0 means 4).</summary>
        public const int SetupSectsOffset = 0x1f1;
        /// <summary>Offset of the "HdrS" magic (u32 0x53726448).</summary>
        public const int MagicOffset = 0x202;
        public const uint Magic = 0x53726448;
        /// <summary>Offset of the boot protocol version (u16, major.minor).</summary>
        public const int VersionOffset = 0x206;
        /// <summary>Offsets of payload_offset and payload_length (u32 each, protocol 2.08+).</summary>
        public const int PayloadOffsetOffset = 0x248, PayloadLengthOffset = 0x24c;
        /// <summary>First boot protocol with the payload fields.</summary>
        public const ushort MinVersion = 0x208;
        /// <summary>Bytes the header needs: through payload_length.</summary>
        public const int MinSize = 0x250;
        /// <summary>The setup_sects value a 0 stands for.</summary>
        public const int DefaultSetupSects = 4;
        public const int SectorSize = 512;
        /// <summary>The trailing decompressed-size word of the payload.</summary>
        public const int SizeWordBytes = 4;

        public int SetupSects;
        public ushort Version;
        public ulong PayloadFileOffset;
        /// <summary>payload_length, size word included.</summary>
        public ulong PayloadLength;
        /// <summary>The decompressed size the size word declares.</summary>
        public uint DecompressedSize;

        /// <summary>True when the image starts with a setup header ("HdrS" at 0x202): a bzImage, not an ELF.</summary>
        public static bool HasMagic(byte* f, ulong len) => len >= MinSize && *(uint*)(f + MagicOffset) == Magic;

        /// <summary>Reads the header. NotBzImage if no "HdrS", a protocol before 2.08, or a payload too
        /// short for a stream and its size word; Truncated if the file ends inside the payload.</summary>
        public static DecompressError Parse(byte* f, ulong len, out BzImageHeader h)
        {
            h = default;
            if (!HasMagic(f, len)) return DecompressError.NotBzImage;
            h.Version = *(ushort*)(f + VersionOffset);
            if (h.Version < MinVersion) return DecompressError.NotBzImage;
            h.SetupSects = f[SetupSectsOffset] == 0 ? DefaultSetupSects : f[SetupSectsOffset];
            uint po = *(uint*)(f + PayloadOffsetOffset);
            uint pl = *(uint*)(f + PayloadLengthOffset);
            h.PayloadFileOffset = (ulong)(h.SetupSects + 1) * SectorSize + po;
            h.PayloadLength = pl;
            if (pl <= SizeWordBytes) return DecompressError.NotBzImage;
            if (h.PayloadFileOffset + h.PayloadLength > len) return DecompressError.Truncated;
            h.DecompressedSize = *(uint*)(f + h.PayloadFileOffset + pl - SizeWordBytes);
            return DecompressError.Ok;
        }

        /// <summary>The format whose magic starts the stream (the bytes lib/decompress.c matches).</summary>
        public static PayloadFormat Detect(byte* p, ulong len)
        {
            if (len >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 0x08) return PayloadFormat.Gzip;
            if (len >= 3 && p[0] == 0x42 && p[1] == 0x5a && p[2] == 0x68) return PayloadFormat.Bzip2;
            if (len >= 2 && p[0] == 0x5d && p[1] == 0x00) return PayloadFormat.Lzma;
            if (len >= 6 && p[0] == 0xfd && p[1] == 0x37 && p[2] == 0x7a && p[3] == 0x58 && p[4] == 0x5a && p[5] == 0x00) return PayloadFormat.Xz;
            if (len >= 4 && p[0] == 0x89 && p[1] == 0x4c && p[2] == 0x5a && p[3] == 0x4f) return PayloadFormat.Lzo;
            if (len >= 4 && *(uint*)p == Lz4Legacy.Magic) return PayloadFormat.Lz4;
            if (len >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) return PayloadFormat.Zstd;
            if (len >= 4 && p[0] == 0x7f && p[1] == (byte)'E' && p[2] == (byte)'L' && p[3] == (byte)'F') return PayloadFormat.Elf;
            return PayloadFormat.Unknown;
        }

        public static string FormatName(PayloadFormat f)
        {
            switch (f)
            {
                case PayloadFormat.Gzip: return "gzip";
                case PayloadFormat.Bzip2: return "bzip2";
                case PayloadFormat.Lzma: return "lzma";
                case PayloadFormat.Xz: return "xz";
                case PayloadFormat.Lzo: return "lzo";
                case PayloadFormat.Lz4: return "lz4";
                case PayloadFormat.Zstd: return "zstd";
                case PayloadFormat.Elf: return "uncompressed ELF";
                default: return "unknown";
            }
        }
    }
}
