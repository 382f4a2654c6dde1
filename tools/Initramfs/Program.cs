using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Microxen.Tools.Initramfs
{
    /// <summary>
    /// Builds an initramfs (newc cpio) from Debian's busybox-static plus the project's files.
    ///
    ///   dotnet run --project tools/Initramfs -- --out build/initramfs.cpio
    ///       [--init FILE] [--add SRC:DEST ...] [--gzip] [--cache DIR] [--root DIR] [--busybox FILE]
    ///
    /// 1. `apt-get download busybox-static` into the cache (default build/busybox-static; `apt-get
    ///    update` first when apt does not know the package, which needs root) and `dpkg-deb -x` it;
    /// 2. lays out a root: /bin/busybox, a symlink /bin/APPLET -> busybox for every applet
    ///    `busybox --list` names, /sbin /usr/bin /usr/sbin -> bin, /dev /proc /sys /tmp /run /root /etc,
    ///    the /init given (default: a busybox shell on the console, then poweroff -f) and the --add files;
    /// 3. archives it with Debian's cpio: `find . | sort | cpio -o -H newc --owner=0:0 --reproducible`,
    ///    gzip-compressed with --gzip (or when --out ends in .gz).
    /// Idempotent: the .deb and its extraction are reused; the root and the archive are rebuilt.
    /// </summary>
    public static class Program
    {
        const string Package = "busybox-static";

        // Exit codes.
        const int ExitOk = 0, ExitInternal = 1, ExitUsage = 2, ExitMissingTool = 3, ExitPackage = 4,
                  ExitExtract = 5, ExitInput = 6, ExitCpio = 7, ExitOutput = 8;

        sealed class Failure : Exception
        {
            public readonly int Code;
            public Failure(int code, string message) : base(message) { Code = code; }
        }

        const string Usage =
@"usage: Initramfs --out FILE [--init FILE] [--add SRC:DEST ...] [--gzip] [--cache DIR] [--root DIR] [--busybox FILE]
  --out FILE       the archive to write (newc cpio; gzip-compressed with --gzip or a .gz name)
  --init FILE      the /init to install (default: busybox init with a console shell; poweroff ends it)
  --add SRC:DEST   copy file or folder SRC to DEST (an absolute path in the initramfs); repeatable
  --gzip           compress the archive with gzip
  --cache DIR      where busybox-static is downloaded and extracted (default: <repo>/build/busybox-static)
  --root DIR       the staging folder the root is laid out in (default: FILE.root; rebuilt every run)
  --busybox FILE   use this static busybox instead of Debian's busybox-static
exit status: 0 ok, 2 usage, 3 a host tool is missing, 4 busybox-static could not be downloaded,
  5 it could not be extracted, 6 an --init/--add file is missing, 7 cpio failed, 8 the output could not be written";

        public const string DefaultInit =
@"#!/bin/sh
# microxen's default /init (tools/Initramfs): mounts the virtual file systems, then busybox
# init runs a shell on the console (/etc/inittab) and handles poweroff and reboot.
echo ""microxen initramfs: /init running""
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=linux
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev || echo ""init: cannot mount devtmpfs on /dev""
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
hostname microxen
echo ""microxen initramfs: $(uname -sr), busybox shell; type poweroff to end""
exec /bin/init
";

        /// <summary>busybox init's table for the default /init: a respawning console shell, clean poweroff.</summary>
        public const string DefaultInittab =
@"::respawn:-/bin/cttyhack /bin/sh -l
::ctrlaltdel:/bin/poweroff
::shutdown:/bin/echo ""microxen initramfs: powering off""
::shutdown:/bin/umount -a -r
";

        public static int Main(string[] args)
        {
            try
            {
                return Run(args);
            }
            catch (Failure f)
            {
                Console.Error.WriteLine("initramfs: error: " + f.Message);
                return f.Code;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine("initramfs: internal error: " + e);
                return ExitInternal;
            }
        }

        static int Run(string[] args)
        {
            string outPath = null, initPath = null, cache = null, rootDir = null, busyboxPath = null;
            bool gzip = false;
            var adds = new List<(string src, string dest)>();
            for (int i = 0; i < args.Length; i++)
            {
                string a = args[i];
                string Value()
                {
                    if (i + 1 >= args.Length) throw new Failure(ExitUsage, a + " needs a value\n" + Usage);
                    return args[++i];
                }
                switch (a)
                {
                    case "--out": outPath = Value(); break;
                    case "--init": initPath = Value(); break;
                    case "--cache": cache = Value(); break;
                    case "--root": rootDir = Value(); break;
                    case "--busybox": busyboxPath = Value(); break;
                    case "--gzip": gzip = true; break;
                    case "--add":
                    {
                        string v = Value();
                        int colon = v.LastIndexOf(":/", StringComparison.Ordinal);
                        if (colon <= 0)
                            throw new Failure(ExitUsage, $"--add {v}: expected SRC:DEST with DEST an absolute path in the initramfs");
                        string dest = v[(colon + 1)..].TrimEnd('/');
                        if (dest.Length == 0 || dest.Split('/').Contains(".."))
                            throw new Failure(ExitUsage, $"--add {v}: bad destination '{v[(colon + 1)..]}'");
                        adds.Add((v[..colon], dest));
                        break;
                    }
                    case "-h": case "--help":
                        Console.WriteLine(Usage);
                        return ExitOk;
                    default:
                        throw new Failure(ExitUsage, $"unknown argument '{a}'\n" + Usage);
                }
            }
            if (outPath == null) throw new Failure(ExitUsage, "--out is required\n" + Usage);

            outPath = Path.GetFullPath(outPath);
            if (outPath.EndsWith(".gz", StringComparison.Ordinal)) gzip = true;
            cache = Path.GetFullPath(cache ?? Path.Combine(RepoRoot(), "build", Package));
            rootDir = Path.GetFullPath(rootDir ?? outPath + ".root");
            if (rootDir == "/" || outPath.StartsWith(rootDir + "/", StringComparison.Ordinal))
                throw new Failure(ExitUsage, $"the staging folder {rootDir} cannot hold the output");

            // Inputs first: a missing file is the user's error, reported before any download.
            if (initPath != null)
            {
                initPath = Path.GetFullPath(initPath);
                if (!File.Exists(initPath)) throw new Failure(ExitInput, $"--init {initPath}: no such file");
            }
            for (int i = 0; i < adds.Count; i++)
            {
                string src = Path.GetFullPath(adds[i].src);
                if (!File.Exists(src) && !Directory.Exists(src))
                    throw new Failure(ExitInput, $"--add {adds[i].src}: no such file or folder");
                adds[i] = (src, adds[i].dest);
            }

            Require("find", "findutils");
            Require("cpio", "cpio");

            string version = null;
            if (busyboxPath != null)
            {
                busyboxPath = Path.GetFullPath(busyboxPath);
                if (!File.Exists(busyboxPath)) throw new Failure(ExitInput, $"--busybox {busyboxPath}: no such file");
                version = "(given)";
            }
            else
            {
                (busyboxPath, version) = FetchBusybox(cache);
            }

            List<string> applets = Applets(busyboxPath);
            LayOut(rootDir, busyboxPath, applets, initPath, adds);
            long entries = WriteCpio(rootDir, outPath, gzip);

            Console.WriteLine($"initramfs: {outPath} ({new FileInfo(outPath).Length} bytes{(gzip ? ", gzip" : "")}, {entries} entries): " +
                              $"{Package} {version}, {applets.Count} applets, /init {(initPath ?? "(default shell)")}" +
                              string.Concat(adds.Select(a => $", {a.dest}")));
            return ExitOk;
        }

        /// <summary>The folder holding tools/Initramfs: searched up from the current directory, then from the program's.</summary>
        static string RepoRoot()
        {
            foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
                for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                    if (File.Exists(Path.Combine(d.FullName, "tools", "Initramfs", "Initramfs.csproj")))
                        return d.FullName;
            return Environment.CurrentDirectory;
        }

        static string Which(string tool)
        {
            foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
            {
                if (dir.Length == 0) continue;
                string p = Path.Combine(dir, tool);
                if (File.Exists(p)) return p;
            }
            return null;
        }

        static void Require(string tool, string debianPackage)
        {
            if (Which(tool) == null)
                throw new Failure(ExitMissingTool, $"'{tool}' not found on PATH (install Debian's {debianPackage}: apt-get install {debianPackage})");
        }

        static bool IsRoot() => Environment.UserName == "root" || Exec("id", new[] { "-u" }, null).output.Trim() == "0";

        // ---- 1. busybox-static -------------------------------------------------------------------

        /// <summary>Downloads and extracts busybox-static into <paramref name="cache"/>; returns bin/busybox and the version.</summary>
        static (string busybox, string version) FetchBusybox(string cache)
        {
            Directory.CreateDirectory(cache);
            string deb = NewestDeb(cache);
            if (deb == null)
            {
                Require("apt-get", "apt");
                Console.WriteLine($"initramfs: apt-get download {Package}");
                var (rc, output) = Exec("apt-get", new[] { "download", Package }, cache);
                if (rc != 0)
                {
                    if (!IsRoot())
                        throw new Failure(ExitPackage, $"apt-get download {Package} failed ({LastError(output)}); " +
                                                       "if apt does not know the package yet, run 'apt-get update' as root");
                    Console.WriteLine($"initramfs: apt does not know {Package} yet: apt-get update");
                    var (urc, uout) = Exec("apt-get", new[] { "update" }, cache);
                    if (urc != 0) throw new Failure(ExitPackage, "apt-get update failed: " + LastError(uout));
                    (rc, output) = Exec("apt-get", new[] { "download", Package }, cache);
                    if (rc != 0)
                        throw new Failure(ExitPackage, $"apt-get download {Package} failed: {LastError(output)}" +
                                                       (output.Contains("Unable to locate package") ? $" (package {Package} not found in apt's sources)" : ""));
                }
                deb = NewestDeb(cache);
                if (deb == null) throw new Failure(ExitPackage, $"apt-get download {Package} succeeded but left no {Package}_*.deb in {cache}");
            }

            Require("dpkg-deb", "dpkg");
            string version = Exec("dpkg-deb", new[] { "-f", deb, "Version" }, null).output.Trim();
            string extracted = Path.Combine(cache, "root");
            string stamp = Path.Combine(extracted, ".from-deb");
            string busybox = Path.Combine(extracted, "bin", "busybox");
            if (!(File.Exists(busybox) && File.Exists(stamp) && File.ReadAllText(stamp).Trim() == Path.GetFileName(deb)))
            {
                string tmp = extracted + ".tmp";
                DeleteTree(tmp);
                var (rc, output) = Exec("dpkg-deb", new[] { "-x", deb, tmp }, null);
                if (rc != 0) throw new Failure(ExitExtract, $"dpkg-deb -x {deb} failed: {LastError(output)}");
                if (!File.Exists(Path.Combine(tmp, "bin", "busybox")))
                    throw new Failure(ExitExtract, $"{deb} holds no bin/busybox");
                File.WriteAllText(Path.Combine(tmp, ".from-deb"), Path.GetFileName(deb) + "\n");
                DeleteTree(extracted);
                Directory.Move(tmp, extracted);
                Console.WriteLine($"initramfs: extracted {Path.GetFileName(deb)} into {extracted}");
            }
            return (busybox, version);
        }

        static string NewestDeb(string dir) =>
            Directory.GetFiles(dir, Package + "_*.deb").OrderBy(f => f, StringComparer.Ordinal).LastOrDefault();

        static string LastError(string output)
        {
            var lines = output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            return lines.LastOrDefault(l => l.StartsWith("E:", StringComparison.Ordinal)) ?? lines.LastOrDefault() ?? "no output";
        }

        /// <summary>`busybox --list`: the applet names (busybox itself excluded).</summary>
        static List<string> Applets(string busybox)
        {
            var (rc, output) = Exec(busybox, new[] { "--list" }, null);
            var applets = output.Split('\n').Select(l => l.Trim())
                .Where(l => l.Length > 0 && l != "busybox" && !l.Contains('/')).Distinct().ToList();
            if (rc != 0 || !applets.Contains("sh"))
                throw new Failure(ExitExtract, $"'{busybox} --list' failed (exit {rc}) or names no 'sh': {LastError(output)}");
            return applets;
        }

        // ---- 2. the root -------------------------------------------------------------------------

        static void LayOut(string root, string busybox, List<string> applets, string initPath, List<(string src, string dest)> adds)
        {
            DeleteTree(root);
            Directory.CreateDirectory(root);
            const UnixFileMode Dir755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            File.SetUnixFileMode(root, Dir755);
            foreach (string d in new[] { "bin", "dev", "proc", "sys", "tmp", "run", "root", "etc", "mnt", "usr", "var" })
                Directory.CreateDirectory(Path.Combine(root, d), Dir755);
            File.SetUnixFileMode(Path.Combine(root, "tmp"), Dir755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.StickyBit);
            File.SetUnixFileMode(Path.Combine(root, "root"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            // bin/busybox and a symlink per applet; the other bin folders are links to bin (merged /usr).
            string bin = Path.Combine(root, "bin");
            CopyFile(busybox, Path.Combine(bin, "busybox"), Dir755);
            foreach (string applet in applets)
                File.CreateSymbolicLink(Path.Combine(bin, applet), "busybox");
            File.CreateSymbolicLink(Path.Combine(root, "sbin"), "bin");
            File.CreateSymbolicLink(Path.Combine(root, "usr", "bin"), "../bin");
            File.CreateSymbolicLink(Path.Combine(root, "usr", "sbin"), "../bin");

            // The kernel opens /dev/console for /init; Debian's kernel brings one in its built-in
            // initramfs, this one is for kernels that do not (mknod needs root: skipped otherwise).
            Exec("mknod", new[] { "-m", "600", Path.Combine(root, "dev", "console"), "c", "5", "1" }, null);

            string etc = Path.Combine(root, "etc");
            File.WriteAllText(Path.Combine(etc, "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
            File.WriteAllText(Path.Combine(etc, "group"), "root:x:0:\n");
            File.WriteAllText(Path.Combine(etc, "hostname"), "microxen\n");
            File.WriteAllText(Path.Combine(etc, "profile"), "export PATH=/bin:/sbin:/usr/bin:/usr/sbin\nPS1='microxen:\\w\\$ '\n");

            string init = Path.Combine(root, "init");
            if (initPath != null) CopyFile(initPath, init, Dir755);
            else
            {
                File.WriteAllText(init, DefaultInit);
                File.SetUnixFileMode(init, Dir755);
                File.WriteAllText(Path.Combine(etc, "inittab"), DefaultInittab);
            }

            foreach (var (src, dest) in adds)
            {
                string target = Path.Combine(root, dest.TrimStart('/'));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                if (Directory.Exists(target) && !IsLink(target)) DeleteTree(target);
                else if (File.Exists(target) || IsLink(target)) File.Delete(target);
                if (Directory.Exists(src)) CopyTree(src, target);
                else CopyFile(src, target, File.GetUnixFileMode(src));
            }
        }

        static bool IsLink(string path) => new FileInfo(path).LinkTarget != null;

        static void CopyFile(string src, string dest, UnixFileMode mode)
        {
            File.Copy(src, dest, overwrite: true);
            File.SetUnixFileMode(dest, mode);
        }

        static void CopyTree(string src, string dest)
        {
            Directory.CreateDirectory(dest);
            File.SetUnixFileMode(dest, File.GetUnixFileMode(src));
            foreach (string entry in Directory.EnumerateFileSystemEntries(src))
            {
                string target = Path.Combine(dest, Path.GetFileName(entry));
                var info = new FileInfo(entry);
                if (info.LinkTarget != null) File.CreateSymbolicLink(target, info.LinkTarget);
                else if (Directory.Exists(entry)) CopyTree(entry, target);
                else CopyFile(entry, target, File.GetUnixFileMode(entry));
            }
        }

        /// <summary>Deletes a folder tree without following symlinks.</summary>
        static void DeleteTree(string path)
        {
            if (!Directory.Exists(path) && !File.Exists(path)) return;
            var (rc, output) = Exec("rm", new[] { "-rf", "--one-file-system", "--", path }, null);
            if (rc != 0) throw new Failure(ExitOutput, $"cannot remove {path}: {LastError(output)}");
        }

        // ---- 3. the archive ----------------------------------------------------------------------

        /// <summary>`find . | sort | cpio -o -H newc --owner=0:0 --reproducible` in the root; returns the entry count.</summary>
        static long WriteCpio(string root, string outPath, bool gzip)
        {
            var (frc, found) = Exec("find", new[] { "." }, root);
            if (frc != 0) throw new Failure(ExitCpio, "find failed in " + root + ": " + LastError(found));
            var names = found.Split('\n').Where(l => l.Length > 0).OrderBy(l => l, StringComparer.Ordinal).ToList();

            Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
            string tmp = outPath + ".tmp";
            var psi = new ProcessStartInfo("cpio")
            {
                WorkingDirectory = root,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string a in new[] { "-o", "-H", "newc", "--owner=0:0", "--reproducible", "--quiet" })
                psi.ArgumentList.Add(a);
            psi.Environment["LC_ALL"] = "C";
            int rc;
            string err;
            try
            {
                using (var file = new FileStream(tmp, FileMode.Create, FileAccess.Write))
                using (Stream sink = gzip ? new GZipStream(file, CompressionLevel.SmallestSize) : file)
                using (var p = Process.Start(psi)!)
                {
                    var errTask = p.StandardError.ReadToEndAsync();
                    var feed = System.Threading.Tasks.Task.Run(() =>
                    {
                        var bytes = Encoding.UTF8.GetBytes(string.Join("\n", names) + "\n");
                        p.StandardInput.BaseStream.Write(bytes);
                        p.StandardInput.Close();
                    });
                    p.StandardOutput.BaseStream.CopyTo(sink);
                    p.WaitForExit();
                    feed.Wait();
                    rc = p.ExitCode;
                    err = errTask.Result;
                }
            }
            catch (IOException e)
            {
                File.Delete(tmp);
                throw new Failure(ExitOutput, $"cannot write {tmp}: {e.Message}");
            }
            if (rc != 0)
            {
                File.Delete(tmp);
                throw new Failure(ExitCpio, $"cpio -o -H newc failed (exit {rc}): {LastError(err)}");
            }
            File.Move(tmp, outPath, overwrite: true);
            return names.Count;
        }

        // ---- processes ---------------------------------------------------------------------------

        static (int rc, string output) Exec(string file, string[] args, string workDir)
        {
            var psi = new ProcessStartInfo(file)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = workDir ?? Environment.CurrentDirectory,
            };
            foreach (string a in args) psi.ArgumentList.Add(a);
            psi.Environment["LC_ALL"] = "C";
            try
            {
                using var p = Process.Start(psi)!;
                var so = p.StandardOutput.ReadToEndAsync();
                var se = p.StandardError.ReadToEndAsync();
                p.WaitForExit();
                return (p.ExitCode, so.Result + se.Result);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return (127, $"cannot run {file}: {e.Message}");
            }
        }
    }
}
