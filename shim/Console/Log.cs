namespace Microxen.Console
{
    /// <summary>Log levels of the shim's command line option <c>loglevel=</c>.</summary>
    public enum LogLevel { Error = 0, Warn = 1, Info = 2, Debug = 3 }

    /// <summary>
    /// The shim's log on COM1: lines start with "(XEN) " as Xen's console lines do, so a reader
    /// of a mixed log tells the hypervisor from the guest. No formatting library: callers print
    /// a line in pieces (Begin, Str, Hex, Dec, End).
    /// </summary>
    public static unsafe class Log
    {
        public static LogLevel Level = LogLevel.Info;

        public static bool On(LogLevel level) => level <= Level;

        public static void Begin() { Str("(XEN) "); }
        public static void End() { Serial.Put((byte)'\n'); }

        public static void Line(string s) { Begin(); Str(s); End(); }

        public static void Info(string s) { if (On(LogLevel.Info)) Line(s); }
        public static void Debug(string s) { if (On(LogLevel.Debug)) Line(s); }
        public static void Warn(string s) { if (On(LogLevel.Warn)) Line(s); }

        public static void Str(string s)
        {
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c == '\n') Serial.Put((byte)'\r');
                Serial.Put((byte)c);
            }
        }

        public static void Char(byte c) { Serial.Put(c); }

        /// <summary>Writes <paramref name="len"/> bytes (or up to a NUL when len &lt; 0).</summary>
        public static void Bytes(byte* s, long len)
        {
            for (long i = 0; len < 0 ? s[i] != 0 : i < len; i++)
            {
                if (s[i] == (byte)'\n') Serial.Put((byte)'\r');
                Serial.Put(s[i]);
            }
        }

        /// <summary>Hexadecimal with 0x prefix, no leading zeros.</summary>
        public static void Hex(ulong v)
        {
            Str("0x");
            int shift = 60;
            while (shift > 0 && ((v >> shift) & 0xf) == 0) shift -= 4;
            for (; shift >= 0; shift -= 4) Serial.Put(Digit((int)((v >> shift) & 0xf)));
        }

        /// <summary>Hexadecimal, 16 digits, with 0x prefix.</summary>
        public static void Hex16(ulong v)
        {
            Str("0x");
            for (int shift = 60; shift >= 0; shift -= 4) Serial.Put(Digit((int)((v >> shift) & 0xf)));
        }

        public static void Dec(ulong v)
        {
            byte* buf = stackalloc byte[24];
            int n = 0;
            do { buf[n++] = (byte)('0' + (int)(v % 10)); v /= 10; } while (v != 0);
            while (n > 0) Serial.Put(buf[--n]);
        }

        public static void SignedDec(long v)
        {
            if (v < 0) { Serial.Put((byte)'-'); Dec((ulong)(-v)); } else Dec((ulong)v);
        }

        static byte Digit(int d) => (byte)(d < 10 ? '0' + d : 'a' + d - 10);
    }
}
