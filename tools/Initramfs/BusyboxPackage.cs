namespace Microxen.Tools.Initramfs
{
    /// <summary>Debian's busybox-static: downloaded with apt-get, extracted with dpkg-deb, its applets listed.</summary>
    public static partial class Program
    {
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
    }
}
