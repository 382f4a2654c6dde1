using System.Text.RegularExpressions;

namespace Microxen.Tools.Certify;

/// <summary>
/// The certify matrix's hypercall-storm kernel (kernel-test with "fuzz=SEED,COUNT,GROUPS",
/// kernel-test/Fuzz/): its call groups, read from kernel-test/Fuzz/FuzzGroups.cs (the one place
/// that names them), minus the groups of kernel-test/fuzz-groups-unlike-xen.txt, whose
/// checked-mode digests do not equal Xen 4.17's yet (the same file FuzzTests reads).
/// </summary>
public static class FuzzRun
{
    /// <summary>The groups whose checked-mode digest still differs from Xen 4.17's, relative to the repository.</summary>
    public const string UnlikeXenFile = "kernel-test/fuzz-groups-unlike-xen.txt";
    /// <summary>Where the call groups are named, relative to the repository.</summary>
    public const string GroupsSource = "kernel-test/Fuzz/FuzzGroups.cs";
    /// <summary>The test name of a group's digest ("fuzz:con") and of the whole storm's ("fuzz:all").</summary>
    public const string TestPrefix = "fuzz:", AllTest = "fuzz:all";

    /// <summary>The call groups of FuzzGroups.cs in number order: the named constants below its Count (modifiers are above).</summary>
    public static List<string> CallGroups(string fuzzGroupsSource)
    {
        var count = Regex.Match(fuzzGroupsSource, @"public const int Count = (\d+);");
        if (!count.Success) throw new FormatException($"{GroupsSource}: no 'public const int Count = N;'");
        var values = Regex.Matches(fuzzGroupsSource, @"\b([A-Z]\w*) = (\d+)\b").ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
        var names = new SortedDictionary<int, string>();
        foreach (Match m in Regex.Matches(fuzzGroupsSource, @"case (\w+): return ""(\w+)"";"))
            if (values.TryGetValue(m.Groups[1].Value, out int v) && v < int.Parse(count.Groups[1].Value)) names[v] = m.Groups[2].Value;
        if (names.Count != int.Parse(count.Groups[1].Value)) throw new FormatException($"{GroupsSource}: {names.Count} group names for Count = {count.Groups[1].Value}");
        return names.Values.ToList();
    }

    /// <summary>"SEED,COUNT" (CERTIFY_FUZZ): both positive decimal numbers.</summary>
    public static bool TryParse(string s, out ulong seed, out ulong count)
    {
        seed = count = 0;
        var parts = s.Split(',');
        return parts.Length == 2 && ulong.TryParse(parts[0], out seed) && ulong.TryParse(parts[1], out count) && count > 0;
    }

    /// <summary>
    /// The fuzz kernel "fuzz-SEED" on <paramref name="image"/>: every call group except those of
    /// <paramref name="unlikeXen"/> (all groups when that leaves none). Returns it and the excluded groups.
    /// </summary>
    public static (TestKernel kernel, List<string> excluded) Kernel(string image, ulong seed, ulong count, IReadOnlyList<string> callGroups, IEnumerable<string> unlikeXen)
    {
        var excluded = callGroups.Where(unlikeXen.Contains).ToList();
        var groups = callGroups.Except(excluded).ToList();
        if (groups.Count == 0) { groups = callGroups.ToList(); excluded.Clear(); }
        string cmdline = $"fuzz={seed},{count}" + (excluded.Count > 0 ? "," + string.Join("+", groups) : "");
        return (new TestKernel($"fuzz-{seed}", KernelKind.Fuzz, image, null, cmdline) { FuzzGroups = groups }, excluded);
    }
}
