namespace KernelTest.Console
{
    /// <summary>
    /// The console: a line buffer written with console_io(CONSOLEIO_write) at each
    /// <see cref="End"/>. Not for use in the event callback (one buffer, no locking).
    /// </summary>
    public static unsafe class Out
    {
        const int Size = 240;
        struct LineBuffer { public fixed byte B[Size + 2]; }
        static LineBuffer s_line;
        static int s_len;

        /// <summary>The result of the last console_io write (Xen: 0).</summary>
        public static long LastRc;

        public static void Char(byte c)
        {
            if (s_len >= Size) return;
            fixed (LineBuffer* l = &s_line) l->B[s_len++] = c;
        }

        public static void Str(string s)
        {
            for (int i = 0; i < s.Length; i++) Char((byte)s[i]);
        }

        /// <summary>A NUL-terminated byte string of at most <paramref name="max"/> bytes.</summary>
        public static void CStr(byte* s, int max)
        {
            for (int i = 0; i < max && s[i] != 0; i++) Char(s[i]);
        }

        public static void Dec(ulong v)
        {
            byte* d = stackalloc byte[20];
            int n = 0;
            do { d[n++] = (byte)('0' + v % 10); v /= 10; } while (v != 0);
            while (n > 0) Char(d[--n]);
        }

        public static void SDec(long v)
        {
            if (v < 0) { Char((byte)'-'); Dec((ulong)(-v)); }
            else Dec((ulong)v);
        }

        public static void Hex(ulong v)
        {
            Str("0x");
            int shift = 60;
            while (shift > 0 && ((v >> shift) & 0xf) == 0) shift -= 4;
            for (; shift >= 0; shift -= 4) Char((byte)"0123456789abcdef"[(int)((v >> shift) & 0xf)]);
        }

        /// <summary>Ends the line and writes it to the console.</summary>
        public static void End()
        {
            fixed (LineBuffer* l = &s_line)
            {
                l->B[s_len++] = (byte)'\n';
                LastRc = Hv.ConsoleWrite(l->B, s_len);
            }
            s_len = 0;
        }

        public static void Line(string s) { Str(s); End(); }
    }
}
