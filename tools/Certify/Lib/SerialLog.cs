using System.Text.RegularExpressions;

namespace Microxen.Tools.Certify;

/// <summary>
/// A console captured on hardware (the certify ISO's runs, one after another): split into runs
/// at microxen's banner, each named by its mode line ("(XEN) mode: checked ...") and by the
/// certify=NAME word of its dom0 command line ("(XEN) dom0: command line "... certify=NAME"").
/// </summary>
public static class SerialLog
{
    public const string Banner = "(XEN) microxen: a ring-0 shim for Xen PV kernels";
    static readonly Regex Mode = new(@"^\(XEN\) mode: (checked|fast)\b", RegexOptions.Multiline);
    static readonly Regex Cmdline = new(@"^\(XEN\) dom0: command line "".*?\b" + TestKernel.Marker + @"([^\s""]+)", RegexOptions.Multiline);

    /// <summary>One run of the log: its host, the certify=NAME it named, its console.</summary>
    public sealed record Run(HostKind Host, string Kernel, string Console);

    /// <summary>
    /// The runs in order, and a problem line for each part that cannot be placed (no mode or
    /// no certify= word). A later run of the same kernel and host replaces an earlier one.
    /// </summary>
    public static (List<Run> runs, List<string> problems) Split(string log)
    {
        var runs = new List<Run>();
        var problems = new List<string>();
        string text = log.Replace("\r", "");
        int at = text.IndexOf(Banner, StringComparison.Ordinal);
        int index = 0;
        while (at >= 0)
        {
            int next = text.IndexOf(Banner, at + Banner.Length, StringComparison.Ordinal);
            string part = next < 0 ? text[at..] : text[at..next];
            index++;
            var mode = Mode.Match(part);
            var cmd = Cmdline.Match(part);
            if (!mode.Success) problems.Add($"run {index}: no '(XEN) mode:' line");
            else if (!cmd.Success) problems.Add($"run {index}: no {TestKernel.Marker}NAME in the dom0 command line");
            else
            {
                var host = mode.Groups[1].Value == "checked" ? HostKind.Checked : HostKind.Fast;
                runs.RemoveAll(r => r.Host == host && r.Kernel == cmd.Groups[1].Value);
                runs.Add(new Run(host, cmd.Groups[1].Value, part));
            }
            at = next;
        }
        if (index == 0) problems.Add($"no '{Banner}' line: not a microxen console");
        return (runs, problems);
    }
}
