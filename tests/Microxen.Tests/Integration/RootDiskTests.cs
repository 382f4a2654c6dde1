namespace Microxen.Tests.Integration;

/// <summary>
/// Issue 10 item 6: `make run ROOT=disk` (microxen) and `make run-xen ROOT=disk` (Xen 4.17 dom0, the
/// reference) boot Debian's kernel with an initramfs that loads the virtio disk's modules, mounts
/// the ext4 image scripts/make-rootdisk.sh built (the busybox userland) and switch_roots to it;
/// with rootdisk_check on the command line the disk's first login shell prints its / line of
/// /proc/mounts and powers off. Row "rootdisk" of tests/devices-expected-failures.txt (machine pc:
/// QEMU's default, which `make run` uses).
/// </summary>
public class RootDiskTests : QemuTest
{
    public RootDiskTests(ITestOutputHelper log) : base(log) { }

    const int TimeoutSeconds = 300;

    [Theory]
    [InlineData("xen")]
    [InlineData("microxen")]
    public void ShellRunsWithRootOnTheVirtioDisk(string host)
    {
        DebianKernel.EnsureFetched();
        string root = GuestImages.Q(DebianKernel.RepoRoot);
        string command = host == "xen"
            ? $"STOP_AT=\"ROOTDISK end\" TIMEOUT={TimeoutSeconds} make -s -C {root} run-xen ROOT=disk KERNEL=build/debian/vmlinux CMDLINE=\"console=hvc0 rootdisk_check\""
            : $"timeout {TimeoutSeconds} make -s -C {root} run ROOT=disk CMDLINE=\"console=hvc0 earlyprintk=xen rootdisk_check\" </dev/null";
        string script = Path.Combine(DebianKernel.RepoRoot, "build", "tests", $"rootdisk-{host}.sh");
        Directory.CreateDirectory(Path.GetDirectoryName(script)!);
        File.WriteAllText(script, command + "\n");
        var (rc, output) = DebianKernel.Run("bash", GuestImages.Q(script), TimeoutSeconds + 900);
        Log.WriteLine($"--- {command}: exit status {rc}");
        Log.WriteLine(output);
        // Either way the guest ends with "ROOTDISK end" (the disk's shell, or the initramfs saying
        // why it could not mount it): a run that does not is broken, not an expected failure.
        Assert.True(output.Contains("ROOTDISK end"), $"the guest never printed 'ROOTDISK end' (exit {rc}):\n" + output);
        string mount = output.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith("ROOTDISK mount ", StringComparison.Ordinal));
        bool pass = mount != null && mount.StartsWith("ROOTDISK mount /dev/vda / ext4 rw", StringComparison.Ordinal);
        var verdict = new Dictionary<string, (bool, string)>
        {
            ["rootdisk"] = (pass, mount ?? output.Split('\n').FirstOrDefault(l => l.StartsWith("ROOTDISK failed")) ?? "no 'ROOTDISK mount' line"),
        };
        var (table, problems) = DeviceRows.Judge(verdict, host, "pc");
        Log.WriteLine("--- rows\n" + table);
        Assert.True(problems.Count == 0, table + string.Join("\n", problems));
    }
}
