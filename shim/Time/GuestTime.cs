namespace Microxen.Time
{
    /// <summary>
    /// Publishes time to the guest: pvclock in vcpu_info.time (version even when stable,
    /// XEN_PVCLOCK_TSC_STABLE_BIT when the TSC is invariant) and the wall clock at system time 0
    /// in shared_info (wc_sec/wc_nsec with wc_version). Source: public/xen.h.
    /// </summary>
    public static unsafe class GuestTime
    {
        static ulong s_wallAtZero;

        public static void Init()
        {
            ulong now = Tsc.Now();
            ulong wall = Rtc.UnixSeconds();
            s_wallAtZero = wall - now / 1000000000UL;
            SetWallclock(s_wallAtZero, 0);
            Publish();
        }

        /// <summary>
        /// Sets shared_info's wall clock at system time 0 (wc_sec, wc_sec_hi, wc_nsec inside a
        /// wc_version update, Xen's update_domain_wallclock_time; platform_op settime's do_settime).
        /// </summary>
        public static void SetWallclock(ulong sec, uint nsec)
        {
            SharedInfo* s = Vcpu.Shared;
            s->WcVersion++;
            s->WcSec = (uint)sec;
            s->WcSecHi = (uint)(sec >> 32);
            s->WcNsec = nsec;
            s->WcVersion++;
        }

        /// <summary>Writes vcpu_info.time for the current vcpu_info (again after it moves).</summary>
        public static void Publish()
        {
            VcpuTimeInfo* t = &Vcpu.Info->Time;
            t->Version++;
            ulong tsc = Arch.Cpu.Rdtsc();
            t->TscTimestamp = tsc;
            t->SystemTime = Tsc.Scale.ToNs(tsc - Tsc.Epoch);
            t->TscToSystemMul = Tsc.Scale.Mul;
            t->TscShift = Tsc.Scale.Shift;
            t->Flags = Tsc.Invariant ? VcpuTimeInfo.PvclockTscStableBit : (byte)0;
            t->Version++;
        }
    }
}
