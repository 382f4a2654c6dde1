using System.Text;
using Microxen.Domain;

namespace Microxen.Tests
{
    /// <summary>tools/BzImage, run as a program (its exit codes are its interface).</summary>
    public class BzImageTests : IDisposable
    {
        // tools/BzImage ExitCode values
        const int Ok = 0, InputMissing = 2, NotBzImage = 3, UnsupportedCompression = 4, DecompressionFailed = 5, NotElf = 6;

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

        /// <summary>A bzImage: boot sector + setup (setupSects sectors), "HdrS" protocol 2.15,
        /// payload at payloadOffset inside the protected-mode part, followed by a 4-byte length word.</summary>
        static byte[] MakeBzImage(byte[] payload, byte setupSects = 0, uint payloadOffset = 0x3cc)
        {
            int sects = setupSects == 0 ? 4 : setupSects;
            int start = (sects + 1) * 512 + (int)payloadOffset;
            var f = new byte[start + payload.Length + 4 + 100];
            f[0x1f1] = setupSects;
            f[0x1fe] = 0x55; f[0x1ff] = 0xaa;
            Encoding.ASCII.GetBytes("HdrS").CopyTo(f, 0x202);
            TestElf.W16(f, 0x206, 0x020f);
            TestElf.W32(f, 0x248, payloadOffset);
            TestElf.W32(f, 0x24c, (uint)payload.Length);
            payload.CopyTo(f, start);
            TestElf.W32(f, start + payload.Length, 0x12345678); // trailing bytes, like the real uncompressed-size word
            return f;
        }

        static byte[] Xz(byte[] data) => DebianKernel.RunBytes("xz", "-c --format=xz --check=crc32", data);

        (int rc, string output, byte[] result) Run(byte[] bzImage)
        {
            string input = Path.Combine(_dir, "in.bzImage"), output = Path.Combine(_dir, "out.elf");
            File.WriteAllBytes(input, bzImage);
            var (rc, text) = DebianKernel.RunBzImage(input, output);
            _out.WriteLine($"exit {rc}: {text.Trim()}");
            return (rc, text, File.Exists(output) ? File.ReadAllBytes(output) : null);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(2)]
        [InlineData(39)]
        public void XzPayloadIsExtracted(byte setupSects)
        {
            byte[] elf = new TestElf().Build();
            var (rc, _, result) = Run(MakeBzImage(Xz(elf), setupSects));
            Assert.Equal(Ok, rc);
            Assert.Equal(elf, result);
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
            byte[] f = MakeBzImage(Xz(new byte[] { 0x7f, 0x45, 0x4c, 0x46 }));
            TestElf.W32(f, 0x24c, 0x10000000); // payload beyond the end of the file
            (rc, text, _) = Run(f);
            Assert.Equal(NotBzImage, rc);
            Assert.Equal(NotBzImage, Run(new byte[100]).rc);
        }

        [Fact]
        public void GzipPayloadIsNamedAndRefused()
        {
            var (rc, text, _) = Run(MakeBzImage(new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3 }));
            Assert.Equal(UnsupportedCompression, rc);
            Assert.Contains("gzip", text);
            (rc, text, _) = Run(MakeBzImage(new byte[] { 0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3 }));
            Assert.Equal(UnsupportedCompression, rc);
            Assert.Contains("zstd", text);
        }

        [Fact]
        public void CorruptXzIsADecompressionFailure()
        {
            byte[] xz = Xz(new TestElf().Build());
            for (int i = 12; i < xz.Length - 12; i++) xz[i] ^= 0x5a;
            var (rc, text, _) = Run(MakeBzImage(xz));
            Assert.Equal(DecompressionFailed, rc);
            Assert.Contains("xz", text);
        }

        [Fact]
        public void PayloadThatIsNoElfIsRefused()
        {
            Assert.Equal(NotElf, Run(MakeBzImage(Xz(Encoding.ASCII.GetBytes("hello, world")))).rc);
        }

        [Fact]
        public unsafe void DebianBzImageYieldsTheVmlinuxElf()
        {
            string bz = DebianKernel.BzImagePath;
            byte[] f = File.ReadAllBytes(bz);
            Assert.Equal("HdrS", Encoding.ASCII.GetString(f, 0x202, 4));
            int setupSects = f[0x1f1] == 0 ? 4 : f[0x1f1];
            int start = (setupSects + 1) * 512 + (int)TestElf.R32(f, 0x248);
            Assert.Equal(new byte[] { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 }, new ReadOnlySpan<byte>(f, start, 6).ToArray());
            _out.WriteLine($"{bz}: {f.Length} bytes, setup_sects {setupSects}, xz payload {TestElf.R32(f, 0x24c)} bytes at 0x{start:x}");

            string output = Path.Combine(_dir, "vmlinux");
            var (rc, text) = DebianKernel.RunBzImage(bz, output);
            _out.WriteLine(text.Trim());
            Assert.Equal(Ok, rc);
            byte[] elf = File.ReadAllBytes(output);
            Assert.Equal(DebianKernel.Vmlinux.Length, elf.Length);
            fixed (byte* p = elf)
                Assert.Equal(ElfError.None, ElfImage.Open(p, (ulong)elf.Length, out _));
        }
    }
}
