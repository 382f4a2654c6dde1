using System.Xml.Linq;

namespace Microxen.Tools.Certify;

/// <summary>
/// build/certify/junit.xml: one testsuite per host, one testcase per test (classname = the kernel).
/// A test's own FAIL is a failure, ERROR an error, SKIP skipped; a microxen result that differs
/// from Xen 4.17 (undocumented) is a failure whatever it is; a documented fast-mode difference is skipped
/// with its reason (known, so not a CI failure).
/// </summary>
public static class JUnitWriter
{
    public static XDocument Document(Matrix m)
    {
        var suites = new XElement("testsuites", new XAttribute("name", "microxen certify"));
        foreach (var host in m.Hosts)
        {
            var rows = m.Rows.Where(r => r.Host == host).ToList();
            var cases = rows.Select(Case).ToList();
            double seconds = m.Runs.Where(r => r.Host == host).Sum(r => r.Seconds);
            suites.Add(new XElement("testsuite",
                new XAttribute("name", Hosts.Name(host)),
                new XAttribute("tests", cases.Count),
                new XAttribute("failures", cases.Count(c => c.Element("failure") != null)),
                new XAttribute("errors", cases.Count(c => c.Element("error") != null)),
                new XAttribute("skipped", cases.Count(c => c.Element("skipped") != null)),
                new XAttribute("time", seconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)),
                cases));
        }
        suites.SetAttributeValue("tests", suites.Elements().Sum(s => (int)s.Attribute("tests")));
        suites.SetAttributeValue("failures", suites.Elements().Sum(s => (int)s.Attribute("failures")));
        suites.SetAttributeValue("errors", suites.Elements().Sum(s => (int)s.Attribute("errors")));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), suites);
    }

    static XElement Case(Row r)
    {
        var c = new XElement("testcase", new XAttribute("classname", r.Kernel), new XAttribute("name", r.Test));
        if (r.Differs && r.Documented != null)
            c.Add(new XElement("skipped", new XAttribute("message", ReportWriter.Explain(r) + "; Xen 4.17: " + ReportWriter.Result(r.Xen))));
        else if (r.Differs)
            c.Add(new XElement("failure", new XAttribute("message", ReportWriter.Result(r.Result) + Against(r))));
        else if (r.Result.Outcome == Outcome.Fail)
            c.Add(new XElement("failure", new XAttribute("message", ReportWriter.Result(r.Result) + Against(r))));
        else if (r.Result.Outcome == Outcome.Error)
            c.Add(new XElement("error", new XAttribute("message", ReportWriter.Result(r.Result) + Against(r))));
        else if (r.Result.Outcome == Outcome.Skip)
            c.Add(new XElement("skipped", new XAttribute("message", ReportWriter.Result(r.Result) + Against(r))));
        if (r.Result.Digest != null)
            c.Add(new XElement("system-out", ReportWriter.Result(r.Result) + (r.Host == HostKind.Xen ? "" : "; Xen 4.17: " + ReportWriter.Result(r.Xen))));
        return c;
    }

    static string Against(Row r) => r.Differs ? "; differs from Xen 4.17: " + ReportWriter.Result(r.Xen) : "";
}
