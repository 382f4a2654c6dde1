using System.Globalization;

namespace Microxen.Tools.Ab;

/// <summary>One measurement: a BENCH line of tests/guest/bench.c (or the boot time) of one run.</summary>
public sealed record Sample(string Clock, string Config, int Round, string Operation, double Value, string Unit);

/// <summary>A kernel's view of the CPU: its XSAVE mode ("Enabled xstate features 0x7, context size
/// is 832 bytes, ..." or "x87 FPU will use FXSAVE") and its /proc/cpuinfo flags.</summary>
public sealed record CpuView(string Fpu, string Flags);

/// <summary>All samples of a session, and the statistics the report and chart take from them.</summary>
public sealed class Results
{
    public const string Native = "native";
    public const string Xen = "xen";
    public readonly List<Sample> Samples = new();
    /// <summary>Configurations: Program.AllConfigs' order, then others as first seen.</summary>
    public IReadOnlyList<string> Configs =>
        Samples.Select(s => s.Config).Distinct().OrderBy(c => Array.IndexOf(Program.AllConfigs, c) is int i && i >= 0 ? i : 99).ToList();
    public IReadOnlyList<string> Clocks => Samples.Select(s => s.Clock).Distinct().ToList();
    public IReadOnlyList<string> Operations(string clock) =>
        Samples.Where(s => s.Clock == clock).Select(s => s.Operation).Distinct().ToList();

    public string Unit(string op) => Samples.First(s => s.Operation == op).Unit;

    IEnumerable<double> Values(string clock, string config, string op) =>
        Samples.Where(s => s.Clock == clock && s.Config == config && s.Operation == op).Select(s => s.Value);

    /// <summary>The median (the mean of the middle two for an even count), or null when not measured.</summary>
    public double? Median(string clock, string config, string op)
    {
        var v = Values(clock, config, op).OrderBy(x => x).ToArray();
        if (v.Length == 0) return null;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    public (double Min, double Max, int Count) Range(string clock, string config, string op)
    {
        var v = Values(clock, config, op).ToArray();
        return v.Length == 0 ? (0, 0, 0) : (v.Min(), v.Max(), v.Length);
    }

    /// <summary>Parses console text: "ABCONFIG NAME [CLOCK [devices]]" starts a run (when config is
    /// null; "devices" marks a device-phase run, counted in its own rounds), "BENCH op value unit"
    /// lines and the device lines Devices.Reader reads are its samples (a device failure goes to
    /// DeviceFailures); returns the samples added.</summary>
    public int AddConsole(string text, string clock, string config, int round)
    {
        int added = 0;
        var rounds = new Dictionary<string, int>();
        var devices = new Devices.Reader();
        void Flush()
        {
            devices.Finish();
            string run = config ?? _logConfig;
            if (run != null)
            {
                int r = config == null ? _logRound : round;
                foreach (string f in devices.Failures) DeviceFailures.Add($"{run} round {r}: {f}");
                foreach (var (op, value, unit) in devices.Figures) Samples.Add(new Sample(config == null ? _logClock : clock, run, r, op, value, unit));
                added += devices.Figures.Count;
            }
            devices = new Devices.Reader();
        }
        foreach (string raw in text.Split('\n'))
        {
            string[] w = raw.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w.Length >= 2 && w[0] == "ABCONFIG" && config == null)
            {
                Flush();
                string c = w[1], k = w.Length >= 3 ? w[2] : "console", key = string.Join(" ", w.Skip(1));
                rounds[key] = rounds.GetValueOrDefault(key) + 1;
                _logConfig = c; _logClock = k; _logRound = rounds[key];
                continue;
            }
            if (devices.Add(raw)) continue;
            if (w.Length >= 2 && w[0] == "ABCPU" && (config ?? _logConfig) is string cc)
            {
                var view = Cpu.TryGetValue(cc, out var v0) ? v0 : new CpuView("-", "-");
                string rest = string.Join(" ", w.Skip(2));
                Cpu[cc] = w[1] == "fpu" ? view with { Fpu = rest } : w[1] == "flags" ? view with { Flags = rest } : view;
                continue;
            }
            if (w.Length < 4 || w[0] != "BENCH") continue;
            if (!double.TryParse(w[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) continue;
            if (config == null && _logConfig == null) continue;
            Samples.Add(new Sample(config == null ? _logClock : clock, config ?? _logConfig, config == null ? _logRound : round, w[1], v, string.Join("-", w.Skip(3))));
            added++;
        }
        Flush();
        return added;
    }

    /// <summary>What each configuration's kernel saw of the CPU (bench-init.sh's ABCPU lines, the
    /// last run's): dmesg's x86/fpu line and /proc/cpuinfo's flags.</summary>
    public readonly Dictionary<string, CpuView> Cpu = new();

    /// <summary>Devices a run could not measure ("CONFIG round R: DEVICE: what devices-init.sh or the fetch said").</summary>
    public readonly List<string> DeviceFailures = new();

    string _logConfig, _logClock;
    int _logRound;

    public void WriteCsv(string path)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("clock,config,round,operation,value,unit");
        foreach (var s in Samples)
            w.WriteLine(string.Join(",", s.Clock, s.Config, s.Round.ToString(CultureInfo.InvariantCulture), s.Operation,
                s.Value.ToString("R", CultureInfo.InvariantCulture), s.Unit));
    }

    /// <summary>Adds rows of a CSV in results.csv's format (e.g. disk and network throughput from
    /// scripts/bench-devices.sh, issue 10); returns the rows added.</summary>
    public int AddCsv(string path)
    {
        int n = 0;
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            string[] f = line.Split(',');
            if (f.Length != 6) throw new Failure(Program.ExitInput, $"{path}: expected 6 fields (clock,config,round,operation,value,unit): {line}");
            Samples.Add(new Sample(f[0], f[1], int.Parse(f[2], CultureInfo.InvariantCulture), f[3],
                double.Parse(f[4], CultureInfo.InvariantCulture), f[5]));
            n++;
        }
        return n;
    }
}
