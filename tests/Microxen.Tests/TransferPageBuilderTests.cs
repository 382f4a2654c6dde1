using Microxen.TransferPage;

namespace Microxen.Tests;

/// <summary>The transfer page's entries as Xen's PV ABI lays them out (32 bytes each).</summary>
public unsafe class TransferPageBuilderTests
{
    static byte[] Build()
    {
        var page = new byte[4096];
        fixed (byte* p = page) TransferPageBuilder.Fill(p);
        return page;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(127)]
    public void OrdinaryEntryIsPushMovSyscallPopRet(int n)
    {
        var page = Build();
        var e = page.AsSpan(n * 32, 32).ToArray();
        byte[] expected = { 0x51, 0x41, 0x53, 0xb8, (byte)n, 0, 0, 0, 0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3 };
        Assert.Equal(expected, e[..14]);
        Assert.All(e[14..], b => Assert.Equal(0xcc, b));
    }

    [Fact]
    public void IretEntryPushesRaxAndDoesNotReturn()
    {
        var e = Build().AsSpan(23 * 32, 32).ToArray();
        byte[] expected = { 0x51, 0x41, 0x53, 0x50, 0xb8, 23, 0, 0, 0, 0x0f, 0x05 };
        Assert.Equal(expected, e[..11]);
        Assert.All(e[11..], b => Assert.Equal(0xcc, b));
    }
}
