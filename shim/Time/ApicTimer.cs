namespace Microxen.Time
{
    /// <summary>
    /// The local APIC timer as the guest's one-shot timer (VCPUOP_set_singleshot_timer,
    /// set_timer_op): TSC-deadline mode (IA32_TSC_DEADLINE, SDM vol. 3A 11.5.4.1) where the CPU
    /// has it, else one-shot mode counting the APIC bus clock calibrated against the TSC.
    /// The interrupt arrives on <see cref="Vector"/>; <see cref="SpuriousVector"/> is ignored.
    /// </summary>
    public static unsafe class ApicTimer
    {
        public const byte Vector = 0xf0;
        public const byte SpuriousVector = 0xff;
        const int RegEoi = 0xb0, RegSvr = 0xf0, RegLvtTimer = 0x320, RegInitCount = 0x380, RegCurCount = 0x390, RegDivide = 0x3e0, RegIsr = 0x100;

        static byte* s_apic;
        static ulong s_apicHz;
        struct Deadlines { public fixed ulong Ns[Smp.Cpus.Max]; }
        static Deadlines s_deadlines;
        /// <summary>This CPU's armed deadline in system time ns, 0 = none (each CPU's APIC timer is its vCPU's one-shot timer; written only by that CPU).</summary>
        public static ulong Deadline
        {
            get { fixed (Deadlines* d = &s_deadlines) return d->Ns[Smp.Cpus.Current()]; }
            set { fixed (Deadlines* d = &s_deadlines) d->Ns[Smp.Cpus.Current()] = value; }
        }

        static uint Read(int reg) => *(uint*)(s_apic + reg);
        static void Write(int reg, uint v) { *(uint*)(s_apic + reg) = v; }

        public static void Init()
        {
            ulong baseMsr = Cpu.Rdmsr(X86.Msr.IA32_APIC_BASE);
            Cpu.Wrmsr(X86.Msr.IA32_APIC_BASE, baseMsr | (1UL << 11));                  // APIC global enable
            s_apic = (byte*)(Host.DirectMapVirt + (baseMsr & 0xffffff000UL));
            Write(RegSvr, 0x100u | SpuriousVector);                           // software enable
            if (Tsc.DeadlineTimer)
            {
                Write(RegLvtTimer, (2u << 17) | Vector);                      // TSC-deadline mode
            }
            else
            {
                Write(RegDivide, 0xb);                                        // divide by 1
                Write(RegLvtTimer, (1u << 16) | Vector);                      // masked while calibrating
                s_apicHz = Calibrate();
                Write(RegInitCount, 0);
                Write(RegLvtTimer, Vector);                                   // one-shot, unmasked
                Console.Log.Begin(); Console.Log.Str("APIC timer: "); Console.Log.Dec(s_apicHz / 1000); Console.Log.Str(" kHz"); Console.Log.End();
            }
        }

        /// <summary>
        /// APIC timer ticks per second against the TSC: the lowest of three 10 ms windows, each
        /// end a (TSC, current count) pair read within 10 µs of TSC time. Under a loaded host the
        /// vCPU can stop between two reads; an unbracketed end made the rate 4x too high once
        /// (every one-shot then fired 4x late). Too low a rate only fires early, and the guest
        /// re-arms (Linux's hrtimers do), so the lowest window is kept.
        /// </summary>
        static ulong Calibrate()
        {
            ulong best = ulong.MaxValue;
            for (int round = 0; round < 3; round++)
            {
                Write(RegInitCount, 0xffffffff);
                Sample(out ulong t0, out uint c0);
                while (Cpu.Rdtsc() - t0 < Tsc.Hz / 100) { }                   // 10 ms
                Sample(out ulong t1, out uint c1);
                ulong hz = (ulong)(c0 - c1) * Tsc.Hz / (t1 - t0);
                if (hz < best) best = hz;
            }
            return best;
        }

        /// <summary>A TSC value and the APIC timer's current count read together (TSC at the midpoint).</summary>
        static void Sample(out ulong tsc, out uint count)
        {
            ulong a, b;
            uint c;
            int tries = 0;
            do
            {
                a = Cpu.Rdtsc();
                c = Read(RegCurCount);
                b = Cpu.Rdtsc();
            } while (b - a > Tsc.Hz / 100000 && ++tries < 1000);
            tsc = a + (b - a) / 2;
            count = c;
        }

        /// <summary>Arms the timer for system time <paramref name="ns"/>; a time already past fires at once.</summary>
        public static void Arm(ulong ns)
        {
            Deadline = ns;
            if (Tsc.DeadlineTimer)
            {
                Cpu.Wrmsr(X86.Msr.IA32_TSC_DEADLINE, Tsc.TscAt(ns));
                return;
            }
            ulong now = Tsc.Now();
            ulong delta = ns > now ? ns - now : 1000;
            ulong ticks = delta * s_apicHz / 1000000000UL;
            if (delta > 1000000000UL) ticks = delta / 1000 * (s_apicHz / 1000000);
            if (ticks == 0) ticks = 1;
            if (ticks > 0xffffffff) ticks = 0xffffffff;
            Write(RegInitCount, (uint)ticks);
        }

        public static void Stop()
        {
            Deadline = 0;
            if (Tsc.DeadlineTimer) Cpu.Wrmsr(X86.Msr.IA32_TSC_DEADLINE, 0);
            else Write(RegInitCount, 0);
        }

        public static void Eoi() { Write(RegEoi, 0); }

        /// <summary>The local APIC's MMIO registers (each CPU sees its own APIC there), set by <see cref="Init"/>.</summary>
        public static byte* Mmio => s_apic;

        /// <summary>On an AP: software-enable its local APIC (spurious vector, as <see cref="Init"/>), timer masked until it serves a vCPU.</summary>
        public static void InitAp()
        {
            Cpu.Wrmsr(X86.Msr.IA32_APIC_BASE, Cpu.Rdmsr(X86.Msr.IA32_APIC_BASE) | (1UL << 11));
            Write(RegSvr, 0x100u | SpuriousVector);
            if (Tsc.DeadlineTimer) Write(RegLvtTimer, (2u << 17) | Vector);   // as the boot CPU's: its vCPU's one-shot timer
            else { Write(RegDivide, 0xb); Write(RegInitCount, 0); Write(RegLvtTimer, Vector); }   // the boot CPU's calibration (one clock)
        }

        /// <summary>Whether the local APIC has vector <paramref name="v"/> in service (its ISR bit: SDM vol. 3A 11.8.4): a hardware interrupt, not an <c>int</c>.</summary>
        public static bool InService(int v) => ((Read(RegIsr + (v >> 5) * 0x10) >> (v & 31)) & 1) != 0;
    }
}
