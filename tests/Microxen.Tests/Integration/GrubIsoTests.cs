namespace Microxen.Tests.Integration;

/// <summary>
/// The hardware path: GRUB 2 loads microxen with multiboot2 (header address and entry tags, the
/// multiboot2 information, GRUB's module command lines), here from a CD image in QEMU.
/// </summary>
[Collection("qemu")]
public class GrubIsoTests(ITestOutputHelper log)
{
    [Fact]
    public void GrubBootsMicroxenWithMultiboot2ThroughTheSmokeSuite()
    {
        string root = DebianKernel.RepoRoot;
        string kernel = DebianKernel.EnsureFetched();
        string initrd = GuestImages.SmokeInitramfs;
        string iso = Path.Combine(root, "build", "tests", "microxen-smoke.iso");
        Directory.CreateDirectory(Path.GetDirectoryName(iso));
        var (rc, output) = DebianKernel.Run(Path.Combine(root, "scripts", "make-iso.sh"),
            $"{iso} {Qemu.Image} {kernel} {initrd} \"mode=fast loglevel=info\" \"console=hvc0 earlyprintk=xen\"", 300);
        Assert.True(rc == 0, "make-iso failed:\n" + output);

        var r = Qemu.RunCdrom(iso, 600);
        log.WriteLine(r.Output);
        Assert.False(r.TimedOut, "no power-off; console:\n" + r.Output);
        Assert.Contains("(XEN) boot loader: GRUB 2", r.Output);
        Assert.Contains("(multiboot2)", r.Output);
        Assert.Contains("(XEN) dom0: command line \"console=hvc0 earlyprintk=xen\"", r.Output);
        Assert.Contains("SMOKE RESULT: SUCCESS", r.Output);
        Assert.Equal(0, r.ExitCode);
    }
}
