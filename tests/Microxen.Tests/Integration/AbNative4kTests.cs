namespace Microxen.Tests.Integration;

/// <summary>
/// scripts/ab-boot.sh's native-4k configuration (issue 13, xz wall clock): native Linux on the same
/// CPU as native, with transparent huge pages off (4 KiB user pages, as a PV guest has). A /init
/// that prints the kernel's THP mode shows native-4k's kernel saw "[never]" and native's did not.
/// </summary>
[Collection("qemu")]
public class AbNative4kTests(ITestOutputHelper log)
{
    static string Root => DebianKernel.RepoRoot;

    string ThpMode(string config, string initrd)
    {
        var (rc, output) = DebianKernel.Run(Path.Combine(Root, "scripts", "ab-boot.sh"), $"{config} {initrd}", 180);
        log.WriteLine($"--- ab-boot.sh {config}: exit {rc}\n{output}");
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("THP "));
        Assert.True(line != null, $"{config}: no THP line (exit {rc})");
        return line.Substring(4).Trim();
    }

    [Fact]
    public void Native4kBootsWithoutTransparentHugePages()
    {
        string dir = Path.Combine(Root, "build", "tests", "ab-native-4k");
        Directory.CreateDirectory(dir);
        string init = Path.Combine(dir, "init.sh"), cpio = Path.Combine(dir, "thp.cpio");
        File.WriteAllText(init, "#!/bin/sh\nmount -t sysfs sysfs /sys\necho \"THP $(cat /sys/kernel/mm/transparent_hugepage/enabled)\"\npoweroff -f\n");
        var (rc, output) = GuestImages.RunTool($"--out {GuestImages.Q(cpio)} --init {GuestImages.Q(init)}");
        Assert.True(rc == 0, $"tools/Initramfs failed (exit {rc}):\n{output}");
        Assert.Contains("[never]", ThpMode("native-4k", cpio));
        Assert.DoesNotContain("[never]", ThpMode("native", cpio));
    }
}
