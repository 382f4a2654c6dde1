using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Microxen.Tests.Integration;

/// <summary>
/// `make ab` end to end with one short round (issue 13): the workload at 2% of its iteration
/// counts on native Linux, microxen fast and checked, and Xen 4.17's dom0, under -icount and on the
/// wall clock; the report names every configuration and every operation of tests/guest/bench.c (its
/// header comment lists them) with a figure and the ratios, results.csv parses, ratios.svg is SVG
/// with each configuration in its legend; the device phase (tools/Ab Devices, scripts/devices-run.sh
/// with tiny sizes) gives every configuration a throughput figure and ratios for every disk and NIC
/// in the report's "devices, wall" table; then `make ab LOGS=` rebuilds a report from the consoles
/// the runs left in logs/ (the path a console captured on hardware takes). The full A/B is `make ab`.
/// </summary>
[Collection("qemu")]
public class AbTests(ITestOutputHelper log)
{
    static string Root => DebianKernel.RepoRoot;
    static readonly string[] Configs = { "native", "fast", "checked", "xen" };

    /// <summary>The operations bench.c reports: the names its header comment lists ("*   name  what  unit").</summary>
    static List<string> Operations() =>
        Regex.Matches(File.ReadAllText(Path.Combine(Root, "tests", "guest", "bench.c")), @"^ \*   ([a-z_0-9]+)\s{2,}", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToList();

    /// <summary>The device phase's rows: each disk's randio figures and each NIC's fetch (DeviceRows.Devices' disks and NICs).</summary>
    static List<string> DeviceOperations() =>
        DeviceRows.Devices.Take(3).SelectMany(d => new[] { "seq-write", "seq-read", "rand-write-4k", "rand-read-4k" }.Select(t => $"{d}-{t}"))
            .Concat(DeviceRows.Devices.Skip(3).Take(2).Select(n => $"{n}-tcp-to-host")).ToList();

    (int rc, string output) Make(string args)
    {
        var (rc, output) = DebianKernel.Run("make", $"-C {Root} --no-print-directory {args}", 900);
        log.WriteLine($"--- make {args}: exit {rc}\n{output}");
        return (rc, output);
    }

    /// <summary>Each table row of report.md's section for CLOCK, by operation: its cells.</summary>
    static Dictionary<string, string[]> Rows(string md, string clock, out string[] header)
    {
        string section = md.Substring(md.IndexOf($"## {clock} ", StringComparison.Ordinal));
        int next = section.IndexOf("\n## ", 3, StringComparison.Ordinal);
        if (next > 0) section = section.Substring(0, next);
        var lines = section.Split('\n').Where(l => l.StartsWith("| ")).Select(l => l.Trim('|', ' ').Split(" | ")).ToList();
        header = lines[0];
        return lines.Skip(2).ToDictionary(c => c[0]);
    }

    [Fact]
    public void MakeAbWritesReportCsvAndChartForEveryConfigurationAndOperation()
    {
        string outDir = Path.Combine(Root, "build", "tests", "ab");
        if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
        // The device phase at its smallest: 1 MiB per disk, 0.1 s per random phase, 64 KiB per NIC.
        var (rc, output) = Make($"ab ROUNDS=1 AB_PERCENT=2 AB_ARGS=\"--out {outDir} --device-mib 1 --device-seconds 0.1 --device-bytes 65536\"");
        Assert.True(rc == 0, "make ab failed");
        Assert.Equal(8, Regex.Matches(output, @"ab: \[\d+/12\] round 1 (icount|wall)\s+(native|fast|checked|xen)\s+\d+ operations").Count);
        Assert.Equal(4, Regex.Matches(output, @"ab: \[\d+/12\] round 1 devices\s+(native|fast|checked|xen)\s+14 figures, \d+ s\n").Count);

        var ops = Operations();
        Assert.Contains("xz", ops);
        Assert.Contains("ptrchase", ops);
        string md = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Matches(@"QEMU emulator version \d+\.\d+", md);
        Assert.Matches(@"host load average \(1, 5, 15 min\): [\d.]+, [\d.]+, [\d.]+", md);
        // Like with like: every kernel (native on the PV-visible CPU, microxen, Xen) chose the same
        // XSAVE state; microxen's dom0 once ran on FXSAVE without AVX while Xen's used XSAVE.
        string cpuSection = md.Substring(md.IndexOf("## CPU each kernel saw", StringComparison.Ordinal));
        var cpu = cpuSection.Substring(0, cpuSection.IndexOf("\n## ", 3, StringComparison.Ordinal)).Split('\n')
            .Where(l => l.StartsWith("| ")).Skip(2).Select(l => l.Trim('|', ' ').Split(" | ")).ToDictionary(c => c[0], c => c[1]);
        foreach (string c in Configs) Assert.Contains("Enabled xstate features", cpu[c]);
        Assert.Single(Configs.Select(c => cpu[c]).Distinct());
        Assert.Contains("wall clock only", md);
        foreach (string clock in new[] { "icount", "wall", "devices," })
        {
            var rows = Rows(md, clock, out string[] header);
            foreach (string c in Configs) Assert.Contains(c, header);
            foreach (string c in Configs.Skip(1)) Assert.Contains(c + " / native", header);
            Assert.Contains("fast / xen", header);
            foreach (string op in clock == "devices," ? DeviceOperations() : clock == "wall" ? ops.Append("boot") : ops)
            {
                Assert.True(rows.ContainsKey(op), $"{clock}: no row for {op}");
                for (int i = 2; i < header.Length; i++)
                    Assert.True(double.TryParse(rows[op][i].Split(' ')[0], NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out double v) && v > 0,
                        $"{clock} {op} {header[i]}: '{rows[op][i]}'");
            }
        }
        // -icount is deterministic: a getppid costs hundreds of guest instructions, not none.
        Assert.InRange(double.Parse(Rows(md, "icount", out _)["syscall"][2], CultureInfo.InvariantCulture), 50, 5000);

        var csv = File.ReadAllLines(Path.Combine(outDir, "results.csv"));
        Assert.Equal("clock,config,round,operation,value,unit", csv[0]);
        var samples = csv.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(samples, f => { Assert.Equal(6, f.Length); Assert.True(double.Parse(f[4], CultureInfo.InvariantCulture) > 0); });
        foreach (string c in Configs)
            foreach (string op in ops)
                Assert.Contains(samples, f => f[0] == "icount" && f[1] == c && f[3] == op);

        var svg = XDocument.Load(Path.Combine(outDir, "ratios.svg"));
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        var texts = svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()).ToList();
        foreach (string c in Configs.Skip(1)) Assert.Contains(c, texts);
        foreach (string op in ops.Concat(DeviceOperations())) Assert.Contains(op, texts);

        // The consoles alone (as captured on hardware): each run names itself with an ABCONFIG line.
        string fromLogs = Path.Combine(Root, "build", "tests", "ab-logs");
        (rc, output) = Make($"ab LOGS={Path.Combine(outDir, "logs")} AB_ARGS=\"--out {fromLogs}\"");
        Assert.True(rc == 0, "make ab LOGS= failed");
        string md2 = File.ReadAllText(Path.Combine(fromLogs, "report.md"));
        Assert.Equal(Rows(md, "icount", out _)["syscall"], Rows(md2, "icount", out _)["syscall"]);
        Assert.Equal(Rows(md, "devices,", out _)["nvme-seq-read"], Rows(md2, "devices,", out _)["nvme-seq-read"]);
        Assert.Equal(Rows(md, "devices,", out _)["virtio-net-tcp-to-host"], Rows(md2, "devices,", out _)["virtio-net-tcp-to-host"]);
    }
}
