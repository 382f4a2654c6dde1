namespace Microxen.Tests.Integration;

/// <summary>
/// The shim boots bzImages whose payload is compressed in the formats Xen 4.17 decodes beyond
/// Debian's xz and lz4: zstd as Fedora's and Ubuntu's kernels are (zstd -22 --ultra), lzma,
/// bzip2 and lzo with Linux's flags. The cloud kernel's vmlinux, re-packed (RepackedKernel),
/// is entered as a domU; the log gives the decompression time under TCG. An uncompressed ELF
/// payload (CONFIG_KERNEL_UNCOMPRESSED) is used as it is, as Xen's bzimage_parse does.
/// </summary>
[Collection("qemu")]
public class RepackedBootTests(ITestOutputHelper log)
{
    [Theory]
    [MemberData(nameof(RepackedKernel.Formats), MemberType = typeof(RepackedKernel))]
    public void RepackedBzImageEntersAsDomU(string format, string tool, string args)
    {
        string bz = RepackedKernel.BzImage(format, tool, args);
        var r = Qemu.Run(bz, "console=hvc0 earlyprintk=xen", "mode=fast loglevel=info dom0=no", 180, stopAt: "entering dom0");
        log.WriteLine(r.Output);
        Assert.False(r.TimedOut, "QEMU did not stop; console:\n" + r.Tail());
        Assert.Contains($"{format} payload of", r.Output);
        Assert.Contains("kernel: decompressed in", r.Output);
        Assert.Contains("entering dom0", r.Output);
    }

    [Fact]
    public void UncompressedElfPayloadEntersAsDomU()
    {
        string path = Path.Combine(Path.GetTempPath(), "microxen-uncompressed.bzImage");
        byte[] elf = File.ReadAllBytes(CloudKernel.VmlinuxPath);
        File.WriteAllBytes(path, BzImageTests.MakeBzImage(elf, (uint)elf.Length));
        var r = Qemu.Run(path, "console=hvc0 earlyprintk=xen", "mode=fast loglevel=info dom0=no", 120, stopAt: "entering dom0");
        log.WriteLine(r.Output);
        Assert.False(r.TimedOut, "QEMU did not stop; console:\n" + r.Tail());
        Assert.Contains("kernel: bzImage with an uncompressed ELF payload", r.Output);
        Assert.Contains("entering dom0", r.Output);
    }
}
