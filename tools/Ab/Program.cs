using System.CommandLine;
using System.Globalization;

namespace Microxen.Tools.Ab;

/// <summary>A clear error with a distinct exit code.</summary>
public sealed class Failure : Exception
{
    public readonly int Code;
    public Failure(int code, string message) : base(message) { Code = code; }
}

/// <summary>
/// make ab: boots Debian's kernel with the workload initramfs (scripts/ab-initramfs.sh) natively,
/// on microxen fast and checked, and as Xen 4.17's dom0, in interleaved rounds, under QEMU -icount
/// (deterministic: one round) and on the wall clock (ROUNDS rounds), each round ending with a device
/// phase (Devices: disk and TCP throughput, wall clock only); or reads captured consoles (--logs,
/// make ab-iso's runs on hardware). Writes report.md, results.csv, ratios.svg and logs/.
/// Exit codes: 0 done, 1 a run failed (the report is still written), 2 usage, 3 bad input files.
/// </summary>
public static class Program
{
    public const int ExitRunFailed = 1, ExitUsage = 2, ExitInput = 3, ExitRun = 4;
    public static readonly string[] AllConfigs = { "native", "fast", "checked", "xen" };
    /// <summary>Native Linux on plain -cpu max, PKU, MPX and LA57 included (scripts/ab-boot.sh); not in the default set.</summary>
    public const string NativeMax = "native-max";
    /// <summary>Native Linux without transparent huge pages (scripts/ab-boot.sh): 4 KiB user pages, as a PV guest; not in the default set.</summary>
    public const string Native4k = "native-4k";

    public static int Main(string[] args)
    {
        var rounds = new Option<int>("--rounds") { Description = "wall-clock rounds (default 3; -icount runs once: it is deterministic)", DefaultValueFactory = _ => 3 };
        var clocks = new Option<string>("--clocks") { Description = "icount,wall (default both)", DefaultValueFactory = _ => "icount,wall" };
        var configs = new Option<string>("--configs") { Description = "native,fast,checked,xen, native-max, native-4k or microxen:SHIMARGS (default the first four)", DefaultValueFactory = _ => string.Join(",", AllConfigs) };
        var percent = new Option<int>("--percent") { Description = "workload iteration counts, % of bench.c's defaults (default 100)", DefaultValueFactory = _ => 100 };
        var logs = new Option<DirectoryInfo>("--logs") { Description = "build the report from captured consoles in this folder (make ab-iso's runs) instead of running QEMU" };
        var extra = new Option<FileInfo>("--extra") { Description = "more rows in results.csv's format (e.g. another session's results.csv)" };
        var devices = new Option<string>("--devices") { Description = "on (default: a device phase in each round, when the wall clock runs), off, or only (the device phase alone: scripts/bench-devices.sh)", DefaultValueFactory = _ => "on" };
        var deviceMib = new Option<int>("--device-mib") { Description = "MiB per disk for the sequential figures (default 16)", DefaultValueFactory = _ => 16 };
        var deviceSeconds = new Option<double>("--device-seconds") { Description = "seconds at most per 4 KiB random phase (default 0.5)", DefaultValueFactory = _ => 0.5 };
        var deviceBytes = new Option<long>("--device-bytes") { Description = "bytes the host fetches per NIC, a multiple of 65536 (default 8388608)", DefaultValueFactory = _ => 8L << 20 };
        var machine = new Option<string>("--device-machine") { Description = "QEMU machine of the device phase: q35 (default) or pc", DefaultValueFactory = _ => "q35" };
        var initrd = new Option<FileInfo>("--initrd") { Description = "the workload initramfs (default build/initramfs-ab.cpio)" };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "where report.md, results.csv, ratios.svg, logs/ go (default build/ab)" };
        var timeout = new Option<int>("--timeout") { Description = "seconds per run (default 900)", DefaultValueFactory = _ => 900 };
        var cmd = new RootCommand("microxen A/B: native vs microxen fast/checked vs Xen 4.17 dom0, per operation") { rounds, clocks, configs, percent, logs, extra, initrd, outDir, timeout, devices, deviceMib, deviceSeconds, deviceBytes, machine };
        cmd.SetAction(p =>
        {
            try
            {
                return Execute(p.GetValue(rounds), p.GetValue(clocks), p.GetValue(configs), p.GetValue(percent), p.GetValue(logs),
                    p.GetValue(extra), p.GetValue(initrd), p.GetValue(outDir), p.GetValue(timeout), p.GetValue(devices),
                    new Devices.Sizes(p.GetValue(deviceMib), p.GetValue(deviceSeconds), p.GetValue(deviceBytes), p.GetValue(machine)));
            }
            catch (Failure f)
            {
                Console.Error.WriteLine("ab: error: " + f.Message);
                return f.Code;
            }
        });
        return cmd.Parse(args).Invoke();
    }

    static string FindRoot()
    {
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "scripts", "ab-boot.sh"))) return d.FullName;
        throw new Failure(ExitUsage, "run inside the microxen repository (no scripts/ab-boot.sh above this folder)");
    }

    static int Execute(int rounds, string clockList, string configList, int percent, DirectoryInfo logs, FileInfo extra,
        FileInfo initrd, DirectoryInfo outDir, int timeout, string devices, Devices.Sizes sizes)
    {
        string root = FindRoot();
        string outPath = outDir?.FullName ?? Path.Combine(root, "build", "ab");
        var clocks = Split(clockList);
        var configs = Split(configList);
        if (rounds < 1 || percent < 1) throw new Failure(ExitUsage, "--rounds and --percent must be at least 1");
        if (devices != "on" && devices != "off" && devices != "only") throw new Failure(ExitUsage, $"--devices {devices}: on, off or only");
        if (sizes.Mib < 1 || sizes.Seconds <= 0 || sizes.Bytes < 65536 || sizes.Bytes % 65536 != 0 || (sizes.Machine != "q35" && sizes.Machine != "pc"))
            throw new Failure(ExitUsage, "--device-mib at least 1, --device-seconds above 0, --device-bytes a multiple of 65536, --device-machine q35 or pc");
        bool bench = devices != "only", devicePhase = devices == "only" || (devices == "on" && clocks.Contains("wall"));
        foreach (string c in clocks)
            if (c != "icount" && c != "wall") throw new Failure(ExitUsage, $"unknown clock '{c}' (icount, wall)");
        foreach (string c in configs)
            if (Array.IndexOf(AllConfigs, c) < 0 && c != NativeMax && c != Native4k && !c.StartsWith("microxen:")) throw new Failure(ExitUsage, $"unknown configuration '{c}' (native, native-max, native-4k, fast, checked, xen, microxen:SHIMARGS)");
        Directory.CreateDirectory(Path.Combine(outPath, "logs"));
        var results = new Results();
        var header = new Report.Header(DateTime.UtcNow, percent, logs?.FullName, logs == null && devicePhase ? sizes : null);
        bool failed = false;
        if (logs != null)
        {
            if (!logs.Exists) throw new Failure(ExitInput, $"no folder {logs.FullName}");
            foreach (var f in logs.GetFiles().OrderBy(f => f.Name))
                Console.WriteLine($"ab: {f.Name}: {results.AddConsole(File.ReadAllText(f.FullName), null, null, 0)} samples");
        }
        else
        {
            string cpio = initrd?.FullName ?? Path.Combine(root, "build", "initramfs-ab.cpio");
            if (bench && !File.Exists(cpio)) throw new Failure(ExitInput, $"no initramfs at {cpio} (scripts/ab-initramfs.sh)");
            var runner = new Runner(root, timeout);
            int total = ((bench ? clocks.Sum(c => c == "icount" ? 1 : rounds) : 0) + (devicePhase ? rounds : 0)) * configs.Length, n = 0;
            for (int r = 1; r <= rounds; r++)
            {
                foreach (string clock in bench ? clocks : Array.Empty<string>())
                {
                    if (clock == "icount" && r > 1) continue;
                    foreach (string config in configs)
                    {
                        var run = runner.Boot(config, clock, cpio, percent);
                        string name = $"{config.Replace(':', '_').Replace(' ', '_')}-{clock}-r{r}.log";
                        File.WriteAllText(Path.Combine(outPath, "logs", name), run.Console);
                        int got = results.AddConsole(run.Console, clock, config, r);
                        if (run.BootSeconds is double b && clock == "wall")
                            results.Samples.Add(new Sample(clock, config, r, "boot", b, "s/boot"));
                        failed |= !run.Finished;
                        Console.WriteLine($"ab: [{++n}/{total}] round {r} {clock,-6} {config,-8} {got,2} operations, " +
                            $"/init at {(run.BootSeconds is double s ? s.ToString("F1", CultureInfo.InvariantCulture) + " s" : "-")}, " +
                            $"{run.Seconds.ToString("F0", CultureInfo.InvariantCulture)} s{(run.Finished ? "" : " FAILED (no 'BENCH done'; see logs/" + name + ")")}");
                    }
                }
                if (devicePhase) failed |= DevicePhase(root, outPath, configs, r, sizes, timeout, results, total, ref n);
            }
        }
        if (extra != null)
        {
            if (!extra.Exists) throw new Failure(ExitInput, $"no file {extra.FullName}");
            results.AddCsv(extra.FullName);
        }
        if (results.Samples.Count == 0) throw new Failure(ExitInput, "no BENCH lines or device figures found");
        results.WriteCsv(Path.Combine(outPath, "results.csv"));
        string chartClock = results.Clocks.Contains("wall") ? "wall" : results.Clocks[0];
        if (results.Configs.Contains(Results.Native)) Chart.Write(Path.Combine(outPath, "ratios.svg"), results, chartClock);
        File.WriteAllText(Path.Combine(outPath, "report.md"), Report.Markdown(results, header, chartClock));
        Console.WriteLine($"ab: {Path.Combine(outPath, "report.md")}, results.csv, ratios.svg");
        return failed ? ExitRunFailed : 0;
    }

    /// <summary>Round R's device runs, one per configuration (logs/CONFIG-devices-rR.log, its first
    /// line "ABCONFIG CONFIG wall devices" for --logs); returns whether one failed to reach its end.</summary>
    static bool DevicePhase(string root, string outPath, string[] configs, int r, Devices.Sizes sizes, int timeout, Results results, int total, ref int n)
    {
        bool failed = false;
        foreach (string config in configs)
        {
            int before = results.DeviceFailures.Count;
            var run = Devices.Boot(root, config, sizes, timeout);
            string name = $"{config.Replace(':', '_').Replace(' ', '_')}-devices-r{r}.log";
            File.WriteAllText(Path.Combine(outPath, "logs", name), $"ABCONFIG {config} wall devices\n" + run.Console);
            int got = results.AddConsole(run.Console, "wall", config, r);
            failed |= !run.Finished;
            var bad = results.DeviceFailures.Skip(before).ToList();
            Console.WriteLine($"ab: [{++n}/{total}] round {r} {"devices",-6} {config,-8} {got,2} figures, {run.Seconds.ToString("F0", CultureInfo.InvariantCulture)} s" +
                (run.Finished ? "" : " FAILED (no 'DEVTEST end'; see logs/" + name + ")") + (bad.Count > 0 ? "; " + string.Join("; ", bad) : ""));
        }
        return failed;
    }

    static string[] Split(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
