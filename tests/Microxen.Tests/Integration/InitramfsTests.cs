using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Microxen.Tests.Integration;

/// <summary>
/// The guest-side pieces, built once per test run: the static smoke program (tests/guest/build.sh)
/// and the initramfs tool's archives (tools/Initramfs, run with `dotnet run`).
/// </summary>
public static class GuestImages
{
    static readonly object Lock = new();
    static string _smoke, _smokeInitramfs;

    /// <summary>The checks tests/guest/smoke.c runs, in order; each must print "PASS name".</summary>
    public static readonly string[] SmokeChecks =
    {
        "fork_wait", "execve", "mmap_anon", "segv", "bad_sigreturn", "cow_after_fork", "pipe", "signals", "threads",
        "nanosleep_1s", "cpuinfo", "uname", "xen_sysfs",
    };

    public const string InitLine = "microxen initramfs: /init running";

    static string Root => DebianKernel.RepoRoot;

    /// <summary>build/guest/smoke, compiled by tests/guest/build.sh.</summary>
    public static string Smoke
    {
        get
        {
            lock (Lock)
            {
                if (_smoke == null)
                {
                    var (rc, output) = DebianKernel.Run("bash", Q(Path.Combine(Root, "tests", "guest", "build.sh")), 300);
                    string path = Path.Combine(Root, "build", "guest", "smoke");
                    Assert.True(rc == 0 && File.Exists(path), $"tests/guest/build.sh failed (exit {rc}):\n{output}");
                    _smoke = path;
                }
                return _smoke;
            }
        }
    }

    /// <summary>build/initramfs-smoke.cpio: busybox, /init = tests/guest/smoke-init.sh, /smoke.</summary>
    public static string SmokeInitramfs
    {
        get
        {
            string smoke = Smoke;
            lock (Lock)
            {
                if (_smokeInitramfs == null)
                {
                    string path = Path.Combine(Root, "build", "initramfs-smoke.cpio");
                    var (rc, output) = RunTool($"--out {Q(path)} --init {Q(Path.Combine(Root, "tests", "guest", "smoke-init.sh"))} --add {Q(smoke + ":/smoke")}");
                    Assert.True(rc == 0 && File.Exists(path), $"tools/Initramfs failed (exit {rc}):\n{output}");
                    _smokeInitramfs = path;
                }
                return _smokeInitramfs;
            }
        }
    }

    /// <summary>`dotnet run --project tools/Initramfs -- ARGS` from the repository root (serialised: one build at a time).</summary>
    public static (int rc, string output) RunTool(string args)
    {
        lock (Lock)
            return DebianKernel.Run("dotnet", $"run --project {Q(Path.Combine(Root, "tools", "Initramfs"))} -v q -- {args}", 900);
    }

    public static string Q(string s) => "\"" + s + "\"";

    /// <summary>The PASS/FAIL lines of the smoke program's output: check name to (passed, line).</summary>
    public static Dictionary<string, (bool pass, string line)> SmokeResults(string output)
    {
        var results = new Dictionary<string, (bool, string)>();
        foreach (Match m in Regex.Matches(output, @"^(PASS|FAIL) ([A-Za-z0-9_]+)\b.*$", RegexOptions.Multiline))
            results[m.Groups[2].Value] = (m.Groups[1].Value == "PASS", m.Value.TrimEnd('\r'));
        return results;
    }

    /// <summary>Asserts every smoke check printed PASS and the run ended with SMOKE RESULT: SUCCESS.</summary>
    public static void AssertSmokeSucceeded(string output, string where)
    {
        var results = SmokeResults(output);
        var problems = new List<string>();
        foreach (string check in SmokeChecks)
        {
            if (!results.TryGetValue(check, out var r)) problems.Add($"{check}: no PASS/FAIL line");
            else if (!r.pass) problems.Add(r.line);
        }
        Assert.True(problems.Count == 0, $"smoke checks failed {where}:\n  " + string.Join("\n  ", problems) + "\noutput:\n" + output);
        Assert.True(output.Contains("SMOKE RESULT: SUCCESS"), $"no 'SMOKE RESULT: SUCCESS' {where}; output:\n" + output);
        Assert.DoesNotContain("SMOKE RESULT: FAILURE", output);
    }
}

/// <summary>One entry of a newc ("070701") cpio archive.</summary>
public sealed class CpioEntry
{
    public string Name;
    public uint Mode, Uid, Gid, RdevMajor, RdevMinor;
    public byte[] Data;
    public bool IsDir => (Mode & 0xF000) == 0x4000;
    public bool IsFile => (Mode & 0xF000) == 0x8000;
    public bool IsSymlink => (Mode & 0xF000) == 0xA000;
    public bool IsCharDev => (Mode & 0xF000) == 0x2000;
    public bool IsExecutable => (Mode & 0x49) == 0x49; // u+x g+x o+x
    public string LinkTarget => IsSymlink ? Encoding.UTF8.GetString(Data) : null;

    /// <summary>Reads a whole newc archive (the format the kernel's initramfs unpacker takes).</summary>
    public static List<CpioEntry> ReadNewc(byte[] a)
    {
        var list = new List<CpioEntry>();
        int p = 0;
        uint Hex(int field) => Convert.ToUInt32(Encoding.ASCII.GetString(a, p + 6 + field * 8, 8), 16);
        while (true)
        {
            Assert.True(p + 110 <= a.Length, $"cpio: truncated header at {p}");
            string magic = Encoding.ASCII.GetString(a, p, 6);
            Assert.True(magic == "070701", $"cpio: magic '{magic}' at {p}, expected newc 070701");
            var e = new CpioEntry { Mode = Hex(1), Uid = Hex(2), Gid = Hex(3), RdevMajor = Hex(9), RdevMinor = Hex(10) };
            int fileSize = (int)Hex(6), nameSize = (int)Hex(11);
            e.Name = Encoding.UTF8.GetString(a, p + 110, nameSize - 1);
            p = (p + 110 + nameSize + 3) & ~3;
            e.Data = a[p..(p + fileSize)];
            p = (p + fileSize + 3) & ~3;
            if (e.Name == "TRAILER!!!") return list;
            if (e.Name.StartsWith("./")) e.Name = e.Name[2..];
            list.Add(e);
        }
    }
}

/// <summary>
/// tools/Initramfs, tests/guest/smoke.c and tests/guest/smoke-init.sh without microxen: the archive's
/// contents, the smoke program on this host, and the smoke initramfs under Debian's kernel booted
/// natively in QEMU (the baseline for the same boot on microxen, UserlandTests).
/// </summary>
[Collection("qemu")]
public class InitramfsTests(ITestOutputHelper log)
{
    static Dictionary<string, CpioEntry> Read(string path)
    {
        var entries = CpioEntry.ReadNewc(File.ReadAllBytes(path));
        var byName = new Dictionary<string, CpioEntry>();
        foreach (var e in entries)
        {
            Assert.False(byName.ContainsKey(e.Name), "cpio: duplicate entry " + e.Name);
            byName[e.Name] = e;
        }
        return byName;
    }

    [Fact]
    public void InitramfsToolBuildsSmokeArchiveWithBusyboxInitAndSmoke()
    {
        string path = GuestImages.SmokeInitramfs;
        var files = Read(path);
        log.WriteLine($"{path}: {files.Count} entries");

        Assert.True(files.TryGetValue("init", out var init), "no /init");
        Assert.True(init.IsFile && init.IsExecutable, $"/init is not an executable file (mode {Convert.ToString(init.Mode, 8)})");
        Assert.Equal(File.ReadAllBytes(Path.Combine(DebianKernel.RepoRoot, "tests", "guest", "smoke-init.sh")), init.Data);

        Assert.True(files.TryGetValue("bin/busybox", out var bb), "no /bin/busybox");
        Assert.True(bb.IsFile && bb.IsExecutable, "/bin/busybox is not an executable file");
        Assert.Equal(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' }, bb.Data[..4]);

        Assert.True(files.TryGetValue("bin/sh", out var sh), "no /bin/sh");
        Assert.True(sh.IsSymlink, "/bin/sh is not a symlink");
        Assert.Equal("busybox", sh.LinkTarget);
        foreach (string applet in new[] { "ls", "cat", "echo", "mount", "uname", "poweroff", "sleep", "mkdir", "ps", "dmesg", "setsid", "cttyhack", "true" })
            Assert.True(files.TryGetValue("bin/" + applet, out var a) && a.LinkTarget == "busybox", $"no /bin/{applet} -> busybox");
        Assert.Equal("bin", files["sbin"].LinkTarget);

        Assert.True(files.TryGetValue("smoke", out var smoke), "no /smoke");
        Assert.True(smoke.IsFile && smoke.IsExecutable, "/smoke is not an executable file");
        Assert.Equal(File.ReadAllBytes(GuestImages.Smoke), smoke.Data);

        foreach (string dir in new[] { "dev", "proc", "sys", "tmp", "etc", "root" })
            Assert.True(files.TryGetValue(dir, out var d) && d.IsDir, $"no /{dir} folder");
        Assert.All(files.Values, e => Assert.True(e.Uid == 0 && e.Gid == 0, $"{e.Name} is not owned by 0:0"));

        // Debian's cpio agrees it is a valid newc archive.
        var (rc, list) = DebianKernel.Run("cpio", "-it --quiet", 60, stdin: File.ReadAllBytes(path));
        Assert.True(rc == 0, "cpio -it failed:\n" + list);
        Assert.Contains("bin/busybox", list);
    }

    [Fact]
    public void InitramfsToolDefaultInitHandsOverToBusyboxInitWithAConsoleShell()
    {
        string path = Path.Combine(DebianKernel.RepoRoot, "build", "tests", "initramfs-shell.cpio.gz");
        var (rc, output) = GuestImages.RunTool($"--out {GuestImages.Q(path)}");
        Assert.True(rc == 0, $"tools/Initramfs failed (exit {rc}):\n{output}");
        log.WriteLine(output);
        byte[] gz = File.ReadAllBytes(path);
        Assert.True(gz[0] == 0x1f && gz[1] == 0x8b, "a .gz output is not gzip");
        using var unzip = new System.IO.Compression.GZipStream(new MemoryStream(gz), System.IO.Compression.CompressionMode.Decompress);
        var raw = new MemoryStream();
        unzip.CopyTo(raw);
        var files = CpioEntry.ReadNewc(raw.ToArray()).ToDictionary(e => e.Name);

        var init = files["init"];
        Assert.True(init.IsFile && init.IsExecutable);
        string text = Encoding.UTF8.GetString(init.Data);
        Assert.StartsWith("#!/bin/sh", text);
        Assert.Contains("mount -t proc proc /proc", text);
        Assert.Contains("mount -t sysfs sysfs /sys", text);
        Assert.Contains("mount -t devtmpfs devtmpfs /dev", text);
        Assert.Contains($"echo \"{GuestImages.InitLine}\"", text);
        Assert.Contains("exec /bin/init", text);
        string inittab = Encoding.UTF8.GetString(files["etc/inittab"].Data);
        Assert.Contains("::respawn:-/bin/cttyhack /bin/sh", inittab);
        Assert.Contains("::shutdown:", inittab);
        Assert.Equal("busybox", files["bin/init"].LinkTarget);
        Assert.True(files["bin/busybox"].IsFile);
        Assert.False(files.ContainsKey("smoke"));
    }

    [Fact]
    public void InitramfsToolReportsBadInputWithItsExitCodes()
    {
        string outPath = Path.Combine(DebianKernel.RepoRoot, "build", "tests", "initramfs-bad.cpio");
        var (rc, output) = GuestImages.RunTool($"--out {GuestImages.Q(outPath)} --init /nonexistent/init");
        Assert.True(rc == 6, $"missing --init file: exit {rc}, expected 6:\n{output}");
        Assert.Contains("no such file", output);

        (rc, output) = GuestImages.RunTool($"--out {GuestImages.Q(outPath)} --add /nonexistent/file:/x");
        Assert.True(rc == 6, $"missing --add file: exit {rc}, expected 6:\n{output}");

        (rc, output) = GuestImages.RunTool($"--out {GuestImages.Q(outPath)} --add relative-destination");
        Assert.True(rc == 2, $"--add without :/DEST: exit {rc}, expected 2:\n{output}");

        (rc, output) = GuestImages.RunTool("--frobnicate");
        Assert.True(rc == 2, $"unknown argument: exit {rc}, expected 2:\n{output}");
        Assert.Contains("usage:", output);
        Assert.False(File.Exists(outPath));
    }

    [Fact]
    public void SmokeProgramPassesOnTheHost()
    {
        string smoke = GuestImages.Smoke;
        var (rc, output) = DebianKernel.Run(smoke, "", 300);
        log.WriteLine(output);
        GuestImages.AssertSmokeSucceeded(output, "on the host");
        Assert.Equal(0, rc);
    }

    /// <summary>
    /// The same kernel (Debian's bzImage) and smoke initramfs on plain QEMU, no microxen: proves
    /// /init and the smoke program in a real Linux userland, and gives the native time to /init.
    /// </summary>
    [Fact]
    public void SmokeInitramfsPassesUnderDebianKernelBootedNativelyInQemu()
    {
        string bzImage = DebianKernel.BzImagePath;
        string initrd = GuestImages.SmokeInitramfs;
        var psi = new ProcessStartInfo("qemu-system-x86_64")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-accel", "tcg", "-cpu", "max", "-m", "1G", "-display", "none", "-no-reboot",
                     "-serial", "stdio", "-monitor", "none", "-kernel", bzImage, "-initrd", initrd, "-append", "console=ttyS0" })
            psi.ArgumentList.Add(a);
        var sb = new StringBuilder();
        TimeSpan? untilInit = null;
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            lock (sb)
            {
                sb.Append(e.Data.TrimEnd('\r')).Append('\n');
                if (untilInit == null && e.Data.Contains(GuestImages.InitLine)) untilInit = sw.Elapsed;
            }
        };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (sb) sb.Append("[qemu] ").Append(e.Data).Append('\n'); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        bool exited = p.WaitForExit(300_000);
        if (!exited) { try { p.Kill(true); } catch { } p.WaitForExit(); }
        p.WaitForExit();
        string output;
        lock (sb) output = sb.ToString();
        log.WriteLine(output);
        Assert.True(exited, "QEMU (native boot) did not finish in 300 s; console:\n" + output);
        Assert.True(untilInit != null, $"no '{GuestImages.InitLine}' line; console:\n" + output);
        log.WriteLine($"native boot: QEMU start to /init: {untilInit!.Value.TotalSeconds:F1} s, whole run {sw.Elapsed.TotalSeconds:F1} s");
        GuestImages.AssertSmokeSucceeded(output, "under Debian's kernel booted natively");
        Assert.True(p.ExitCode == 0, $"QEMU exit status {p.ExitCode}, expected 0 (poweroff); console:\n" + output);
    }
}
