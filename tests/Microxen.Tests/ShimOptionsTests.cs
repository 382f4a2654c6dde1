using System.Text;
using Microxen.Config;

namespace Microxen.Tests;

public unsafe class ShimOptionsTests
{
    static (OptionError, ShimOptions, string) Parse(string s)
    {
        byte[] b = Encoding.ASCII.GetBytes(s + "\0");
        fixed (byte* p = b)
        {
            var e = ShimOptions.Parse(p, out var o);
            string bad = null;
            if (o.BadWord != null)
            {
                int n = 0;
                while (o.BadWord[n] != 0 && o.BadWord[n] != (byte)' ') n++;
                bad = Encoding.ASCII.GetString(o.BadWord, n);
            }
            return (e, o, bad);
        }
    }

    [Theory]
    [InlineData("", ShimMode.Fast, 2, 0UL)]                                                 // the defaults
    [InlineData("  mode=checked   loglevel=debug dom0_mem=512 ", ShimMode.Checked, 3, 512UL)] // every option
    public void ReadsTheOptions(string line, ShimMode mode, int logLevel, ulong dom0MemMiB)
    {
        var (e, o, _) = Parse(line);
        Assert.Equal(OptionError.None, e);
        Assert.Equal(mode, o.Mode);
        Assert.Equal(logLevel, o.LogLevel);
        Assert.Equal(dom0MemMiB, o.Dom0MemMiB);
    }

    [Theory]
    [InlineData("mode=slow", OptionError.BadMode, "mode=slow")]
    [InlineData("loglevel=loud", OptionError.BadLogLevel, "loglevel=loud")]
    [InlineData("dom0_mem=12x", OptionError.BadNumber, "dom0_mem=12x")]
    [InlineData("dom0_mem=", OptionError.BadNumber, "dom0_mem=")]
    [InlineData("mode=fast console=com1", OptionError.UnknownOption, "console=com1")]
    [InlineData("modes=fast", OptionError.UnknownOption, "modes=fast")]
    [InlineData("dom0=maybe", OptionError.BadDom0, "dom0=maybe")]
    [InlineData("mode=checked on_exit=halt", OptionError.BadOnExit, "on_exit=halt")]
    public void NamesTheBadWord(string line, OptionError expected, string word)
    {
        var (e, _, bad) = Parse(line);
        Assert.Equal(expected, e);
        Assert.Equal(word, bad);
        Assert.NotEqual("no error", ShimOptions.Describe(e));
    }

    [Theory]
    [InlineData("", Dom0Choice.Auto)]
    [InlineData("dom0=auto", Dom0Choice.Auto)]
    [InlineData("dom0=yes", Dom0Choice.Yes)]
    [InlineData("dom0_mem=64 dom0=no", Dom0Choice.No)]
    public void ReadsTheDom0Choice(string line, Dom0Choice expected)
    {
        var (e, o, _) = Parse(line);
        Assert.Equal(OptionError.None, e);
        Assert.Equal(expected, o.Dom0);
        if (line.Contains("dom0_mem")) Assert.Equal(64UL, o.Dom0MemMiB);
    }

    /// <summary>on_exit: stop by default, reboot for make certify-iso's sequence.</summary>
    [Fact]
    public void ReadsWhatEndsTheRun()
    {
        foreach (var (line, expected) in new[] { ("", OnExit.Stop), ("on_exit=stop", OnExit.Stop), ("mode=checked on_exit=reboot loglevel=info", OnExit.Reboot) })
            Assert.Equal((OptionError.None, expected), (Parse(line).Item1, Parse(line).Item2.OnExit));
    }

    /// <summary>dom0_max_vcpus= as Xen's: N or MIN-MAX (the upper bound counts), default 0 (one per CPU).</summary>
    [Theory]
    [InlineData("", 0u)]
    [InlineData("dom0_max_vcpus=4", 4u)]
    [InlineData("dom0_max_vcpus=1-2 mode=fast", 2u)]
    [InlineData("dom0_max_vcpus=256", 256u)]
    public void ReadsTheVcpuLimit(string line, uint expected)
    {
        var (e, o, _) = Parse(line);
        Assert.Equal((OptionError.None, expected), (e, o.Dom0MaxVcpus));
    }

    [Fact]
    public void TheVcpuLimitIsTheMadtsCpuTable() => Assert.Equal((uint)Microxen.Acpi.MadtInfo.MaxCpus, ShimOptions.MaxVcpus);

    [Theory]
    [InlineData("dom0_max_vcpus=0")]
    [InlineData("dom0_max_vcpus=257")]
    [InlineData("dom0_max_vcpus=")]
    [InlineData("dom0_max_vcpus=2-")]
    [InlineData("dom0_max_vcpus=-2")]
    [InlineData("dom0_max_vcpus=x")]
    public void RefusesABadVcpuLimit(string line)
    {
        var (e, _, bad) = Parse(line);
        Assert.Equal((OptionError.BadMaxVcpus, line), (e, bad));
    }
}
