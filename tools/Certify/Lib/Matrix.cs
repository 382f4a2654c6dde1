namespace Microxen.Tools.Certify;

/// <summary>One test on one host, compared with Xen 4.17's result for the same test.</summary>
public sealed record Row(string Kernel, string Test, HostKind Host, TestResult Result, TestResult Xen, string Documented)
{
    /// <summary>The host's result (or fuzz digest) differs from Xen's (false for the Xen row itself, and when Xen did not run).</summary>
    public bool Differs => Host != HostKind.Xen && Xen != null && !Result.SameAs(Xen);
}

/// <summary>
/// The matrix's results as report rows: for every kernel, the union of the tests any host
/// reported (Xen's order first), one row per test and host of the matrix. A test a host did not
/// report, or a kernel it did not run (a hardware log without that run), is an Error row there. Fast mode's documented differences explain its differing rows.
/// </summary>
public sealed class Matrix
{
    public readonly List<RunResult> Runs;
    public readonly List<HostKind> Hosts;
    public readonly List<string> Kernels;
    public readonly List<Row> Rows = new();

    public Matrix(IEnumerable<RunResult> runs, IReadOnlyDictionary<string, string> fastModeDifferences)
    {
        Runs = runs.ToList();
        Hosts = Certify.Hosts.All.Where(h => Runs.Any(r => r.Host == h)).ToList();
        Kernels = Runs.Select(r => r.Kernel).Distinct().ToList();
        foreach (string kernel in Kernels)
        {
            var ofKernel = Runs.Where(r => r.Kernel == kernel).OrderBy(r => r.Host).ToList();
            var names = ofKernel.SelectMany(r => r.Tests.Select(t => t.Test)).Distinct().ToList();
            var xen = ofKernel.FirstOrDefault(r => r.Host == HostKind.Xen);
            foreach (string test in names)
            {
                TestResult xenResult = Hosts.Contains(HostKind.Xen) ? Find(xen, test) : null;
                foreach (var host in Hosts)
                {
                    var run = ofKernel.FirstOrDefault(r => r.Host == host);
                    string documented = null;
                    if (host == HostKind.Fast) fastModeDifferences.TryGetValue(test, out documented);
                    Rows.Add(new Row(kernel, test, host, Find(run, test), xenResult, documented));
                }
            }
        }
    }

    /// <summary>The test's result in <paramref name="run"/>; an Error when the host did not run the kernel or the run did not report the test.</summary>
    static TestResult Find(RunResult run, string test) =>
        run == null ? new TestResult(test, Outcome.Error, "the kernel did not run on this host") :
        run.Tests.FirstOrDefault(t => t.Test == test) ?? new TestResult(test, Outcome.Error, "no result on this host");

    /// <summary>Checked-mode rows that differ from Xen 4.17: any makes the certification fail.</summary>
    public List<Row> CheckedDifferences => Rows.Where(r => r.Host == HostKind.Checked && r.Differs).ToList();

    /// <summary>True when checked mode ran and equals Xen 4.17 on every row (and Xen ran).</summary>
    public bool Certified => Hosts.Contains(HostKind.Xen) && CheckedDifferences.Count == 0;

    /// <summary>
    /// kernel-test/fast-mode-differences.txt: one "test-name reason..." a line; '#' starts a
    /// comment, blank lines are skipped. A missing file is an empty list.
    /// </summary>
    public static Dictionary<string, string> ReadDifferences(string path)
    {
        var d = new Dictionary<string, string>();
        if (!File.Exists(path)) return d;
        foreach (string raw in File.ReadAllLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int space = line.IndexOfAny(new[] { ' ', '\t' });
            string name = space < 0 ? line : line[..space];
            d[name] = space < 0 ? "" : line[(space + 1)..].Trim();
        }
        return d;
    }
}
