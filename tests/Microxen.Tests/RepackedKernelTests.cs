using System.Diagnostics;
using Microxen.Decompress;

namespace Microxen.Tests
{
    /// <summary>
    /// The cloud kernel's vmlinux compressed as Linux compresses a bzImage payload in each format
    /// Xen 4.17 decodes but Debian's own kernels do not use (scripts/Makefile.lib: cmd_zstd22,
    /// cmd_bzip2, cmd_lzma, cmd_lzo), cached under build/repacked (compressing takes seconds).
    /// </summary>
    public static class RepackedKernel
    {
        /// <summary>Format name, Debian tool and Linux's flags: zstd (Fedora's and Ubuntu's kernels) and
        /// lzo, cheap to compress; with MICROXEN_REPACK_ALL=1 (scripts/bench-repacked.sh) also lzma
        /// and bzip2, whose compression takes 20 and 8 s and whose decoding under TCG takes seconds.</summary>
        public static TheoryData<string, string, string> Formats
        {
            get
            {
                var d = new TheoryData<string, string, string>
                {
                    { "zstd", "zstd", "-22 --ultra -c" },
                    { "lzo", "lzop", "-9 -c" },
                };
                if (Environment.GetEnvironmentVariable("MICROXEN_REPACK_ALL") == "1")
                {
                    d.Add("lzma", "lzma", "-9 -c");
                    d.Add("bzip2", "bzip2", "-9 -c");
                }
                return d;
            }
        }

        static string Dir => Path.Combine(DebianKernel.RepoRoot, "build", "repacked");
        static readonly object Lock = new();

        /// <summary>The compressed stream (built once per machine).</summary>
        public static string Stream(string format, string tool, string args)
        {
            lock (Lock)
            {
                Directory.CreateDirectory(Dir);
                string path = Path.Combine(Dir, "vmlinux." + format);
                if (File.Exists(path)) return path;
                byte[] packed = DecompressTests.RunTool(tool, args, File.ReadAllBytes(CloudKernel.VmlinuxPath));
                File.WriteAllBytes(path + ".tmp", packed);
                File.Move(path + ".tmp", path, true);
                return path;
            }
        }

        /// <summary>A bzImage around the stream (the test's own setup header, BzImageTests.MakeBzImage).</summary>
        public static string BzImage(string format, string tool, string args)
        {
            string path = Path.Combine(Dir, "vmlinuz." + format);
            lock (Lock)
            {
                if (File.Exists(path)) return path;
                byte[] stream = File.ReadAllBytes(Stream(format, tool, args));
                uint size = (uint)new FileInfo(CloudKernel.VmlinuxPath).Length;
                File.WriteAllBytes(path + ".tmp", BzImageTests.MakeBzImage(stream, size));
                File.Move(path + ".tmp", path, true);
                return path;
            }
        }
    }

    public unsafe class RepackedKernelTests(ITestOutputHelper log)
    {
        /// <summary>The shim's decoder gives back the vmlinux byte for byte, from a bzImage around it.</summary>
        [Theory]
        [MemberData(nameof(RepackedKernel.Formats), MemberType = typeof(RepackedKernel))]
        public void DecodesTheRepackedCloudKernel(string format, string tool, string args)
        {
            byte[] want = File.ReadAllBytes(CloudKernel.VmlinuxPath);
            byte[] image = File.ReadAllBytes(RepackedKernel.BzImage(format, tool, args));
            var dst = new byte[want.Length];
            var work = new byte[PayloadDecoder.WorkBytes];
            ulong n;
            PayloadFormat f;
            DecompressError e;
            var sw = Stopwatch.StartNew();
            fixed (byte* p = image) fixed (byte* d = dst) fixed (byte* w = work)
                e = PayloadDecoder.DecodeBzImage(p, (ulong)image.Length, d, (ulong)dst.Length, w, out n, out f);
            log.WriteLine($"{format}: {image.Length} -> {n} bytes in {sw.ElapsedMilliseconds} ms (host)");
            Assert.Equal(DecompressError.Ok, e);
            Assert.Equal(format, BzImageHeader.FormatName(f));
            Assert.True(want.AsSpan().SequenceEqual(dst), "output differs from the vmlinux");
        }
    }
}
