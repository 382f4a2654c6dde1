using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microxen.Tools.Certify;

namespace Microxen.Tests;

/// <summary>
/// tools/Certify's library on synthetic consoles (host only): what each kernel kind's lines give,
/// the matrix's differences and their marks in report.md, junit.xml's suites and verdicts, the
/// split of a hardware console by run, and the certify image's grub.cfg.
/// </summary>
public class CertifyTests
{
    static readonly TestKernel KernelTest = new("kernel-test.elf", KernelKind.KernelTest, "/k/kernel-test.elf", null, "");
    static readonly TestKernel Smoke = new("debian-smoke", KernelKind.Smoke, "/k/vmlinux", "/k/initrd", "console=hvc0");
    static readonly TestKernel Xtf = new("test-pv64-example", KernelKind.Xtf, "/k/xtf", null, "");

    /// <summary>A kernel-test console: the registered set, then the given result lines and the verdict.</summary>
    static string KtConsole(string results, string prefix = "", bool verdict = true) =>
        $"{prefix}kernel-test: 3 tests registered\r\n{prefix}TEST alpha\r\n{prefix}TEST beta\r\n{prefix}TEST gamma\r\n" + results +
        (verdict ? $"{prefix}Test result: SUCCESS\r\n" : "");

    static RunResult Run(TestKernel k, HostKind h, string console) => ConsoleParser.Parse(k, h, console);

    [Fact]
    public void KernelTestConsoleGivesOneResultPerRegisteredTest()
    {
        var r = Run(KernelTest, HostKind.Xen, KtConsole("(d0) PASS alpha\r\n(d0) FAIL beta: got -22, want 0\r\n(XEN) PASS gamma\r\n", "(d0) ", verdict: false));
        Assert.Equal(new[] { "alpha", "beta", "gamma" }, r.Tests.Select(t => t.Test));
        Assert.Equal(Outcome.Pass, r.Tests[0].Outcome);
        Assert.Equal((Outcome.Fail, "got -22, want 0"), (r.Tests[1].Outcome, r.Tests[1].Detail));
        // Xen's own "(XEN) " lines are never results; gamma was registered but never reported.
        Assert.Equal(Outcome.Error, r.Tests[2].Outcome);
        Assert.Contains("ended before 'Test result:'", r.Tests[2].Detail);
        Assert.Equal("", r.Verdict);
    }

    [Fact]
    public void SmokeConsoleGivesItsChecksAndFlagsAMissingOne()
    {
        const string Ok = "SMOKE START: 2 checks (pid 9)\nPASS fork_wait: 21 children\nFAIL pipe: short read\nSMOKE RESULT: FAILURE\n";
        var r = Run(Smoke, HostKind.Checked, "[    1.0] PASSthrough: not a result\n" + Ok);
        Assert.Equal(new[] { ("fork_wait", Outcome.Pass), ("pipe", Outcome.Fail) }, r.Tests.Select(t => (t.Test, t.Outcome)));
        Assert.Equal("SMOKE RESULT: FAILURE", r.Verdict);

        r = Run(Smoke, HostKind.Fast, Ok.Replace("2 checks", "3 checks"));
        Assert.Equal(Outcome.Error, r.Tests.Single(t => t.Test == "(smoke)").Outcome);
        r = Run(Smoke, HostKind.Fast, "Kernel panic - not syncing\n");
        Assert.Contains("did not run", r.Tests.Single().Detail);
    }

    [Theory]
    [InlineData("Test result: SUCCESS", Outcome.Pass)]
    [InlineData("(d0) Test result: SKIP", Outcome.Skip)]
    [InlineData("Test result: FAILURE", Outcome.Fail)]
    [InlineData("Test result: ERROR", Outcome.Error)]
    [InlineData("--- Xen Test Framework ---", Outcome.Error)]
    public void XtfKernelIsOneTestNamedAfterItsFile(string line, Outcome expected)
    {
        var r = Run(Xtf, HostKind.Fast, "Environment: PV 64bit (Long mode 4 levels)\n" + line + "\n");
        var t = Assert.Single(r.Tests);
        Assert.Equal(("test-pv64-example", expected), (t.Test, t.Outcome));
    }

    /// <summary>Xen passes alpha..gamma; checked fails beta; fast fails alpha (documented) and gamma (not).</summary>
    static Matrix Sample(bool checkedDiffers = true) => new(new[]
    {
        Run(KernelTest, HostKind.Xen, KtConsole("PASS alpha\nPASS beta\nPASS gamma\n")),
        Run(KernelTest, HostKind.Checked, KtConsole(checkedDiffers ? "PASS alpha\nFAIL beta: -EINVAL\nPASS gamma\n" : "PASS alpha\nPASS beta\nPASS gamma\n")),
        Run(KernelTest, HostKind.Fast, KtConsole("FAIL alpha: 0\nPASS beta\nFAIL gamma: 0\n")),
    }, new Dictionary<string, string> { ["alpha"] = "fast mode keeps no page types" });

    [Fact]
    public void MatrixComparesEveryHostWithXen()
    {
        var m = Sample();
        Assert.Equal(9, m.Rows.Count); // one per test and host
        Assert.Equal(new[] { "beta" }, m.CheckedDifferences.Select(r => r.Test));
        Assert.False(m.Certified);
        var fast = m.Rows.Where(r => r.Host == HostKind.Fast && r.Differs).ToList();
        Assert.Equal(new[] { ("alpha", "fast mode keeps no page types"), ("gamma", (string)null) }, fast.Select(r => (r.Test, r.Documented)));
        Assert.True(Sample(checkedDiffers: false).Certified);
    }

    [Fact]
    public void ReportMarksEachDifferenceAndItsExplanation()
    {
        string md = ReportWriter.Markdown(Sample(), "synthetic");
        Assert.Contains("**Result: checked mode differs from Xen 4.17 on 1 test(s).**", md);
        Assert.Contains("| kernel-test.elf | microxen-checked | 2 | 1 | 0 | 0 | **1** |", md);
        Assert.Contains("| kernel-test.elf | microxen-fast | 1 | 2 | 0 | 0 | **2** (1 documented) |", md);
        Assert.Contains("| beta | microxen-checked | FAIL: -EINVAL | **DIFFERS** (checked mode must equal Xen: not certified) |", md);
        Assert.Contains("| alpha | microxen-fast | FAIL: 0 | **DIFFERS** (documented fast-mode difference: fast mode keeps no page types) |", md);
        Assert.Contains("| gamma | microxen-fast | FAIL: 0 | **DIFFERS** (undocumented", md);
        Assert.Contains("| beta | xen-4.17 | PASS | reference |", md);
        Assert.Contains("| gamma | microxen-checked | PASS | same |", md);
        // The differences section lists exactly the three differing rows.
        string diffs = md[md.IndexOf("## Differences", StringComparison.Ordinal)..md.IndexOf("## All results", StringComparison.Ordinal)];
        Assert.Equal(3, Regex.Matches(diffs, @"^\| kernel-test\.elf \|", RegexOptions.Multiline).Count);
        Assert.Contains("**Result: checked mode equals Xen 4.17 on every test.**", ReportWriter.Markdown(Sample(false), "synthetic"));
    }

    [Fact]
    public void ReportCellsKeepTheTableWhole() =>
        Assert.Equal("a \\| b c", ReportWriter.Cell("a | b\nc"));

    [Fact]
    public void JUnitHasOneSuitePerHostWithItsVerdicts()
    {
        var doc = JUnitWriter.Document(Sample());
        var suites = doc.Root!.Elements("testsuite").ToDictionary(s => (string)s.Attribute("name"));
        Assert.Equal(new[] { "xen-4.17", "microxen-checked", "microxen-fast" }, suites.Keys);
        Assert.All(suites.Values, s => Assert.Equal(3, (int)s.Attribute("tests")));
        Assert.Equal(0, (int)suites["xen-4.17"].Attribute("failures"));
        var beta = suites["microxen-checked"].Elements("testcase").Single(c => (string)c.Attribute("name") == "beta");
        Assert.Equal("kernel-test.elf", (string)beta.Attribute("classname"));
        Assert.Contains("differs from Xen 4.17: PASS", (string)beta.Element("failure")!.Attribute("message"));
        var fast = suites["microxen-fast"];
        Assert.Equal((1, 1), ((int)fast.Attribute("failures"), (int)fast.Attribute("skipped")));
        Assert.Contains("fast mode keeps no page types", (string)fast.Elements("testcase").First().Element("skipped")!.Attribute("message"));
        Assert.Equal(2, (int)doc.Root.Attribute("failures"));
    }

    static readonly TestKernel Fuzz = new("fuzz-1", KernelKind.Fuzz, "/k/kernel-test.elf", null, "fuzz=1,20,con+ver") { FuzzGroups = new[] { "ver", "con" } };

    static string FuzzConsole(string conDigest, string prefix = "", bool done = true) =>
        $"{prefix}FUZZ start seed 1 count 20 groups ver+con\r\n{prefix}FUZZ group ver calls 12 digest 00000000000000aa\r\n" +
        $"{prefix}FUZZ group con calls 8 digest {conDigest}\r\n" +
        (done ? $"{prefix}FUZZ done 1 20 {conDigest}ffff\r\n{prefix}Test result: SUCCESS\r\n" : "");

    [Fact]
    public void FuzzRowsCarryDigestsAndDifferByDigest()
    {
        var xen = Run(Fuzz, HostKind.Xen, FuzzConsole("0123456789abcdef", "(d0) "));
        Assert.Equal(new[] { ("fuzz:ver", "00000000000000aa"), ("fuzz:con", "0123456789abcdef"), ("fuzz:all", "0123456789abcdefffff") },
            xen.Tests.Select(t => (t.Test, t.Digest)));
        Assert.All(xen.Tests, t => Assert.Equal(Outcome.Pass, t.Outcome));
        var m = new Matrix(new[]
        {
            xen,
            Run(Fuzz, HostKind.Checked, FuzzConsole("0123456789abcdef")),
            Run(Fuzz, HostKind.Fast, FuzzConsole("fedcba9876543210")),
        }, new Dictionary<string, string>());
        Assert.True(m.Certified);
        Assert.Equal(new[] { "fuzz:con", "fuzz:all" }, m.Rows.Where(r => r.Differs).Select(r => r.Test));
        string md = ReportWriter.Markdown(m, "synthetic");
        Assert.Contains("| fuzz:con | microxen-checked | PASS digest 0123456789abcdef (8 calls) | same |", md);
        Assert.Contains("| fuzz:con | microxen-fast | PASS digest fedcba9876543210 (8 calls) | **DIFFERS** (undocumented", md);
        Assert.Contains("| fuzz:all | xen-4.17 | PASS digest 0123456789abcdefffff (seed 1, 20 calls) | reference |", md);
        var fast = JUnitWriter.Document(m).Root!.Elements("testsuite").Single(s => (string)s.Attribute("name") == "microxen-fast");
        var con = fast.Elements("testcase").Single(c => (string)c.Attribute("name") == "fuzz:con");
        Assert.Contains("differs from Xen 4.17: PASS digest 0123456789abcdef", (string)con.Element("failure")!.Attribute("message"));
        Assert.Equal("PASS digest fedcba9876543210 (8 calls); Xen 4.17: PASS digest 0123456789abcdef (8 calls)", (string)con.Element("system-out"));
    }

    [Fact]
    public void FuzzRunWithoutAGroupLineOrTheDoneLineGivesErrorRows()
    {
        var r = Run(Fuzz, HostKind.Checked, FuzzConsole("0123456789abcdef", done: false).Replace("FUZZ group ver", "FUZZ grou ver"));
        Assert.Equal(new[] { ("fuzz:con", Outcome.Pass), ("fuzz:ver", Outcome.Error), ("fuzz:all", Outcome.Error) }, r.Tests.Select(t => (t.Test, t.Outcome)));
        Assert.Equal("no 'FUZZ group ver' line: the run ended before 'Test result:'", r.Tests[1].Detail);
        Assert.StartsWith("no 'FUZZ done' line", r.Tests[2].Detail);
        Assert.Equal("", r.Verdict);
    }

    [Fact]
    public void FuzzKernelRunsTheGroupsThatAgreeWithXenAndNamesTheOthers()
    {
        var groups = FuzzRun.CallGroups(File.ReadAllText(Path.Combine(DebianKernel.RepoRoot, FuzzRun.GroupsSource)));
        Assert.Equal(16, groups.Count); // FuzzGroups.Count: the call groups, not the hvptr/bugs modifiers
        Assert.Equal(("ver", "scr"), (groups[0], groups[^1]));
        Assert.DoesNotContain("hvptr", groups);
        var (k, excluded) = FuzzRun.Kernel("/k/kt.elf", 7, 300, groups, groups.Where(g => g != "con" && g != "mmu"));
        Assert.Equal(("fuzz-7", KernelKind.Fuzz, "fuzz=7,300,mmu+con"), (k.Name, k.Kind, k.Cmdline));
        Assert.Equal(new[] { "mmu", "con" }, k.FuzzGroups);
        Assert.Equal(14, excluded.Count);
        Assert.Equal("fuzz=7,300", FuzzRun.Kernel("/k/kt.elf", 7, 300, groups, new string[0]).kernel.Cmdline);
        // The unlike-Xen file names only real groups (FuzzTests and make certify read it).
        var unlike = Matrix.ReadDifferences(Path.Combine(DebianKernel.RepoRoot, FuzzRun.UnlikeXenFile)).Keys;
        Assert.All(unlike, g => Assert.Contains(g, groups));
        Assert.True(FuzzRun.TryParse("1,10000", out ulong seed, out ulong count) && (seed, count) == (1, 10000));
        Assert.False(FuzzRun.TryParse("1", out _, out _));
        Assert.False(FuzzRun.TryParse("1,0", out _, out _));
    }

    [Fact]
    public void MissingRunsAreErrorsNotSilentPasses()
    {
        // A hardware log with the fast run only: checked did not run that kernel, so it differs.
        var m = new Matrix(new[]
        {
            Run(KernelTest, HostKind.Xen, KtConsole("PASS alpha\nPASS beta\nPASS gamma\n")),
            Run(KernelTest, HostKind.Fast, KtConsole("PASS alpha\nPASS beta\nPASS gamma\n")),
            Run(Xtf, HostKind.Checked, "Test result: SUCCESS\n"),
        }, new Dictionary<string, string>());
        Assert.Equal(3, m.CheckedDifferences.Count(r => r.Kernel == "kernel-test.elf"));
        var xtfOnXen = m.Rows.Single(r => r.Kernel == Xtf.Name && r.Host == HostKind.Xen);
        Assert.Equal(Outcome.Error, xtfOnXen.Result.Outcome);
        Assert.Contains(m.CheckedDifferences, r => r.Kernel == Xtf.Name);
        Assert.Contains("| test-pv64-example | microxen-fast | 0 | 0 | 0 | 1 | 0 | not run |", ReportWriter.Markdown(m, "x"));
    }

    [Fact]
    public void SerialLogSplitsAtTheBannerByModeAndCertifyWord()
    {
        string Boot(string mode, string cmdline, string body) =>
            $"{SerialLog.Banner}\n(XEN) mode: {mode} (...)\n(XEN) dom0: command line \"{cmdline}\"\n{body}";
        string log = "GRUB loading\n" +
                     Boot("checked", "certify=kernel-test.elf", KtConsole("PASS alpha\nFAIL beta: x\nPASS gamma\n")) +
                     "\u001b[H\u001b[Jcertify: step 2 of 3\n" +
                     Boot("fast", "console=hvc0 certify=debian-smoke earlyprintk=xen", "SMOKE START: 1 checks\nPASS pipe\nSMOKE RESULT: SUCCESS\n") +
                     Boot("fast", "console=hvc0", "no marker") +
                     Boot("checked", "certify=kernel-test.elf", KtConsole("PASS alpha\nPASS beta\nPASS gamma\n"));
        var (runs, problems) = SerialLog.Split(log);
        Assert.Equal(new[] { ("debian-smoke", HostKind.Fast), ("kernel-test.elf", HostKind.Checked) }, runs.Select(r => (r.Kernel, r.Host)));
        Assert.Equal(new[] { "run 3: no certify=NAME in the dom0 command line" }, problems);
        // The later checked run replaced the first.
        Assert.All(Run(KernelTest, HostKind.Checked, runs[1].Console).Tests, t => Assert.Equal(Outcome.Pass, t.Outcome));
        Assert.Contains("not a microxen console", Assert.Single(SerialLog.Split("SeaBIOS\n").problems));
    }

    [Fact]
    public void GrubConfigHasAnEntryPerKernelAndModeAndASequenceOverThem()
    {
        var steps = GrubConfig.Steps(new[] { KernelTest, Smoke });
        string cfg = GrubConfig.Text(steps);
        Assert.Equal(4, Regex.Matches(cfg, @"^menuentry ""certify: \S+ on microxen mode=(checked|fast)"" --id step\d \{$", RegexOptions.Multiline).Count);
        Assert.Matches(@"(?m)^set default=all$", cfg);
        Assert.Contains("menuentry \"certify: all 4 runs in sequence (reboots between them)\" --id all {", cfg);
        // Each step names the next one, and the sequence ends after the last.
        for (int i = 1; i <= 4; i++)
            Assert.Matches($@"\[ ""\$certify_next"" = ""{i}"" \]; then\s+set default=step{i}\s+set certify_next={i + 1}\s", cfg);
        Assert.DoesNotContain("= \"5\"", cfg);
        Assert.Contains($"echo \"{GrubConfig.Done}\"; halt", cfg);
        // Runs reboot only inside the sequence; every module line carries the run's certify= word.
        Assert.Equal(4, Regex.Matches(cfg, @"multiboot2 /boot/microxen\.bin mode=(checked|fast) loglevel=info \$certify_exit\n").Count);
        Assert.Contains("set certify_exit=on_exit=reboot", cfg);
        Assert.Contains("module2 /boot/certify/debian-smoke.kernel console=hvc0 certify=debian-smoke\n    module2 /boot/certify/debian-smoke.initrd\n", cfg);
        Assert.Contains("module2 /boot/certify/kernel-test.elf.kernel certify=kernel-test.elf\n}", cfg);
    }

    [Fact]
    public void DifferencesFileSkipsCommentsAndNamesRegisteredTests()
    {
        string tmp = Path.GetTempFileName();
        File.WriteAllText(tmp, "# comment\n\nalpha  why: a reason\nbeta\n");
        var d = Matrix.ReadDifferences(tmp);
        File.Delete(tmp);
        Assert.Equal(new Dictionary<string, string> { ["alpha"] = "why: a reason", ["beta"] = "" }, d);
        Assert.Empty(Matrix.ReadDifferences(tmp));

        // The repository's list names only tests kernel-test registers (a stale name fails here).
        string root = DebianKernel.RepoRoot;
        string list = File.ReadAllText(Path.Combine(root, "kernel-test", "Tests", "TestList.cs"));
        foreach (string name in Matrix.ReadDifferences(Path.Combine(root, "kernel-test", "fast-mode-differences.txt")).Keys)
            Assert.True(list.Contains($"\"{name}\""), $"kernel-test/fast-mode-differences.txt: {name} is not registered in kernel-test/Tests/TestList.cs");
    }
}
