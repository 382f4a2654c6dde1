namespace Microxen.Time
{
    /// <summary>
    /// The pvclock scale for a TSC frequency (public/xen.h, vcpu_time_info): the guest computes
    /// ns = ((tsc - tsc_timestamp) shifted by tsc_shift) * tsc_to_system_mul >> 32. Chosen so
    /// that mul is in [2^31, 2^32): the most precision a 32-bit multiplier gives.
    /// </summary>
    public struct PvclockScale
    {
        public uint Mul;
        public sbyte Shift;

        public static PvclockScale For(ulong tscHz)
        {
            const ulong NsPerSec = 1000000000UL;
            PvclockScale s;
            int shift = 0;
            ulong hz = tscHz;
            // Want NsPerSec / (hz shifted) in [1/2, 1): then mul = 2^32 * ratio fits 32 bits.
            while (hz <= NsPerSec) { hz <<= 1; shift++; }
            while (hz > 2 * NsPerSec) { hz >>= 1; shift--; }
            s.Mul = (uint)((NsPerSec << 32) / hz);
            s.Shift = (sbyte)shift;
            return s;
        }

        /// <summary>Nanoseconds for <paramref name="ticks"/> TSC ticks, as the guest computes them.</summary>
        public ulong ToNs(ulong ticks)
        {
            ulong d = Shift >= 0 ? ticks << Shift : ticks >> -Shift;
            // 64x32 -> 96-bit product, keep bits 32..95.
            ulong lo = (d & 0xffffffff) * Mul;
            ulong hi = (d >> 32) * Mul;
            return hi + (lo >> 32);
        }
    }
}
