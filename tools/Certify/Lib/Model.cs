namespace Microxen.Tools.Certify;

/// <summary>A test's result on one host, as its console printed it (XTF's vocabulary).</summary>
public enum Outcome { Pass, Fail, Skip, Error }

/// <summary>How a test kernel reports: which console lines name its tests and their results.</summary>
public enum KernelKind
{
    /// <summary>kernel-test: "TEST name" per registered test, then "PASS name" / "FAIL name: why", then "Test result: ...".</summary>
    KernelTest,
    /// <summary>Linux with the smoke initramfs (tests/guest/smoke.c): "PASS name[: detail]" / "FAIL name: why", then "SMOKE RESULT: ...".</summary>
    Smoke,
    /// <summary>Any PV test kernel printing one XTF line "Test result: SUCCESS|SKIP|FAILURE|ERROR": the kernel is one test.</summary>
    Xtf,
    /// <summary>kernel-test's hypercall storm (fuzz=SEED,COUNT[,GROUPS]): "FUZZ group G calls N digest D" per group is the test
    /// "fuzz:G", "FUZZ done SEED COUNT D" the test "fuzz:all"; a result carries its digest, and a host equals Xen when the digests do.</summary>
    Fuzz,
}

/// <summary>The hosts of the matrix. <see cref="Xen"/> is the reference every other host is compared with.</summary>
public enum HostKind { Xen, Checked, Fast }

public static class Hosts
{
    public static readonly HostKind[] All = { HostKind.Xen, HostKind.Checked, HostKind.Fast };

    /// <summary>The host's name in the report, the JUnit suite and the log file names.</summary>
    public static string Name(HostKind h) => h switch
    {
        HostKind.Xen => "xen-4.17",
        HostKind.Checked => "microxen-checked",
        _ => "microxen-fast",
    };

    /// <summary>The short name of --hosts and of the progress lines.</summary>
    public static string Short(HostKind h) => h switch { HostKind.Xen => "xen", HostKind.Checked => "checked", _ => "fast" };

    /// <summary>The shim's mode= word for a microxen host.</summary>
    public static string ShimMode(HostKind h) => h == HostKind.Checked ? "checked" : "fast";

    public static bool TryParse(string s, out HostKind h)
    {
        foreach (var k in All)
            if (s == Short(k) || s == Name(k)) { h = k; return true; }
        h = HostKind.Xen;
        return false;
    }
}

/// <summary>One test kernel of the matrix: its name (report rows, certify=NAME), image, initrd and guest command line.</summary>
public sealed record TestKernel(string Name, KernelKind Kind, string Image, string Initrd, string Cmdline)
{
    /// <summary>The guest command-line word naming the run, so a captured console (hardware) can be split by kernel.</summary>
    public const string Marker = "certify=";

    /// <summary>A CERTIFY_KERNELS kernel X's guest command line is the file X.cmdline beside it (XTF kernels need none).</summary>
    public const string CmdlineSuffix = ".cmdline";

    /// <summary>The guest command line of a certify run: the kernel's own words plus certify=NAME.</summary>
    public string GuestCmdline => (Cmdline.Length == 0 ? "" : Cmdline + " ") + Marker + Name;

    /// <summary>A <see cref="KernelKind.Fuzz"/> kernel's groups: each must print its "FUZZ group" line (null: whatever the hosts print).</summary>
    public IReadOnlyList<string> FuzzGroups { get; init; }
}

/// <summary>One test's result on one host.</summary>
/// <summary>One test's result on one host; <paramref name="Digest"/> is a fuzz row's digest (null elsewhere), compared with Xen's.</summary>
public sealed record TestResult(string Test, Outcome Outcome, string Detail, string Digest = null)
{
    /// <summary>The same outcome and the same digest (both null outside fuzz rows).</summary>
    public bool SameAs(TestResult other) => other != null && Outcome == other.Outcome && Digest == other.Digest;
}

/// <summary>What one run (kernel on host) printed and how it ended.</summary>
public sealed class RunResult
{
    public string Kernel = "";
    public HostKind Host;
    public List<TestResult> Tests = new();
    /// <summary>How the run ended, for the report: "exit 0", "timed out after 300 s", "from serial.log", ...</summary>
    public string Ending = "";
    public double Seconds;
    /// <summary>The kernel's own verdict line ("Test result: SUCCESS", "SMOKE RESULT: FAILURE"), or "" when it printed none.</summary>
    public string Verdict = "";

    public int Count(Outcome o) => Tests.Count(t => t.Outcome == o);
}
