namespace Microxen.Tests.Integration;

/// <summary>
/// The shim boots a bzImage whose payload is compressed as Fedora's and Ubuntu's kernels are
/// (zstd -22 --ultra): the cloud kernel's vmlinux, re-packed (RepackedKernel), entered as a domU.
/// </summary>
[Collection("qemu")]
public class RepackedBootTests(ITestOutputHelper log)
{
    [Fact]
    public void ZstdBzImageEntersAsDomU()
    {
        string bz = RepackedKernel.BzImage("zstd", "zstd", "-22 --ultra -c");
        var r = Qemu.Run(bz, "console=hvc0 earlyprintk=xen", "mode=fast loglevel=info dom0=no", 120, stopAt: "entering dom0");
        log.WriteLine(r.Output);
        Assert.False(r.TimedOut, "QEMU did not stop; console:\n" + r.Tail());
        Assert.Contains("zstd payload of", r.Output);
        Assert.Contains("kernel: decompressed in", r.Output);
        Assert.Contains("entering dom0", r.Output);
    }
}
