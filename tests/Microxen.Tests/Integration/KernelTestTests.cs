using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace Microxen.Tests.Integration;

/// <summary>
/// kernel-test (the project's own PV test kernel, kernel-test/) passes its whole suite under
/// microxen (fast mode), and the same image passes the same tests under Debian's Xen 4.17
/// (scripts/run-xen.sh, dom0 in QEMU TCG): the reference the suite was written against.
/// </summary>
[Collection("qemu")]
public class KernelTestTests
{
    readonly ITestOutputHelper _out;
    public KernelTestTests(ITestOutputHelper output) { _out = output; }

    static readonly Lazy<QemuResult> MicroxenRun = new(() =>
        Qemu.Run(KernelTestElf, "", "mode=fast loglevel=info", 240));

    /// <summary>build/kernel-test.elf, built with `make kernel-test` when missing.</summary>
    public static string KernelTestElf => Qemu.Built("kernel-test.elf", "kernel-test");

    /// <summary>The test names of the "PASS name" lines (Xen may prefix guest lines with "(d0) ").</summary>
    public static SortedSet<string> Passed(string output) =>
        new(Regex.Matches(output, @"^(?:\(d\d+\) )?PASS (\S+)\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value));

    static List<string> Failed(string output) =>
        Regex.Matches(output, @"^(?:\(d\d+\) )?(FAIL .*)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value.TrimEnd()).ToList();

    [Fact]
    public void PassesUnderMicroxen()
    {
        var r = MicroxenRun.Value;
        _out.WriteLine(r.Output);
        Assert.False(r.TimedOut, "kernel-test did not finish under microxen in 240 s");
        Assert.Empty(Failed(r.Output));
        Assert.Contains("Test result: SUCCESS", r.Output);
        Assert.Matches(@"kernel-test: \d+ passed, 0 failed", r.Output);
        Assert.True(Passed(r.Output).Count >= 40, $"only {Passed(r.Output).Count} PASS lines");
        Assert.Contains("(XEN) dom0 powered off", r.Output);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void PassesTheSameTestsUnderXen417()
    {
        string root = DebianKernel.RepoRoot;
        var (rc, xen) = DebianKernel.Run("env",
            $"STOP_AT=\"Test result:\" TIMEOUT=300 bash {root}/scripts/run-xen.sh {KernelTestElf}", 420);
        _out.WriteLine(xen);
        Assert.True(rc == 0, $"scripts/run-xen.sh ended with {rc} before 'Test result:'");
        Assert.Contains("Test result: SUCCESS", xen);
        Assert.Empty(Failed(xen));

        var onXen = Passed(xen);
        var onMicroxen = Passed(MicroxenRun.Value.Output);
        Assert.True(onXen.Count >= 40, $"only {onXen.Count} PASS lines under Xen");
        Assert.True(onXen.SetEquals(onMicroxen),
            "PASS under Xen only: " + string.Join(", ", onXen.Except(onMicroxen)) +
            "; PASS under microxen only: " + string.Join(", ", onMicroxen.Except(onXen)));
    }
}
