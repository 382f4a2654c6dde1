namespace KernelTest.Time
{
    /// <summary>
    /// Xen system time (ns since boot) from vcpu_info[0].time (pvclock, public/xen.h
    /// vcpu_time_info): system_time + (((tsc - tsc_timestamp) shifted by tsc_shift) *
    /// tsc_to_system_mul) &gt;&gt; 32, read under the version seqlock (odd = update in progress).
    /// </summary>
    public static unsafe class Pvclock
    {
        /// <summary>A second and a millisecond of system time, in its unit (ns).</summary>
        public const ulong Second = 1_000_000_000, Ms = 1_000_000;

        public static ulong Now() => NowOf(Window.Vcpu0);

        /// <summary>System time in ns from the vcpu_time_info of <paramref name="vcpu"/> (each vCPU reads its own).</summary>
        public static ulong NowOf(Microxen.Xen.VcpuInfo* vcpu)
        {
            VcpuTimeInfo* t = &vcpu->Time;
            for (;;)
            {
                uint v1 = *(uint*)&t->Version;
                ulong tsc = Native.Rdtsc();
                ulong stamp = t->TscTimestamp, sys = t->SystemTime;
                uint mul = t->TscToSystemMul;
                int shift = t->TscShift;
                uint v2 = *(uint*)&t->Version;
                if ((v1 & 1) != 0 || v1 != v2) continue;
                ulong delta = tsc - stamp;
                if (shift < 0) delta >>= -shift; else delta <<= shift;
                return sys + Native.MulShr32(delta, mul);
            }
        }

        /// <summary>The pvclock version word (even when stable).</summary>
        public static uint Version => *(uint*)&Window.Vcpu0->Time.Version;
    }
}
