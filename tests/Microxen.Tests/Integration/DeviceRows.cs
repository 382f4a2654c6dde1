using System.Text.RegularExpressions;

namespace Microxen.Tests.Integration;

/// <summary>
/// The device test's rows: what one scripts/devices-run.sh run printed (tests/guest/devices-init.sh's
/// "DEVTEST ..." lines and the host's "HOST nic ..." lines), one verdict per device, and the list of
/// rows expected to fail (tests/devices-expected-failures.txt).
/// </summary>
public static class DeviceRows
{
    /// <summary>The rows of one run, in report order; "pirqs" only where there is a hypervisor.</summary>
    public static readonly string[] Devices = { "virtio-blk", "nvme", "ahci", "e1000e", "virtio-net", "pirqs" };

    /// <summary>The guest's disk name per row (devices-run.sh's DEVTEST_DISKS).</summary>
    static readonly Dictionary<string, string> Disk = new() { ["virtio-blk"] = "vda", ["nvme"] = "nvme0n1", ["ahci"] = "sda" };

    /// <summary>The NIC number (MAC 52:54:00:12:34:0N, QEMU user net N) and Linux driver per row (devices-run.sh).</summary>
    static readonly Dictionary<string, (string n, string driver)> Nic = new() { ["e1000e"] = ("2", "e1000e"), ["virtio-net"] = ("3", "virtio_net") };

    /// <summary>The /proc/interrupts names of the devices' interrupts, each required on a xen-pirq MSI or MSI-X line.</summary>
    static readonly string[] PirqNames = { "virtio", "nvme0q", "ahci", "eth" };

    static IEnumerable<string> Lines(string output) => output.Split('\n').Select(l => l.TrimEnd('\r'));

    /// <summary>Device row to (passed, the evidence line or the reason it failed).</summary>
    public static Dictionary<string, (bool pass, string why)> Verdicts(string output, string host)
    {
        var lines = Lines(output).ToList();
        var v = new Dictionary<string, (bool, string)>();
        foreach (var (row, name) in Disk)
        {
            string line = lines.LastOrDefault(l => l.StartsWith($"DEVTEST disk {name} ", StringComparison.Ordinal));
            v[row] = line == null ? (false, $"no 'DEVTEST disk {name}' line") : (line.Contains($" {name} PASS "), line);
        }
        foreach (var (row, (n, driver)) in Nic)
        {
            var served = lines.Select(l => Regex.Match(l, $@"^DEVTEST nic {n} (\S+) (\S+) serving port \d+ bytes (\d+) sha256=([0-9a-f]+)")).FirstOrDefault(m => m.Success);
            var fetched = lines.Select(l => Regex.Match(l, $@"^HOST nic {n} fetched (\d+) bytes sha256=([0-9a-f]*)")).FirstOrDefault(m => m.Success);
            string fail = lines.FirstOrDefault(l => l.StartsWith($"DEVTEST nic {n} FAIL", StringComparison.Ordinal));
            if (served == null) v[row] = (false, fail ?? $"no 'DEVTEST nic {n} ... serving' line");
            else if (served.Groups[2].Value != driver) v[row] = (false, $"NIC {n} is bound to {served.Groups[2].Value}, expected {driver}");
            else if (fetched == null) v[row] = (false, $"the host did not fetch NIC {n}'s file");
            else if (fetched.Groups[1].Value != served.Groups[3].Value || fetched.Groups[2].Value != served.Groups[4].Value)
                v[row] = (false, $"fetched {fetched.Groups[1].Value} bytes sha256={fetched.Groups[2].Value}, served {served.Groups[3].Value} bytes sha256={served.Groups[4].Value}");
            else v[row] = (true, fetched.Value);
        }
        if (host != "native")
        {
            var irq = lines.SkipWhile(l => l != "DEVTEST interrupts begin").TakeWhile(l => l != "DEVTEST interrupts end").ToList();
            var missing = PirqNames.Where(p => !irq.Any(l => l.Contains("xen-pirq") && l.Contains("-msi") && l.Contains(p))).ToList();
            v["pirqs"] = irq.Count == 0 ? (false, "no /proc/interrupts section")
                : missing.Count == 0 ? (true, $"{irq.Count(l => l.Contains("xen-pirq"))} xen-pirq lines, MSI/MSI-X for {string.Join(", ", PirqNames)}")
                : (false, "no xen-pirq MSI/MSI-X line for " + string.Join(", ", missing));
        }
        return v;
    }

    /// <summary>
    /// The pirq kinds of one run's /proc/interrupts: per xen-pirq line's device name with its digits
    /// and bracketed PCI address dropped (virtio0-req.0 and virtio1-req.0 are one key; eth0/eth1
    /// naming may differ between hosts) the set of kinds ("msi-x", "msi", "ioapic-edge", "ioapic-level"), one "KEY KIND,KIND" line
    /// each, sorted: what microxen must show as Xen 4.17 does on the same machine.
    /// </summary>
    public static List<string> PirqKinds(string output)
    {
        var kinds = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (string l in Lines(output).SkipWhile(l => l != "DEVTEST interrupts begin").TakeWhile(l => l != "DEVTEST interrupts end"))
        {
            var m = Regex.Match(l, @"xen-pirq\s+-(\S+)\s+(.+)$");
            if (!m.Success) continue;
            foreach (string name in m.Groups[2].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                string key = Regex.Replace(Regex.Replace(name, @"\[.*\]", ""), "[0-9]", "");
                if (!kinds.TryGetValue(key, out var set)) kinds[key] = set = new SortedSet<string>(StringComparer.Ordinal);
                set.Add(m.Groups[1].Value);
            }
        }
        return kinds.Select(k => $"{k.Key} {string.Join(",", k.Value)}").ToList();
    }

    /// <summary>
    /// Row "pirq-kinds": <paramref name="kinds"/> (microxen's) against <paramref name="reference"/>
    /// (Xen 4.17's on the same machine): passes when both list the same devices with the same kinds.
    /// </summary>
    public static (bool pass, string why) SameKinds(List<string> kinds, List<string> reference)
    {
        var onlyHere = kinds.Except(reference).ToList();
        var onlyXen = reference.Except(kinds).ToList();
        return onlyHere.Count == 0 && onlyXen.Count == 0
            ? (true, $"{kinds.Count} devices' pirq kinds as under Xen 4.17")
            : (false, $"unlike Xen 4.17: here [{string.Join("; ", onlyHere)}], Xen [{string.Join("; ", onlyXen)}]");
    }

    /// <summary>tests/devices-expected-failures.txt: (host, machine or "*", row) to the reason.</summary>
    public static Dictionary<(string host, string machine, string row), string> ExpectedFailures()
    {
        var list = new Dictionary<(string, string, string), string>();
        foreach (string raw in File.ReadLines(Path.Combine(DebianKernel.RepoRoot, "tests", "devices-expected-failures.txt")))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var w = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
            Assert.True(w.Length >= 3, $"tests/devices-expected-failures.txt: '{line}': expected HOST MACHINE ROW reason");
            list[(w[0], w[1], w[2])] = w.Length > 3 ? w[3].Trim() : "";
        }
        return list;
    }

    /// <summary>Why the row is expected to fail, or null when it must pass.</summary>
    public static string ExpectedToFail(Dictionary<(string, string, string), string> list, string host, string machine, string row) =>
        list.TryGetValue((host, machine, row), out string r) || list.TryGetValue((host, "*", row), out r) ? r : null;

    /// <summary>
    /// Checks every verdict against the list: an unlisted failing row or a listed passing row is a
    /// problem. Returns the report table (one line a row) and the problems.
    /// </summary>
    public static (string table, List<string> problems) Judge(Dictionary<string, (bool pass, string why)> verdicts, string host, string machine)
    {
        var list = ExpectedFailures();
        var problems = new List<string>();
        var table = new System.Text.StringBuilder();
        foreach (var (row, (pass, why)) in verdicts)
        {
            string expected = ExpectedToFail(list, host, machine, row);
            string state = pass ? (expected == null ? "PASS" : "XPASS") : (expected == null ? "FAIL" : "XFAIL");
            table.AppendLine($"{host,-8} {machine,-4} {row,-11} {state,-5} {why}{(expected != null ? "  [expected: " + expected + "]" : "")}");
            if (state == "FAIL") problems.Add($"{host} {machine} {row}: {why}");
            if (state == "XPASS") problems.Add($"{host} {machine} {row} passes now: delete its line from tests/devices-expected-failures.txt");
        }
        return (table.ToString(), problems);
    }
}
