using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace Microxen.Tools.BzImage
{
    /// <summary>Exit codes of the tool, one per kind of failure.</summary>
    public enum ExitCode
    {
        Ok = 0,
        Usage = 1,
        InputMissing = 2,
        NotBzImage = 3,
        UnsupportedCompression = 4,
        DecompressionFailed = 5,
        NotElf = 6,
        WriteFailed = 7,
    }

    /// <summary>
    /// Extracts the kernel ELF from a Linux x86 bzImage (Documentation/arch/x86/boot.rst): the
    /// compressed payload starts at file offset (setup_sects+1)*512 + payload_offset and is
    /// payload_length bytes long. Debian compresses it with XZ, decompressed here by xz-utils
    /// (`xz -dc --single-stream`: it stops at the end of the first stream and ignores the
    /// trailing size word).
    /// </summary>
    public static class Extractor
    {
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
                Console.Error.WriteLine("usage: BzImage IN.bzImage OUT.elf");
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

            if (!ParseHeader(image, out Header h, out string why))
            {
                message = $"{input}: not a bzImage: {why}";
                return ExitCode.NotBzImage;
            }
            var payload = new ReadOnlySpan<byte>(image, (int)h.PayloadFileOffset, (int)h.PayloadLength);
            string comp = DetectCompression(payload);
            if (comp != "xz")
            {
                message = $"{input}: unsupported payload compression: {comp} (only xz is supported)";
                return ExitCode.UnsupportedCompression;
            }

            byte[] elf;
            if (!XzDecompress(payload.ToArray(), out elf, out string xzErr))
            {
                message = $"{input}: xz decompression failed: {xzErr}";
                return ExitCode.DecompressionFailed;
            }
            if (elf.Length < 4 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            {
                message = $"{input}: decompressed payload ({elf.Length} bytes) is not an ELF file";
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
            message = $"{input}: boot protocol {h.Version >> 8}.{h.Version & 0xff:D2}, setup_sects {h.SetupSects}, " +
                      $"xz payload {h.PayloadLength} bytes at 0x{h.PayloadFileOffset:x}; wrote {output} ({elf.Length} bytes ELF)";
            return ExitCode.Ok;
        }

        /// <summary>Reads the boot protocol header; false (with the reason) if this is no bzImage
        /// with payload fields (protocol 2.08+) or the payload lies outside the file.</summary>
        public static bool ParseHeader(byte[] f, out Header h, out string why)
        {
            h = default;
            if (f.Length < 0x250) { why = $"file too small ({f.Length} bytes)"; return false; }
            if (f[0x202] != (byte)'H' || f[0x203] != (byte)'d' || f[0x204] != (byte)'r' || f[0x205] != (byte)'S')
            { why = "no \"HdrS\" magic at 0x202"; return false; }
            h.Version = (ushort)(f[0x206] | (f[0x207] << 8));
            if (h.Version < 0x208)
            { why = $"boot protocol {h.Version >> 8}.{h.Version & 0xff:D2} has no payload fields (2.08+ needed)"; return false; }
            h.SetupSects = f[0x1f1] == 0 ? 4 : f[0x1f1];
            uint payloadOffset = BitConverter.ToUInt32(f, 0x248);
            uint payloadLength = BitConverter.ToUInt32(f, 0x24c);
            h.PayloadFileOffset = (h.SetupSects + 1) * 512L + payloadOffset;
            h.PayloadLength = payloadLength;
            if (payloadLength == 0 || h.PayloadFileOffset + h.PayloadLength > f.Length)
            {
                why = $"payload (0x{payloadLength:x} bytes at 0x{h.PayloadFileOffset:x}) lies outside the file ({f.Length} bytes)";
                return false;
            }
            why = null;
            return true;
        }

        /// <summary>Names the compression of a kernel payload by its magic bytes.</summary>
        public static string DetectCompression(ReadOnlySpan<byte> p)
        {
            if (Starts(p, 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return "xz";
            if (Starts(p, 0x1f, 0x8b)) return "gzip";
            if (Starts(p, 0x42, 0x5a, 0x68)) return "bzip2";
            if (Starts(p, 0x5d, 0x00, 0x00)) return "lzma";
            if (Starts(p, 0x89, 0x4c, 0x5a, 0x4f)) return "lzo";
            if (Starts(p, 0x02, 0x21, 0x4c, 0x18)) return "lz4";
            if (Starts(p, 0x28, 0xb5, 0x2f, 0xfd)) return "zstd";
            if (Starts(p, 0x7f, 0x45, 0x4c, 0x46)) return "none (uncompressed ELF)";
            string head = p.Length >= 4 ? $"{p[0]:x2} {p[1]:x2} {p[2]:x2} {p[3]:x2}" : "too short";
            return $"unknown (magic {head})";
        }

        static bool Starts(ReadOnlySpan<byte> p, params byte[] m)
        {
            return p.Length >= m.Length && p.Slice(0, m.Length).SequenceEqual(m);
        }

        /// <summary>Decompresses one XZ stream with xz-utils, ignoring trailing bytes.</summary>
        public static bool XzDecompress(byte[] input, out byte[] output, out string error)
        {
            output = null;
            var psi = new ProcessStartInfo("xz", "-dc --single-stream")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            Process p;
            try
            {
                p = Process.Start(psi);
                if (p == null) { error = "cannot start xz"; return false; }
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                error = $"cannot run xz (install xz-utils): {e.Message}";
                return false;
            }
            using (p)
            {
                var stderrTask = p.StandardError.ReadToEndAsync();
                var writer = Task.Run(() =>
                {
                    try
                    {
                        p.StandardInput.BaseStream.Write(input, 0, input.Length);
                        p.StandardInput.Close();
                    }
                    catch (IOException) { /* xz stopped reading (end of stream or error) */ }
                });
                var ms = new MemoryStream();
                p.StandardOutput.BaseStream.CopyTo(ms);
                p.WaitForExit();
                writer.Wait();
                string err = stderrTask.Result.Trim();
                if (p.ExitCode != 0)
                {
                    error = $"xz exited with {p.ExitCode}" + (err.Length > 0 ? ": " + err.Replace('\n', ' ') : "");
                    return false;
                }
                output = ms.ToArray();
                error = null;
                return true;
            }
        }
    }
}
