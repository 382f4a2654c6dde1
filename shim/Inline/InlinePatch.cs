namespace Microxen.Inline
{
    /// <summary>What a transfer-page sequence's placeholder holds (InlineSequences.Patch), filled in per entry.</summary>
    public enum InlinePatch
    {
        None = 0,
        /// <summary>8 bytes: the native fast routine of the entry's hypercall number (fast_path_table[N]).</summary>
        FastRoutine = 1,
        /// <summary>8 bytes: the address of fast_page_iret.</summary>
        PageIret = 2,
        /// <summary>8 bytes: the address of the PvState field at byte offset arg.</summary>
        PvField = 3,
        /// <summary>4 bytes: the entry's hypercall number N (mov $N,%eax).</summary>
        Number = 4,
        /// <summary>1 byte: N - PvState.DeclinedBias for the entry's hypercall number N (push $N-128; pop %rax: a call its routine declined).</summary>
        Number8 = 5,
        /// <summary>8 bytes: the address of smp_page_call (the SmpCall sequence, <see cref="SmpEntry"/>).</summary>
        SmpPageCall = 6,
        /// <summary>8 bytes: the address of smp_page_iret (the SmpIret sequence).</summary>
        SmpPageIret = 7,
        /// <summary>8 bytes: the per-CPU table's column N, biased (<see cref="SmpEntry"/>: &amp;row0[N] - (GdtVirt &gt;&gt; BaseShift)).</summary>
        SmpTable = 8,
    }
}
