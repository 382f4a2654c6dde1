using System.Text.RegularExpressions;

namespace Microxen.Tools.Certify;

/// <summary>
/// Reads a run's console into test results. Xen's console may prefix guest lines with "(d0) " and
/// end them with "\r"; the shim's own lines start with "(XEN) " and are never results.
/// </summary>
public static class ConsoleParser
{
    const string Prefix = @"^(?:\(d\d+\) )?";
    static readonly Regex TestLine = new(Prefix + @"TEST (\S+)\s*$", RegexOptions.Multiline);
    static readonly Regex ResultLine = new(Prefix + @"(PASS|FAIL|SKIP) ([A-Za-z0-9_.\-]+)(?::? ?(.*?))\s*$", RegexOptions.Multiline);
    static readonly Regex XtfLine = new(Prefix + @"Test result: (SUCCESS|SKIP|FAILURE|ERROR)\b(.*?)\s*$", RegexOptions.Multiline);
    static readonly Regex SmokeVerdict = new(Prefix + @"(SMOKE RESULT: \w+)", RegexOptions.Multiline);
    static readonly Regex FuzzGroup = new(Prefix + @"FUZZ group (\S+) calls (\d+) digest ([0-9a-f]+)\s*$", RegexOptions.Multiline);
    static readonly Regex FuzzDone = new(Prefix + @"FUZZ done (\d+) (\d+) ([0-9a-f]+)\s*$", RegexOptions.Multiline);
    static readonly Regex SmokeStart = new(Prefix + @"SMOKE START: (\d+) checks", RegexOptions.Multiline);

    /// <summary>The results a console of <paramref name="kernel"/> shows, with <see cref="RunResult.Verdict"/> set.</summary>
    public static RunResult Parse(TestKernel kernel, HostKind host, string console)
    {
        var run = new RunResult { Kernel = kernel.Name, Host = host };
        string text = console.Replace("\r", "");
        var xtf = XtfLine.Matches(text);
        switch (kernel.Kind)
        {
            case KernelKind.Xtf:
                if (xtf.Count == 0) run.Tests.Add(new TestResult(kernel.Name, Outcome.Error, "no 'Test result:' line"));
                else run.Tests.Add(new TestResult(kernel.Name, FromXtf(xtf[0].Groups[1].Value), xtf[0].Groups[2].Value.Trim(' ', ':')));
                break;
            case KernelKind.KernelTest:
                Results(text, run, TestLine.Matches(text).Select(m => m.Groups[1].Value), "'Test result:'", xtf.Count > 0);
                break;
            case KernelKind.Fuzz:
                Fuzz(text, run, kernel.FuzzGroups, xtf.Count > 0);
                break;
            case KernelKind.Smoke:
                var verdict = SmokeVerdict.Matches(text);
                Results(text, run, Enumerable.Empty<string>(), "'SMOKE RESULT:'", verdict.Count > 0);
                var start = SmokeStart.Match(text);
                if (start.Success && int.Parse(start.Groups[1].Value) > run.Tests.Count && verdict.Count > 0)
                    run.Tests.Add(new TestResult("(smoke)", Outcome.Error, $"{start.Groups[1].Value} checks announced, {run.Tests.Count} reported"));
                else if (!start.Success)
                    run.Tests.Add(new TestResult("(smoke)", Outcome.Error, "no 'SMOKE START:' line: the smoke program did not run"));
                run.Verdict = verdict.Count > 0 ? verdict[0].Groups[1].Value : "";
                return run;
        }
        run.Verdict = xtf.Count > 0 ? "Test result: " + xtf[0].Groups[1].Value : "";
        return run;
    }

    /// <summary>
    /// PASS/FAIL/SKIP lines in order, then an Error for every announced test without one (the run
    /// ended before it: <paramref name="ended"/> says whether the verdict line came).
    /// </summary>
    static void Results(string text, RunResult run, IEnumerable<string> announced, string verdictName, bool ended)
    {
        var seen = new HashSet<string>();
        foreach (Match m in ResultLine.Matches(text))
        {
            string name = m.Groups[2].Value;
            if (!seen.Add(name)) continue;
            var outcome = m.Groups[1].Value switch { "PASS" => Outcome.Pass, "FAIL" => Outcome.Fail, _ => Outcome.Skip };
            run.Tests.Add(new TestResult(name, outcome, m.Groups[3].Value));
        }
        foreach (string name in announced)
            if (seen.Add(name))
                run.Tests.Add(new TestResult(name, Outcome.Error, ended ? "no PASS/FAIL line" : $"no PASS/FAIL line: the run ended before {verdictName}"));
    }

    /// <summary>
    /// A storm's rows: "fuzz:G" per group line (PASS with its digest), an Error for every expected
    /// group without one, and "fuzz:all" from the "FUZZ done" line (an Error when there is none).
    /// </summary>
    static void Fuzz(string text, RunResult run, IReadOnlyList<string> expected, bool ended)
    {
        string end = ended ? "" : ": the run ended before 'Test result:'";
        foreach (Match m in FuzzGroup.Matches(text))
        {
            string name = FuzzRun.TestPrefix + m.Groups[1].Value;
            if (run.Tests.All(t => t.Test != name))
                run.Tests.Add(new TestResult(name, Outcome.Pass, m.Groups[2].Value + " calls", m.Groups[3].Value));
        }
        foreach (string g in expected ?? Array.Empty<string>())
            if (run.Tests.All(t => t.Test != FuzzRun.TestPrefix + g))
                run.Tests.Add(new TestResult(FuzzRun.TestPrefix + g, Outcome.Error, $"no 'FUZZ group {g}' line" + end));
        var done = FuzzDone.Match(text);
        run.Tests.Add(done.Success
            ? new TestResult(FuzzRun.AllTest, Outcome.Pass, $"seed {done.Groups[1].Value}, {done.Groups[2].Value} calls", done.Groups[3].Value)
            : new TestResult(FuzzRun.AllTest, Outcome.Error, "no 'FUZZ done' line: the storm did not finish" + end));
    }

    public static Outcome FromXtf(string word) => word switch
    {
        "SUCCESS" => Outcome.Pass,
        "SKIP" => Outcome.Skip,
        "FAILURE" => Outcome.Fail,
        _ => Outcome.Error,
    };

    /// <summary>The result word of the report and progress lines.</summary>
    public static string Word(Outcome o) => o switch
    {
        Outcome.Pass => "PASS",
        Outcome.Fail => "FAIL",
        Outcome.Skip => "SKIP",
        _ => "ERROR",
    };
}
