namespace Microxen.Console
{
    /// <summary>
    /// Bytes received on COM1, kept until the guest reads them with CONSOLEIO_read: 4 KiB ring.
    /// Filled from the UART's receive interrupt (and by any read that finds the ring empty).
    /// </summary>
    public static unsafe class ConsoleInput
    {
        const int Size = 4096;
        struct Ring { public fixed byte B[Size]; }
        static Ring s_ring;
        static int s_head, s_tail;

        /// <summary>Moves every byte waiting in the UART into the ring. True if any arrived.</summary>
        public static bool Drain()
        {
            bool any = false;
            while (Serial.HasInput())
            {
                byte c = Serial.Get();
                int next = (s_head + 1) % Size;
                if (next == s_tail) continue;             // full: drop
                fixed (Ring* r = &s_ring) r->B[s_head] = c;
                s_head = next;
                any = true;
            }
            return any;
        }

        /// <summary>Copies up to <paramref name="count"/> bytes to <paramref name="dst"/>; returns how many.</summary>
        public static int Read(byte* dst, int count)
        {
            Drain();
            int n = 0;
            fixed (Ring* r = &s_ring)
                while (n < count && s_tail != s_head)
                {
                    dst[n++] = r->B[s_tail];
                    s_tail = (s_tail + 1) % Size;
                }
            return n;
        }
    }
}
