namespace Microxen.Time
{
    /// <summary>Calendar arithmetic for the wall clock (pure: compiled into the tests too).</summary>
    public static class CivilDate
    {
        /// <summary>
        /// Days from 1970-01-01 to year-month-day in the proleptic Gregorian calendar (months
        /// 1-12, days 1-31), counting eras of 400 years from 0000-03-01.
        /// </summary>
        public static ulong DaysSinceEpoch(ulong y, ulong m, ulong d)
        {
            long yy = (long)y - (m <= 2 ? 1 : 0);
            long era = yy / 400;
            long yoe = yy - era * 400;
            long mp = ((long)m + 9) % 12;
            long doy = (153 * mp + 2) / 5 + (long)d - 1;
            long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            return (ulong)(era * 146097 + doe - 719468);
        }
    }
}
