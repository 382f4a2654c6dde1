namespace Microxen.Tests.Integration;

/// <summary>
/// tools/Ab's device rows from consoles alone (`make ab LOGS=`, no QEMU): devices-init.sh's
/// "DEVTEST bench" lines and devices-run.sh's "HOST nic" fetch become throughput rows in the
/// report's "devices, console" table, with ratios that read as throughput (this configuration's
/// figure over native's: above 1.00 is faster); a fetch whose bytes or checksum are not the ones
/// served, and a disk devices-init.sh could not measure, are listed as not measured instead of
/// becoming figures. In the qemu collection: AbTests builds tools/Ab too (one build at a time).
/// </summary>
[Collection("qemu")]
public class AbDevicesTests(ITestOutputHelper log)
{
    const string Sum = "5e1f";

    static string Console(string config, string vdaSeqRead, string nic2Sum, string nic3Seconds) => string.Join("\n",
        $"ABCONFIG {config} console",
        "DEVTEST begin 6.1.0",
        $"DEVTEST bench vda seq-read MB/s {vdaSeqRead}",
        "DEVTEST bench vda rand-write-4k IOPS 4000 MB/s 16.4",
        "DEVTEST bench sda FAIL no /dev/sda",
        $"DEVTEST nic 2 eth1 e1000e serving port 8002 bytes 2000000 sha256={Sum}",
        $"HOST nic 2 fetched 2000000 bytes sha256={nic2Sum} in .5 s",
        $"HOST nic 3 fetched 2000000 bytes sha256={Sum} in {nic3Seconds} s",
        // The host's lines and the console's are two streams: a fetch may be printed before the serving line it answers.
        $"DEVTEST nic 3 eth0 virtio_net serving port 8003 bytes 2000000 sha256={Sum}",
        "DEVTEST serving",
        "DEVTEST end", "");

    [Fact]
    public void ConsoleDeviceLinesBecomeThroughputRowsWithThroughputRatios()
    {
        string dir = Path.Combine(DebianKernel.RepoRoot, "build", "tests", "ab-devices");
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
        Directory.CreateDirectory(Path.Combine(dir, "logs"));
        File.WriteAllText(Path.Combine(dir, "logs", "1-native.log"), Console("native", "100.0", Sum, "1.0"));
        File.WriteAllText(Path.Combine(dir, "logs", "2-fast.log"), Console("fast", "250.0", "0bad", "0.5"));
        var (rc, output) = DebianKernel.Run("dotnet",
            $"run --project tools/Ab -c Release -v q -- --logs {Path.Combine(dir, "logs")} --out {Path.Combine(dir, "out")}", 600);
        log.WriteLine(output);
        Assert.True(rc == 0, "tools/Ab --logs failed");
        string md = File.ReadAllText(Path.Combine(dir, "out", "report.md"));
        log.WriteLine(md);
        string table = md.Substring(md.IndexOf("## devices, console ", StringComparison.Ordinal));
        var rows = table.Split('\n').Where(l => l.StartsWith("| ")).Select(l => l.Trim('|', ' ').Split(" | ")).ToDictionary(c => c[0]);
        Assert.Equal(new[] { "operation", "unit", "native", "fast", "fast / native" }, rows["operation"]);
        Assert.Equal(new[] { "virtio-blk-seq-read", "MB/s", "100", "250", "2.50" }, rows["virtio-blk-seq-read"]);
        Assert.Equal(new[] { "virtio-blk-rand-write-4k", "IOPS", "4,000", "4,000", "1.00" }, rows["virtio-blk-rand-write-4k"]);
        // 2,000,000 bytes in 1.0 s and 0.5 s: 2 and 4 MB/s.
        Assert.Equal(new[] { "virtio-net-tcp-to-host", "MB/s", "2.0", "4.0", "2.00" }, rows["virtio-net-tcp-to-host"]);
        // fast's e1000e fetch got other bytes: no figure, a "not measured" line; native's stands.
        Assert.Equal(new[] { "e1000e-tcp-to-host", "MB/s", "4.0", "-", "-" }, rows["e1000e-tcp-to-host"]);
        Assert.Contains("- fast round 1: e1000e: the host got 2000000 bytes sha256=0bad, served 2000000 sha256=" + Sum, md);
        Assert.Contains("- native round 1: ahci: FAIL no /dev/sda", md);
        Assert.DoesNotContain("ahci-", md);
        Assert.Contains("does not run the device workload", md);
        // The time table holds no throughput row.
        Assert.DoesNotContain("## console ", md);
    }
}
