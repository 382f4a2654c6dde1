using Microxen.Config;

namespace Microxen.Smp
{
    /// <summary>
    /// Starts the application processors (SDM vol. 3A 9.4.4, "MP initialization example"): for
    /// each enabled MADT processor other than the boot CPU, INIT, 10 ms, SIPI, 200 us, SIPI, then
    /// up to <see cref="OnlineTimeoutMs"/> for the AP to check in. Each AP gets its own PvState
    /// (TSS inside: IST stacks, RSP0), GDT (Gdt.InitCpu), shim stack, the BSP's IDT, CR4, EFER,
    /// STAR/LSTAR/CSTAR/FMASK and PAT, IA32_TSC_AUX = its CPU index (the per-CPU base RDPID and
    /// RDTSCP read: shim/README.md "SMP"), a software-enabled local APIC, and then parks (sti;
    /// hlt) until the vCPU interface hands it a vCPU; the BSP pings each with the shim's IPI
    /// (<see cref="Ipi"/>) and logs the round trip. Runs before the domain is built, while the
    /// frames below 1 MiB are still free; a machine with one CPU (or no MADT) runs none of it.
    /// </summary>
    public static unsafe class ApBoot
    {
        /// <summary>How long an AP has to check in, as Xen's do_boot_cpu (5 s): under a loaded host's TCG an AP missed 200 ms, then started late on the next AP's trampoline data.</summary>
        public const int OnlineTimeoutMs = 5000;
        /// <summary>Each AP's shim stack and IST stacks, in frames (the BSP's are in EntryStubs.asm.cs).</summary>
        const int StackFrames = 16, Ist1Frames = 8, IstFrames = 4;
        const int ApicIdReg = 0x20;
        /// <summary>ICR low words: INIT (level assert), STARTUP (level assert; the vector is the trampoline's frame number).</summary>
        const uint IcrInit = 0x4500, IcrStartup = 0x4600;

        static NativeSymbols* s_syms;
        static ulong s_cr4, s_efer, s_star, s_lstar, s_cstar, s_fmask, s_pat;

        /// <summary>Starts every AP the MADT lists (at most <paramref name="limit"/> CPUs in all; 0 = no limit).</summary>
        public static void StartAps(NativeSymbols* syms, Acpi.MadtInfo* madt, uint limit)
        {
            byte* apic = ApicTimer.Mmio;
            uint bspId = *(uint*)(apic + ApicIdReg) >> 24;
            Cpus.SetApicId(0, bspId);
            Cpus.SetPv(0, ShimCpu.Pv);
            *Cpus.OnlineFlag(0) = 1;
            Cpu.Wrmsr(X86.Msr.IA32_TSC_AUX, 0);
            LogPerCpuBase();
            if (madt->CpuCount <= 1) { Log.Info("SMP: one CPU"); return; }

            ulong p = TrampolineFrame();
            if (p == 0) { Log.Warn("SMP: no free frame below 1 MiB for the AP trampoline: one CPU"); return; }
            ApBootData* d = CopyTrampoline(syms, p);
            s_syms = syms;
            s_cr4 = Cpu.ReadCr4(); s_efer = Cpu.Rdmsr(X86.Msr.IA32_EFER);
            s_star = Cpu.Rdmsr(X86.Msr.IA32_STAR); s_lstar = Cpu.Rdmsr(X86.Msr.IA32_LSTAR);
            s_cstar = Cpu.Rdmsr(X86.Msr.IA32_CSTAR); s_fmask = Cpu.Rdmsr(X86.Msr.IA32_FMASK);
            s_pat = Cpu.Rdmsr(X86.Msr.IA32_PAT);

            int n = 1;
            for (int i = 0; i < madt->CpuCount && n < Cpus.Max; i++)
            {
                uint id = madt->CpuApicId[i];
                if (id == bspId) continue;
                if (limit != 0 && n >= limit) break;
                if (id > 0xfe) { Log.Warn("SMP: an x2APIC-only CPU (APIC id above 254) is not started (xAPIC ICR)"); continue; }
                if (!Prepare(n, d)) { Log.Warn("SMP: no memory for another CPU's stacks"); break; }
                Cpus.SetApicId(n, id);
                Cpus.Count = n + 1;
                Start(id, (uint)(p >> 12));
                bool up = WaitOnline(n);
                if (up) Cpus.OnlineCount++;
                if (Log.On(LogLevel.Info))
                {
                    Log.Begin(); Log.Str("SMP: CPU "); Log.Dec((ulong)n); Log.Str(" (APIC id "); Log.Dec(id);
                    Log.Str(up ? ") up" : ") did not start"); Log.End();
                }
                n++;
            }
            PingAll();
        }

        const int PingRounds = 16;

        /// <summary>Each online AP answers the shim's IPI (its IDT, TSS and local APIC work); the mean round trip is logged.</summary>
        static void PingAll()
        {
            if (!Ipi.Usable) return;
            for (int cpu = 1; cpu < Cpus.Count; cpu++)
            {
                if (*Cpus.OnlineFlag(cpu) == 0) continue;
                ulong ticks = Ipi.Ping(cpu, PingRounds);
                if (!Log.On(LogLevel.Info)) continue;
                Log.Begin(); Log.Str("SMP: CPU "); Log.Dec((ulong)cpu);
                if (ticks == 0) Log.Str(" did not answer an IPI");
                else { Log.Str(" answers IPIs: round trip "); Log.Dec(ticks * 1000000 / (Tsc.Hz / 1000)); Log.Str(" ns (mean of "); Log.Dec(PingRounds); Log.Str(")"); }
                Log.End();
            }
        }

        /// <summary>Which instruction reads IA32_TSC_AUX on this CPU (the per-CPU base's cost: shim/README.md).</summary>
        static void LogPerCpuBase()
        {
            uint* r = stackalloc uint[4];
            Cpu.Cpuid(7, 0, r);
            bool rdpid = (r[2] & (1u << 22)) != 0;
            Cpu.Cpuid(0x80000001, 0, r);
            bool rdtscp = (r[3] & (1u << 27)) != 0;
            Ipi.Usable = true;   // the handler finds its CPU with Cpus.Current (sgdt), not RDTSCP
            Log.Info(rdpid ? "SMP: per-CPU base: IA32_TSC_AUX = CPU index (RDPID present)"
                : (rdtscp ? "SMP: per-CPU base: IA32_TSC_AUX = CPU index (RDTSCP; no RDPID)" : "SMP: per-CPU base: no RDPID/RDTSCP"));
        }

        /// <summary>A free frame below 1 MiB (not frame 0), reserved for good: an AP may be restarted later.</summary>
        static ulong TrampolineFrame()
        {
            for (ulong f = 1; f < 0x100; f++)
                if (Host.Frames.TryReserve(f)) return f << 12;
            return 0;
        }

        static ApBootData* CopyTrampoline(NativeSymbols* syms, ulong p)
        {
            byte* to = Host.Mem.At(p);
            byte* from = (byte*)syms->ApTrampoline;
            for (int i = 0; i < ApBootData.PageBytes; i++) to[i] = from[i];
            ApBootData* d = (ApBootData*)(to + ApBootData.Offset);
            d->GdtBase = (uint)(p + ApBootData.Offset);
            d->Far32Offset = (uint)(p + ApBootData.Code32);
            d->BootCr3 = syms->BootPml4;
            d->ShimCr3 = Host.ShimL4 << 12;
            d->ApStart = syms->ApStart;
            return d;
        }

        /// <summary>CPU <paramref name="cpu"/>'s PvState (a copy of the BSP's), TSS stacks, GDT and shim stack.</summary>
        static bool Prepare(int cpu, ApBootData* d)
        {
            PvState* pv = EntryCopy.Make(cpu, s_syms);
            if (pv == null) return false;
            pv->Tss = default;
            pv->Tss.IoMapBase = Tss.Size;
            for (int k = 0; k < 5; k++)
            {
                ulong top = Stack(k == 0 ? Ist1Frames : IstFrames);
                if (top == 0) return false;
                pv->Tss.Ist[k] = top - Idt.IstGuard;
            }
            ulong stack = Stack(StackFrames);
            if (stack == 0 || !Gdt.InitCpu(cpu, &pv->Tss, ref Host.Frames)) return false;
            Cpus.SetPv(cpu, pv);
            *Cpus.OnlineFlag(cpu) = 0;
            d->StackTop = stack;
            d->Cpu = (ulong)cpu;
            return true;
        }

        /// <summary><paramref name="frames"/> contiguous frames; the top's virtual address, 0 when there are none.</summary>
        internal static ulong Stack(int frames)
        {
            ulong last = FrameAllocator.None;
            for (int i = 0; i < frames; i++)
            {
                ulong f = Host.Frames.AllocHigh();
                if (f == FrameAllocator.None || (last != FrameAllocator.None && f != last - 1)) return 0;
                last = f;
            }
            return (ulong)Host.Mem.Frame(last) + (ulong)frames * 4096;
        }

        static void Start(uint id, uint vector)
        {
            Ipi.Send(id, IcrInit);
            Tsc.Spin(10000);
            Ipi.Send(id, IcrStartup | vector);
            Tsc.Spin(200);
            Ipi.Send(id, IcrStartup | vector);
        }

        static bool WaitOnline(int cpu)
        {
            ulong* flag = Cpus.OnlineFlag(cpu);
            ulong t0 = Cpu.Rdtsc(), limit = Tsc.Hz / 1000 * OnlineTimeoutMs;
            while (Cpu.Rdtsc() - t0 < limit)
            {
                if (*flag != 0) return true;
                Cpu.Pause();
            }
            return false;
        }

        /// <summary>An AP's first C#: on the shim's page tables and its own stack (ap_start).</summary>
        [UnmanagedCallersOnly(EntryPoint = "ap_main")]
        static void ApMain(ulong cpu)
        {
            Cpu.WriteCr4(s_cr4);
            Gdt.LoadCpu((int)cpu);
            Idt.LoadAt(EntryCopy.Idt((int)cpu));
            long delta = EntryCopy.Delta((int)cpu);   // its own copy of the entry stubs
            Cpu.Wrmsr(X86.Msr.IA32_EFER, s_efer);
            Cpu.Wrmsr(X86.Msr.IA32_STAR, s_star);
            Cpu.Wrmsr(X86.Msr.IA32_LSTAR, (ulong)((long)s_lstar + delta));
            Cpu.Wrmsr(X86.Msr.IA32_CSTAR, (ulong)((long)s_cstar + delta));
            Cpu.Wrmsr(X86.Msr.IA32_FMASK, s_fmask);
            Cpu.Wrmsr(X86.Msr.IA32_PAT, s_pat);
            Cpu.Wrmsr(X86.Msr.IA32_TSC_AUX, cpu);
            ApicTimer.InitAp();
            *Cpus.OnlineFlag((int)cpu) = 1;
            for (;;) { Cpu.StiHlt(); Vcpus.Poll((int)cpu); }   // parked until VCPUOP_up wakes it (Ipi.Handle)
        }
    }
}
