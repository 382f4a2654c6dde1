namespace Microxen.Smp
{
    /// <summary>
    /// The machine's CPUs as the shim numbers them: CPU 0 is the boot CPU, CPUs 1.. the MADT's
    /// other enabled processors in table order (vCPU n of dom0 is meant to run on CPU n). Written
    /// by the BSP during bring-up; <see cref="Online"/> entries are written once by their AP and
    /// polled by the BSP (each is one aligned qword: a plain store is atomic, and the BSP re-reads
    /// it through a pointer in a loop with a call, so the compiler cannot keep it in a register).
    /// </summary>
    public static unsafe class Cpus
    {
        public const int Max = Acpi.MadtInfo.MaxCpus;

        struct Table
        {
            public fixed uint ApicId[Max];
            public fixed ulong Online[Max];
            public fixed ulong Pv[Max];
        }
        static Table s_t;

        /// <summary>CPUs known (the BSP and every AP the shim tried to start).</summary>
        public static int Count = 1;
        /// <summary>CPUs that reached ap_main, the BSP included.</summary>
        public static int OnlineCount = 1;

        /// <summary>
        /// The CPU this runs on, from its own GDT's base (Gdt.LoadCpu: CPU n's GDT is at Gdt.Virt
        /// + n * Gdt.CpuStride, and the shim owns every lgdt): no register the guest owns is read.
        /// </summary>
        public static int Current()
        {
            ulong n = (Cpu.GdtBase() - Gdt.Virt) / Gdt.CpuStride;
            return n < Max ? (int)n : 0;   // the boot GDT (before Gdt.Init): the boot CPU
        }

        public static uint ApicId(int cpu) { fixed (Table* t = &s_t) return t->ApicId[cpu]; }
        public static void SetApicId(int cpu, uint id) { fixed (Table* t = &s_t) t->ApicId[cpu] = id; }
        public static ulong* OnlineFlag(int cpu) { fixed (Table* t = &s_t) return &t->Online[cpu]; }
        /// <summary>The per-CPU state of <paramref name="cpu"/> (its PvState, TSS inside): the per-CPU base.</summary>
        public static PvState* Pv(int cpu) { fixed (Table* t = &s_t) return (PvState*)t->Pv[cpu]; }
        /// <summary>The PvState addresses, by CPU (Events.Evtchn.VcpuPv).</summary>
        public static ulong* PvTable() { fixed (Table* t = &s_t) return t->Pv; }
        public static void SetPv(int cpu, PvState* pv) { fixed (Table* t = &s_t) t->Pv[cpu] = (ulong)pv; }
    }
}
