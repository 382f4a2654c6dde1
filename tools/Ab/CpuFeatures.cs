using System.Text;

namespace Microxen.Tools.Ab;

/// <summary>
/// The report's "CPU each kernel saw" section (issue 13: like with like): per configuration, the
/// kernel's XSAVE mode and the /proc/cpuinfo flags not every configuration has, from the ABCPU
/// lines tests/guest/bench-init.sh prints; then what the differences are known to cost.
/// </summary>
public static class CpuFeatures
{
    public const string Title = "## CPU each kernel saw";

    public static void Write(StringBuilder sb, Results r)
    {
        var configs = r.Configs.Where(r.Cpu.ContainsKey).ToList();
        if (configs.Count == 0) return;
        var flags = configs.ToDictionary(c => c, c => r.Cpu[c].Flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet());
        var common = flags.Values.Aggregate((a, b) => a.Intersect(b).ToHashSet());
        sb.AppendLine(Title);
        sb.AppendLine();
        sb.AppendLine("| configuration | x86/fpu (dmesg) | flags only some configurations have |");
        sb.AppendLine("| --- | --- | --- |");
        foreach (string c in configs)
            sb.AppendLine($"| {c} | {r.Cpu[c].Fpu} | {string.Join(" ", flags[c].Where(f => !common.Contains(f)).OrderBy(f => f))} |");
        sb.AppendLine();
        bool sameFpu = configs.Where(c => c != Program.NativeMax).Select(c => r.Cpu[c].Fpu).Distinct().Count() == 1;
        sb.AppendLine(sameFpu
            ? "- Every kernel (native-max aside) saved the same FPU state (same XSAVE features and size): signal frames, context switches and user code's instruction set (glibc picks AVX2 string functions when XSAVE enables AVX) compare like with like."
            : "- **The kernels saved different FPU state** (native-max aside): signal delivery, context switches and user code (glibc's AVX2 or SSE2 string functions) do different work per operation; those rows do not compare like with like.");
        sb.AppendLine("- native runs on `-cpu max` without PKU, MPX and LA57 (scripts/ab-boot.sh), features Xen 4.17 never offers a PV guest. " +
            "With PKU (configuration native-max) Linux writes PKRU on each signal delivery and return, and QEMU's TCG flushes its whole TLB on each write: " +
            "the signal row cost 4-5x the QEMU time natively (21 us of QEMU CPU per signal against 4 us without PKU) and made native look 4x slower than microxen.");
        sb.AppendLine("- Differences left: hardening a PV kernel cannot use (smep, smap, umip, pge, pse), the native-only devices' flags (monitor, svm); microxen's CPUID policy is Xen 4.17's (README, \"Like with like\").");
        sb.AppendLine();
    }
}
