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

    /// <summary>
    /// The checked-mode matrix: build x user_pt=shared|switch (mode=checked turns the inline
    /// sequences off: every hypercall reaches the C# handlers, so inline=on|off do not apply).
    /// </summary>
    public static IEnumerable<object[]> CheckedConfigs()
    {
        foreach (string build in new[] { HighBuild, LowBuild })
            foreach (string userPt in new[] { "shared", "switch" })
                yield return new object[] { build, userPt };
    }

    /// <summary>
    /// The kernel-test tests that fast mode answers differently from Xen 4.17, and must FAIL
    /// there (so this list cannot go stale): fast mode applies a guest's page-table and
    /// descriptor requests as given, without Xen's validation (DESIGN.md section 1; README,
    /// kernel-test's validation group). Each is a val_* test (kernel-test/Tests/Validation*.cs)
    /// whose expected result is Xen's refusal or adjustment. The list is kernel-test/fast-mode-differences.txt
    /// (one name and reason a line), which `make certify` reads too: append a line there, with the
    /// test, when fast mode knowingly differs; checked mode must pass them all.
    /// </summary>
    public static readonly IReadOnlyList<string> FastModeDifferences =
        Microxen.Tools.Certify.Matrix.ReadDifferences(Path.Combine(DebianKernel.RepoRoot, "kernel-test", "fast-mode-differences.txt")).Keys.ToList();

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

    /// <summary>The test name of a "FAIL name: why" line.</summary>
    static string FailedName(string failLine) => Regex.Match(failLine, @"^FAIL (\S+?):?(?:\s|$)").Groups[1].Value;

    /// <summary>
    /// A fast-mode run: every registered test passes except exactly <see cref="FastModeDifferences"/>
    /// (or <paramref name="expectedFailures"/>: KernelTestSmpTests adds its pending list),
    /// each of which has a FAIL line (and no PASS line); the summary counts both and the result is
    /// FAILURE when the list is not empty. Returns the PASS set.
    /// </summary>
    public static SortedSet<string> AssertFastModeResult(string output, string where, IEnumerable<string> expectedFailures = null)
    {
        var registered = Registered(output, where);
        var expected = (expectedFailures ?? FastModeDifferences).ToHashSet();
        var unregistered = expected.Where(n => !registered.Contains(n)).ToList();
        Assert.True(unregistered.Count == 0, $"{where}: FastModeDifferences names tests not registered: {string.Join(", ", unregistered)}");
        var failed = Failed(output);
        var failedNames = failed.Select(FailedName).ToHashSet();
        var unexpected = failed.Where(l => !expected.Contains(FailedName(l))).ToList();
        Assert.True(unexpected.Count == 0, $"{where}: failed, and not in FastModeDifferences:\n  " + string.Join("\n  ", unexpected));
        var passed = Passed(output);
        var stale = expected.Where(n => passed.Contains(n) || !failedNames.Contains(n)).ToList();
        Assert.True(stale.Count == 0, $"{where}: in FastModeDifferences but not failed (remove them from the list): {string.Join(", ", stale)}");
        var missing = registered.Where(n => !expected.Contains(n) && !passed.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"{where}: no PASS line for: {string.Join(", ", missing)}");
        var stray = passed.Where(n => !registered.Contains(n)).ToList();
        Assert.True(stray.Count == 0, $"{where}: PASS lines for tests not registered: {string.Join(", ", stray)}");
        int k = expected.Count;
        Assert.True(Regex.IsMatch(output, Line + $@"kernel-test: {registered.Count - k} passed, {k} failed\s*$", RegexOptions.Multiline),
            $"{where}: no 'kernel-test: {registered.Count - k} passed, {k} failed' line");
        Assert.True(output.Contains(k == 0 ? "Test result: SUCCESS" : "Test result: FAILURE"), $"{where}: no 'Test result:' line as expected");
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
    /// passes but for exactly <see cref="FastModeDifferences"/> (which fail), the image
    /// registers the same tests it does under Xen 4.17, and both pass the same others.
    /// </summary>
    [Theory]
    [MemberData(nameof(MicroxenConfigs))]
    public void PassesEveryRegisteredTestLikeXen417(string build, string inline, string userPt)
    {
        string what = $"microxen {build} inline={inline} user_pt={userPt}";
        var r = Boot(what, Qemu.Built(build, "kernel-test"), "", $"mode=fast loglevel=info inline={inline} user_pt={userPt}", 240);
        var onMicroxen = AssertFastModeResult(r.Output, what);
        Assert.Contains("(XEN) dom0 powered off", r.Output);
        AssertPoweredOff(r, what);

        var onXen = PassedUnderXen417(build);
        onXen.ExceptWith(FastModeDifferences);
        Assert.True(onXen.SetEquals(onMicroxen),
            "PASS under Xen only: " + string.Join(", ", onXen.Except(onMicroxen)) +
            $"; PASS under {what} only: " + string.Join(", ", onMicroxen.Except(onXen)));
    }

    /// <summary>
    /// microxen in checked mode (mode=checked), user mode on the kernel's page table or on its
    /// own: every registered test passes, the val_* validation group included, and the PASS set
    /// is Xen 4.17's.
    /// </summary>
    [Theory]
    [MemberData(nameof(CheckedConfigs))]
    public void PassesEveryRegisteredTestLikeXen417InCheckedMode(string build, string userPt)
    {
        string what = $"microxen {build} mode=checked user_pt={userPt}";
        var r = Boot(what, Qemu.Built(build, "kernel-test"), "", $"mode=checked loglevel=info user_pt={userPt}", 300);
        var onMicroxen = AssertEveryTestPassed(r.Output, what);
        Assert.Contains("(XEN) dom0 powered off", r.Output);
        AssertPoweredOff(r, what);

        var onXen = PassedUnderXen417(build);
        Assert.True(onXen.SetEquals(onMicroxen),
            "PASS under Xen only: " + string.Join(", ", onXen.Except(onMicroxen)) +
            $"; PASS under {what} only: " + string.Join(", ", onMicroxen.Except(onXen)));
    }

    /// <summary>
    /// <see cref="FastModeDifferences"/> names registered tests (rows of
    /// kernel-test/Tests/TestList.cs), each once, all of the validation group.
    /// </summary>
    [Fact]
    public void FastModeDifferencesAreRegisteredValidationTests()
    {
        string list = File.ReadAllText(Path.Combine(DebianKernel.RepoRoot, "kernel-test/Tests/TestList.cs"));
        var rows = Regex.Matches(list, @"Add\(ref r, ""([^""]+)""").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.All(FastModeDifferences, n => Assert.True(rows.Contains(n), $"{n}: not a row of TestList.cs"));
        Assert.All(FastModeDifferences, n => Assert.StartsWith("val_", n));
        Assert.Equal(FastModeDifferences.Count, FastModeDifferences.Distinct().Count());
    }
}
