using System.Diagnostics;
using System.Text;

namespace Microxen.Tools.Certify;

/// <summary>
/// Runs one kernel on one host in QEMU TCG through the project's scripts: Xen 4.17 with
/// scripts/run-xen.sh (dom0; stopped at the kernel's verdict line, since Xen halts rather than
/// ending QEMU), microxen with scripts/run-qemu.sh (QEMU ends when the guest powers off).
/// </summary>
public sealed class Runner
{
    readonly string _root, _logDir;
    readonly int _timeout;

    public Runner(string root, string logDir, int timeoutSeconds)
    {
        _root = root;
        _logDir = logDir;
        _timeout = timeoutSeconds;
        Directory.CreateDirectory(logDir);
    }

    /// <summary>The line the kernel prints last: Xen's run stops there.</summary>
    public static string VerdictPattern(KernelKind kind) => kind == KernelKind.Smoke ? "SMOKE RESULT:" : "Test result:";

    /// <summary>The console log of a run: build/certify/logs/KERNEL.HOST.log.</summary>
    public string LogPath(TestKernel k, HostKind h) => Path.Combine(_logDir, $"{k.Name}.{Hosts.Name(h)}.log");

    public RunResult Run(TestKernel k, HostKind host, string shimImage)
    {
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false, WorkingDirectory = _root,
        };
        if (host == HostKind.Xen)
        {
            psi.ArgumentList.Add(Path.Combine(_root, "scripts", "run-xen.sh"));
            psi.ArgumentList.Add(k.Image);
            psi.ArgumentList.Add(k.GuestCmdline);
            psi.Environment["STOP_AT"] = VerdictPattern(k.Kind);
            psi.Environment["TIMEOUT"] = _timeout.ToString();
            if (k.Initrd != null) psi.Environment["INITRD"] = k.Initrd;
        }
        else
        {
            foreach (string a in new[] { Path.Combine(_root, "scripts", "run-qemu.sh"), shimImage, k.Image, k.GuestCmdline,
                         $"mode={Hosts.ShimMode(host)} loglevel=info", "1G", k.Initrd ?? "" })
                psi.ArgumentList.Add(a);
        }
        var sw = Stopwatch.StartNew();
        var console = new StringBuilder();
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (console) console.Append(e.Data).Append('\n'); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (console) console.Append(e.Data).Append('\n'); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        // run-xen.sh has its own TIMEOUT; a little more here so that its message comes first.
        bool exited = p.WaitForExit((_timeout + 30) * 1000);
        if (!exited) { try { p.Kill(true); } catch (InvalidOperationException) { } }
        p.WaitForExit();
        string text;
        lock (console) text = console.ToString();
        File.WriteAllText(LogPath(k, host), text);
        var run = ConsoleParser.Parse(k, host, text);
        run.Seconds = sw.Elapsed.TotalSeconds;
        run.Ending = !exited ? $"timed out after {_timeout} s"
            : host == HostKind.Xen ? (p.ExitCode == 0 ? "stopped at the verdict" : p.ExitCode == 124 ? $"timed out after {_timeout} s" : $"run-xen.sh exit {p.ExitCode}")
            : $"QEMU exit {p.ExitCode}" + (p.ExitCode == 0 ? " (poweroff)" : (p.ExitCode & 1) == 1 ? $" (shim exit code {p.ExitCode / 2})" : "");
        return run;
    }
}
