using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Microxen.Tools.Ab;

/// <summary>build/ab/report.md: a header with the machine's facts, then one table per clock:
/// per operation, each configuration's median and min-max, and its ratio to native and to Xen; the
/// throughput figures (Devices: MB/s, IOPS; higher is better) in their own table per clock.</summary>
public static class Report
{
    /// <summary>Devices: the device phase's sizes when it ran (null: no device phase, or --logs).</summary>
    public sealed record Header(DateTime StartUtc, int Percent, string Logs, Devices.Sizes Devices)
    {
        public readonly string LoadAtStart = LoadAverage();
    }

    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Markdown(Results r, Header h, string chartClock)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# microxen A/B: native Linux vs microxen vs Xen 4.17 dom0");
        sb.AppendLine();
        sb.AppendLine($"- started {h.StartUtc:yyyy-MM-dd HH:mm} UTC; " + (h.Logs != null ? $"from captured consoles in {h.Logs}" :
            $"QEMU TCG `-cpu max -m 1G` (native: without PKU, MPX, LA57; below), {Command("qemu-system-x86_64", "--version").Split('\n')[0]}"));
        sb.AppendLine($"- host CPU: {CpuModel()} ({Environment.ProcessorCount} CPUs)");
        sb.AppendLine($"- host load average (1, 5, 15 min): {h.LoadAtStart} at start, {LoadAverage()} at end");
        string pct = h.Logs != null ? "each console's `ab_percent` (100% when absent)" : $"{h.Percent}% (`ab_percent`)";
        if (r.Samples.Any(s => !Devices.HigherIsBetter(s.Unit)))
            sb.AppendLine($"- workload: tests/guest/bench.c, iteration counts {pct} of its defaults; Debian's kernel and xz; boot = host seconds from QEMU start to /init");
        sb.AppendLine("- clocks: `icount` is QEMU `-icount shift=0,sleep=off` (1 guest ns = 1 instruction, deterministic); `wall` is TCG wall-clock time; `console` is a captured console (hardware)");
        if (h.Devices != null)
            sb.AppendLine($"- devices (wall clock only: under `-icount ...,sleep=off` the guest's clock counts instructions while the host's TCP fetch runs on real time, so host-side network timing would mean nothing): scripts/devices-run.sh with DEVTEST_BENCH=1 after each round's runs, booted as scripts/ab-boot.sh boots each configuration; {h.Devices}. Disk figures are the guest's clock (tests/guest/randio.c, O_DIRECT on the raw disk), TCP the host's around its fetch over QEMU user net (127.0.0.1)");
        if (h.Logs != null)
            sb.AppendLine("- devices: `make ab-iso`'s image does not run the device workload (randio would overwrite a raw disk of the machine, and the TCP figure needs the host's fetch): its consoles have no device rows; a console that prints devices-init.sh's DEVTEST bench lines after its ABCONFIG line gets them");
        sb.AppendLine();
        CpuFeatures.Write(sb, r);
        foreach (string clock in r.Clocks) Table(sb, r, clock, false);
        foreach (string clock in r.Clocks) Table(sb, r, clock, true);
        if (r.DeviceFailures.Count > 0)
        {
            sb.AppendLine("Devices not measured:");
            sb.AppendLine();
            foreach (string f in r.DeviceFailures) sb.AppendLine("- " + f);
            sb.AppendLine();
        }
        if (r.Configs.Contains(Results.Native))
        {
            sb.AppendLine($"![ratio to native per operation ({chartClock})](ratios.svg)");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>The table of CLOCK's times (throughput false) or its throughput figures ("## devices, CLOCK": ratios read the other way).</summary>
    static void Table(StringBuilder sb, Results r, string clock, bool throughput)
    {
        var ops = r.Operations(clock).Where(op => Devices.HigherIsBetter(r.Unit(op)) == throughput).ToList();
        if (ops.Count == 0) return;
        var configs = r.Configs.Where(c => r.Samples.Any(s => s.Clock == clock && s.Config == c && ops.Contains(s.Operation))).ToList();
        var vsNative = configs.Contains(Results.Native) ? configs.Where(c => c != Results.Native).ToList() : new List<string>();
        var vsXen = configs.Contains(Results.Xen) ? configs.Where(c => c != Results.Xen && c != Results.Native).ToList() : new List<string>();
        int rounds = r.Samples.Where(s => s.Clock == clock && ops.Contains(s.Operation)).Select(s => s.Round).DefaultIfEmpty(0).Max();
        sb.AppendLine($"## {(throughput ? "devices, " : "")}{clock} ({rounds} round{(rounds == 1 ? "" : "s")}; median, min-max when more than one)");
        sb.AppendLine();
        if (throughput)
        {
            sb.AppendLine("Throughput: a higher figure is better, and a ratio is this configuration's figure over native's (or Xen's): below 1.00 is slower than native. The chart draws the inverse (native's over this one's: time per byte or request), as it draws times.");
            sb.AppendLine();
        }
        var head = new List<string> { "operation", "unit" };
        head.AddRange(configs);
        head.AddRange(vsNative.Select(c => c + " / native"));
        head.AddRange(vsXen.Select(c => c + " / xen"));
        sb.AppendLine("| " + string.Join(" | ", head) + " |");
        sb.AppendLine("| --- | --- |" + string.Concat(Enumerable.Repeat(" ---: |", head.Count - 2)));
        foreach (string op in ops)
        {
            var row = new List<string> { op, r.Unit(op) };
            foreach (string c in configs)
            {
                var m = r.Median(clock, c, op);
                var (min, max, n) = r.Range(clock, c, op);
                row.Add(m is null ? "-" : Num(m.Value) + (n > 1 ? $" ({Num(min)}-{Num(max)})" : ""));
            }
            foreach (string c in vsNative) row.Add(Ratio(r.Median(clock, c, op), r.Median(clock, Results.Native, op)));
            foreach (string c in vsXen) row.Add(Ratio(r.Median(clock, c, op), r.Median(clock, Results.Xen, op)));
            sb.AppendLine("| " + string.Join(" | ", row) + " |");
        }
        sb.AppendLine();
    }

    static string Num(double v) => v >= 100 ? v.ToString("N0", Inv) : v.ToString("0.0#", Inv);

    static string Ratio(double? a, double? b) => a is null || b is null || b.Value == 0 ? "-" : (a.Value / b.Value).ToString("0.00", Inv);

    static string LoadAverage()
    {
        try { return string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }

    static string CpuModel()
    {
        try
        {
            string line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"));
            return line == null ? "unknown" : line.Substring(line.IndexOf(':') + 1).Trim();
        }
        catch (IOException) { return "unknown"; }
    }

    static string Command(string file, string args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true }) ?? throw new IOException();
            string o = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return o.Trim();
        }
        catch (Exception e) when (e is IOException || e is System.ComponentModel.Win32Exception) { return file + " (version unknown)"; }
    }
}
