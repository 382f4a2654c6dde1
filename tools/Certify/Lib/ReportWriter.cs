using System.Text;

namespace Microxen.Tools.Certify;

/// <summary>build/certify/report.md: the summary per kernel and host, the differences, then every row.</summary>
public static class ReportWriter
{
    public static string Markdown(Matrix m, string source)
    {
        var sb = new StringBuilder();
        sb.Append("# microxen certification report\n\n");
        sb.Append(source).Append("\n\n");
        sb.Append("Hosts: ").Append(string.Join(", ", m.Hosts.Select(Hosts.Name)))
          .Append(". Xen 4.17 is the reference; a row differs when its result is not Xen's.\n\n");
        var diffs = m.CheckedDifferences;
        if (!m.Hosts.Contains(HostKind.Xen)) sb.Append("**Result: not certified: Xen 4.17 did not run, nothing to compare with.**\n\n");
        else if (!m.Hosts.Contains(HostKind.Checked)) sb.Append("**Result: checked mode did not run.**\n\n");
        else if (diffs.Count == 0) sb.Append("**Result: checked mode equals Xen 4.17 on every test.**\n\n");
        else sb.Append($"**Result: checked mode differs from Xen 4.17 on {diffs.Count} test(s).**\n\n");

        sb.Append("## Summary\n\n| kernel | host | pass | fail | skip | error | differs from Xen | run |\n|---|---|---|---|---|---|---|---|\n");
        foreach (string kernel in m.Kernels)
            foreach (var host in m.Hosts)
            {
                var run = m.Runs.FirstOrDefault(r => r.Kernel == kernel && r.Host == host);
                var rows = m.Rows.Where(r => r.Kernel == kernel && r.Host == host).ToList();
                int differs = rows.Count(r => r.Differs);
                string d = host == HostKind.Xen ? "(reference)" : differs == 0 ? "0" : $"**{differs}**";
                int documented = rows.Count(r => r.Differs && r.Documented != null);
                if (documented > 0) d += $" ({documented} documented)";
                sb.Append($"| {kernel} | {Hosts.Name(host)} | {Count(rows, Outcome.Pass)} | {Count(rows, Outcome.Fail)} | {Count(rows, Outcome.Skip)} | {Count(rows, Outcome.Error)} | {d} | {Cell(run == null ? "not run" : RunCell(run))} |\n");
            }

        var allDiffs = m.Rows.Where(r => r.Differs).ToList();
        sb.Append("\n## Differences from Xen 4.17\n\n");
        if (allDiffs.Count == 0) sb.Append("None.\n");
        else
        {
            sb.Append("| kernel | test | host | result | Xen 4.17 | explanation |\n|---|---|---|---|---|---|\n");
            foreach (var r in allDiffs)
                sb.Append($"| {r.Kernel} | {r.Test} | {Hosts.Name(r.Host)} | {Cell(Result(r.Result))} | {Cell(Result(r.Xen))} | {Cell(Explain(r))} |\n");
        }

        sb.Append("\n## All results\n");
        foreach (string kernel in m.Kernels)
        {
            sb.Append($"\n### {kernel}\n\n| test | host | result | vs Xen 4.17 |\n|---|---|---|---|\n");
            foreach (var r in m.Rows.Where(r => r.Kernel == kernel))
                sb.Append($"| {r.Test} | {Hosts.Name(r.Host)} | {Cell(Result(r.Result))} | {Cell(Versus(r))} |\n");
        }
        return sb.ToString();
    }

    static int Count(List<Row> rows, Outcome o) => rows.Count(r => r.Result.Outcome == o);

    static string RunCell(RunResult run) =>
        (run.Verdict.Length > 0 ? run.Verdict : "no verdict line") + ", " + run.Ending +
        (run.Seconds > 0 ? $", {run.Seconds:F1} s" : "");

    /// <summary>"PASS", "FAIL: why", or a fuzz row's "PASS digest D (N calls)".</summary>
    public static string Result(TestResult t) =>
        t == null ? "(not run)" : t.Digest != null ? ConsoleParser.Word(t.Outcome) + " digest " + t.Digest + " (" + t.Detail + ")"
        : ConsoleParser.Word(t.Outcome) + (t.Outcome != Outcome.Pass && t.Detail.Length > 0 ? ": " + t.Detail : "");

    /// <summary>The "vs Xen 4.17" cell: reference, same, or the marked difference.</summary>
    public static string Versus(Row r) =>
        r.Host == HostKind.Xen ? "reference" : r.Xen == null ? "(Xen not run)" : !r.Differs ? "same" : "**DIFFERS** (" + Explain(r) + ")";

    /// <summary>A difference's explanation: fast mode's documented reason, or that none is documented.</summary>
    public static string Explain(Row r) =>
        r.Documented != null ? "documented fast-mode difference: " + (r.Documented.Length > 0 ? r.Documented : "(no reason given)")
        : r.Host == HostKind.Checked ? "checked mode must equal Xen: not certified"
        : "undocumented: add it to kernel-test/fast-mode-differences.txt or fix it";

    /// <summary>A table cell: no pipes or line breaks, at most 160 characters.</summary>
    public static string Cell(string s)
    {
        s = s.Replace("|", "\\|").Replace("\n", " ");
        return s.Length <= 160 ? s : s[..157] + "...";
    }
}
