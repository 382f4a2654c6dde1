using System.Diagnostics;
using Microxen.Decompress;

namespace Microxen.Tests
{
    /// <summary>The shim's decompressors (shim/Decompress), host-compiled, against Debian's xz, gzip
    /// and lz4: small files of several shapes, the real kernels' bzImages, and bad input.</summary>
    public unsafe class DecompressTests
    {
        readonly ITestOutputHelper _out;
        public DecompressTests(ITestOutputHelper output) { _out = output; }

        internal static byte[] RunTool(string tool, string args, byte[] input)
        {
            var psi = new ProcessStartInfo(tool, args) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(psi);
            var err = p.StandardError.ReadToEndAsync();
            var writer = Task.Run(() => { p.StandardInput.BaseStream.Write(input); p.StandardInput.Close(); });
            var ms = new MemoryStream();
            p.StandardOutput.BaseStream.CopyTo(ms);
            writer.Wait();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"{tool} {args}: {err.Result}");
            return ms.ToArray();
        }

        /// <summary>Decodes with the shim's code; the output buffer is exactly <paramref name="cap"/> bytes.</summary>
        internal static DecompressError Decode(PayloadFormat f, byte[] src, int cap, out byte[] output)
        {
            var dst = new byte[Math.Max(cap, 1)];
            var work = new byte[PayloadDecoder.WorkBytes];
            ulong n;
            DecompressError e;
            fixed (byte* s = src) fixed (byte* d = dst) fixed (byte* w = work)
                e = PayloadDecoder.Decode(f, s, (ulong)src.Length, d, (ulong)cap, w, out n);
            output = dst.AsSpan(0, (int)n).ToArray();
            return e;
        }

        /// <summary>Inputs: empty, one byte, text, random (incompressible), x86 code (a file from /usr/bin), long runs.</summary>
        public static byte[][] Samples()
        {
            var rnd = new Random(12);
            var random = new byte[300_000]; rnd.NextBytes(random);
            var text = System.Text.Encoding.ASCII.GetBytes(string.Join("\n", Enumerable.Range(0, 20000).Select(i => $"line {i} of the sample {i * 7 % 13}")));
            var runs = new byte[1 << 20];
            for (int i = 0; i < runs.Length; i++) runs[i] = (byte)(i / 4096 % 3);
            byte[] code = File.ReadAllBytes("/usr/bin/xz");
            return new[] { Array.Empty<byte>(), new byte[] { 42 }, text, random, code, runs };
        }

        public static readonly TheoryData<string, string, PayloadFormat> Tools = new()
        {
            { "xz", "--format=xz --check=crc32 --x86 --lzma2=dict=32MiB -c", PayloadFormat.Xz },
            { "xz", "--format=xz --check=crc64 -0 -c", PayloadFormat.Xz },
            { "xz", "--format=xz --check=none -9e -c", PayloadFormat.Xz },
            { "xz", "--format=xz --check=crc32 --block-size=100000 -6 -c", PayloadFormat.Xz },
            { "gzip", "-n -9 -c", PayloadFormat.Gzip },
            { "gzip", "-1 -c", PayloadFormat.Gzip },
            { "lz4", "-l -9 -c", PayloadFormat.Lz4 },
            { "lz4", "-l -1 -c", PayloadFormat.Lz4 },
            { "zstd", "-22 --ultra -c", PayloadFormat.Zstd },
            { "lzma", "-9 -c", PayloadFormat.Lzma },
            { "bzip2", "-9 -c", PayloadFormat.Bzip2 },
            { "bzip2", "-1 -c", PayloadFormat.Bzip2 },
            { "lzop", "-9 -c", PayloadFormat.Lzo },
            { "lzop", "-1 -c", PayloadFormat.Lzo },
            { "lzop", "-3 --crc32 -c", PayloadFormat.Lzo },
            { "xz", "--format=lzma --lzma1=dict=64KiB,mode=fast,mf=hc4 -c", PayloadFormat.Lzma },
            { "xz", "--format=lzma -0 -c", PayloadFormat.Lzma },
            { "zstd", "-3 -c", PayloadFormat.Zstd },
            { "zstd", "-1 --no-check -c", PayloadFormat.Zstd },
            { "zstd", "-19 --no-content-size -c", PayloadFormat.Zstd },
        };

        [Theory]
        [MemberData(nameof(Tools))]
        public void DecodesWhatDebiansToolWrote(string tool, string args, PayloadFormat format)
        {
            foreach (byte[] sample in Samples())
            {
                byte[] packed = RunTool(tool, args, sample);
                fixed (byte* p = packed) Assert.Equal(format, BzImageHeader.Detect(p, (ulong)packed.Length));
                DecompressError e = Decode(format, packed, sample.Length, out byte[] got);
                Assert.Equal(DecompressError.Ok, e);
                Assert.True(sample.AsSpan().SequenceEqual(got), $"{tool} {args}: {sample.Length} bytes differ");
                if (sample.Length > 0)
                    Assert.Equal(DecompressError.OutputTooLarge, Decode(format, packed, sample.Length - 1, out _));
            }
        }
            /// <summary>The bzImages of Debian's kernels (xz) and cloud kernel (lz4): the shim's decoder
        /// gives what Debian's tool gives, and the size word's length.</summary>
        [Theory]
        [InlineData("debian", "xz", "-dc")]
        [InlineData("cloud", "lz4", "-dc")]
        public void DecodesRealKernels(string dir, string tool, string args)
        {
            string root = Path.Combine(DebianKernel.RepoRoot, "build", dir, "boot");
            string vmlinuz = Directory.Exists(root) ? Directory.GetFiles(root, "vmlinuz-*").FirstOrDefault() : null;
            Assert.True(vmlinuz != null, $"no vmlinuz in {root}: run make kernel / cloud-kernel");
            byte[] image = File.ReadAllBytes(vmlinuz);
            BzImageHeader h;
            fixed (byte* p = image) Assert.Equal(DecompressError.Ok, BzImageHeader.Parse(p, (ulong)image.Length, out h));
            byte[] stream = image.AsSpan((int)h.PayloadFileOffset, (int)h.PayloadLength - BzImageHeader.SizeWordBytes).ToArray();
            byte[] want = RunTool(tool, args, stream);
            var dst = new byte[h.DecompressedSize];
            var work = new byte[PayloadDecoder.WorkBytes];
            ulong n;
            PayloadFormat f;
            var sw = Stopwatch.StartNew();
            DecompressError e;
            fixed (byte* p = image) fixed (byte* d = dst) fixed (byte* w = work)
                e = PayloadDecoder.DecodeBzImage(p, (ulong)image.Length, d, (ulong)dst.Length, w, out n, out f);
            _out.WriteLine($"{Path.GetFileName(vmlinuz)}: {BzImageHeader.FormatName(f)}, {stream.Length} -> {n} bytes in {sw.ElapsedMilliseconds} ms (host)");
            Assert.Equal(DecompressError.Ok, e);
            Assert.Equal((ulong)want.Length, n);
            Assert.True(want.AsSpan().SequenceEqual(dst), "output differs from " + tool);
        }

        /// <summary>Bad streams: cut short anywhere, a flipped byte, an unknown or undecoded magic.</summary>
        [Theory]
        [MemberData(nameof(Tools))]
        public void RefusesCutAndCorruptStreams(string tool, string args, PayloadFormat format)
        {
            byte[] sample = Samples()[2];
            byte[] packed = RunTool(tool, args, sample);
            foreach (int cut in new[] { 1, 7, packed.Length / 2, packed.Length - 5, packed.Length - 1 })
            {
                DecompressError e = Decode(format, packed.AsSpan(0, cut).ToArray(), sample.Length, out _);
                Assert.True(e == DecompressError.InputTruncated || e == DecompressError.Corrupt, $"cut at {cut}: {e}");
            }
            int flipped = 0;
            for (int at = 0; at < packed.Length; at += Math.Max(1, packed.Length / 40))
            {
                byte[] bad = (byte[])packed.Clone();
                bad[at] ^= 0x55;
                DecompressError e = Decode(format, bad, sample.Length, out byte[] got);
                if (e != DecompressError.Ok) flipped++;
                else Assert.False(format == PayloadFormat.Lz4 && got.AsSpan().SequenceEqual(sample) && at > 8, "ignored a flip");
            }
            // xz and gzip carry checks: every flip is refused. lz4's legacy frame has none.
            if (format != PayloadFormat.Lz4 && !args.Contains("check=none") && !args.Contains("no-check") && format != PayloadFormat.Lzma) Assert.True(flipped >= 40, $"{flipped} flips refused");
        }

        [Fact]
        public void DecoderStateFitsItsRoomInWorkMemory()
        {
            Assert.True(sizeof(ZstdWork) <= Zstd.StateBytes, $"ZstdWork is {sizeof(ZstdWork)} bytes");
            Assert.True(sizeof(Bzip2Work) <= Bzip2.BlockAt, $"Bzip2Work is {sizeof(Bzip2Work)} bytes");
            Assert.Equal(PayloadDecoder.WorkBytes, new[] { Xz.WorkBytes, Inflate.WorkBytes, Zstd.WorkBytes, LzmaAlone.MaxWorkBytes, Bzip2.WorkBytes, Lzo.WorkBytes }.Max());
        }

        [Fact]
        public void UnknownAndUndecodedMagics()
        {
            Assert.Equal(DecompressError.UnknownFormat, Decode(PayloadFormat.Unknown, new byte[] { 1, 2, 3, 4 }, 10, out _));
            // A zstd frame of one raw block "abc" (single segment, content size 3); with a dictionary ID, refused.
            byte[] plain = { 0x28, 0xb5, 0x2f, 0xfd, 0x20, 3, 0x19, 0, 0, (byte)'a', (byte)'b', (byte)'c' };
            Assert.Equal(DecompressError.Ok, Decode(PayloadFormat.Zstd, plain, 3, out byte[] abc));
            Assert.Equal("abc", System.Text.Encoding.ASCII.GetString(abc));
            byte[] dict = { 0x28, 0xb5, 0x2f, 0xfd, 0x21, 5, 3, 0x19, 0, 0, (byte)'a', (byte)'b', (byte)'c' };
            Assert.Equal(DecompressError.UnsupportedFormat, Decode(PayloadFormat.Zstd, dict, 3, out _));
            // A bzip2 block with the randomised bit (bzip2 before 0.9.5), refused as unbunzip2 does.
            byte[] bz = RunTool("bzip2", "-c", new byte[] { 1, 2, 3 });
            bz[4 + 10] |= 0x80;                    // the bit after the 48-bit magic and the 32-bit CRC
            Assert.Equal(DecompressError.UnsupportedFormat, Decode(PayloadFormat.Bzip2, bz, 10, out _));
        }
    }
}
