using System.Numerics;

namespace Microxen.Tests;

public class TimeTests
{
    /// <summary>
    /// The pvclock scale turns TSC ticks into ns as the guest computes them (public/xen.h,
    /// vcpu_time_info): within 1 ns + 1 ppm of exact, mul in [2^31, 2^32).
    /// </summary>
    [Theory]
    [InlineData(1_000_000_000UL)]
    [InlineData(2_597_821_000UL)]
    [InlineData(100_000_000UL)]
    [InlineData(3_999_999_999UL)]
    [InlineData(33_000_000UL)]
    public void PvclockScaleIsAccurate(ulong hz)
    {
        var s = PvclockScale.For(hz);
        Assert.True(s.Mul >= 1u << 31, $"mul {s.Mul:x} loses precision");
        foreach (ulong ticks in new[] { 1UL, 1000UL, hz, hz * 3600, hz * 86400 * 365 })
        {
            BigInteger exact = (BigInteger)ticks * 1_000_000_000 / hz;
            BigInteger got = s.ToNs(ticks);
            BigInteger err = BigInteger.Abs(got - exact);
            Assert.True(err <= 1 + exact / 1_000_000, $"{ticks} ticks at {hz} Hz: {got} ns, exact {exact}");
        }
    }

    [Theory]
    [InlineData(1970UL, 1UL, 1UL, 0UL)]
    [InlineData(2000UL, 3UL, 1UL, 11017UL)]
    [InlineData(2024UL, 2UL, 29UL, 19782UL)]
    [InlineData(2026UL, 11UL, 21UL, 20778UL)]
    public void CivilDateCountsDaysFromTheEpoch(ulong y, ulong m, ulong d, ulong days)
    {
        Assert.Equal(days, CivilDate.DaysSinceEpoch(y, m, d));
        Assert.Equal((ulong)(new DateTime((int)y, (int)m, (int)d) - new DateTime(1970, 1, 1)).TotalDays, CivilDate.DaysSinceEpoch(y, m, d));
    }
}
