using Microxen.Checked;

namespace Microxen.Traps
{
    /// <summary>
    /// What the native #PF delivery (Traps/FastPageFault.asm.cs, fast_pf_entry and its
    /// kernel-mode part) sends faults to: the guest's vector-14 trap-table entry (set_trap_table,
    /// VCPUOP_initialise's trap_ctxt), published per vCPU on every change. vCPU n runs on CPU n
    /// through CPU n's own copy of the entry code (Smp/EntryCopy.cs), whose data the entry reads
    /// RIP-relatively: vCPU n's entry goes into that copy's data, so every vCPU delivers its page
    /// faults natively to its own handler, with its own vcpu_info, kernel stack and mode
    /// (pv_state of the copy), and no lock. Fast mode only: checked mode, and debug logging
    /// (which logs each guest exception), keep every fault on the C# path (TrapDispatch).
    /// </summary>
    public static unsafe class FastPageFaultHandler
    {
        [DllImport("*", EntryPoint = "fast_pf_publish"), SuppressGCTransition]
        static extern void NativePublish(ulong handler, ulong cs, ulong flags, long delta);

        [DllImport("*", EntryPoint = "fast_pf_count"), SuppressGCTransition]
        static extern ulong NativeCount(long delta);

        struct Copies { public fixed long Delta[Guest.Vcpu.Max]; }
        static Copies s_copies;

        /// <summary>
        /// CPU <paramref name="cpu"/>'s copy of the entry code lies <paramref name="delta"/> bytes
        /// from the linked one (Smp/EntryCopy.cs, as it makes the copy); CPUs past the vCPUs' bound run no vCPU.
        /// </summary>
        public static void SetCopy(int cpu, long delta)
        {
            if (cpu > 0 && cpu < Guest.Vcpu.Max) fixed (Copies* c = &s_copies) c->Delta[cpu] = delta;
        }

        static long Delta(int cpu) { fixed (Copies* c = &s_copies) return c->Delta[cpu]; }

        /// <summary>Page faults delivered natively so far, on every CPU.</summary>
        public static ulong Delivered
        {
            get
            {
                ulong n = NativeCount(0);
                for (int cpu = 1; cpu < Guest.Vcpu.Max; cpu++)
                    if (Delta(cpu) != 0) n += NativeCount(Delta(cpu));
                return n;
            }
        }

        /// <summary>
        /// vCPU <paramref name="vcpu"/>'s #PF entry (handler address, selector, TI_* flags) now
        /// registered; handler 0 for none. A secondary vCPU whose CPU has no copy of the entry
        /// code runs none of it (Smp/Vcpus.cs counts only CPUs that came up): nothing to publish.
        /// </summary>
        public static void Publish(int vcpu, ulong handler, ushort cs, byte flags)
        {
            if (CheckedMode.On || Log.On(LogLevel.Debug)) handler = 0;
            long delta = vcpu == 0 ? 0 : Delta(vcpu);
            if (vcpu != 0 && delta == 0) return;
            NativePublish(handler, cs, flags, delta);
        }
    }
}
