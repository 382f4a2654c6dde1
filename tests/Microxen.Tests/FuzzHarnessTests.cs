using System.Diagnostics;

namespace Microxen.Tests
{
    /// <summary>tools/Fuzz (`make fuzz`): every seed of the corpus goes through its target, the guard
    /// pages catch a read past the input, and (with Debian's afl++ installed) a 2-second AFL++ run of
    /// each target finds no crash and no hang. `make fuzz FUZZ_SECONDS=3600` is the long run.</summary>
    public class FuzzHarnessTests
    {
        readonly ITestOutputHelper _out;
        public FuzzHarnessTests(ITestOutputHelper output) { _out = output; }

        static readonly string[] Targets = { "bzimage", "xz", "gzip", "lz4", "zstd", "lzma", "bzip2", "lzo", "elf", "cmdline", "multiboot1", "multiboot2" };
        static readonly object Lock = new object();
        static string _dll;

        static (int rc, string output) Run(string file, string args, int timeoutSeconds)
        {
            var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = DebianKernel.RepoRoot };
            using var p = Process.Start(psi);
            var err = p.StandardError.ReadToEndAsync();
            string o = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(timeoutSeconds * 1000)) { p.Kill(true); return (-1, o + err.Result + "\n(timed out)"); }
            return (p.ExitCode, o + err.Result);
        }

        static string FuzzDll
        {
            get
            {
                lock (Lock)
                {
                    if (_dll != null) return _dll;
                    string outDir = Path.Combine(Path.GetTempPath(), "microxen-fuzz-" + Environment.ProcessId);
                    var (rc, log) = Run("dotnet", $"build tools/Fuzz -v q -nologo -o \"{outDir}\"", 600);
                    Assert.True(rc == 0, "building tools/Fuzz failed:\n" + log);
                    return _dll = Path.Combine(outDir, "Fuzz.dll");
                }
            }
        }

        [Fact]
        public void EverySeedRunsThroughItsTarget()
        {
            foreach (string t in Targets)
            {
                string[] seeds = Directory.GetFiles(Path.Combine(DebianKernel.RepoRoot, "tools", "Fuzz", "corpus", t));
                Assert.True(seeds.Length > 0, "no seeds for " + t);
                var (rc, output) = Run("dotnet", $"\"{FuzzDll}\" {t} " + string.Join(" ", seeds.Select(s => $"\"{s}\"")), 120);
                _out.WriteLine(output);
                Assert.True(rc == 0, $"{t}: exit {rc}\n{output}");
                Assert.Equal(seeds.Length, output.Split('\n').Count(l => l.Contains(": ")));
            }
        }

        [Fact]
        public void GuardPageStopsAReadPastTheInput()
        {
            var (rc, output) = Run("dotnet", $"\"{FuzzDll}\" guard-selftest", 60);
            Assert.True(rc != 0 && !output.Contains("read past the guard"), $"the guard page did not fault (exit {rc}): {output}");
        }

        [Fact]
        public void ShortAflRunFindsNothing()
        {
            if (!File.Exists("/usr/bin/afl-fuzz")) { _out.WriteLine("afl-fuzz not installed (make deps): skipped"); return; }
            var (rc, output) = Run("bash", "scripts/fuzz.sh 2", 600);
            _out.WriteLine(output);
            Assert.True(rc == 0, $"scripts/fuzz.sh: exit {rc}\n{output}");
            foreach (string t in Targets) Assert.Contains($"fuzz: {t}: 2 s, ", output);
        }
    }
}
