using System.Text;

namespace Microxen.Tests
{
    /// <summary>tools/BzImage, run as a program (its exit codes are its interface).</summary>
    public class BzImageTests : IDisposable
    {
        // tools/BzImage ExitCode values
        const int Ok = 0, Usage = 1, InputMissing = 2, NotBzImage = 3, UnsupportedCompression = 4, DecompressionFailed = 5,
                  NotElf = 6, Truncated = 8, DecompressorMissing = 9;

        readonly ITestOutputHelper _out;
        readonly string _dir;

        public BzImageTests(ITestOutputHelper output)
        {
            _out = output;
            _dir = Path.Combine(Path.GetTempPath(), "microxen-bztest-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_dir);
        }

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        /// <summary>A bzImage as Linux's x86 build lays it out: boot sector + setup (setupSects sectors),
        /// "HdrS" protocol 2.15, the payload at payloadOffset inside the protected-mode part. The payload is
        /// the compressed stream followed by the 4-byte size of the data it holds (scripts/Makefile.lib
        /// size_append; payload_length counts it, as mkpiggy does), then some bytes that are no payload.</summary>
        internal static byte[] MakeBzImage(byte[] stream, uint dataSize, byte setupSects = 0, uint payloadOffset = 0x3cc)
        {
            int sects = setupSects == 0 ? 4 : setupSects;
            int start = (sects + 1) * 512 + (int)payloadOffset;
            var f = new byte[start + stream.Length + 4 + 100];
            f[0x1f1] = setupSects;
            f[0x1fe] = 0x55; f[0x1ff] = 0xaa;
            Encoding.ASCII.GetBytes("HdrS").CopyTo(f, 0x202);
            TestElf.W16(f, 0x206, 0x020f);
            TestElf.W32(f, 0x248, payloadOffset);
            TestElf.W32(f, 0x24c, (uint)stream.Length + 4);
            stream.CopyTo(f, start);
            TestElf.W32(f, start + stream.Length, dataSize);
            for (int i = start + stream.Length + 4; i < f.Length; i++) f[i] = 0xa5;
            return f;
        }

        /// <summary>Each format Linux builds: its name as the tool prints it, and the Debian command
        /// (Linux's own flags, scripts/Makefile.lib) that compresses stdin into it.</summary>
        public static readonly TheoryData<string, string, string> Formats = new()
        {
            { "gzip", "gzip", "-n -9 -c" },
            { "bzip2", "bzip2", "-9 -c" },
            { "lzma", "xz", "--format=lzma -9 -c" },
            { "xz", "xz", "--format=xz --check=crc32 --x86 --lzma2=dict=32MiB -c" },
            { "lzo", "lzop", "-9 -c" },
            { "lz4", "lz4", "-l -9 -c" },
            { "zstd", "zstd", "-19 -c" },
        };

        static byte[] Compress(string tool, string args, byte[] data) => DebianKernel.RunBytes(tool, args, data);

        static byte[] Xz(byte[] data) => Compress("xz", "-c --format=xz --check=crc32", data);

        /// <summary>A TestElf followed by patterned bytes, like vmlinux.bin followed by its relocations:
        /// large enough that every compressor emits more than a header.</summary>
        static byte[] Payload()
        {
            byte[] elf = new TestElf().Build();
            var data = new byte[elf.Length + 200_000];
            elf.CopyTo(data, 0);
            for (int i = elf.Length; i < data.Length; i++) data[i] = (byte)(i * 7 / 13 ^ (i >> 9));
            return data;
        }

        (int rc, string output, byte[] result) Run(byte[] bzImage)
        {
            string input = Path.Combine(_dir, "in.bzImage"), output = Path.Combine(_dir, "out.elf");
            File.Delete(output);
            File.WriteAllBytes(input, bzImage);
            var (rc, text) = DebianKernel.RunBzImage(input, output);
            _out.WriteLine($"exit {rc}: {text.Trim()}");
            return (rc, text, File.Exists(output) ? File.ReadAllBytes(output) : null);
        }

        [Theory]
        [MemberData(nameof(Formats))]
        public void EveryLinuxPayloadFormatIsExtractedAndNamed(string name, string tool, string args)
        {
            byte[] data = Payload();
            var (rc, text, result) = Run(MakeBzImage(Compress(tool, args, data), (uint)data.Length));
            Assert.Equal(Ok, rc);
            Assert.Equal(data, result);
            Assert.Single(text.Trim().Split('\n'));
            Assert.Contains($": {name} payload ", text);
            Assert.Contains($"({data.Length} bytes, ELF)", text);
        }

        [Theory]
        [MemberData(nameof(Formats))]
        public void CorruptStreamIsADecompressionFailure(string name, string tool, string args)
        {
            byte[] data = Payload();
            byte[] z = Compress(tool, args, data);
            for (int i = 16; i < z.Length - 16; i++) z[i] ^= 0x5a;
            var (rc, text, result) = Run(MakeBzImage(z, (uint)data.Length));
            Assert.Equal(DecompressionFailed, rc);
            Assert.Contains($"{name} payload", text);
            Assert.Null(result);
        }

        [Theory]
        [MemberData(nameof(Formats))]
        public void StreamCutShortInsideThePayloadIsADecompressionFailure(string name, string tool, string args)
        {
            byte[] data = Payload();
            byte[] z = Compress(tool, args, data);
            var (rc, text, _) = Run(MakeBzImage(z.AsSpan(0, z.Length / 2).ToArray(), (uint)data.Length));
            Assert.Equal(DecompressionFailed, rc);
            Assert.Contains($"{name} payload", text);
        }

        [Fact]
        public void SizeWordDisagreeingWithTheDataIsADecompressionFailure()
        {
            byte[] data = Payload();
            var (rc, text, _) = Run(MakeBzImage(Xz(data), (uint)data.Length + 1));
            Assert.Equal(DecompressionFailed, rc);
            Assert.Contains($"gave {data.Length} bytes, the payload's size word says {data.Length + 1}", text);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(2)]
        [InlineData(39)]
        public void SetupSizeLocatesThePayload(byte setupSects)
        {
            byte[] elf = new TestElf().Build();
            var (rc, _, result) = Run(MakeBzImage(Xz(elf), (uint)elf.Length, setupSects));
            Assert.Equal(Ok, rc);
            Assert.Equal(elf, result);
        }

        /// <summary>The tool run by an absolute dotnet path with the given PATH and arguments.</summary>
        static (int rc, string output) RunWithPath(string path, string args)
        {
            string dotnet = Environment.GetEnvironmentVariable("PATH").Split(':')
                .Select(d => Path.Combine(d, "dotnet")).First(File.Exists);
            return DebianKernel.Run("env", $"PATH={path} \"{dotnet}\" \"{DebianKernel.BzImageDll}\" {args}", 300);
        }

        [Fact]
        public void WrongArgumentsPrintTheUsageWithTheExitCodes()
        {
            var (rc, text) = RunWithPath(Environment.GetEnvironmentVariable("PATH"), "only-one-argument");
            Assert.Equal(Usage, rc);
            Assert.Contains("usage: BzImage IN.bzImage OUT.elf", text);
            Assert.Contains("8 file truncated inside the payload", text);
        }

        [Fact]
        public void MissingDecompressorNamesItsDebianPackage()
        {
            byte[] data = Payload();
            string input = Path.Combine(_dir, "in.bzImage");
            File.WriteAllBytes(input, MakeBzImage(Compress("lzop", "-9 -c", data), (uint)data.Length));
            var (rc, text) = RunWithPath(_dir, $"\"{input}\" \"{Path.Combine(_dir, "out.elf")}\"");
            _out.WriteLine(text.Trim());
            Assert.Equal(DecompressorMissing, rc);
            Assert.Contains("lzo payload: lzop not found: install Debian's lzop package", text);
        }

        [Fact]
        public void MissingInputFile()
        {
            var (rc, text) = DebianKernel.RunBzImage(Path.Combine(_dir, "nope"), Path.Combine(_dir, "out"));
            Assert.Equal(InputMissing, rc);
            Assert.Contains("not found", text);
        }

        [Fact]
        public void NotABzImage()
        {
            var (rc, text, _) = Run(new TestElf().Build());
            Assert.Equal(NotBzImage, rc);
            Assert.Contains("not a bzImage", text);
            Assert.Equal(NotBzImage, Run(new byte[100]).rc);
            byte[] f = MakeBzImage(new byte[0], 0); // payload_length 4: a size word and no stream
            (rc, text, _) = Run(f);
            Assert.Equal(NotBzImage, rc);
            Assert.Contains("no room for a stream", text);
        }

        [Fact]
        public void FileEndingInsideThePayloadIsTruncated()
        {
            byte[] elf = new TestElf().Build();
            byte[] f = MakeBzImage(Xz(elf), (uint)elf.Length);
            int start = 5 * 512 + 0x3cc;
            var (rc, text, _) = Run(f.AsSpan(0, start + 10).ToArray());
            Assert.Equal(Truncated, rc);
            Assert.Contains("truncated", text);
            Assert.Contains("past the end of the file", text);
        }

        [Fact]
        public void UnknownPayloadFormatIsNamedByItsMagic()
        {
            var (rc, text, _) = Run(MakeBzImage(Encoding.ASCII.GetBytes("PK\x03\x04 not a kernel"), 100));
            Assert.Equal(UnsupportedCompression, rc);
            Assert.Contains("unknown payload format (magic 50 4b 03 04 20 6e", text);
            // Only 1f 8b 08 is gzip, as in scripts/extract-vmlinux (deflate is gzip's one method).
            (rc, text, _) = Run(MakeBzImage(new byte[] { 0x1f, 0x8b, 0x07, 0, 0, 0, 0, 0 }, 100));
            Assert.Equal(UnsupportedCompression, rc);
        }

        [Fact]
        public void PayloadThatIsNoElfIsRefused()
        {
            byte[] text = Encoding.ASCII.GetBytes("hello, world");
            Assert.Equal(NotElf, Run(MakeBzImage(Xz(text), (uint)text.Length)).rc);
        }

        /// <summary>Runs the tool on a real Debian bzImage and checks what it says and writes: the payload
        /// starts with the format's magic, the output is as long as the payload's size word, and the
        /// shim's parsers take it as a Linux PV kernel (ELF with Xen notes).</summary>
        unsafe byte[] ExtractRealKernel(string bz, string format, byte[] magic)
        {
            byte[] f = File.ReadAllBytes(bz);
            Assert.Equal("HdrS", Encoding.ASCII.GetString(f, 0x202, 4));
            int setupSects = f[0x1f1] == 0 ? 4 : f[0x1f1];
            int start = (setupSects + 1) * 512 + (int)TestElf.R32(f, 0x248);
            uint length = TestElf.R32(f, 0x24c);
            Assert.Equal(magic, new ReadOnlySpan<byte>(f, start, magic.Length).ToArray());
            uint sizeWord = TestElf.R32(f, start + length - 4);
            _out.WriteLine($"{bz}: {f.Length} bytes, setup_sects {setupSects}, {format} payload {length} bytes at 0x{start:x}, size word {sizeWord}");

            string output = Path.Combine(_dir, "vmlinux");
            var (rc, text) = DebianKernel.RunBzImage(bz, output);
            _out.WriteLine(text.Trim());
            Assert.Equal(Ok, rc);
            Assert.Contains($": {format} payload ", text);
            byte[] elf = File.ReadAllBytes(output);
            Assert.Equal(sizeWord, (uint)elf.Length);
            Assert.Contains($"({elf.Length} bytes, ELF)", text);
            using var g = new GuardedBuffer(elf, elf.Length);
            Assert.Equal(ElfError.None, ElfImage.Open(g.Data, g.Length, out ElfImage img));
            Assert.Equal(ElfError.None, XenNotes.Parse(img, out ElfDomainParams parms));
            Assert.True(parms.HasXenNotes);
            Assert.True(parms.GuestOsLinux);
            return elf;
        }

        [Fact]
        public void DebianBzImageYieldsTheVmlinuxElf()
        {
            byte[] elf = ExtractRealKernel(DebianKernel.BzImagePath, "xz", new byte[] { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 });
            Assert.Equal(DebianKernel.Vmlinux.Length, elf.Length);
        }

        /// <summary>linux-image-cloud-amd64 (XEN_PV without XEN_DOM0): its payload is lz4's legacy frame
        /// (Linux runs `lz4 -l`), which Debian's lz4 decodes.</summary>
        [Fact]
        public void DebianCloudBzImageYieldsTheVmlinuxElf()
        {
            byte[] elf = ExtractRealKernel(CloudKernel.BzImagePath, "lz4", new byte[] { 0x02, 0x21, 0x4c, 0x18 });
            Assert.Equal(new FileInfo(CloudKernel.VmlinuxPath).Length, elf.Length);
        }
    }

    /// <summary>Debian's cloud kernel in build/cloud (boot/vmlinuz-* and the extracted vmlinux), fetched
    /// by `tools/fetch-kernel.sh build/cloud linux-image-cloud-amd64` (what `make cloud-kernel` runs) if missing.</summary>
    public static class CloudKernel
    {
        public const string Package = "linux-image-cloud-amd64";
        public static string Dir => Path.Combine(DebianKernel.RepoRoot, "build", "cloud");
        public static string VmlinuxPath => DebianKernel.Fetch(Dir, Package);
        public static string BzImagePath => DebianKernel.BzImageIn(Dir, Package);
    }
}
