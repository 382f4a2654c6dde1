using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace Microxen.Tests.Integration;

/// <summary>
/// kernel-test with <c>inline=off</c>: every hypercall through the C# dispatcher (HypercallDispatch),
/// and the statistics it prints at the end (HypercallStats.Print).
/// </summary>
[Collection("qemu")]
public class HypercallStatsTests
{
    [Fact]
    public void TheDispatcherPassesKernelTestAndCountsEachMulticallOnce()
    {
        var r = Qemu.Run(KernelTestTests.KernelTestElf, "", "mode=fast loglevel=info inline=off", 240);
        Assert.False(r.TimedOut, "kernel-test did not finish under microxen (inline=off) in 240 s");
        KernelTestTests.AssertFastModeResult(r.Output, "kernel-test inline=off");   // all pass but FastModeDifferences
        // Each multicall test of kernel-test (kernel-test/Tests/MulticallTests.cs) makes one
        // multicall; multicall_entry_fault's faulting entries continue the batch through a
        // continuation, which must not count the multicall again. The register ABI tests
        // (kernel-test/Tests/RegisterAbiTests.cs) make one per flag pattern, two each.
        var passed = KernelTestTests.Passed(r.Output);
        int multicallTests = passed.Count(n => n.StartsWith("multicall"));
        Assert.True(multicallTests >= 3, $"only {multicallTests} multicall tests passed");
        int registerTests = passed.Count(n => n is "hypercall_regs_transfer_page" or "hypercall_regs_syscall" or "hypercall_syscall_lower_half");
        Assert.Equal(3, registerTests);
        var line = Regex.Match(r.Output, @"^\(XEN\)\s+13 multicall (\d+)", RegexOptions.Multiline);
        Assert.True(line.Success, "no statistics line for multicall");
        Assert.Equal(multicallTests + 2 * registerTests, int.Parse(line.Groups[1].Value));
    }
}
