using System.Diagnostics;
using System.Text;

namespace Microxen.Tests.Integration;

/// <summary>
/// The installed system: build/debian-disk.img (make disk-image: Debian bookworm, GRUB for BIOS
/// and UEFI, the microxen package and Xen 4.17) booted by scripts/run-disk.sh through GRUB's menu
/// entry to systemd's login prompt on the console; root logs in and `poweroff` must end QEMU with
/// status 0. Rows in disk-boot-expected-fail.txt must still fail (before the login prompt).
/// </summary>
[Collection("qemu")]
public class DiskImageTests(ITestOutputHelper log)
{
    const int BootSeconds = 600, ExpectedFailSeconds = 150;

    /// <summary>microxen under SeaBIOS and OVMF: 2.5-4 min a row under TCG alone, 6-6.6 min inside a loaded `make test`: over its budget, so `make test-disk`.</summary>
    [Theory]
    [Trait("Category", "Disk")]
    [InlineData("bios", "microxen")]
    [InlineData("uefi", "microxen")]
    public void MicroxenBootsToTheLoginPromptAndPowersOff(string firmware, string entry) => DiskBoots(firmware, entry);

    /// <summary>The reference, Debian's Xen 4.17: 7-15 min under TCG, `make test-disk`.</summary>
    [Theory]
    [Trait("Category", "Disk")]
    [InlineData("bios", "xen")]
    public void XenBootsToTheLoginPromptAndPowersOff(string firmware, string entry) => DiskBoots(firmware, entry);

    void DiskBoots(string firmware, string entry)
    {
        string root = DebianKernel.RepoRoot;
        string image = EnsureImage(root);
        string reason = ExpectedFailure(root, firmware, entry);
        var sw = Stopwatch.StartNew();
        var (reachedLogin, exitCode, console) = Boot(root, image, firmware, entry, reason == null ? BootSeconds : ExpectedFailSeconds);
        log.WriteLine($"{firmware} {entry}: login prompt {(reachedLogin ? "reached" : "not reached")}, {sw.Elapsed.TotalSeconds:F0} s, QEMU status {exitCode}");
        log.WriteLine(console);
        if (reason != null)
        {
            Assert.False(reachedLogin, $"{firmware} {entry} now reaches the login prompt: delete its row from disk-boot-expected-fail.txt ({reason})");
            return;
        }
        Assert.True(reachedLogin, "no login prompt; console:\n" + console);
        Assert.Equal(0, exitCode);
    }

    static string ExpectedFailure(string root, string firmware, string entry)
    {
        string list = Path.Combine(root, "tests", "Microxen.Tests", "Integration", "disk-boot-expected-fail.txt");
        foreach (string line in File.ReadAllLines(list))
        {
            string[] w = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            if (w.Length == 3 && !line.StartsWith('#') && w[0] == firmware && w[1] == entry) return w[2].Trim();
        }
        return null;
    }

    /// <summary>make disk-image (cached in build/ by its inputs; the first build runs debootstrap).</summary>
    static string EnsureImage(string root)
    {
        var (rc, output) = DebianKernel.Run("make", $"-C {root} disk-image", 1800);
        Assert.True(rc == 0, "make disk-image failed:\n" + output);
        return Path.Combine(root, "build", "debian-disk.img");
    }

    /// <summary>Boots; at "login:" logs in as root and runs poweroff; returns whether the prompt came, QEMU's status, the console.</summary>
    static (bool, int, string) Boot(string root, string image, string firmware, string entry, int timeoutSeconds)
    {
        var psi = new ProcessStartInfo(Path.Combine(root, "scripts", "run-disk.sh"))
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string a in new[] { image, firmware, entry }) psi.ArgumentList.Add(a);
        var console = new StringBuilder();
        using var p = Process.Start(psi)!;
        // Read as it comes, not by lines: the login prompt ends with no newline.
        var reader = Task.Run(() =>
        {
            var buf = new char[4096];
            int n;
            while ((n = p.StandardOutput.Read(buf, 0, buf.Length)) > 0) lock (console) console.Append(buf, 0, n);
        });
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (console) console.Append("[qemu] ").Append(e.Data).Append('\n'); };
        p.BeginErrorReadLine();
        bool login = WaitFor(p, console, "login:", timeoutSeconds);
        if (login)
        {
            p.StandardInput.Write("root\n");
            p.StandardInput.Flush();
            if (WaitFor(p, console, "# ", 120)) { p.StandardInput.Write("poweroff\n"); p.StandardInput.Flush(); }
        }
        if (!login || !p.WaitForExit(180_000))
        {
            try { p.Kill(true); } catch { }
            p.WaitForExit();
            reader.Wait(10_000);
            lock (console) return (login, -1, console.ToString());
        }
        p.WaitForExit();
        reader.Wait(10_000);
        lock (console) return (login, p.ExitCode, console.ToString());
    }

    static bool WaitFor(Process p, StringBuilder console, string text, int seconds)
    {
        var end = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < end && !p.HasExited)
        {
            lock (console) if (console.ToString().Contains(text)) return true;
            Thread.Sleep(500);
        }
        lock (console) return console.ToString().Contains(text);
    }
}
