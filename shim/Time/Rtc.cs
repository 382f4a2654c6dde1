namespace Microxen.Time
{
    /// <summary>The CMOS real-time clock (ports 0x70/0x71): wall-clock seconds since the Unix epoch, UTC.</summary>
    public static class Rtc
    {
        static byte Read(byte reg) { Cpu.Outb(0x70, reg); return Cpu.Inb(0x71); }

        public static ulong UnixSeconds()
        {
            while ((Read(0x0a) & 0x80) != 0) { }      // update in progress
            ulong sec = Read(0x00), min = Read(0x02), hour = Read(0x04);
            ulong day = Read(0x07), mon = Read(0x08), year = Read(0x09), cent = Read(0x32);
            byte b = Read(0x0b);
            if ((b & 0x04) == 0)
            {
                sec = Bcd(sec); min = Bcd(min); hour = Bcd(hour & 0x7f) | (hour & 0x80);
                day = Bcd(day); mon = Bcd(mon); year = Bcd(year); cent = Bcd(cent);
            }
            if ((b & 0x02) == 0 && (hour & 0x80) != 0) hour = ((hour & 0x7f) + 12) % 24;
            hour &= 0x7f;
            ulong fullYear = (cent >= 19 && cent <= 30 ? cent : 20) * 100 + year;
            return CivilDate.DaysSinceEpoch(fullYear, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
        }

        static ulong Bcd(ulong v) => (v & 0x0f) + (v >> 4) * 10;
    }
}
