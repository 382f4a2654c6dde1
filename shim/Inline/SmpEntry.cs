namespace Microxen.Inline
{
    /// <summary>
    /// How the transfer page reaches the calling CPU's fast paths once several vCPUs run (the
    /// SmpCall and SmpIret sequences of shim/Inline/InlineSequences.asm.cs, the helpers
    /// smp_page_call and smp_page_iret of shim/FastPaths/FastPaths.Smp.asm.cs). The facts both
    /// generators and the shim share, defined once here:
    /// <list type="bullet">
    /// <item>The per-CPU base: <c>sgdt</c>. CPU n's GDT is at <see cref="GdtVirt"/> + n &lt;&lt;
    /// <see cref="CpuStrideShift"/> (shim/Arch/Gdt.cs: Gdt.Virt is this, Gdt.CpuStride is checked
    /// against it at compile time), and the shim owns every lgdt; no register the guest owns is
    /// read and nothing is shared: the helpers run in the shim, where nothing is delivered to the
    /// guest, so the 10 bytes sgdt stores below the guest's RSP are not overwritten before they
    /// are read.</item>
    /// <item>The per-CPU table: row n (CPU n) holds the address of each hypercall's routine in
    /// CPU n's copy of the fast paths (Smp/EntryCopy.cs), and of its fast_page_iret in the iret
    /// column; a row is <see cref="RowShift"/> bits of bytes (64 qwords), so shifting the GDT
    /// base right by <see cref="BaseShift"/> gives (GdtVirt &gt;&gt; BaseShift) + n's row offset.</item>
    /// <item>An entry (32 bytes, <see cref="EntryShift"/>): <c>call *slot(%rip)</c> with the
    /// helper in the slot at <see cref="HelperSlot"/>, so the helper finds the entry from its return address
    /// (entry + <see cref="CallLength"/>), the table slot at <see cref="TableSlot"/> holding
    /// &amp;row0[N] - (GdtVirt &gt;&gt; BaseShift), and N as the entry's index in the page.</item>
    /// </list>
    /// </summary>
    public static class SmpEntry
    {
        /// <summary>Virtual address of CPU 0's GDT (Xen's per-vCPU GDT area, GDT_VIRT_START).</summary>
        public const ulong GdtVirt = 0xffff82c000000000;
        /// <summary>log2 of the bytes between two CPUs' GDTs (16 GDT pages and 16 LDT pages: 128 KiB).</summary>
        public const int CpuStrideShift = 17;
        /// <summary>log2 of a table row's bytes: 64 qwords (HypercallTable.Size).</summary>
        public const int RowShift = 9;
        /// <summary>The helpers' right shift of the GDT base.</summary>
        public const int BaseShift = CpuStrideShift - RowShift;
        /// <summary>log2 of a transfer-page entry's bytes (32).</summary>
        public const int EntryShift = 5;
        /// <summary>Bytes of <c>call *disp32(%rip)</c> at the entry's start: the helper's return address is entry + this.</summary>
        public const int CallLength = 6;
        /// <summary>Offset in the entry of the helper's address.</summary>
        public const int HelperSlot = 8;
        /// <summary>Offset in the entry of the biased table address.</summary>
        public const int TableSlot = 24;
        /// <summary>
        /// Offset of the entry's <c>syscall; pop %r11; pop %rcx; ret</c> (CallRoutine's bytes there):
        /// smp_page_call's fallback enters the LSTAR entry from here, so the return address is in
        /// the transfer page and the declined call goes straight to C# (PvState.DeclinedBias).
        /// </summary>
        public const int SyscallAt = 18;
    }
}
