using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Microxen.Tests.Integration;

/// <summary>What one QEMU run printed and how it ended.</summary>
public sealed class QemuResult
{
    public int ExitCode;           // QEMU's exit status; -1 when the test stopped it
    public string Output = "";     // the serial console
    public bool TimedOut;
    public TimeSpan? UntilPattern; // time from QEMU start to the awaited line
    public TimeSpan Elapsed;       // time from QEMU start to its end

    /// <summary>The last <paramref name="lines"/> lines of the console, for failure messages.</summary>
    public string Tail(int lines = 60)
    {
        var all = Output.Split('\n');
        return string.Join("\n", all.Skip(Math.Max(0, all.Length - lines)));
    }
}

/// <summary>
/// A test class that boots QEMU: each run's console goes to the test's output, and a run that
/// does not end by itself (or at its stop line) in its time fails the test with its last lines.
/// Such classes are in the "qemu" collection (xUnit inherits the attribute): one QEMU at a time.
/// </summary>
[Collection("qemu")]
public abstract class QemuTest
{
    protected readonly ITestOutputHelper Log;
    protected QemuTest(ITestOutputHelper log) { Log = log; }

    /// <summary><see cref="Qemu.Run"/>, logged under <paramref name="what"/>, required to end in time.</summary>
    protected QemuResult Boot(string what, string kernel, string guestCmdline, string shimArgs, int timeoutSeconds,
        string mem = "1G", string initrd = null, string timeAt = null)
    {
        var r = Qemu.Run(kernel, guestCmdline, shimArgs, timeoutSeconds, mem: mem, initrd: initrd, timeAt: timeAt);
        Log.WriteLine($"--- {what}: shim args \"{shimArgs}\", QEMU ran {r.Elapsed.TotalSeconds:F1} s, exit status {r.ExitCode}");
        if (timeAt != null && r.UntilPattern != null)
            Log.WriteLine($"QEMU start to '{timeAt}': {r.UntilPattern.Value.TotalSeconds:F1} s");
        Log.WriteLine(r.Output);
        Assert.False(r.TimedOut, $"{what}: QEMU still running after {timeoutSeconds} s; last lines:\n{r.Tail()}");
        return r;
    }

    /// <summary>Requires QEMU exit status 0: the guest powered off.</summary>
    protected static void AssertPoweredOff(QemuResult r, string what) =>
        Assert.True(r.ExitCode == 0, $"{what}: QEMU exit status {r.ExitCode}, expected 0 (the guest's poweroff); last lines:\n{r.Tail()}");
}

/// <summary>
/// Boots build/microxen.bin in QEMU (TCG) with a kernel module, collecting the serial console.
/// The shim's exit codes arrive as QEMU exit status 2*code+1 (isa-debug-exit).
/// </summary>
public static class Qemu
{
    static readonly object BuildLock = new();

    /// <summary>build/microxen.bin, built with `make build` when missing.</summary>
    public static string Image => Built("microxen.bin", "build");

    /// <summary>
    /// build/<paramref name="file"/>, built with `make <paramref name="target"/>` when missing
    /// (`make test` builds everything first; this serves `dotnet test` run on its own).
    /// </summary>
    public static string Built(string file, string target)
    {
        string root = DebianKernel.RepoRoot;
        string path = Path.Combine(root, "build", file);
        lock (BuildLock)
        {
            if (!File.Exists(path))
            {
                var (rc, output) = DebianKernel.Run("make", $"-C {root} {target}", 900);
                Assert.True(rc == 0 && File.Exists(path), $"make {target} failed:\n" + output);
            }
        }
        return path;
    }

    /// <summary>
    /// Runs QEMU until it exits, until a line contains <paramref name="stopAt"/> (then it is
    /// killed), or until <paramref name="timeoutSeconds"/>. <paramref name="initrd"/> is passed
    /// as the second multiboot module ("kernel args,initrd"); <paramref name="timeAt"/> records
    /// in <see cref="QemuResult.UntilPattern"/> when a line first contains it, without stopping.
    /// <paramref name="machineArgs"/>: more QEMU options (e.g. -smp 4, -M q35).
    /// </summary>
    public static QemuResult Run(string kernel, string guestCmdline, string shimArgs, int timeoutSeconds,
        string stopAt = null, string mem = "1G", bool withModule = true, string initrd = null, string timeAt = null, string[] machineArgs = null)
    {
        var psi = Machine(mem);
        foreach (var a in machineArgs ?? Array.Empty<string>()) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "-kernel", Image, "-append", shimArgs }) psi.ArgumentList.Add(a);
        if (withModule)
        {
            psi.ArgumentList.Add("-initrd");
            // QEMU's -initrd separates modules with commas: a comma inside one is written twice.
            string modules = kernel.Replace(",", ",,") + " " + guestCmdline.Replace(",", ",,");
            if (initrd != null) modules += "," + initrd.Replace(",", ",,");
            psi.ArgumentList.Add(modules);
        }
        return Collect(psi, timeoutSeconds, stopAt, timeAt);
    }

    /// <summary>
    /// Starts QEMU with the kernel and its initrd and leaves it running, its console collected
    /// into <paramref name="console"/> (QEMU's own messages prefixed "[qemu] ") and its standard
    /// input wired to COM1: for tests that type at the guest. The caller ends it.
    /// </summary>
    public static Process StartInteractive(string kernel, string guestCmdline, string shimArgs, string initrd, StringBuilder console)
    {
        var psi = Machine("1G");
        foreach (var a in new[] { "-kernel", Image, "-append", shimArgs, "-initrd",
                     kernel.Replace(",", ",,") + " " + guestCmdline.Replace(",", ",,") + "," + initrd.Replace(",", ",,") })
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (console) console.Append(e.Data).Append('\n'); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (console) console.Append("[qemu] ").Append(e.Data).Append('\n'); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>
    /// A scripted session at the busybox shell of the default initramfs (written to
    /// build/tests/<paramref name="initrdName"/>): boots <paramref name="kernel"/> with
    /// console=hvc0, waits for init's banner, types <c>echo {marker}-says-$((6*7))</c> and waits
    /// for "{marker}-says-42", then types <paramref name="command"/> followed by poweroff.
    /// Returns QEMU's exit status and the console.
    /// </summary>
    public static (int ExitCode, string Console) ShellSession(string kernel, string shimArgs, string initrdName, string marker, string command)
    {
        string initrd = Path.Combine(DebianKernel.RepoRoot, "build", "tests", initrdName);
        var (rc, output) = GuestImages.RunTool($"--out {GuestImages.Q(initrd)}");
        Assert.True(rc == 0, "tools/Initramfs failed:\n" + output);
        var console = new StringBuilder();
        using var p = StartInteractive(kernel, "console=hvc0 earlyprintk=xen", shimArgs, initrd, console);
        try
        {
            // The prompt line has no newline: wait for the banner line init prints before it.
            WaitFor(console, "busybox shell; type poweroff to end", 300);
            Thread.Sleep(3000);
            p.StandardInput.Write("echo " + marker + "-says-$((6*7))\n");
            p.StandardInput.Flush();
            WaitFor(console, marker + "-says-42", 60);
            p.StandardInput.Write(command + "; poweroff\n");
            p.StandardInput.Flush();
            Assert.True(p.WaitForExit(120_000), "QEMU did not exit after poweroff:\n" + console);
            p.WaitForExit();
            lock (console) return (p.ExitCode, console.ToString());
        }
        finally
        {
            if (!p.HasExited) p.Kill(true);
        }
    }

    /// <summary>Waits until <paramref name="console"/> contains <paramref name="text"/>; fails the test after <paramref name="seconds"/>.</summary>
    public static void WaitFor(StringBuilder console, string text, int seconds)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            lock (console) if (console.ToString().Contains(text)) return;
            Thread.Sleep(200);
        }
        lock (console) Assert.Fail($"'{text}' did not appear in {seconds} s; console:\n{console}");
    }

    /// <summary>Boots a CD image (GRUB) instead of -kernel; runs until QEMU exits or the timeout.</summary>
    public static QemuResult RunCdrom(string iso, int timeoutSeconds, string stopAt = null)
    {
        var psi = Machine("1G");
        psi.ArgumentList.Add("-cdrom");
        psi.ArgumentList.Add(iso);
        return Collect(psi, timeoutSeconds, stopAt, null);
    }

    /// <summary>
    /// Boots a disk image (a hybrid GRUB ISO written as a USB stick would be: writable) with
    /// reboots allowed, so that a boot loader can run one boot after another; runs until QEMU
    /// exits (a power-off) or the timeout.
    /// </summary>
    public static QemuResult RunDiskWithReboots(string image, int timeoutSeconds)
    {
        var psi = Machine("1G");
        psi.ArgumentList.Remove("-no-reboot");
        foreach (var a in new[] { "-drive", $"file={image.Replace(",", ",,")},format=raw,if=ide" }) psi.ArgumentList.Add(a);
        return Collect(psi, timeoutSeconds, null, null);
    }

    /// <summary>The machine every test boots: TCG, -cpu max, serial on stdio, isa-debug-exit.</summary>
    static ProcessStartInfo Machine(string mem)
    {
        var psi = new ProcessStartInfo("qemu-system-x86_64")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-accel", "tcg", "-cpu", "max", "-m", mem, "-display", "none", "-no-reboot",
                     "-serial", "stdio", "-monitor", "none", "-device", "isa-debug-exit,iobase=0xf4,iosize=4" })
            psi.ArgumentList.Add(a);
        return psi;
    }

    static QemuResult Collect(ProcessStartInfo psi, int timeoutSeconds, string stopAt, string timeAt)
    {
        var result = new QemuResult();
        var sb = new StringBuilder();
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var done = new ManualResetEventSlim();
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            lock (sb)
            {
                sb.Append(e.Data).Append('\n');
                if (stopAt != null && result.UntilPattern == null && e.Data.Contains(stopAt))
                {
                    result.UntilPattern = sw.Elapsed;
                    done.Set();
                }
                else if (timeAt != null && result.UntilPattern == null && e.Data.Contains(timeAt))
                    result.UntilPattern = sw.Elapsed;
            }
        };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (sb) sb.Append("[qemu] ").Append(e.Data).Append('\n'); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var exited = Task.Run(() => p.WaitForExit());
        int which = WaitHandle.WaitAny(new[] { done.WaitHandle, ((IAsyncResult)exited).AsyncWaitHandle }, timeoutSeconds * 1000);
        if (!p.HasExited)
        {
            result.TimedOut = which == WaitHandle.WaitTimeout;
            try { p.Kill(true); } catch { }
            p.WaitForExit();
            result.ExitCode = -1;
        }
        else
        {
            p.WaitForExit();
            result.ExitCode = p.ExitCode;
        }
        result.Elapsed = sw.Elapsed;
        lock (sb) result.Output = sb.ToString();
        return result;
    }

    /// <summary>QEMU's exit status for a shim exit code (isa-debug-exit: 2*code+1).</summary>
    public static int Status(int shimExitCode) => 2 * shimExitCode + 1;
}
