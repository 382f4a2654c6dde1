namespace Microxen.Smp
{
    /// <summary>
    /// TLB shootdowns for the *_MULTI / *_ALL mmuext_ops and update_va_mapping's UVMF_MULTI /
    /// UVMF_ALL (xen/arch/x86/mm.c: vcpumask_to_pcpumask, flush_tlb_mask): each other vCPU named
    /// is asked through its CPU's request counter and the shim's IPI, and the caller waits for
    /// every answer, as Xen's flush_area_mask waits. The receiver flushes its whole TLB (a
    /// superset of an INVLPG) in the IPI handler or, when it is spinning for
    /// <see cref="ShimLock"/> with interrupts off, in that loop (<see cref="Service"/>), so a
    /// CPU holding the lock never waits for one that waits for it. A vCPU that is down flushes
    /// when it comes back up. Req is written by the lock holder, Ack by its CPU (aligned qwords;
    /// the waits re-read them around an external call, so no register keeps a stale copy).
    /// </summary>
    public static unsafe class Tlb
    {
        /// <summary>How long a flush waits for one CPU before it gives up (logged), ms.</summary>
        const ulong TimeoutMs = 1000;

        struct Table { public fixed ulong Req[Cpus.Max]; public fixed ulong Ack[Cpus.Max]; }
        static Table s_t;
        static bool s_warned;

        /// <summary>
        /// Flushes the TLBs of the up vCPUs in <paramref name="mask"/> (bit n = vCPU n;
        /// ulong.MaxValue: all) other than the caller's; returns once each has done so.
        /// </summary>
        public static void FlushOthers(ulong mask) { if (ShimLock.Active) FlushOthersSmp(mask); }

        static void FlushOthersSmp(ulong mask)
        {
            int me = Cpus.Current();
            fixed (Table* t = &s_t)
            {
                for (int n = 0; n < Vcpus.Count && n < 64; n++)
                {
                    if (n == me || (mask >> n & 1) == 0 || *Vcpus.State(n) != Vcpus.Up) continue;
                    t->Req[n]++;
                    Ipi.Send(Cpus.ApicId(n), Ipi.Vector);
                }
                for (int n = 0; n < Vcpus.Count && n < 64; n++)
                {
                    if (n == me || (mask >> n & 1) == 0 || *Vcpus.State(n) != Vcpus.Up) continue;
                    ulong t0 = Cpu.Rdtsc(), limit = Tsc.Hz / 1000 * TimeoutMs;
                    while (t->Ack[n] != t->Req[n])
                    {
                        if (Cpu.Rdtsc() - t0 > limit)
                        {
                            if (!s_warned) { s_warned = true; Log.Warn("SMP: a CPU did not answer a TLB flush within 1 s"); }
                            break;
                        }
                        Cpu.Pause();
                    }
                }
            }
        }

        /// <summary>The flush vCPU mask of a guest bitmap pointer (one word: vCPUs 0-63).</summary>
        public static ulong Mask(ulong vcpumask) => *(ulong*)vcpumask;

        /// <summary>On CPU <paramref name="cpu"/>: flushes its TLB if a flush was asked since the last one.</summary>
        public static void Service(int cpu)
        {
            fixed (Table* t = &s_t)
            {
                ulong r = t->Req[cpu];
                if (t->Ack[cpu] == r) return;
                Cpu.FlushTlb();
                t->Ack[cpu] = r;
            }
        }
    }
}
