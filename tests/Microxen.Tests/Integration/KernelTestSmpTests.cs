namespace Microxen.Tests.Integration;

/// <summary>
/// kernel-test's SMP group (kernel-test/Tests/Smp*.cs) on four vCPUs: as dom0 of Xen 4.17 with
/// dom0_max_vcpus=4 on QEMU -smp 4 (scripts/run-xen.sh SMP=4), and under microxen on QEMU -smp 4
/// (skipped by <see cref="SmpSwitch.MicroxenSkip"/> until the shim has SMP). Every registered test
/// must pass, and the SMP tests must have run, not skipped (no "SKIP smp" line, "4 vCPUs").
/// </summary>
public class KernelTestSmpTests : QemuTest
{
    public KernelTestSmpTests(ITestOutputHelper log) : base(log) { }

    static readonly string[] SmpRows =
    {
        "smp_is_up", "smp_up", "smp_is_up_after_up", "smp_ipi_pingpong", "smp_tlb_flush_multi",
        "smp_invlpg_multi", "smp_uvmf_invlpg_multi", "smp_timer_each", "smp_down_up",
    };

    static void AssertSmpGroupRan(string output, string where)
    {
        var passed = KernelTestTests.Passed(output);
        foreach (string row in SmpRows)
            Assert.True(passed.Contains(row), $"{where}: {row} did not pass");
        Assert.Contains("kernel-test: 4 vCPUs", output);
        Assert.Contains("kernel-test: 3 secondary vCPUs up", output);
        Assert.DoesNotContain("kernel-test: SKIP smp", output);
    }

    [Fact]
    public void SmpGroupPassesUnderXen417WithFourVcpus()
    {
        var (rc, output) = DebianKernel.Run("env",
            $"SMP=4 STOP_AT=\"Test result:\" TIMEOUT=240 bash {DebianKernel.RepoRoot}/scripts/run-xen.sh {KernelTestTests.KernelTestElf}", 300);
        Log.WriteLine(output);
        Assert.True(rc == 0, $"run-xen.sh exit {rc}");
        Assert.Contains("Test result: SUCCESS", output);
        AssertSmpGroupRan(output, "Xen 4.17 -smp 4");
    }

    [Fact(Skip = SmpSwitch.MicroxenSkip)]
    public void SmpGroupPassesUnderMicroxenWithFourCpus()
    {
        const string what = "microxen -smp 4";
        var r = Qemu.Run(KernelTestTests.KernelTestElf, "", "mode=fast loglevel=info dom0_max_vcpus=4", 240, machineArgs: new[] { "-smp", "4" });
        Log.WriteLine(r.Output);
        Assert.False(r.TimedOut, $"{what}: timed out; last lines:\n{r.Tail()}");
        KernelTestTests.AssertFastModeResult(r.Output, what);
        AssertSmpGroupRan(r.Output, what);
        Assert.Contains("SMP: a second vCPU starts", r.Output);
        AssertPoweredOff(r, what);
    }

    /// <summary>The same in checked mode: every test passes (Xen's page-type rules, remote flushes included).</summary>
    [Fact(Skip = SmpSwitch.MicroxenSkip)]
    public void SmpGroupPassesUnderMicroxenCheckedWithFourCpus()
    {
        const string what = "microxen checked -smp 4";
        var r = Qemu.Run(KernelTestTests.KernelTestElf, "", "mode=checked loglevel=info dom0_max_vcpus=4", 240, machineArgs: new[] { "-smp", "4" });
        Log.WriteLine(r.Output);
        Assert.False(r.TimedOut, $"{what}: timed out; last lines:\n{r.Tail()}");
        Assert.Contains("Test result: SUCCESS", r.Output);
        AssertSmpGroupRan(r.Output, what);
        AssertPoweredOff(r, what);
    }
}
