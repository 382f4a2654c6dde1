using System.Diagnostics;

namespace Microxen.Tools.Ab;

/// <summary>One boot of scripts/ab-boot.sh (the one place for how each configuration starts): its
/// console, and the host seconds from start to the initramfs's "/init running" line (boot time).</summary>
public sealed class Runner
{
    public const string InitLine = "microxen initramfs: /init running";
    public const string DoneLine = "BENCH done";
    readonly string _root;
    readonly int _timeout;

    public Runner(string root, int timeoutSeconds) { _root = root; _timeout = timeoutSeconds; }

    public sealed record Run(string Console, double? BootSeconds, bool Finished, double Seconds);

    /// <summary>Boots CONFIG (native, fast, checked, xen, microxen:ARGS) with INITRD; icount adds
    /// -icount shift=0,sleep=off. The guest command line names the configuration and clock
    /// (ab_config=, printed back as "ABCONFIG") and the iteration percentage (ab_percent=).</summary>
    public Run Boot(string config, string clock, string initrd, int percent)
    {
        var psi = new ProcessStartInfo(Path.Combine(_root, "scripts", "ab-boot.sh"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            WorkingDirectory = _root,
        };
        psi.ArgumentList.Add(config);
        psi.ArgumentList.Add(initrd);
        psi.ArgumentList.Add($"ab_config={config.Replace(' ', '+')} ab_clock={clock} ab_percent={percent}");
        psi.Environment["ICOUNT"] = clock == "icount" ? "1" : "0";
        psi.Environment["TIMEOUT"] = _timeout.ToString();
        var sw = Stopwatch.StartNew();
        double? boot = null;
        var console = new System.Text.StringBuilder();
        using var p = Process.Start(psi) ?? throw new Failure(Program.ExitRun, "cannot start scripts/ab-boot.sh");
        p.StandardInput.Close();
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (console) console.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        string line;
        while ((line = p.StandardOutput.ReadLine()) != null)
        {
            if (boot == null && line.Contains(InitLine)) boot = sw.Elapsed.TotalSeconds;
            lock (console) console.AppendLine(line);
        }
        p.WaitForExit();
        string text;
        lock (console) text = console.ToString();
        return new Run(text, boot, text.Contains(DoneLine), sw.Elapsed.TotalSeconds);
    }
}
