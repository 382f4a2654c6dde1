using System.Text.RegularExpressions;

namespace Microxen.Tests.Integration;

/// <summary>
/// The shim boots bzImages itself (shim/Boot/BzImageBoot.cs, shim/Decompress): Debian's vmlinuz
/// (xz) as dom0 to /init, the cloud kernel's vmlinuz (lz4) as a domU to its entry, and bad
/// bzImages stop with one line and a distinct exit code.
/// </summary>
[Collection("qemu")]
public class BzImageBootTests(ITestOutputHelper log)
{
    static readonly Regex Took = new(@"kernel: decompressed in (\d+) ms");

    QemuResult Run(string kernel, string shimArgs, int timeout, string stopAt, string initrd = null)
    {
        var r = Qemu.Run(kernel, "console=hvc0 earlyprintk=xen", shimArgs, timeout, stopAt: stopAt, initrd: initrd);
        log.WriteLine(r.Output);
        Assert.False(r.TimedOut, "QEMU did not stop; console:\n" + r.Tail());
        var m = Took.Match(r.Output);
        if (m.Success) log.WriteLine($"decompression under TCG: {m.Groups[1].Value} ms (a loaded machine's figure)");
        return r;
    }

    [Fact]
    public void DebianVmlinuzBootsToInit()
    {
        var r = Run(DebianKernel.BzImagePath, "mode=fast loglevel=info", 300, GuestImages.InitLine, GuestImages.SmokeInitramfs);
        Assert.Contains("kernel: bzImage (boot protocol 2.15), xz payload of", r.Output);
        Assert.Matches(Took, r.Output);
        Assert.Contains("Linux version 6.1", r.Output);
        Assert.True(r.Output.Contains(GuestImages.InitLine), "/init never ran; last lines:\n" + r.Tail());
    }

    [Fact]
    public void CloudVmlinuzLz4EntersAsDomU()
    {
        var r = Run(CloudKernel.BzImagePath, "mode=fast loglevel=info dom0=no", 120, "entering dom0");
        Assert.Contains("lz4 payload of", r.Output);
        Assert.Matches(Took, r.Output);
        Assert.Contains("dom0=no: building a domU", r.Output);
        Assert.Contains("entering dom0", r.Output);
    }

    static byte[] Xz(byte[] data) => DecompressTests.RunTool("xz", "--format=xz --check=crc32 -c", data);

    /// <summary>Each bad bzImage: the case, its bytes, the shim's exit code, the message.</summary>
    public static readonly TheoryData<string, int, string> BadCases = new()
    {
        { "corrupt", 21, "the compressed stream is corrupt" },
        { "cut", 15, "the compressed stream is cut short" },
        { "truncated", 15, "the module ends before the payload its setup header declares" },
        { "unknown", 20, "the payload starts with no known compression magic" },
        { "zstd-dictionary", 20, "the payload's stream uses a feature microxen's decoders lack" },
        { "toolarge", 14, "the decompressed kernel does not fit the memory given to it" },
        { "wrongsize", 21, "the decompressed size differs from the payload's size word" },
    };

    static byte[] Case(string name)
    {
        byte[] data = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("not a kernel, but data to compress. ", 400)));
        byte[] xz = Xz(data);
        switch (name)
        {
            case "corrupt": { var b = (byte[])xz.Clone(); b[b.Length / 2] ^= 0x40; return BzImageTests.MakeBzImage(b, (uint)data.Length); }
            case "cut": return BzImageTests.MakeBzImage(xz.AsSpan(0, xz.Length - 20).ToArray(), (uint)data.Length);
            case "truncated": { var f = BzImageTests.MakeBzImage(xz, (uint)data.Length); return f.AsSpan(0, f.Length - 150).ToArray(); }
            case "unknown": return BzImageTests.MakeBzImage(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, 100);
            case "zstd-dictionary": return BzImageTests.MakeBzImage(new byte[] { 0x28, 0xb5, 0x2f, 0xfd, 0x21, 5, 3, 0x19, 0, 0, 97, 98, 99 }, 3);
            case "toolarge": return BzImageTests.MakeBzImage(xz, 0xFFFF0000);
            default: return BzImageTests.MakeBzImage(xz, (uint)data.Length - 1);
        }
    }

    [Theory]
    [MemberData(nameof(BadCases))]
    public void BadBzImageStopsWithItsExitCode(string name, int code, string message)
    {
        string dir = Path.Combine(Path.GetTempPath(), "microxen-badbz");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name + ".bzImage");
        File.WriteAllBytes(path, Case(name));
        var r = Run(path, "loglevel=info", 120, null);
        Assert.Equal(Qemu.Status(code), r.ExitCode);
        Assert.Contains("(XEN) ERROR: kernel: " + message, r.Output);
        Assert.DoesNotContain("entering dom0", r.Output);
    }
}
