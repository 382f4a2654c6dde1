namespace Microxen.Tests.Integration;

/// <summary>Debian's stock kernel, unmodified, boots on microxen far enough to print its banner.</summary>
[Collection("qemu")]
public class BannerTests(ITestOutputHelper log)
{
    [Fact]
    public void DebianKernelPrintsItsBannerThroughConsoleIo()
    {
        string kernel = DebianKernel.EnsureFetched();
        var r = Qemu.Run(kernel, "console=hvc0 earlyprintk=xen", "mode=fast loglevel=info", 240, stopAt: "Linux version 6.1");
        log.WriteLine(r.Output);
        Assert.True(r.UntilPattern != null, "no 'Linux version 6.1' banner; console:\n" + r.Output);
        log.WriteLine($"QEMU start to banner: {r.UntilPattern!.Value.TotalSeconds:F1} s");

        string before = r.Output[..r.Output.IndexOf("Linux version 6.1", StringComparison.Ordinal)];
        Assert.Contains("(XEN) entering dom0 in ring 0", before);
        Assert.DoesNotContain("PANIC", before);
        Assert.DoesNotContain("unexpected exception", before);
        Assert.DoesNotContain("guest crash", before);
        // The banner is Linux's own line, printed through HYPERVISOR_console_io by earlyprintk=xen.
        Assert.Matches(@"Linux version 6\.1\.\d+-\d+-amd64 \(debian-kernel@lists\.debian\.org\)", r.Output);
    }
}
