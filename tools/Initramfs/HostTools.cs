using System.Diagnostics;

namespace Microxen.Tools.Initramfs
{
    /// <summary>The host commands the tool runs (apt-get, dpkg-deb, cpio, ...).</summary>
    public static partial class Program
    {
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

        static string LastError(string output)
        {
            var lines = output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            return lines.LastOrDefault(l => l.StartsWith("E:", StringComparison.Ordinal)) ?? lines.LastOrDefault() ?? "no output";
        }

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
