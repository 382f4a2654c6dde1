namespace Microxen.Tools.Initramfs
{
    /// <summary>
    /// Kernel modules and dynamic host programs for the initramfs (--modules, --add-binary).
    ///
    /// --modules KDIR:NAME[,NAME...]: KDIR is a kernel package's module tree, BASE/lib/modules/VERSION
    /// (e.g. build/debian/lib/modules/6.1.0-57-amd64). `depmod -b BASE VERSION` (Debian's kmod) writes
    /// its modules.dep, modules.softdep and modules.alias when they are missing or older than
    /// modules.order; each NAME's closure is taken from them: its modules.dep line (already the
    /// transitive closure), and the "pre:" soft dependencies, resolved by module name or by an exact
    /// modules.alias line (every module the alias names). The closure is copied to
    /// /lib/modules/VERSION/ at the same relative paths, depmod is run on the initramfs root (so
    /// busybox modprobe works), and /lib/modules/VERSION/load-order lists the files in an order
    /// insmod can load them (dependencies first), one relative path a line.
    ///
    /// --add-binary FILE:DEST: a dynamic program plus the shared libraries `ldd FILE` names (and
    /// its ELF interpreter), copied to the same absolute paths in the initramfs.
    /// </summary>
    public static partial class Program
    {
        /// <summary>The modules of one --modules argument, resolved on the host: KDIR, VERSION and the ordered relative paths.</summary>
        sealed record ModuleSet(string Tree, string Version, List<string> LoadOrder);

        static ModuleSet ResolveModules(string spec)
        {
            int colon = spec.LastIndexOf(':');
            if (colon <= 0 || colon == spec.Length - 1)
                throw new Failure(ExitUsage, $"--modules {spec}: expected KDIR:NAME[,NAME...] with KDIR a .../lib/modules/VERSION folder");
            string tree = Path.GetFullPath(spec[..colon]).TrimEnd('/');
            string[] names = spec[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries);
            string version = Path.GetFileName(tree);
            string modulesDir = Path.GetDirectoryName(tree)!, libDir = Path.GetDirectoryName(modulesDir)!;
            if (!Directory.Exists(tree) || Path.GetFileName(modulesDir) != "modules" || Path.GetFileName(libDir) != "lib")
                throw new Failure(ExitInput, $"--modules {spec}: {tree} is not an existing .../lib/modules/VERSION folder");
            string baseDir = Path.GetDirectoryName(libDir)!;

            string dep = Path.Combine(tree, "modules.dep"), order = Path.Combine(tree, "modules.order");
            if (!File.Exists(dep) || (File.Exists(order) && File.GetLastWriteTimeUtc(dep) < File.GetLastWriteTimeUtc(order)))
                Depmod(baseDir, version);

            // modules.dep: "kernel/x/a.ko: kernel/y/b.ko kernel/z/c.ko" (c is loaded before b, b before a).
            var deps = new Dictionary<string, string[]>();
            var byName = new Dictionary<string, string>();
            foreach (string line in File.ReadLines(dep))
            {
                int c = line.IndexOf(':');
                if (c <= 0) continue;
                string path = line[..c];
                deps[path] = line[(c + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                byName[ModuleName(path)] = path;
            }
            var softPre = new Dictionary<string, string[]>();
            string softFile = Path.Combine(tree, "modules.softdep");
            if (File.Exists(softFile))
                foreach (string line in File.ReadLines(softFile))
                {
                    // "softdep MODULE pre: A B post: C"
                    var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (w.Length < 3 || w[0] != "softdep") continue;
                    softPre[Normal(w[1])] = w.Skip(2).SkipWhile(x => x != "pre:").Skip(1).TakeWhile(x => !x.EndsWith(':')).ToArray();
                }
            var aliases = new Dictionary<string, List<string>>();
            string aliasFile = Path.Combine(tree, "modules.alias");
            if (File.Exists(aliasFile))
                foreach (string line in File.ReadLines(aliasFile))
                {
                    var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (w.Length != 3 || w[0] != "alias" || w[1].IndexOfAny(new[] { '*', '?', '[' }) >= 0) continue;
                    if (!aliases.TryGetValue(w[1], out var l)) aliases[w[1]] = l = new List<string>();
                    l.Add(Normal(w[2]));
                }

            var loadOrder = new List<string>();
            var seen = new HashSet<string>();
            void Add(string path)
            {
                if (!seen.Add(path)) return;
                string name = ModuleName(path);
                if (softPre.TryGetValue(name, out var pre))
                    foreach (string p in pre) foreach (string m in Lookup(p, optional: true)) Add(m);
                foreach (string d in deps[path].Reverse()) Add(d);
                loadOrder.Add(path);
            }
            IEnumerable<string> Lookup(string name, bool optional)
            {
                if (byName.TryGetValue(Normal(name), out string path)) return new[] { path };
                if (aliases.TryGetValue(name, out var targets))
                    return targets.Where(byName.ContainsKey).Select(t => byName[t]);
                if (optional) return Array.Empty<string>();
                throw new Failure(ExitInput, $"--modules: no module '{name}' in {dep} (built in? see modules.builtin)");
            }
            foreach (string n in names) foreach (string m in Lookup(n, optional: false)) Add(m);
            return new ModuleSet(tree, version, loadOrder);
        }

        static string Normal(string name) => name.Replace('-', '_');

        /// <summary>"kernel/fs/ext4/ext4.ko[.xz]" -> "ext4" ('-' written '_', as the kernel names modules).</summary>
        static string ModuleName(string path)
        {
            string f = Path.GetFileName(path);
            int ko = f.IndexOf(".ko", StringComparison.Ordinal);
            return Normal(ko > 0 ? f[..ko] : f);
        }

        static void Depmod(string baseDir, string version)
        {
            Require("depmod", "kmod");
            var (rc, output) = Exec("depmod", new[] { "-b", baseDir, version }, null);
            if (rc != 0) throw new Failure(ExitExtract, $"depmod -b {baseDir} {version} failed: {LastError(output)}");
        }

        /// <summary>Copies a resolved module set into the root, runs depmod there and writes load-order.</summary>
        static void InstallModules(string root, ModuleSet set)
        {
            string dest = Path.Combine(root, "lib", "modules", set.Version);
            Directory.CreateDirectory(dest);
            foreach (string rel in set.LoadOrder)
            {
                string target = Path.Combine(dest, rel);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(Path.Combine(set.Tree, rel), target, overwrite: true);
            }
            foreach (string f in new[] { "modules.order", "modules.builtin", "modules.builtin.modinfo" })
                if (File.Exists(Path.Combine(set.Tree, f))) File.Copy(Path.Combine(set.Tree, f), Path.Combine(dest, f), overwrite: true);
            Depmod(root, set.Version);
            File.WriteAllText(Path.Combine(dest, "load-order"), string.Join("\n", set.LoadOrder) + "\n");
        }

        /// <summary>The program and what `ldd` says it loads (absolute paths), for --add-binary.</summary>
        static List<string> SharedLibraries(string program)
        {
            Require("ldd", "libc-bin");
            var (rc, output) = Exec("ldd", new[] { program }, null);
            if (rc != 0) throw new Failure(ExitInput, $"ldd {program} failed (a static program needs --add, not --add-binary): {LastError(output)}");
            var libs = new List<string>();
            foreach (string raw in output.Split('\n'))
            {
                // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
                string line = raw.Trim();
                int arrow = line.IndexOf("=> ", StringComparison.Ordinal);
                string path = (arrow >= 0 ? line[(arrow + 3)..] : line).Split(' ')[0];
                if (path.StartsWith('/')) libs.Add(path);
                else if (line.Contains("not found")) throw new Failure(ExitInput, $"ldd {program}: {line}");
            }
            return libs;
        }

        /// <summary>Copies each library to its own absolute path in the root (the file's contents, not a link).</summary>
        static void InstallLibraries(string root, IEnumerable<string> libs)
        {
            foreach (string lib in libs.Distinct())
            {
                string target = Path.Combine(root, lib.TrimStart('/'));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(lib, target, overwrite: true);
                File.SetUnixFileMode(target, File.GetUnixFileMode(lib) | UnixFileMode.UserRead);
            }
        }
    }
}
