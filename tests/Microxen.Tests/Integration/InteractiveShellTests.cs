using System.Diagnostics;
using System.Text;

namespace Microxen.Tests.Integration;

/// <summary>
/// The main job, scripted: Debian's kernel on microxen with the default busybox initramfs leaves
/// a shell on the serial console; typed commands run (input through COM1, VIRQ_CONSOLE and
/// console_io read); `poweroff` there ends QEMU with status 0.
/// </summary>
[Collection("qemu")]
public class InteractiveShellTests(ITestOutputHelper log)
{
    [Fact]
    public void ShellAnswersTypedCommandsAndPoweroffEndsQemuWithZero()
    {
        string kernel = DebianKernel.EnsureFetched();
        string initrd = Path.Combine(DebianKernel.RepoRoot, "build", "tests", "initramfs-interactive.cpio");
        var (rc, output) = GuestImages.RunTool($"--out {GuestImages.Q(initrd)}");
        Assert.True(rc == 0, "tools/Initramfs failed:\n" + output);

        var psi = new ProcessStartInfo("qemu-system-x86_64")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-accel", "tcg", "-cpu", "max", "-m", "1G", "-display", "none", "-no-reboot",
                     "-serial", "stdio", "-monitor", "none", "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
                     "-kernel", Qemu.Image, "-append", "mode=fast loglevel=info",
                     "-initrd", kernel + " console=hvc0 earlyprintk=xen," + initrd })
            psi.ArgumentList.Add(a);
        var console = new StringBuilder();
        using var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (console) console.Append(e.Data).Append('\n'); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (console) console.Append("[qemu] ").Append(e.Data).Append('\n'); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            // The prompt line has no newline: wait for the banner line init prints before it.
            WaitFor(console, "busybox shell; type poweroff to end", 240);
            Thread.Sleep(3000);
            p.StandardInput.Write("echo microxen-says-$((6*7))\n");
            p.StandardInput.Flush();
            WaitFor(console, "microxen-says-42", 60);
            p.StandardInput.Write("uname -sm; poweroff\n");
            p.StandardInput.Flush();
            Assert.True(p.WaitForExit(120_000), "QEMU did not exit after poweroff:\n" + console);
            p.WaitForExit();
            log.WriteLine(console.ToString());
            Assert.Equal(0, p.ExitCode);
            string text;
            lock (console) text = console.ToString();
            Assert.Contains("Linux x86_64", text);
            Assert.Contains("(XEN) dom0 powered off", text);
            Assert.DoesNotContain("PANIC", text);
        }
        finally
        {
            if (!p.HasExited) p.Kill(true);
        }
    }

    static void WaitFor(StringBuilder console, string text, int seconds)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            lock (console) if (console.ToString().Contains(text)) return;
            Thread.Sleep(200);
        }
        lock (console) Assert.Fail($"'{text}' did not appear in {seconds} s; console:\n{console}");
    }
}
