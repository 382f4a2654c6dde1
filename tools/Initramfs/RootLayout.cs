namespace Microxen.Tools.Initramfs
{
    /// <summary>The initramfs root: busybox and its applet links, the folders, /etc, /init and the --add files.</summary>
    public static partial class Program
    {
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
    }
}
