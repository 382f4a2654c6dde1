using System.Xml.Linq;

namespace Microxen.Tests.Integration;

/// <summary>
/// `make certify` and `make certify-iso` end to end on a reduced matrix (kernel-test.elf, plus
/// the low-linked build as an XTF-style CERTIFY_KERNELS kernel): the runs' progress lines, the
/// report and JUnit files, the exit status when checked mode differs from Xen, and the GRUB
/// image's "all in sequence" entry booted from a disk in QEMU (SeaBIOS), whose console
/// `make certify LOG=` turns into the same report. The full matrix is `make certify`.
/// </summary>
[Collection("qemu")]
public class CertifyRunTests(ITestOutputHelper log)
{
    static string Root => DebianKernel.RepoRoot;
    static string Report => Path.Combine(Root, "build", "certify", "report.md");

    (int rc, string output) Make(string args, int timeoutSeconds = 900)
    {
        var (rc, output) = DebianKernel.Run("make", $"-C {Root} --no-print-directory {args}", timeoutSeconds);
        log.WriteLine($"--- make {args}: exit {rc}\n{output}");
        return (rc, output);
    }

    [Fact]
    public void CertifyRunsTheMatrixWritesReportAndJUnitAndFailsWhenCheckedDiffers()
    {
        Qemu.Built("kernel-test-low.elf", "kernel-test");
        string extra = Path.Combine(Root, "build", "tests", "certify-kernels");
        Directory.CreateDirectory(extra);
        File.Copy(Path.Combine(Root, "build", "kernel-test-low.elf"), Path.Combine(extra, "xtf-style.elf"), true);

        var (rc, output) = Make($"certify CERTIFY_ONLY=kernel-test CERTIFY_KERNELS={extra}");
        Assert.True(rc == 0, "make certify failed");
        foreach (string host in new[] { "xen-4.17", "microxen-checked", "microxen-fast" })
        {
            Assert.Matches($@"certify: \[\d/6\] kernel-test\.elf on {host}: (\d+) pass, 0 fail, 0 skip, 0 error", output);
            Assert.Matches($@"certify: \[\d/6\] xtf-style\.elf on {host}: 1 pass, 0 fail", output);
        }
        Assert.Contains("certify: CERTIFIED", output);
        string md = File.ReadAllText(Report);
        Assert.Contains("**Result: checked mode equals Xen 4.17 on every test.**", md);
        Assert.Contains("| console_write | microxen-checked | PASS | same |", md);
        Assert.Contains("| xtf-style.elf | xen-4.17 | PASS | reference |", md);

        var junit = XDocument.Load(Path.Combine(Root, "build", "certify", "junit.xml"));
        var suites = junit.Root!.Elements("testsuite").ToList();
        Assert.Equal(new[] { "xen-4.17", "microxen-checked", "microxen-fast" }, suites.Select(s => (string)s.Attribute("name")));
        int registered = KernelTestTests.Registered(File.ReadAllText(Path.Combine(Root, "build", "certify", "logs", "kernel-test.elf.xen-4.17.log")), "Xen 4.17").Count;
        Assert.All(suites, s => Assert.Equal(registered + 1, (int)s.Attribute("tests")));
        Assert.Equal(0, (int)junit.Root.Attribute("failures") + (int)junit.Root.Attribute("errors"));

        // A checked run whose console shows a FAIL where Xen passed: not certified, exit status 1.
        string checkedLog = File.ReadAllText(Path.Combine(Root, "build", "certify", "logs", "kernel-test.elf.microxen-checked.log"));
        Assert.Contains("\nPASS xen_version\n", checkedLog);
        string fake = Path.Combine(Root, "build", "tests", "certify-differs.log");
        File.WriteAllText(fake, checkedLog.Replace("\nPASS xen_version\n", "\nFAIL xen_version: synthetic\n"));
        (rc, output) = Make($"certify CERTIFY_ONLY=kernel-test CERTIFY_HOSTS=xen,checked LOG={fake}");
        Assert.True(rc != 0, "make certify passed although checked mode differs from Xen");
        Assert.Contains("certify: NOT CERTIFIED: checked mode differs from Xen 4.17 on 1 test(s):", output);
        Assert.Contains("certify:   kernel-test.elf xen_version: FAIL: synthetic (Xen 4.17: PASS)", output);
        Assert.Contains("| xen_version | microxen-checked | FAIL: synthetic | **DIFFERS** (checked mode must equal Xen: not certified) |", File.ReadAllText(Report));
    }

    [Fact]
    public void CertifyIsoRunsAllInSequenceAndItsConsoleGivesTheReport()
    {
        var (rc, _) = Make("certify-iso CERTIFY_ONLY=kernel-test");
        Assert.True(rc == 0, "make certify-iso failed");
        // Booted from a disk (as from a USB stick): the FAT partition's grubenv is writable.
        string disk = Path.Combine(Root, "build", "tests", "certify-sequence.img");
        Directory.CreateDirectory(Path.GetDirectoryName(disk)!);
        File.Copy(Path.Combine(Root, "build", "certify.iso"), disk, true);
        var r = Qemu.RunDiskWithReboots(disk, 300);
        log.WriteLine(r.Output);
        Assert.False(r.TimedOut, "the sequence did not end in 300 s:\n" + r.Tail());
        Assert.Contains("certify: step 1 of 2: kernel-test.elf on microxen mode=checked", r.Output);
        Assert.Contains("certify: step 2 of 2: kernel-test.elf on microxen mode=fast", r.Output);
        Assert.Contains(Tools.Certify.GrubConfig.Done, r.Output);
        Assert.Equal(2, r.Output.Split("Test result: SUCCESS").Length - 1);
        Assert.Equal(0, r.ExitCode); // GRUB's halt after the last step powers QEMU off

        string serial = Path.Combine(Root, "build", "tests", "certify-serial.log");
        File.WriteAllText(serial, r.Output);
        (rc, string output) = Make($"certify CERTIFY_ONLY=kernel-test LOG={serial}");
        Assert.True(rc == 0, "make certify LOG= failed");
        Assert.Matches(@"certify: \[\d/3\] kernel-test\.elf on microxen-checked: \d+ pass, 0 fail, 0 skip, 0 error, 0 differ from Xen .*from certify-serial\.log", output);
        string md = File.ReadAllText(Report);
        Assert.Contains("From the console log `certify-serial.log` (microxen on the machine)", md);
        Assert.Contains("| console_write | microxen-fast | PASS | same |", md);
    }
}
