using System.Text.RegularExpressions;

namespace Microxen.Tests.Integration;

/// <summary>
/// The initramfs of the Linux SMP checks: busybox, /init = tests/guest/smp-init.sh, /smp
/// (tests/guest/smp.c, built by tests/guest/build.sh).
/// </summary>
public static class SmpImages
{
    static readonly object Lock = new();
    static string _initramfs;

    /// <summary>The checks /smp runs, in order; each must print "PASS name".</summary>
    public static readonly string[] Checks =
        { "nproc", "threads_every_cpu", "processes_every_cpu", "munmap_cross_cpu", "cpu_hotplug", "fork_storm" };

    /// <summary>build/initramfs-smp.cpio.</summary>
    public static string Initramfs
    {
        get
        {
            string smoke = GuestImages.Smoke; // runs tests/guest/build.sh, which builds /smp too
            lock (Lock)
            {
                if (_initramfs == null)
                {
                    string root = DebianKernel.RepoRoot, path = Path.Combine(root, "build", "initramfs-smp.cpio");
                    string smp = Path.Combine(Path.GetDirectoryName(smoke)!, "smp");
                    var (rc, output) = GuestImages.RunTool($"--out {GuestImages.Q(path)} --init {GuestImages.Q(Path.Combine(root, "tests", "guest", "smp-init.sh"))} --add {GuestImages.Q(smp + ":/smp")}");
                    Assert.True(rc == 0 && File.Exists(path), $"tools/Initramfs failed (exit {rc}):\n{output}");
                    _initramfs = path;
                }
                return _initramfs;
            }
        }
    }

    /// <summary>Every check printed PASS and the run ended with "SMP RESULT: SUCCESS".</summary>
    public static void AssertPassed(string output, string where)
    {
        var problems = new List<string>();
        foreach (string check in Checks)
        {
            var m = Regex.Match(output, @"^(?:\(d\d+\) )?(PASS|FAIL) " + check + @"\b.*$", RegexOptions.Multiline);
            if (!m.Success) problems.Add($"{check}: no PASS/FAIL line");
            else if (m.Groups[1].Value != "PASS") problems.Add(m.Value.TrimEnd('\r'));
        }
        Assert.True(problems.Count == 0, $"SMP checks failed {where}:\n  " + string.Join("\n  ", problems) + "\noutput:\n" + output);
        Assert.Contains("SMP RESULT: SUCCESS", output);
    }
}

/// <summary>
/// Debian's kernel with N CPUs runs tests/guest/smp.c: nproc is N, a thread and a process on every
/// CPU, munmap while another CPU reads (the read faults, never succeeds after munmap returned),
/// CPU 1 offline and online through sysfs, a parallel fork storm. Natively on QEMU -smp 4 and
/// -smp 2 -M q35 (the reference, in CI); as dom0 of Xen 4.17 (<see cref="SmpSwitch.XenLinuxSkip"/>);
/// under microxen with one vCPU per CPU (fast and checked mode).
/// </summary>
public class SmpTests : QemuTest
{
    public SmpTests(ITestOutputHelper log) : base(log) { }

    static string[] Machine(int cpus, bool q35) => q35 ? new[] { "-smp", cpus.ToString(), "-M", "q35" } : new[] { "-smp", cpus.ToString() };

    [Theory]
    [InlineData(4, false)]
    [InlineData(2, true)]
    public void PassesNatively(int cpus, bool q35)
    {
        string args = string.Join(" ", Machine(cpus, q35)) + $" -accel tcg -cpu max -m 1G -display none -no-reboot -serial stdio -monitor none"
            + $" -kernel {GuestImages.Q(DebianKernel.BzImagePath)} -initrd {GuestImages.Q(SmpImages.Initramfs)} -append \"console=ttyS0 quiet smp_cpus={cpus}\"";
        var (rc, output) = DebianKernel.Run("qemu-system-x86_64", args, 240);
        Log.WriteLine(output);
        SmpImages.AssertPassed(output, $"natively, -smp {cpus}{(q35 ? " -M q35" : "")} (exit {rc})");
    }

    [Fact(Skip = SmpSwitch.XenLinuxSkip)]
    public void PassesAsDom0OfXen417WithFourVcpus()
    {
        var (rc, output) = DebianKernel.Run("env",
            $"SMP=4 INITRD={GuestImages.Q(SmpImages.Initramfs)} STOP_AT=\"SMP RESULT\" TIMEOUT=500 bash {DebianKernel.RepoRoot}/scripts/run-xen.sh"
            + $" {GuestImages.Q(DebianKernel.EnsureFetched())} \"console=hvc0 quiet smp_cpus=4\"", 560);
        Log.WriteLine(output);
        Assert.True(rc == 0, $"run-xen.sh exit {rc}");
        SmpImages.AssertPassed(output, "as dom0 of Xen 4.17, dom0_max_vcpus=4");
    }

    /// <summary>
    /// Without dom0_max_vcpus: dom0 gets one vCPU per CPU by default (Xen 4.17's dom0_max_vcpus).
    /// Fast mode on -smp 4, checked mode on -smp 2 -M q35 (one row each keeps make test's budget).
    /// </summary>
    [Theory(Skip = SmpSwitch.MicroxenLinuxSkip)]
    [InlineData(4, false, "fast")]
    [InlineData(2, true, "checked")]
    public void PassesUnderMicroxen(int cpus, bool q35, string mode)
    {
        string what = $"microxen mode={mode} -smp {cpus}{(q35 ? " -M q35" : "")}";
        var r = Qemu.Run(DebianKernel.EnsureFetched(), $"console=hvc0 quiet smp_cpus={cpus}", $"mode={mode} loglevel=info", 400,
            stopAt: "SMP RESULT", initrd: SmpImages.Initramfs, machineArgs: Machine(cpus, q35));
        Log.WriteLine(r.Output);
        Assert.False(r.TimedOut, $"{what}: timed out; last lines:\n{r.Tail()}");
        Assert.Contains($"(XEN) SMP: dom0 gets {cpus} vCPUs, one per CPU", r.Output);
        SmpImages.AssertPassed(r.Output, what);
    }
}
