using System.Diagnostics;
using System.IO.Compression;
using System.Text;

namespace Microxen.Tools.Initramfs
{
    /// <summary>The newc archive, written by Debian's cpio (and gzip when asked).</summary>
    public static partial class Program
    {
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
    }
}
