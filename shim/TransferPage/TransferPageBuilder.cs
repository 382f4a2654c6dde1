using Microxen.Inline;

namespace Microxen.TransferPage
{
    /// <summary>Where the inline sequences' placeholders point: addresses in the linked shim.</summary>
    public unsafe struct InlineTargets
    {
        /// <summary>ulong[64]: the native fast routine per hypercall number (fast_path_table).</summary>
        public ulong* FastPathTable;
        /// <summary>fast_page_iret.</summary>
        public ulong PageIret;
        /// <summary>pv_state (PvState*).</summary>
        public ulong PvState;
        /// <summary>smp_page_call and smp_page_iret (several vCPUs, <see cref="SmpEntry"/>).</summary>
        public ulong SmpPageCall, SmpPageIret;
        /// <summary>The per-CPU table's row 0, biased: &amp;row0[0] - (SmpEntry.GdtVirt &gt;&gt; SmpEntry.BaseShift).</summary>
        public ulong SmpTable;
    }

    /// <summary>
    /// Fills a guest's hypercall transfer page (XEN_ELFNOTE_HYPERCALL_PAGE): 128 entries of 32
    /// bytes, entry N for hypercall N, each a sequence of shim/Inline/InlineSequences.g.cs (generated
    /// by tools/InlineGen) over int3 filler. The dispatcher entry enters the shim's C# dispatcher
    /// through the same <c>syscall</c> path as current Linux: <c>push %rcx; push %r11; mov $N,%eax;
    /// syscall; pop %r11; pop %rcx; ret</c>, the ring-3 sequence of Xen's PV ABI, which works
    /// unchanged from ring 0 because the shim's LSTAR entry tells a hypercall by the kernel-half return address.
    /// Entry 23 (iret) is jumped to, not called: <c>push %rcx; push %r11; push %rax; mov $23,%eax;
    /// syscall</c>. With <c>inline</c> (fast mode), the entries of the hypercalls with a fast path
    /// (the fast-path column of shim/Hypercalls/HypercallTable.cs) get their sequence instead.
    /// Checked mode and inline=off: the dispatcher entry in all 128.
    /// </summary>
    public static unsafe class TransferPageBuilder
    {
        /// <summary>Entries in the page (4096 / 32).</summary>
        public const int Entries = 128;
        /// <summary>Bytes per entry; a sequence never crosses into the next.</summary>
        public const int EntrySize = 32;
        public const int Iret = Xen.Hypercall.Iret;

        public static void Fill(byte* page) => Fill(page, false, default);

        public static void Fill(byte* page, bool inline, InlineTargets targets) => Fill(page, inline, false, targets);

        /// <summary>
        /// The page with <paramref name="smp"/> (several vCPUs run): each entry with a fast path
        /// gets SmpCall (SmpIret for iret) instead of its one-CPU sequence, whose routine and
        /// pv_state addresses are the boot CPU's (<see cref="SmpEntry"/>).
        /// </summary>
        public static void Fill(byte* page, bool inline, bool smp, InlineTargets targets)
        {
            for (int n = 0; n < Entries; n++)
            {
                int s = inline ? InlineSequences.ForEntry(n) : -1;
                if (s >= 0 && smp) s = s == InlineSequences.PageIret ? InlineSequences.SmpIret : InlineSequences.SmpCall;
                if (s < 0) s = n == Iret ? InlineSequences.DispatcherIret : InlineSequences.Dispatcher;
                Write(page + n * EntrySize, n, s, targets);
            }
        }

        /// <summary>Writes sequence <paramref name="s"/> as entry <paramref name="n"/>: int3 filler, its bytes, its placeholders.</summary>
        static void Write(byte* e, int n, int s, InlineTargets targets)
        {
            for (int i = 0; i < EntrySize; i++) e[i] = 0xcc;
            int start, length;
            InlineSequences.Extent(s, out start, out length);
            string bytes = InlineSequences.Bytes;
            for (int i = 0; i < length; i++) e[i] = (byte)bytes[start + i];
            for (int k = 0; k < InlineSequences.PatchCount; k++)
            {
                int sequence, offset, arg; InlinePatch kind;
                InlineSequences.Patch(k, out sequence, out offset, out kind, out arg);
                if (sequence != s) continue;
                if (kind == InlinePatch.Number) *(uint*)(e + offset) = (uint)n;
                else if (kind == InlinePatch.Number8) e[offset] = (byte)(n - PvState.DeclinedBias);
                else *(ulong*)(e + offset) = kind == InlinePatch.FastRoutine ? targets.FastPathTable[n]
                    : kind == InlinePatch.PageIret ? targets.PageIret
                    : kind == InlinePatch.SmpPageCall ? targets.SmpPageCall
                    : kind == InlinePatch.SmpPageIret ? targets.SmpPageIret
                    : kind == InlinePatch.SmpTable ? targets.SmpTable + (ulong)n * 8
                    : targets.PvState + (ulong)arg;
            }
        }
    }
}
