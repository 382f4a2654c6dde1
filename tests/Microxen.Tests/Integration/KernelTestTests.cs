using System.Text.RegularExpressions;

namespace Microxen.Tests.Integration;

/// <summary>
/// kernel-test (the project's own PV test kernel, kernel-test/) as a matrix: the image prints
/// the tests it registers, and under every microxen configuration of the theory, and under
/// Debian's Xen 4.17 (scripts/run-xen.sh, dom0 in QEMU TCG: the reference the suite was written
/// against, run once per build for all rows), every registered test passes and none fails.
/// Two builds of the same sources: kernel-test.elf (linked in the kernel half, Linux's notes)
/// and kernel-test-low.elf (linked at 1 MiB, only the notes such kernels carry).
/// </summary>
public class KernelTestTests : QemuTest
{
    public KernelTestTests(ITestOutputHelper log) : base(log) { }

    /// <summary>build/kernel-test.elf, built with `make kernel-test` when missing.</summary>
    public static string KernelTestElf => Qemu.Built(HighBuild, "kernel-test");

    public const string HighBuild = "kernel-test.elf", LowBuild = "kernel-test-low.elf";

    /// <summary>The microxen matrix: build x inline=on|off x user_pt=shared|switch.</summary>
    public static IEnumerable<object[]> MicroxenConfigs()
    {
        foreach (string build in new[] { HighBuild, LowBuild })
        {
            foreach (string inline in new[] { "on", "off" })
                foreach (string userPt in new[] { "shared", "switch" })
                    yield return new object[] { build, inline, userPt };
        }
    }

    /// <summary>The Xen 4.17 runs, one per build: (run-xen.sh's status, the console), shared by every test here.</summary>
    static readonly Dictionary<string, Lazy<(int rc, string output)>> XenRuns = new()
    {
        [HighBuild] = XenRunOf(HighBuild),
        [LowBuild] = XenRunOf(LowBuild),
    };

    static Lazy<(int rc, string output)> XenRunOf(string build) => new(() =>
        DebianKernel.Run("env",
            $"STOP_AT=\"Test result:\" TIMEOUT=300 bash {DebianKernel.RepoRoot}/scripts/run-xen.sh {Qemu.Built(build, "kernel-test")}", 420));

    // Xen may prefix guest lines with "(d0) "; its console may end them with "\r".
    const string Line = @"^(?:\(d\d+\) )?";

    /// <summary>The registered tests, in order: the "TEST name" lines, checked against the "N tests registered" line.</summary>
    public static List<string> Registered(string output, string where)
    {
        var counts = Regex.Matches(output, Line + @"kernel-test: (\d+) tests registered\s*$", RegexOptions.Multiline);
        Assert.True(counts.Count == 1, $"{where}: {counts.Count} 'kernel-test: N tests registered' lines, want 1");
        var names = Regex.Matches(output, Line + @"TEST (\S+)\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.True(names.Count == int.Parse(counts[0].Groups[1].Value),
            $"{where}: {names.Count} TEST lines, but {counts[0].Groups[1].Value} tests registered");
        Assert.True(names.Count > 0, $"{where}: no test registered");
        var twice = names.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, $"{where}: registered twice: {string.Join(", ", twice)}");
        return names;
    }

    /// <summary>The test names of the "PASS name" lines.</summary>
    public static SortedSet<string> Passed(string output) =>
        new(Regex.Matches(output, Line + @"PASS (\S+)\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value));

    static List<string> Failed(string output) =>
        Regex.Matches(output, Line + @"(FAIL .*)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value.TrimEnd()).ToList();

    /// <summary>
    /// Every registered test has a PASS line (and nothing else does), no FAIL line, the summary
    /// counts them all and the result is SUCCESS. Returns the PASS set.
    /// </summary>
    static SortedSet<string> AssertEveryTestPassed(string output, string where)
    {
        var registered = Registered(output, where);
        var failed = Failed(output);
        Assert.True(failed.Count == 0, $"{where}:\n  " + string.Join("\n  ", failed));
        var passed = Passed(output);
        var missing = registered.Where(n => !passed.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"{where}: no PASS line for {missing.Count} of {registered.Count} registered tests: {string.Join(", ", missing)}");
        var stray = passed.Where(n => !registered.Contains(n)).ToList();
        Assert.True(stray.Count == 0, $"{where}: PASS lines for tests not registered: {string.Join(", ", stray)}");
        Assert.True(Regex.IsMatch(output, Line + $@"kernel-test: {registered.Count} passed, 0 failed\s*$", RegexOptions.Multiline),
            $"{where}: no 'kernel-test: {registered.Count} passed, 0 failed' line");
        Assert.True(output.Contains("Test result: SUCCESS"), $"{where}: no 'Test result: SUCCESS' line");
        return passed;
    }

    /// <summary>
    /// The Xen 4.17 run of <paramref name="build"/>, required to have stopped at its result line
    /// with every registered test passed (its console is in
    /// <see cref="PassesEveryRegisteredTestUnderXen417"/>'s output).
    /// </summary>
    static SortedSet<string> PassedUnderXen417(string build)
    {
        var (rc, xen) = XenRuns[build].Value;
        Assert.True(rc == 0, $"scripts/run-xen.sh {build} ended with {rc} before 'Test result:'");
        return AssertEveryTestPassed(xen, $"Xen 4.17 {build}");
    }

    [Theory]
    [InlineData(HighBuild)]
    [InlineData(LowBuild)]
    public void PassesEveryRegisteredTestUnderXen417(string build)
    {
        Log.WriteLine($"--- Xen 4.17 (scripts/run-xen.sh {build})");
        Log.WriteLine(XenRuns[build].Value.output);
        PassedUnderXen417(build);
    }

    /// <summary>Both builds register the same tests and pass the same set under Xen 4.17.</summary>
    [Fact]
    public void BothBuildsPassTheSameUnderXen417() =>
        Assert.True(PassedUnderXen417(HighBuild).SetEquals(PassedUnderXen417(LowBuild)),
            "PASS sets of the two builds differ under Xen 4.17");

    /// <summary>
    /// microxen (fast mode) with the inline hypercall sequences on or off and user mode on the
    /// kernel's page table or on its own (MMUEXT_NEW_USER_BASEPTR, as Xen): the whole suite
    /// passes, the image registers the same tests it does under Xen 4.17, and both pass the same.
    /// </summary>
    [Theory]
    [MemberData(nameof(MicroxenConfigs))]
    public void PassesEveryRegisteredTestLikeXen417(string build, string inline, string userPt)
    {
        string what = $"microxen {build} inline={inline} user_pt={userPt}";
        var r = Boot(what, Qemu.Built(build, "kernel-test"), "", $"mode=fast loglevel=info inline={inline} user_pt={userPt}", 240);
        var onMicroxen = AssertEveryTestPassed(r.Output, what);
        Assert.Contains("(XEN) dom0 powered off", r.Output);
        AssertPoweredOff(r, what);

        var onXen = PassedUnderXen417(build);
        Assert.True(onXen.SetEquals(onMicroxen),
            "PASS under Xen only: " + string.Join(", ", onXen.Except(onMicroxen)) +
            $"; PASS under {what} only: " + string.Join(", ", onMicroxen.Except(onXen)));
    }
}
