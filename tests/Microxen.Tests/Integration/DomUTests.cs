using System.Text.RegularExpressions;

namespace Microxen.Tests.Integration;

/// <summary>
/// Kernels run as a PV domU: Debian's cloud kernel (linux-image-cloud-amd64, no CONFIG_XEN_DOM0)
/// and Debian's dom0 kernel with dom0=no reach the busybox shell on hvc0 through the console
/// ring the shim serves (output on COM1, typed input into the ring), with xenbus initialised
/// against the shim's xenstore; the choice of dom0 or domU follows Xen's rule (the
/// SUPPORTED_FEATURES note) unless dom0= says otherwise.
/// </summary>
[Collection("qemu")]
public class DomUTests(ITestOutputHelper log)
{
    const string Cmdline = "console=hvc0 earlyprintk=xen";

    [Fact]
    public void CloudKernelReachesTheShellOnTheConsoleRingAndPowersOff()
    {
        string text = BootTypeAndPowerOff(Microxen.Tests.CloudKernel.VmlinuxPath, "mode=fast loglevel=info dom0=no", "cat /sys/hypervisor/type");
        Assert.Contains("dom0=no: building a domU", text);
        Assert.Contains("cloud-amd64", text);
        Assert.Contains("\nxen\n", text.Replace("\r", ""));
    }

    [Fact]
    public void Dom0KernelWithDom0NoBootsAsADomU()
    {
        string text = BootTypeAndPowerOff(DebianKernel.EnsureFetched(), "mode=fast loglevel=info dom0=no", "uname -r");
        Assert.Contains("dom0=no: building a domU", text);
        Assert.Contains("ACPI in unprivileged domain disabled", text);   // Linux took the domU path
    }

    [Fact]
    public void NoteWithoutXenfeatDom0MakesADomUAndWithItADom0AsXen()
    {
        string cloud = Microxen.Tests.CloudKernel.VmlinuxPath;
        // Debian's 6.1 cloud kernel claims XENFEAT_dom0 (0x8801) like the dom0 kernel: Xen 4.17
        // builds it as dom0, and so does dom0=auto.
        var r = Qemu.Run(cloud, Cmdline, "mode=fast loglevel=info", 120, stopAt: "entering dom0");
        Assert.Contains("entering dom0", r.Output);
        Assert.DoesNotContain("building a domU", r.Output);

        // The same kernel with XENFEAT_dom0 cleared from its note: refused as dom0 by Xen, a domU here.
        string patched = Path.Combine(DebianKernel.RepoRoot, "build", "tests", "cloud-no-dom0-feature.elf");
        Directory.CreateDirectory(Path.GetDirectoryName(patched)!);
        byte[] elf = File.ReadAllBytes(cloud);
        int at = FindSupportedFeaturesNote(elf);
        Assert.True(at >= 0, "no SUPPORTED_FEATURES note with XENFEAT_dom0 in the cloud kernel");
        elf[at + 1] &= unchecked((byte)~(1 << (11 - 8)));
        File.WriteAllBytes(patched, elf);
        r = Qemu.Run(patched, Cmdline, "mode=fast loglevel=info", 120, stopAt: "entering dom0");
        Assert.Contains("kernel without dom0 support (SUPPORTED_FEATURES lacks XENFEAT_dom0", r.Output);
        Assert.Matches(new Regex(@"domU: domid 1, console ring mfn 0x[0-9a-f]+ port \d+, xenstore mfn 0x[0-9a-f]+ port \d+"), r.Output);
        r = Qemu.Run(patched, Cmdline, "mode=fast loglevel=info dom0=yes", 120, stopAt: "entering dom0");
        Assert.DoesNotContain("building a domU", r.Output);
    }

    [Fact]
    public void MakeRunGivesTheCloudKernelDom0No()
    {
        _ = Microxen.Tests.CloudKernel.VmlinuxPath;
        var (rc, output) = DebianKernel.Run("make", $"-n -C {DebianKernel.RepoRoot} run KERNEL=build/cloud/vmlinux", 60);
        Assert.Equal(0, rc);
        Assert.Contains("\"dom0=no mode=fast", output);
        (rc, output) = DebianKernel.Run("make", $"-n -C {DebianKernel.RepoRoot} run KERNEL=build/debian/vmlinux", 60);
        Assert.Equal(0, rc);
        Assert.DoesNotContain("dom0=no", output);
    }

    /// <summary>Offset of the 4-byte desc of the Xen note SUPPORTED_FEATURES (type 0x11) whose value has XENFEAT_dom0, or -1.</summary>
    static int FindSupportedFeaturesNote(byte[] elf)
    {
        byte[] head = { 4, 0, 0, 0, 4, 0, 0, 0, 0x11, 0, 0, 0, (byte)'X', (byte)'e', (byte)'n', 0 };
        for (int i = 0; i + head.Length + 4 <= elf.Length; i++)
        {
            int j = 0;
            while (j < head.Length && elf[i + j] == head[j]) j++;
            if (j == head.Length && (BitConverter.ToUInt32(elf, i + j) & (1u << 11)) != 0) return i + j;
        }
        return -1;
    }

    /// <summary>
    /// Boots <paramref name="kernel"/> with the default initramfs, waits for the shell, types a
    /// command that prints a computed marker and <paramref name="command"/>, then poweroff; checks
    /// QEMU's status 0 and that the console ring and xenstore were used. Returns the console.
    /// </summary>
    string BootTypeAndPowerOff(string kernel, string shimArgs, string command)
    {
        var (status, text) = Qemu.ShellSession(kernel, shimArgs, "initramfs-domu.cpio", "domu", command);
        log.WriteLine(text);
        Assert.Equal(0, status);
        Assert.Contains("printk: console [hvc0] enabled", text);
        Assert.Contains("(early) ", text);                       // xenboot fell back to the ring: console_io is dom0's
        Assert.DoesNotContain("PANIC", text);
        Assert.DoesNotContain("Unable to read cpu state", text);
        Match m = Regex.Match(text, @"domU back ends: console notifications (\d+), xenstore notifications (\d+), requests (\d+), watch events (\d+)");
        Assert.True(m.Success, "no domU back-end counters in:\n" + text);
        Assert.True(long.Parse(m.Groups[1].Value) > 0 && long.Parse(m.Groups[3].Value) > 0 && long.Parse(m.Groups[4].Value) > 0,
            "console ring or xenstore unused: " + m.Value);
        return text;
    }
}
