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
    public static partial class Program
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
@"usage: Initramfs --out FILE [--init FILE] [--add SRC:DEST ...] [--modules KDIR:NAMES ...] [--add-binary SRC:DEST ...] [--gzip] [--cache DIR] [--root DIR] [--busybox FILE]
  --out FILE       the archive to write (newc cpio; gzip-compressed with --gzip or a .gz name)
  --init FILE      the /init to install (default: busybox init with a console shell; poweroff ends it)
  --add SRC:DEST   copy file or folder SRC to DEST (an absolute path in the initramfs); repeatable
  --modules KDIR:NAME[,NAME...]  kernel modules NAME and their dependencies (depmod's modules.dep) from
                   KDIR = .../lib/modules/VERSION, with /lib/modules/VERSION/load-order; repeatable
  --add-binary SRC:DEST  like --add, plus the shared libraries `ldd SRC` names; repeatable
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
            var moduleSpecs = new List<string>();
            var binaries = new List<string>();
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
                    case "--modules": moduleSpecs.Add(Value()); break;
                    case "--add-binary":
                    case "--add":
                    {
                        string v = Value();
                        if (a == "--add-binary") binaries.Add(v);
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
            var moduleSets = moduleSpecs.Select(ResolveModules).ToList();
            var libraries = binaries.SelectMany(b => SharedLibraries(Path.GetFullPath(b[..b.LastIndexOf(":/", StringComparison.Ordinal)]))).ToList();
            LayOut(rootDir, busyboxPath, applets, initPath, adds);
            foreach (var set in moduleSets) InstallModules(rootDir, set);
            InstallLibraries(rootDir, libraries);
            long entries = WriteCpio(rootDir, outPath, gzip);

            Console.WriteLine($"initramfs: {outPath} ({new FileInfo(outPath).Length} bytes{(gzip ? ", gzip" : "")}, {entries} entries): " +
                              $"{Package} {version}, {applets.Count} applets, /init {(initPath ?? "(default shell)")}" +
                              string.Concat(adds.Select(a => $", {a.dest}")) +
                              string.Concat(moduleSets.Select(m => $", {m.LoadOrder.Count} modules of {m.Version}")) +
                              (libraries.Count > 0 ? $", {libraries.Distinct().Count()} shared libraries" : ""));
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
    }
}
