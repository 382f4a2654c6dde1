namespace Microxen.Smp
{
    /// <summary>
    /// Each AP's own copy of the shim's entry code (Xen's per-CPU stubs, taken further): the
    /// bytes [shimentry_start, shimentry_end) of Traps/EntryStubs.asm.cs (the IDT stubs, the
    /// LSTAR entry, the fast paths, <c>pv_state</c>, savedRsp and the dispatch slots) copied to
    /// frames of the AP's own, at the same offset within the page (data stays off the code pages,
    /// EntryStubs.PageGap). Everything in there reaches its data RIP-relatively, so the copy's
    /// code uses the copy's <c>pv_state</c> (GuestTs, ScratchRsp, the per-vCPU fields), its own
    /// savedRsp and, through its slot, its own hypercall stack: no shared scratch on the entry
    /// paths, at no cost to the BSP's instruction counts (its copy is the linked one). The
    /// absolute addresses inside are relocated by the copy's distance (delta): the fast_path_table
    /// entries, the movabs of hypercall_resume; the hypercall stack slot gets the AP's stack. The
    /// AP's IDT (a page after the code) and LSTAR point into its copy; a fault in a copy finds its
    /// FaultFixup entry by the linked address (<see cref="DeltaOf"/>). Written by the BSP while it
    /// starts the APs, read-only afterwards.
    /// </summary>
    public static unsafe class EntryCopy
    {
        /// <summary>The AP's hypercall stack, in frames (as the BSP's hypercall_stack: 64 KiB).</summary>
        const int HypercallStackFrames = 16;

        struct Table { public fixed long Delta[Cpus.Max]; public fixed ulong Idt[Cpus.Max]; }
        static Table s_t;
        static ulong s_start, s_end;

        /// <summary>Distance of CPU <paramref name="cpu"/>'s copy from the linked code (0 for the BSP).</summary>
        public static long Delta(int cpu) { fixed (Table* t = &s_t) return t->Delta[cpu]; }

        /// <summary>Virtual address of CPU <paramref name="cpu"/>'s IDT (256 gates), 0 for the BSP (Idt.Load).</summary>
        public static ulong Idt(int cpu) { fixed (Table* t = &s_t) return t->Idt[cpu]; }

        /// <summary>Lowest address of any AP's copy and the span up to the end of the highest (0: none).</summary>
        static ulong s_lo, s_span;

        /// <summary>
        /// Whether <paramref name="rip"/> may be in an AP's copy: within the span of all copies (shim
        /// memory between them holds no guest code). One compare: TrapDispatch asks it on each trap.
        /// </summary>
        public static bool InCopies(ulong rip) => rip - s_lo < s_span;

        /// <summary>The delta of the copy holding <paramref name="rip"/>, 0 when it is in no AP's copy.</summary>
        public static long DeltaOf(ulong rip)
        {
            for (int cpu = 1; cpu < Cpus.Count; cpu++)
            {
                long d = Delta(cpu);
                if (d != 0 && (long)rip >= (long)s_start + d && (long)rip < (long)s_end + d) return d;
            }
            return 0;
        }

        /// <summary>
        /// Makes CPU <paramref name="cpu"/>'s copy, relocated, with its IDT and hypercall stack;
        /// its <c>pv_state</c>, null when there is no memory.
        /// </summary>
        public static PvState* Make(int cpu, NativeSymbols* syms)
        {
            ulong start = syms->EntryStart, end = syms->EntryEnd, first = start & ~4095UL;
            int codePages = (int)((end - first + 4095) >> 12);
            ulong top = ApBoot.Stack(codePages + 1);
            ulong stack = ApBoot.Stack(HypercallStackFrames);
            if (top == 0 || stack == 0) return null;
            byte* page = (byte*)(top - (ulong)(codePages + 1) * 4096);
            byte* to = page + (start - first);
            for (ulong i = 0; i < end - start; i++) to[i] = ((byte*)start)[i];
            long delta = (long)to - (long)start;
            ulong* table = (ulong*)((long)syms->FastPathTable + delta);
            for (int n = 0; n < Hypercalls.HypercallTable.FastPathRows; n++)
                if (table[n] >= start && table[n] < end) table[n] = (ulong)((long)table[n] + delta);
            *(long*)((long)syms->AbortResumeMovabs + delta + 2) += delta;   // movabs: REX.W B8, imm64
            *(ulong*)((long)syms->HypercallStackSlot + delta) = stack;
            ulong idt = (ulong)(page + codePages * 4096);
            Arch.Idt.CopyRelocated((ulong*)idt, start, end, delta);
            s_start = start; s_end = end;
            ulong lo = (ulong)((long)start + delta), hi = (ulong)((long)end + delta);
            ulong oldHi = s_lo + s_span;
            if (s_span == 0 || lo < s_lo) s_lo = lo;
            s_span = (s_span != 0 && oldHi > hi ? oldHi : hi) - s_lo;
            fixed (Table* t = &s_t) { t->Delta[cpu] = delta; t->Idt[cpu] = idt; }
            Traps.FastPageFaultHandler.SetCopy(cpu, delta);   // vCPU cpu's #PF entry goes into this copy's data
            return (PvState*)((long)syms->PvState + delta);
        }
    }
}
