using System.Globalization;
using System.Text.RegularExpressions;

namespace Microxen.Tests.Integration;

/// <summary>
/// scripts/ab-profile.sh with TOP (issue 13 item 4): the QEMU plugin's per-function counts of the
/// shim and the kernel, for getppid at 1% of bench.c's iterations on microxen fast. The shim
/// ("hyper") functions it lists add up to the shim's instructions per call that the region counter
/// gives (so every block was charged to a shim symbol and none twice), and getppid's include the
/// native user-syscall entry and the LSTAR entry; the kernel's include Linux's PV syscall entry.
/// </summary>
[Collection("qemu")]
public class AbProfileTests(ITestOutputHelper log)
{
    [Fact]
    public void ShimFunctionsAddUpToTheShimsInstructionsPerCall()
    {
        var (rc, output) = DebianKernel.Run("make", $"-C {DebianKernel.RepoRoot} --no-print-directory build kernel", 900);
        Assert.True(rc == 0, "make build kernel failed:\n" + output);
        (rc, output) = DebianKernel.Run("env", "TOP=40 OPS=syscall scripts/ab-profile.sh fast 1", 900);
        log.WriteLine(output);
        Assert.True(rc == 0, "ab-profile.sh failed");
        var lines = output.Split('\n');
        int at = Array.FindIndex(lines, l => Regex.IsMatch(l, @"^fast\s+syscall\s"));
        Assert.True(at >= 0, "no syscall row");
        double shim = double.Parse(lines[at].Split(' ', StringSplitOptions.RemoveEmptyEntries)[6], CultureInfo.InvariantCulture);
        Assert.True(shim > 0, "no shim instructions in getppid");
        var functions = new Dictionary<string, double>();
        var kernel = new Dictionary<string, double>();
        for (int i = at + 1; i < lines.Length && lines[i].StartsWith("    "); i++)
        {
            var f = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            (f[1] == "hyper" ? functions : kernel)[f[2]] = double.Parse(f[0], CultureInfo.InvariantCulture);
        }
        Assert.True(functions.GetValueOrDefault("fast_user_syscall") > 0, "fast_user_syscall not listed");
        Assert.True(functions.GetValueOrDefault("syscall_entry") > 0, "syscall_entry not listed");
        Assert.InRange(functions.Values.Sum(), shim - 1, shim + 1);
        // The kernel's functions come from its /proc/kallsyms (scripts/kallsyms.sh): the PV entry is named.
        Assert.True(kernel.GetValueOrDefault("xen_entry_SYSCALL_64") > 0, "xen_entry_SYSCALL_64 not listed");
    }
}
