namespace Microxen.Tests.Integration;

/// <summary>
/// The main job, scripted: Debian's kernel on microxen with the default busybox initramfs leaves
/// a shell on the serial console; typed commands run (input through COM1, VIRQ_CONSOLE and
/// console_io read); `poweroff` there ends QEMU with status 0.
/// </summary>
[Collection("qemu")]
public class InteractiveShellTests(ITestOutputHelper log)
{
    [Fact]
    public void ShellAnswersTypedCommandsAndPoweroffEndsQemuWithZero()
    {
        var (status, text) = Qemu.ShellSession(DebianKernel.EnsureFetched(), "mode=fast loglevel=info",
            "initramfs-interactive.cpio", "microxen", "uname -sm");
        log.WriteLine(text);
        Assert.Equal(0, status);
        Assert.Contains("Linux x86_64", text);
        Assert.Contains("(XEN) dom0 powered off", text);
        Assert.DoesNotContain("PANIC", text);
    }
}
