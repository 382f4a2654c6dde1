namespace Microxen.Tests.Integration;

/// <summary>
/// kernel-test's SMP group (kernel-test/Tests/Smp*.cs) on four vCPUs: as dom0 of Xen 4.17 with
/// dom0_max_vcpus=4 on QEMU -smp 4 (scripts/run-xen.sh SMP=4), and under microxen on QEMU -smp 4
/// (skipped by <see cref="SmpSwitch.MicroxenSkip"/> until the shim has SMP). Every registered test
/// must pass, and the SMP tests must have run, not skipped (no "SKIP smp" line, "4 vCPUs").
/// Under microxen the rows of kernel-test/smp-microxen-pending.txt (<see cref="Pending"/>: Xen 4.17
/// behaviour the shim does not have yet) must fail, every other row pass; a listed row that passes
/// fails the test with "remove them from the list", so the list only shrinks.
/// </summary>
public class KernelTestSmpTests : QemuTest
{
    public KernelTestSmpTests(ITestOutputHelper log) : base(log) { }

    static readonly string[] SmpRows =
    {
        "smp_is_up", "smp_up", "smp_is_up_after_up", "smp_ipi_pingpong", "smp_tlb_flush_multi",
        "smp_invlpg_multi", "smp_uvmf_invlpg_multi", "smp_timer_each", "smp_down_up",
        "smp_upcall_while_spinning", "smp_callback_register_own", "smp_block_wake", "smp_poll_wake",
        "smp_trap_table_own", "smp_gdt_own", "smp_ldt_own", "smp_runstate_area", "smp_register_vcpu_info_down",
        "smp_fifo_per_vcpu", "smp_remote_down", "smp_bind_vcpu_upcall", "smp_timer_upcall",
        "smp_unmask_raises_on_port_vcpu", "smp_page_fault_frame", "smp_fpu_taskswitch_page",
        "smp_ptwr_pte_read_only",
    };

    static readonly Dictionary<string, string> PendingReasons =
        Microxen.Tools.Certify.Matrix.ReadDifferences(Path.Combine(DebianKernel.RepoRoot, "kernel-test", "smp-microxen-pending.txt"));

    /// <summary>SMP rows microxen fails today (kernel-test/smp-microxen-pending.txt: name and reason a line, '#' comments).</summary>
    public static readonly IReadOnlyList<string> Pending = PendingReasons.Keys.ToList();

    /// <summary>kernel-test's skip= for the pending rows that hang microxen (reason "hangs: ..."): they report FAIL without running.</summary>
    public static string SkipHanging()
    {
        var hanging = PendingReasons.Where(p => p.Value.StartsWith("hangs:", StringComparison.Ordinal)).Select(p => p.Key).ToList();
        return hanging.Count == 0 ? "" : "skip=" + string.Join(",", hanging);
    }

    [Fact]
    public void PendingListNamesSmpRows()
    {
        Assert.True(File.Exists(Path.Combine(DebianKernel.RepoRoot, "kernel-test", "smp-microxen-pending.txt")), "kernel-test/smp-microxen-pending.txt is missing");
        var unknown = Pending.Where(n => !SmpRows.Contains(n)).ToList();
        Assert.True(unknown.Count == 0, $"smp-microxen-pending.txt names rows that are not SMP rows: {string.Join(", ", unknown)}");
    }

    static void AssertSmpGroupRan(string output, string where, IEnumerable<string> mayFail = null)
    {
        var passed = KernelTestTests.Passed(output);
        var skip = (mayFail ?? Enumerable.Empty<string>()).ToHashSet();
        foreach (string row in SmpRows.Where(r => !skip.Contains(r)))
            Assert.True(passed.Contains(row), $"{where}: {row} did not pass");
        Assert.Contains("kernel-test: 4 vCPUs", output);
        Assert.Contains("kernel-test: 3 secondary vCPUs up", output);
        Assert.DoesNotContain("kernel-test: SKIP smp", output);
        // The run ends with SCHEDOP_shutdown from vCPU 1 (kernel-test/Smp/SmpShutdown.cs): the whole machine stops.
        Assert.Contains("kernel-test: SCHEDOP_shutdown from vCPU 1", output);
        Assert.DoesNotContain("SCHEDOP_shutdown from vCPU 1 did not end the machine", output);
    }

    [Fact]
    public void SmpGroupPassesUnderXen417WithFourVcpus()
    {
        var (rc, output) = DebianKernel.Run("env",
            $"SMP=4 STOP_AT=\"Hardware Dom0\" TIMEOUT=240 bash {DebianKernel.RepoRoot}/scripts/run-xen.sh {KernelTestTests.KernelTestElf}", 300);
        Log.WriteLine(output);
        Assert.True(rc == 0, $"run-xen.sh exit {rc}");
        Assert.Contains("Test result: SUCCESS", output);
        Assert.Contains("Hardware Dom0 halted", output);   // hwdom_shutdown(SHUTDOWN_poweroff), asked by vCPU 1
        AssertSmpGroupRan(output, "Xen 4.17 -smp 4");
    }

    [Fact(Skip = SmpSwitch.MicroxenSkip)]
    public void SmpGroupPassesUnderMicroxenWithFourCpus()
    {
        const string what = "microxen -smp 4";
        var r = Qemu.Run(KernelTestTests.KernelTestElf, SkipHanging(), "mode=fast loglevel=info dom0_max_vcpus=4", 240, machineArgs: new[] { "-smp", "4" });
        Log.WriteLine(r.Output);
        Assert.False(r.TimedOut, $"{what}: timed out; last lines:\n{r.Tail()}");
        KernelTestTests.AssertFastModeResult(r.Output, what, KernelTestTests.FastModeDifferences.Concat(Pending));
        AssertSmpGroupRan(r.Output, what, Pending);
        Assert.Contains("SMP: a second vCPU starts", r.Output);
        AssertPoweredOff(r, what);
    }

    /// <summary>The same in checked mode: every test passes but the pending rows (Xen's page-type rules, remote flushes included).</summary>
    [Fact(Skip = SmpSwitch.MicroxenSkip)]
    public void SmpGroupPassesUnderMicroxenCheckedWithFourCpus()
    {
        const string what = "microxen checked -smp 4";
        var r = Qemu.Run(KernelTestTests.KernelTestElf, SkipHanging(), "mode=checked loglevel=info dom0_max_vcpus=4", 240, machineArgs: new[] { "-smp", "4" });
        Log.WriteLine(r.Output);
        Assert.False(r.TimedOut, $"{what}: timed out; last lines:\n{r.Tail()}");
        KernelTestTests.AssertFastModeResult(r.Output, what, Pending);
        AssertSmpGroupRan(r.Output, what, Pending);
        AssertPoweredOff(r, what);
    }
}
