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

    [Fact]
    public void EmptyGivesTheDefaults()
    {
        var (e, o, _) = Parse("");
        Assert.Equal(OptionError.None, e);
        Assert.Equal(ShimMode.Fast, o.Mode);
        Assert.Equal(2, o.LogLevel);
        Assert.Equal(0UL, o.Dom0MemMiB);
    }

    [Fact]
    public void ReadsEveryOption()
    {
        var (e, o, _) = Parse("  mode=checked   loglevel=debug dom0_mem=512 ");
        Assert.Equal(OptionError.None, e);
        Assert.Equal(ShimMode.Checked, o.Mode);
        Assert.Equal(3, o.LogLevel);
        Assert.Equal(512UL, o.Dom0MemMiB);
    }

    [Theory]
    [InlineData("mode=slow", OptionError.BadMode, "mode=slow")]
    [InlineData("loglevel=loud", OptionError.BadLogLevel, "loglevel=loud")]
    [InlineData("dom0_mem=12x", OptionError.BadNumber, "dom0_mem=12x")]
    [InlineData("dom0_mem=", OptionError.BadNumber, "dom0_mem=")]
    [InlineData("mode=fast console=com1", OptionError.UnknownOption, "console=com1")]
    [InlineData("modes=fast", OptionError.UnknownOption, "modes=fast")]
    public void NamesTheBadWord(string line, OptionError expected, string word)
    {
        var (e, _, bad) = Parse(line);
        Assert.Equal(expected, e);
        Assert.Equal(word, bad);
        Assert.NotEqual("no error", ShimOptions.Describe(e));
    }
}
