using System;
using System.Diagnostics;
using System.IO;
using Microxen.Decompress;

namespace Microxen.Tools.BzImage
{
    /// <summary>Exit codes of the tool, one per kind of failure (listed in the usage text and README).</summary>
    public enum ExitCode
    {
        Ok = 0,
        /// <summary>Wrong arguments.</summary>
        Usage = 1,
        /// <summary>The input file is missing or unreadable.</summary>
        InputMissing = 2,
        /// <summary>No "HdrS" boot header, a boot protocol without payload fields (before 2.08), or a
        /// payload too short to hold a stream and its size word.</summary>
        NotBzImage = 3,
        /// <summary>The payload starts with no magic of a format Linux builds.</summary>
        UnsupportedCompression = 4,
        /// <summary>The decompressor rejected the stream (corrupt or cut short inside the payload), or its
        /// output size differs from the payload's trailing size word.</summary>
        DecompressionFailed = 5,
        /// <summary>The payload decompressed, but to something that is not an ELF file.</summary>
        NotElf = 6,
        /// <summary>The output file cannot be written.</summary>
        WriteFailed = 7,
        /// <summary>The file ends before the payload its header declares.</summary>
        Truncated = 8,
        /// <summary>The Debian tool that decompresses the payload's format is not installed.</summary>
        DecompressorMissing = 9,
    }

    /// <summary>One payload format of Linux's x86 bzImage (arch/x86/boot/compressed/Makefile,
    /// scripts/Makefile.lib cmd_gzip ... cmd_zstd22), recognised by its magic bytes as
    /// scripts/extract-vmlinux and lib/decompress.c do, and the Debian tool that decompresses it.</summary>
    public sealed class Format
    {
        /// <summary>The name <see cref="BzImageHeader.FormatName"/> gives the format (its magic is there).</summary>
        public readonly string Name;
        /// <summary>The command and its arguments: decompresses the file named after them to stdout.</summary>
        public readonly string Tool, Args;
        /// <summary>The Debian package that ships <see cref="Tool"/>.</summary>
        public readonly string Package;

        public Format(string name, string tool, string args, string package)
        {
            Name = name; Tool = tool; Args = args; Package = package;
        }

        public string Command => Tool + " " + Args;

        /// <summary>Every format Linux builds (CONFIG_KERNEL_GZIP ... CONFIG_KERNEL_ZSTD). lz4 is the
        /// "legacy" frame (Linux runs `lz4 -l`), which Debian's lz4 decodes; lzo is lzop's file format.</summary>
        public static readonly Format[] All =
        {
            new Format("gzip", "gzip", "-dc", "gzip"),
            new Format("bzip2", "bzip2", "-dc", "bzip2"),
            new Format("lzma", "xz", "-dc --format=lzma", "xz-utils"),
            new Format("xz", "xz", "-dc --format=xz --single-stream", "xz-utils"),
            new Format("lzo", "lzop", "-dc", "lzop"),
            new Format("lz4", "lz4", "-dc", "lz4"),
            new Format("zstd", "zstd", "-dc", "zstd"),
        };
    }

    /// <summary>
    /// Extracts the kernel ELF from a Linux x86 bzImage (Documentation/arch/x86/boot.rst): the
    /// compressed payload starts at file offset (setup_sects+1)*512 + payload_offset and is
    /// payload_length bytes long; its last 4 bytes are the little-endian size of the decompressed
    /// data (scripts/Makefile.lib size_append, read by arch/x86/boot/compressed/mkpiggy.c). The
    /// stream before them is decompressed by Debian's tool for its format (<see cref="Format.All"/>).
    /// </summary>
    public static class Extractor
    {
        const string UsageText =
            "usage: BzImage IN.bzImage OUT.elf\n" +
            "  Writes the ELF (vmlinux) inside a Linux x86 bzImage; the payload may be gzip, bzip2, lzma,\n" +
            "  xz, lzo, lz4 or zstd, decompressed by Debian's gzip, bzip2, xz, lzop, lz4 or zstd.\n" +
            "exit codes: 0 ok, 1 usage, 2 input missing or unreadable, 3 not a bzImage,\n" +
            "  4 unknown payload format, 5 decompression failed (corrupt stream or wrong size),\n" +
            "  6 payload is no ELF, 7 cannot write the output, 8 file truncated inside the payload,\n" +
            "  9 decompressor not installed";

        /// <summary>The trailing size word of the payload (size_append).</summary>
        public const int SizeWordBytes = BzImageHeader.SizeWordBytes;

        public struct Header
        {
            public int SetupSects;
            public ushort Version;
            public long PayloadFileOffset;
            public long PayloadLength;
        }

        public static int Main(string[] args)
        {
            if (args.Length != 2)
            {
                Console.Error.WriteLine(UsageText);
                return (int)ExitCode.Usage;
            }
            ExitCode rc = Run(args[0], args[1], out string message);
            if (rc == ExitCode.Ok) Console.WriteLine(message);
            else Console.Error.WriteLine("BzImage: error: " + message);
            return (int)rc;
        }

        public static ExitCode Run(string input, string output, out string message)
        {
            byte[] image;
            try
            {
                if (!File.Exists(input)) { message = $"{input}: file not found"; return ExitCode.InputMissing; }
                image = File.ReadAllBytes(input);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                message = $"{input}: cannot read: {e.Message}";
                return ExitCode.InputMissing;
            }

            ExitCode hrc = ParseHeader(image, out Header h, out string why);
            if (hrc != ExitCode.Ok)
            {
                message = hrc == ExitCode.Truncated ? $"{input}: truncated: {why}" : $"{input}: not a bzImage: {why}";
                return hrc;
            }
            int streamLength = (int)h.PayloadLength - SizeWordBytes;
            var stream = new ReadOnlySpan<byte>(image, (int)h.PayloadFileOffset, streamLength);
            uint sizeWord = BitConverter.ToUInt32(image, (int)(h.PayloadFileOffset + streamLength));
            Format fmt = DetectCompression(stream);
            if (fmt == null)
            {
                message = $"{input}: unknown payload format (magic {Hex(stream, 6)}; Linux builds gzip, bzip2, lzma, xz, lzo, lz4, zstd)";
                return ExitCode.UnsupportedCompression;
            }

            ExitCode drc = Decompress(fmt, stream.ToArray(), out byte[] elf, out string err);
            if (drc != ExitCode.Ok)
            {
                message = $"{input}: {fmt.Name} payload: {err}";
                return drc;
            }
            if (elf.Length != sizeWord)
            {
                message = $"{input}: {fmt.Name} payload: `{fmt.Command}` gave {elf.Length} bytes, the payload's size word says {sizeWord}";
                return ExitCode.DecompressionFailed;
            }
            if (elf.Length < 4 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            {
                message = $"{input}: {fmt.Name} payload decompressed to {elf.Length} bytes that are not an ELF file (magic {Hex(elf, 4)})";
                return ExitCode.NotElf;
            }
            try
            {
                File.WriteAllBytes(output, elf);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                message = $"{output}: cannot write: {e.Message}";
                return ExitCode.WriteFailed;
            }
            message = $"{input}: {fmt.Name} payload ({h.PayloadLength} bytes at 0x{h.PayloadFileOffset:x}, boot protocol " +
                      $"{h.Version >> 8}.{h.Version & 0xff:D2}, decompressed by `{fmt.Command}`); wrote {output} ({elf.Length} bytes, ELF)";
            return ExitCode.Ok;
        }

        /// <summary>Reads the boot protocol header. Ok; NotBzImage (with the reason) if this is no bzImage
        /// with payload fields (protocol 2.08+) or its payload cannot hold a stream and its size word;
        /// Truncated if the file ends before the payload does.</summary>
        public static unsafe ExitCode ParseHeader(byte[] f, out Header h, out string why)
        {
            h = default;
            BzImageHeader b;
            DecompressError e;
            fixed (byte* p = f) e = BzImageHeader.Parse(p, (ulong)f.Length, out b);
            h.SetupSects = b.SetupSects;
            h.Version = b.Version;
            h.PayloadFileOffset = (long)b.PayloadFileOffset;
            h.PayloadLength = (long)b.PayloadLength;
            why = null;
            if (e == DecompressError.Ok) return ExitCode.Ok;
            if (f.Length < BzImageHeader.MinSize) why = $"file too small ({f.Length} bytes)";
            else if (BitConverter.ToUInt32(f, BzImageHeader.MagicOffset) != BzImageHeader.Magic) why = $"no \"HdrS\" magic at 0x{BzImageHeader.MagicOffset:x}";
            else if (h.Version < BzImageHeader.MinVersion)
                why = $"boot protocol {h.Version >> 8}.{h.Version & 0xff:D2} has no payload fields ({BzImageHeader.MinVersion >> 8}.{BzImageHeader.MinVersion & 0xff:D2}+ needed)";
            else if (e == DecompressError.Truncated)
            {
                why = $"the payload ({h.PayloadLength} bytes at 0x{h.PayloadFileOffset:x}) ends {h.PayloadFileOffset + h.PayloadLength - f.Length} bytes past the end of the file ({f.Length} bytes)";
                return ExitCode.Truncated;
            }
            else why = $"payload_length {h.PayloadLength} leaves no room for a stream before the {SizeWordBytes}-byte size word";
            return ExitCode.NotBzImage;
        }

        /// <summary>The format whose magic starts the stream, or null.</summary>
        public static unsafe Format DetectCompression(ReadOnlySpan<byte> p)
        {
            PayloadFormat pf;
            fixed (byte* b = p) pf = BzImageHeader.Detect(b, (ulong)p.Length);
            string name = BzImageHeader.FormatName(pf);
            foreach (Format f in Format.All)
                if (f.Name == name) return f;
            return null;
        }

        static string Hex(ReadOnlySpan<byte> p, int n)
        {
            if (p.Length == 0) return "none: empty";
            var s = new System.Text.StringBuilder();
            for (int i = 0; i < n && i < p.Length; i++) s.Append(i == 0 ? "" : " ").Append(p[i].ToString("x2"));
            return s.ToString();
        }

        /// <summary>Runs the format's Debian tool on the stream (from a temporary file: lzop names a
        /// stream cut short only when it reads a file). Ok; DecompressorMissing if the tool is not
        /// installed; DecompressionFailed (with the first line of the tool's message) if it rejects the stream.</summary>
        public static ExitCode Decompress(Format fmt, byte[] input, out byte[] output, out string error)
        {
            output = null;
            DirectoryInfo tmp = Directory.CreateTempSubdirectory("BzImage-");
            try
            {
                string file = "payload." + fmt.Name; // relative: the tools' messages name it so
                File.WriteAllBytes(Path.Combine(tmp.FullName, file), input);
                var psi = new ProcessStartInfo(fmt.Tool, fmt.Args + " -- " + file)
                {
                    WorkingDirectory = tmp.FullName,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                Process p;
                try
                {
                    p = Process.Start(psi);
                    if (p == null) { error = $"cannot start {fmt.Tool}"; return ExitCode.DecompressorMissing; }
                }
                catch (System.ComponentModel.Win32Exception e)
                {
                    error = e.NativeErrorCode == 2 /* ENOENT */
                        ? $"{fmt.Tool} not found: install Debian's {fmt.Package} package"
                        : $"cannot run {fmt.Tool} (Debian's {fmt.Package} package): {e.Message}";
                    return ExitCode.DecompressorMissing;
                }
                using (p)
                {
                    var stderrTask = p.StandardError.ReadToEndAsync();
                    var ms = new MemoryStream();
                    p.StandardOutput.BaseStream.CopyTo(ms);
                    p.WaitForExit();
                    string err = stderrTask.Result.Trim();
                    int nl = err.IndexOf('\n');
                    if (nl >= 0) err = err.Substring(0, nl).Trim();
                    if (p.ExitCode != 0)
                    {
                        error = $"`{fmt.Command}` exited with {p.ExitCode}" + (err.Length > 0 ? ": " + err : "");
                        return ExitCode.DecompressionFailed;
                    }
                    output = ms.ToArray();
                    error = null;
                    return ExitCode.Ok;
                }
            }
            finally
            {
                try { tmp.Delete(true); } catch (IOException) { }
            }
        }
    }
}
