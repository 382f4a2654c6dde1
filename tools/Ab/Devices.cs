using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Microxen.Tools.Ab;

/// <summary>
/// The A/B's device phase (issue 10's devices, issue 13's throughput rows): one
/// scripts/devices-run.sh run per configuration with DEVTEST_BENCH=1, booted as
/// scripts/ab-boot.sh boots that configuration (AB_CONFIG). Its figures are wall clock only: the
/// guest's CLOCK_MONOTONIC around tests/guest/randio.c's O_DIRECT requests on each disk, and the
/// host's clock around its fetch of each NIC's file over QEMU user net (under -icount
/// sleep=off the guest's clock runs at one ns per instruction while the host's fetch runs on real
/// time, so a host-timed figure would mean nothing there).
/// </summary>
public static class Devices
{
    /// <summary>The guest's disk names (devices-run.sh's DEVTEST_DISKS) and the row each is.</summary>
    public static readonly Dictionary<string, string> Disks = new() { ["vda"] = "virtio-blk", ["nvme0n1"] = "nvme", ["sda"] = "ahci" };
    /// <summary>The NIC numbers (devices-run.sh's DEVTEST_NICS: MAC 52:54:00:12:34:0N, QEMU user net N) and the row each is.</summary>
    public static readonly Dictionary<string, string> Nics = new() { ["2"] = "e1000e", ["3"] = "virtio-net" };
    /// <summary>The operation of a NIC row: bytes the host fetched from the guest per second of its clock.</summary>
    public const string TcpToHost = "tcp-to-host";
    public const string MBps = "MB/s", Iops = "IOPS";

    /// <summary>Throughput units (randio's and the fetch's): a higher figure is better.</summary>
    public static bool HigherIsBetter(string unit) => unit == MBps || unit == Iops;

    /// <summary>Sizes of one device run: DEVTEST_BENCH_MB (sequential MiB), DEVTEST_BENCH_SECONDS
    /// (cap per random phase), DEVTEST_BYTES (served per NIC, a multiple of 64 KiB), the QEMU machine.</summary>
    public sealed record Sizes(int Mib, double Seconds, long Bytes, string Machine)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"-M {Machine}; per disk {Mib} MiB sequential in 1 MiB requests each way, then 4 KiB random requests for at most {Seconds} s (or 20000) each way; per NIC {Bytes / 1048576.0:0.##} MiB fetched by the host");
    }

    /// <summary>The devices-run.sh HOST word for a configuration (it names the disk images' folder).</summary>
    static string Host(string config) => config == Results.Xen ? "xen" : config.StartsWith(Results.Native) ? "native" : "microxen";

    /// <summary>Runs scripts/devices-run.sh for CONFIG; returns its output (console and HOST lines), whether it reached "DEVTEST end", and its seconds.</summary>
    public static Runner.Run Boot(string root, string config, Sizes sizes, int timeout)
    {
        var psi = new ProcessStartInfo(Path.Combine(root, "scripts", "devices-run.sh"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = root,
        };
        psi.ArgumentList.Add(Host(config));
        psi.ArgumentList.Add(sizes.Machine);
        psi.Environment["AB_CONFIG"] = config;
        psi.Environment["DEVTEST_BENCH"] = "1";
        psi.Environment["DEVTEST_BENCH_MB"] = sizes.Mib.ToString(CultureInfo.InvariantCulture);
        psi.Environment["DEVTEST_BENCH_SECONDS"] = sizes.Seconds.ToString(CultureInfo.InvariantCulture);
        psi.Environment["DEVTEST_BYTES"] = sizes.Bytes.ToString(CultureInfo.InvariantCulture);
        psi.Environment["TIMEOUT"] = timeout.ToString(CultureInfo.InvariantCulture);
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new Failure(Program.ExitRun, "cannot start scripts/devices-run.sh");
        p.StandardInput.Close();
        var err = p.StandardError.ReadToEndAsync();
        string text = p.StandardOutput.ReadToEnd().Replace("\r", "");
        p.WaitForExit();
        text += err.Result;
        return new Runner.Run(text, null, p.ExitCode == 0, sw.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Reads one run's device lines: devices-init.sh's "DEVTEST bench DISK seq-write MB/s 123.4"
    /// and "DEVTEST bench DISK rand-read-4k IOPS 5678 MB/s 22.2" (the IOPS is the figure), "DEVTEST
    /// bench DISK FAIL ...", "DEVTEST nic N IF DRIVER serving port P bytes B sha256=S", "DEVTEST nic N
    /// FAIL ...", and devices-run.sh's "HOST nic N fetched B bytes sha256=S in T s" (a figure only
    /// when the bytes and checksum are the ones served). The host's lines and the console's are two
    /// streams: a HOST line may stand before the serving line it answers, so NIC figures are
    /// resolved by Finish, once the run's lines are all in. One reader per run.
    /// </summary>
    public sealed class Reader
    {
        readonly Dictionary<string, (long bytes, string sum)> _served = new();
        readonly List<Match> _fetched = new();
        public readonly List<(string Op, double Value, string Unit)> Figures = new();
        public readonly List<string> Failures = new();

        /// <summary>Takes one line (others are ignored); returns whether it was a device line.</summary>
        public bool Add(string line)
        {
            string[] w = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w.Length >= 4 && w[0] == "DEVTEST" && w[1] == "bench")
            {
                string dev = Disks.GetValueOrDefault(w[2], w[2]);
                if (w[3] == "FAIL") Failures.Add($"{dev}: {string.Join(" ", w.Skip(3))}");
                else if (w.Length >= 6 && (w[4] == MBps || w[4] == Iops) && double.TryParse(w[5], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                    Figures.Add(($"{dev}-{w[3]}", v, w[4]));
                return true;
            }
            if (w.Length >= 4 && w[0] == "DEVTEST" && w[1] == "nic")
            {
                if (w[3] == "FAIL") Failures.Add($"{Nics.GetValueOrDefault(w[2], "nic" + w[2])}: {string.Join(" ", w.Skip(3))}");
                var m = Regex.Match(line, @"serving port \d+ bytes (\d+) sha256=([0-9a-f]+)");
                if (m.Success) _served[w[2]] = (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value);
                return true;
            }
            var f = Regex.Match(line.Trim(), @"^HOST nic (\d+) fetched (\d+) bytes sha256=([0-9a-f]*) in ([0-9.]+) s");
            if (f.Success) _fetched.Add(f);
            return f.Success;
        }

        /// <summary>Resolves the host's fetches against the serving lines into Figures (MB/s) or Failures.</summary>
        public void Finish()
        {
            foreach (var f in _fetched)
            {
                string n = f.Groups[1].Value, nic = Nics.GetValueOrDefault(n, "nic" + n);
                long got = long.Parse(f.Groups[2].Value, CultureInfo.InvariantCulture);
                double secs = double.Parse(f.Groups[4].Value, CultureInfo.InvariantCulture);
                if (_served.TryGetValue(n, out var s) && s.bytes == got && s.sum == f.Groups[3].Value && secs > 0)
                    Figures.Add(($"{nic}-{TcpToHost}", got / 1e6 / secs, MBps));
                else
                    Failures.Add($"{nic}: the host got {got} bytes sha256={f.Groups[3].Value}, " + (_served.ContainsKey(n) ? $"served {s.bytes} sha256={s.sum}" : "no 'serving' line"));
            }
            _fetched.Clear();
        }
    }
}
