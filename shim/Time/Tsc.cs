namespace Microxen.Time
{
    /// <summary>
    /// The TSC as the shim's clock: frequency calibrated against the 8254 PIT (channel 2, gated
    /// through port 0x61, 1.193182 MHz), system time = ns since the shim started.
    /// </summary>
    public static class Tsc
    {
        public const ulong PitHz = 1193182;

        /// <summary>TSC ticks per second.</summary>
        public static ulong Hz;
        /// <summary>TSC at system time 0.</summary>
        public static ulong Epoch;
        public static PvclockScale Scale;
        /// <summary>CPUID.80000007H:EDX[8]: the TSC runs at a constant rate in every state.</summary>
        public static bool Invariant;
        /// <summary>CPUID.01H:ECX[24]: the local APIC timer has TSC-deadline mode.</summary>
        public static bool DeadlineTimer;

        public static unsafe void Calibrate()
        {
            uint* r = stackalloc uint[4];
            Cpu.Cpuid(0x80000000, 0, r);
            if (r[0] >= 0x80000007) { Cpu.Cpuid(0x80000007, 0, r); Invariant = (r[3] & (1u << 8)) != 0; }
            Cpu.Cpuid(1, 0, r);
            DeadlineTimer = (r[2] & (1u << 24)) != 0;

            // The median of three 25 ms windows of PIT channel 2: a loaded host can stop the vCPU
            // between programming the PIT and reading the TSC (too low) or between terminal count
            // and the last read (too high); one such window does not move the median.
            ulong a = PitWindow(), b = PitWindow(), c = PitWindow();
            Hz = a > b ? (b > c ? b : (a > c ? c : a)) : (a > c ? a : (b > c ? c : b));
            Epoch = Cpu.Rdtsc();
            Scale = PvclockScale.For(Hz);
            Log.Begin(); Log.Str("TSC: "); Log.Dec(Hz / 1000); Log.Str(" kHz"); Log.Str(Invariant ? ", invariant" : ", not invariant");
            Log.Str(DeadlineTimer ? ", TSC-deadline timer" : ", APIC one-shot timer"); Log.End();
        }

        /// <summary>TSC ticks per second over one 25 ms one-shot (mode 0) count of PIT channel 2, gated through port 0x61.</summary>
        static ulong PitWindow()
        {
            const uint Count = (uint)(PitHz / 40);
            byte gate = Cpu.Inb(0x61);
            Cpu.Outb(0x61, (byte)((gate & ~0x02) | 0x01));   // gate high, speaker off
            Cpu.Outb(0x43, 0xb0);                              // channel 2, lobyte/hibyte, mode 0
            Cpu.Outb(0x42, (byte)(Count & 0xff));
            Cpu.Outb(0x42, (byte)(Count >> 8));
            ulong t0 = Cpu.Rdtsc();
            while ((Cpu.Inb(0x61) & 0x20) == 0) { }            // OUT2 goes high at terminal count
            ulong t1 = Cpu.Rdtsc();
            Cpu.Outb(0x61, gate);
            return (t1 - t0) * 40;
        }

        /// <summary>Nanoseconds since <see cref="Epoch"/>.</summary>
        /// <summary>Busy-waits <paramref name="us"/> microseconds (after <see cref="Calibrate"/>).</summary>
        public static void Spin(ulong us)
        {
            ulong t0 = Cpu.Rdtsc(), n = Hz / 1000000 * us;
            while (Cpu.Rdtsc() - t0 < n) Cpu.Pause();
        }

        public static ulong Now() => Scale.ToNs(Cpu.Rdtsc() - Epoch);

        /// <summary>TSC value at system time <paramref name="ns"/>.</summary>
        public static ulong TscAt(ulong ns)
        {
            // ticks = ns * Hz / 1e9 without overflow for ns up to centuries.
            ulong sec = ns / 1000000000UL, rem = ns % 1000000000UL;
            return Epoch + sec * Hz + rem * Hz / 1000000000UL;
        }
    }
}
