using System.CommandLine;
using System.Diagnostics;

namespace Microxen.Tools.Certify;

/// <summary>
/// `make certify`: test kernels x hosts (Xen 4.17, microxen mode=checked, microxen mode=fast;
/// QEMU TCG), or a console captured on hardware (--log), into build/certify/report.md and
/// build/certify/junit.xml. Exit status: 0 checked mode equals Xen 4.17 everywhere, 1 it differs
/// somewhere (or Xen or checked mode did not run), 2 usage, 3 an input is missing, 4 the log
/// holds no run the tool can place.
/// </summary>
public static class Program
{
    public const int ExitCertified = 0, ExitDiffers = 1, ExitUsage = 2, ExitMissing = 3, ExitBadLog = 4;

    /// <summary>The built-in test kernels, by their --kernels name.</summary>
    public static readonly string[] BuiltIn = { "kernel-test", "kernel-test-low", "fuzz", "debian-smoke" };

    public static int Main(string[] args)
    {
        var kernels = new Option<string>("--kernels") { Description = "built-in test kernels, comma-separated: " + string.Join(",", BuiltIn) + " (default all; 'none' for only --certify-kernels)", DefaultValueFactory = _ => string.Join(",", BuiltIn) };
        var extra = new Option<DirectoryInfo>("--certify-kernels") { Description = "a folder of PV test kernels printing 'Test result: SUCCESS|SKIP|FAILURE|ERROR' (XTF-style: each kernel is one test; X.cmdline beside an ELF X holds its guest command line)" };
        var fuzz = new Option<string>("--fuzz") { Description = "SEED,COUNT of the fuzz kernel (kernel-test fuzz=SEED,COUNT on the groups not in " + FuzzRun.UnlikeXenFile + "; default 1,10000)", DefaultValueFactory = _ => "1,10000" };
        var hosts = new Option<string>("--hosts") { Description = "hosts, comma-separated: xen,checked,fast (default all)", DefaultValueFactory = _ => "xen,checked,fast" };
        var log = new Option<FileInfo>("--log") { Description = "a console captured on hardware (make certify-iso's runs): its microxen runs replace running microxen in QEMU" };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "where report.md, junit.xml and logs/ go (default build/certify)" };
        var diffs = new Option<FileInfo>("--differences") { Description = "fast mode's documented differences (default kernel-test/fast-mode-differences.txt)" };
        var timeout = new Option<int>("--timeout") { Description = "seconds per run (default 300)", DefaultValueFactory = _ => 300 };
        var isoRoot = new Option<DirectoryInfo>("--iso-root") { Description = "lay out make certify-iso's image root here (grub.cfg: one entry per kernel and microxen mode, all in sequence by default) instead of running" };
        var root = new Option<DirectoryInfo>("--root") { Description = "the repository (default: found above the current folder)" };
        var cmd = new RootCommand("microxen certification: test kernels x Xen 4.17 / microxen checked / microxen fast") { kernels, extra, fuzz, hosts, log, outDir, diffs, timeout, isoRoot, root };
        cmd.SetAction(p =>
        {
            try
            {
                if (!FuzzRun.TryParse(p.GetValue(fuzz), out _fuzzSeed, out _fuzzCount))
                    throw new Failure(ExitUsage, $"--fuzz '{p.GetValue(fuzz)}': want SEED,COUNT (decimal, COUNT > 0)");
                if (p.GetValue(isoRoot) is { } iso)
                    return IsoRoot(iso.FullName, p.GetValue(kernels), p.GetValue(extra)?.FullName, p.GetValue(root)?.FullName);
                return Certify(p.GetValue(kernels), p.GetValue(extra)?.FullName, p.GetValue(hosts), p.GetValue(log)?.FullName,
                    p.GetValue(outDir)?.FullName, p.GetValue(diffs)?.FullName, p.GetValue(timeout), p.GetValue(root)?.FullName);
            }
            catch (Failure f)
            {
                Console.Error.WriteLine("certify: error: " + f.Message);
                return f.Code;
            }
        });
        var parsed = cmd.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) Console.Error.WriteLine("certify: error: " + e.Message);
            return ExitUsage;
        }
        return parsed.Invoke();
    }

    static ulong _fuzzSeed, _fuzzCount;
    /// <summary>The fuzz kernel's line for the report and the console ("" without one).</summary>
    static string _fuzzNote = "";

    sealed class Failure(int code, string message) : Exception(message)
    {
        public readonly int Code = code;
    }

    static int Certify(string kernelList, string extraDir, string hostList, string logFile, string outDir, string diffFile, int timeout, string root)
    {
        root ??= FindRoot();
        outDir ??= Path.Combine(root, "build", "certify");
        diffFile ??= Path.Combine(root, "kernel-test", "fast-mode-differences.txt");
        var hostSet = new List<HostKind>();
        foreach (string h in hostList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Hosts.TryParse(h, out var k)) throw new Failure(ExitUsage, $"unknown host '{h}' (known: xen, checked, fast)");
            if (!hostSet.Contains(k)) hostSet.Add(k);
        }
        var all = Kernels(root, kernelList, extraDir);
        if (all.Count == 0) throw new Failure(ExitUsage, "no test kernel selected");
        string shim = Path.Combine(root, "build", "microxen.bin");

        var sw = Stopwatch.StartNew();
        var runner = new Runner(root, Path.Combine(outDir, "logs"), timeout);
        var results = new List<RunResult>();
        var fromLog = new List<RunResult>();
        var jobs = new List<(TestKernel k, HostKind h)>();
        string source;
        if (logFile != null)
        {
            if (!File.Exists(logFile)) throw new Failure(ExitMissing, $"no console log at {logFile}");
            var (runs, problems) = SerialLog.Split(File.ReadAllText(logFile));
            foreach (string p in problems) Console.Error.WriteLine($"certify: {logFile}: {p}");
            var placed = new List<TestKernel>();
            foreach (var r in runs)
            {
                var k = all.FirstOrDefault(x => x.Name == r.Kernel);
                if (k == null) { Console.Error.WriteLine($"certify: {logFile}: run of unknown kernel '{r.Kernel}' skipped (not among --kernels/--certify-kernels)"); continue; }
                if (!hostSet.Contains(r.Host)) continue;
                var run = ConsoleParser.Parse(k, r.Host, r.Console);
                run.Ending = "from " + Path.GetFileName(logFile);
                fromLog.Add(run);
                if (!placed.Contains(k)) placed.Add(k);
            }
            if (fromLog.Count == 0) throw new Failure(ExitBadLog, $"{logFile}: no microxen run of a known kernel");
            if (hostSet.Contains(HostKind.Xen))
                foreach (var k in placed) jobs.Add((k, HostKind.Xen));
            source = $"From the console log `{Path.GetFileName(logFile)}` (microxen on the machine)" +
                     (jobs.Count > 0 ? "; Xen 4.17 rows from QEMU TCG runs of the same images." : ".");
        }
        else
        {
            foreach (var k in all)
                foreach (var h in Hosts.All.Where(hostSet.Contains))
                    jobs.Add((k, h));
            source = "Generated by `make certify` (tools/Certify): every run under QEMU TCG.";
        }
        if (_fuzzNote.Length > 0) Console.WriteLine("certify: " + _fuzzNote);
        foreach (var (k, h) in jobs)
        {
            foreach (string f in new[] { h == HostKind.Xen ? null : shim, k.Image, k.Initrd })
                if (f != null && !File.Exists(f)) throw new Failure(ExitMissing, $"{f} not found (make build kernel-test certify-artefacts)");
        }
        // The Xen runs first (the progress lines compare with them), then the log's runs.
        int n = 0, total = jobs.Count + fromLog.Count;
        foreach (var (k, h) in jobs)
        {
            var run = runner.Run(k, h, shim);
            results.Add(run);
            Progress(++n, total, run, results);
        }
        foreach (var run in fromLog)
        {
            results.Add(run);
            Progress(++n, total, run, results);
        }

        var matrix = new Matrix(results, Matrix.ReadDifferences(diffFile));
        Directory.CreateDirectory(outDir);
        string report = Path.Combine(outDir, "report.md"), junit = Path.Combine(outDir, "junit.xml");
        File.WriteAllText(report, ReportWriter.Markdown(matrix, source + $" {results.Count} runs, {sw.Elapsed.TotalSeconds:F0} s." +
            (_fuzzNote.Length > 0 ? "\n\n" + _fuzzNote : "")));
        using (var w = System.Xml.XmlWriter.Create(junit, new System.Xml.XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) }))
            JUnitWriter.Document(matrix).Save(w);
        var differs = matrix.CheckedDifferences;
        Console.WriteLine($"certify: {report}, {junit} ({sw.Elapsed.TotalSeconds:F0} s)");
        if (!hostSet.Contains(HostKind.Xen) || !hostSet.Contains(HostKind.Checked))
        {
            Console.WriteLine("certify: NOT CERTIFIED: the matrix needs both Xen 4.17 and checked mode");
            return ExitDiffers;
        }
        if (differs.Count > 0)
        {
            Console.WriteLine($"certify: NOT CERTIFIED: checked mode differs from Xen 4.17 on {differs.Count} test(s):");
            foreach (var r in differs.Take(20))
                Console.WriteLine($"certify:   {r.Kernel} {r.Test}: {ReportWriter.Result(r.Result)} (Xen 4.17: {ReportWriter.Result(r.Xen)})");
            return ExitDiffers;
        }
        Console.WriteLine("certify: CERTIFIED: checked mode equals Xen 4.17 on every test");
        return ExitCertified;
    }

    /// <summary>--iso-root: the certify image's files and grub.cfg (<see cref="GrubConfig"/>).</summary>
    static int IsoRoot(string dir, string kernelList, string extraDir, string root)
    {
        root ??= FindRoot();
        var all = Kernels(root, kernelList, extraDir);
        if (all.Count == 0) throw new Failure(ExitUsage, "no test kernel selected");
        string shim = Path.Combine(root, "build", "microxen.bin");
        foreach (string f in all.SelectMany(k => new[] { k.Image, k.Initrd }).Append(shim))
            if (f != null && !File.Exists(f)) throw new Failure(ExitMissing, $"{f} not found (make build kernel-test kernel smoke-initramfs)");
        var steps = GrubConfig.LayOut(dir, shim, all);
        Console.WriteLine($"certify: image root {dir}: {steps.Count} entries ({all.Count} kernels x checked, fast) and the sequence");
        return 0;
    }

    /// <summary>One line per run: its counts and how many tests differ from Xen's run of the kernel (when it ran first).</summary>
    static void Progress(int i, int n, RunResult run, List<RunResult> results)
    {
        var xen = results.FirstOrDefault(r => r.Kernel == run.Kernel && r.Host == HostKind.Xen);
        string versus = run.Host == HostKind.Xen || xen == null ? ""
            : $", {run.Tests.Count(t => !t.SameAs(xen.Tests.FirstOrDefault(x => x.Test == t.Test)))} differ from Xen";
        Console.WriteLine($"certify: [{i}/{n}] {run.Kernel} on {Hosts.Name(run.Host)}: {run.Count(Outcome.Pass)} pass, {run.Count(Outcome.Fail)} fail, " +
                          $"{run.Count(Outcome.Skip)} skip, {run.Count(Outcome.Error)} error{versus} ({(run.Verdict.Length > 0 ? run.Verdict : "no verdict")}; {run.Ending}" +
                          (run.Seconds > 0 ? $", {run.Seconds:F1} s)" : ")"));
    }

    /// <summary>The test kernels: the built-in ones named, then every file of <paramref name="extraDir"/> (XTF-style).</summary>
    static List<TestKernel> Kernels(string root, string list, string extraDir)
    {
        string build = Path.Combine(root, "build");
        var ks = new List<TestKernel>();
        foreach (string name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            ks.Add(name switch
            {
                "kernel-test" => new TestKernel("kernel-test.elf", KernelKind.KernelTest, Path.Combine(build, "kernel-test.elf"), null, ""),
                "kernel-test-low" => new TestKernel("kernel-test-low.elf", KernelKind.KernelTest, Path.Combine(build, "kernel-test-low.elf"), null, ""),
                "debian-smoke" => new TestKernel("debian-smoke", KernelKind.Smoke, Path.Combine(build, "debian", "vmlinux"),
                    Path.Combine(build, "initramfs-smoke.cpio"), "console=hvc0 earlyprintk=xen"),
                "fuzz" => FuzzKernel(root, Path.Combine(build, "kernel-test.elf")),
                "none" => null,
                _ => throw new Failure(ExitUsage, $"unknown kernel '{name}' (known: {string.Join(", ", BuiltIn)}, none)"),
            });
        }
        ks.RemoveAll(k => k == null);
        if (extraDir != null)
        {
            if (!Directory.Exists(extraDir)) throw new Failure(ExitMissing, $"CERTIFY_KERNELS: no folder {extraDir}");
            foreach (string f in Directory.GetFiles(extraDir).OrderBy(f => f, StringComparer.Ordinal))
                if (IsElf(f)) ks.Add(new TestKernel(Path.GetFileName(f), KernelKind.Xtf, f, null, GuestCmdline(f)));
                else if (f.EndsWith(TestKernel.CmdlineSuffix, StringComparison.Ordinal) && File.Exists(f[..^TestKernel.CmdlineSuffix.Length])) continue;
                else Console.Error.WriteLine($"certify: {f}: not an ELF file, skipped");
        }
        return ks;
    }

    /// <summary>A CERTIFY_KERNELS kernel X's guest command line: the file X.cmdline beside it (its lines joined by spaces), or none.</summary>
    static string GuestCmdline(string image)
    {
        string f = image + TestKernel.CmdlineSuffix;
        return File.Exists(f) ? string.Join(" ", File.ReadAllLines(f).Select(l => l.Trim()).Where(l => l.Length > 0)) : "";
    }

    /// <summary>The fuzz kernel (--fuzz SEED,COUNT) on the groups that agree with Xen 4.17 in checked mode today; sets the report's note.</summary>
    static TestKernel FuzzKernel(string root, string image)
    {
        string source = Path.Combine(root, FuzzRun.GroupsSource);
        if (!File.Exists(source)) throw new Failure(ExitMissing, $"{source} not found (the fuzz kernel's call groups)");
        var unlike = Matrix.ReadDifferences(Path.Combine(root, FuzzRun.UnlikeXenFile)).Keys;
        var (k, excluded) = FuzzRun.Kernel(image, _fuzzSeed, _fuzzCount, FuzzRun.CallGroups(File.ReadAllText(source)), unlike);
        _fuzzNote = $"Fuzz kernel {k.Name}: kernel-test `{k.Cmdline}`" + (excluded.Count == 0 ? ", every call group."
            : $"; call groups left out because checked mode's digest does not equal Xen 4.17's yet ({FuzzRun.UnlikeXenFile}): {string.Join(", ", excluded)}.");
        return k;
    }

    static bool IsElf(string path)
    {
        using var s = File.OpenRead(path);
        var b = new byte[4];
        return s.Read(b, 0, 4) == 4 && b[0] == 0x7f && b[1] == (byte)'E' && b[2] == (byte)'L' && b[3] == (byte)'F';
    }

    static string FindRoot()
    {
        for (var d = new DirectoryInfo(Environment.CurrentDirectory); d != null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, "shim")) && Directory.Exists(Path.Combine(d.FullName, "tools", "Certify")))
                return d.FullName;
        throw new Failure(ExitUsage, "the repository (shim/ and tools/Certify/) was not found above the current folder: give --root");
    }
}
