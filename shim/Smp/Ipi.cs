namespace Microxen.Smp
{
    /// <summary>
    /// Inter-processor interrupts between the shim's CPUs (SDM vol. 3A 11.6: the ICR, fixed
    /// delivery, physical destination = the target's APIC id). <see cref="Vector"/> is the
    /// shim's own IPI vector: above the device vectors (0x30-0xdf, shim/Irq) beside the timer's
    /// 0xf0. The handler counts the IPI in the receiving CPU's slot (found through
    /// <see cref="Cpus.Current"/>, its own GDT base) and EOIs its local APIC.
    /// Today the only sender is the boot-time ping (<see cref="Ping"/>). Each AP takes it
    /// through its own copy of the entry stubs (<see cref="EntryCopy"/>: its own GuestTs and
    /// stacks), but the C# it reaches still shares the BSP's statics (ShimCpu.Pv, Vcpu.*): only
    /// this handler's per-CPU counter is safe to touch there.
    /// </summary>
    public static unsafe class Ipi
    {
        public const byte Vector = 0xf1;
        const int IcrLow = 0x300, IcrHigh = 0x310;
        const uint IcrPending = 1u << 12;

        struct Counters { public fixed ulong Received[Cpus.Max]; }
        static Counters s_c;

        /// <summary>Whether the boot CPU pings the APs (always: <see cref="Cpus.Current"/> needs only sgdt).</summary>
        public static bool Usable;

        /// <summary>IPIs <paramref name="cpu"/> has handled (one aligned qword, written only by that CPU).</summary>
        public static ulong* Received(int cpu) { fixed (Counters* c = &s_c) return &c->Received[cpu]; }

        /// <summary>Writes the ICR (destination first: the low write sends) and waits for the send to be accepted.</summary>
        public static void Send(uint apicId, uint low)
        {
            *(uint*)(ApicTimer.Mmio + IcrHigh) = apicId << 24;
            SendLow(low);
        }

        /// <summary>ICR destination shorthand "self" (bits 19:18 = 01) and level assert (bit 14), fixed delivery.</summary>
        const uint IcrSelf = 1u << 18, IcrAssert = 1u << 14;

        /// <summary>Sends <paramref name="vector"/> to this CPU's own local APIC (taken once IF allows it).</summary>
        public static void SendSelf(byte vector) => SendLow(IcrSelf | IcrAssert | vector);

        /// <summary>Writes the ICR's low word (which sends) and waits for the send to be accepted.</summary>
        static void SendLow(uint low)
        {
            byte* apic = ApicTimer.Mmio;
            *(uint*)(apic + IcrLow) = low;
            while ((*(uint*)(apic + IcrLow) & IcrPending) != 0) Cpu.Pause();
        }

        /// <summary>
        /// The handler of <see cref="Vector"/>, on the receiving CPU: a TLB flush asked of it, then
        /// (when the run is stopping) a halt for good; when it interrupted guest code (kernel or
        /// user, <paramref name="inShim"/> false), a vCPU taken down by another parks, and an
        /// event made pending for this CPU's vCPU is delivered to its event callback, as the boot
        /// CPU does on its interrupts (under the lock). In the shim (a blocked or parked vCPU,
        /// a hypercall) the IPI only wakes the CPU: the shim's own path delivers on its way out.
        /// </summary>
        public static void Handle(CpuFrame* f, bool inShim)
        {
            int cpu = Cpus.Current();
            Tlb.Service(cpu);
            (*Received(cpu))++;
            ApicTimer.Eoi();
            if (Vcpus.Stopping) Cpu.HaltForever();
            if (inShim || !ShimLock.Active) return;
            Vcpus.ParkIfDown(cpu);
            ShimLock.Enter();
            Events.Upcall.TryDeliver(f);
            ShimLock.Exit();
        }

        /// <summary>
        /// Sends <paramref name="rounds"/> IPIs to <paramref name="cpu"/> one after another, each
        /// waited for (its counter moves); the mean round trip in TSC ticks, 0 when one got lost
        /// within 100 ms.
        /// </summary>
        public static ulong Ping(int cpu, int rounds)
        {
            ulong* got = Received(cpu);
            ulong total = 0, limit = Tsc.Hz / 10;
            for (int i = 0; i < rounds; i++)
            {
                ulong before = *got, t0 = Cpu.Rdtsc();
                Send(Cpus.ApicId(cpu), Vector);
                while (*got == before)
                {
                    if (Cpu.Rdtsc() - t0 > limit) return 0;
                    Cpu.Pause();
                }
                total += Cpu.Rdtsc() - t0;
            }
            return total / (ulong)rounds;
        }
    }
}
