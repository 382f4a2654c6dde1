using Microxen.Xen;

namespace Microxen.Native;

/// <summary>fast_mmu_update's one-request path. Part of <see cref="FastPaths"/>: the same calling convention and pv_state.</summary>
static partial class FastPaths
{
    /// <summary>
    /// mmu_update of one MMU_NORMAL_PT_UPDATE request, in one pass: what Linux issues outside lazy
    /// MMU mode (xen_set_pte, xen_set_pmd: one per page fault, about 45 per fork). Emitted at the
    /// start of fast_mmu_update, after rbx, r12 and r8 are pushed (so a fault reading the request
    /// or a fault writing done skipped, as in the two passes); the same request
    /// the two passes would take, with the same effect: the entry written through the direct map
    /// at ptr &amp; ~7, the frame written into marked a page table (the bit tested first: it is
    /// almost always set), and the two passes' ending (<paramref name="finish"/>: *done = 1 when done is
    /// not null, result 0). Anything else (another count or
    /// command, a frame past the machine's) goes on to the two passes.
    /// </summary>
    static void MmuUpdateOne(Assembler a, Label pv, Label finish)
    {
        var general = a.CreateLabel();
        var marked = a.CreateLabel();
        a.cmp(esi, 1);                       // count: Xen's unsigned int
        a.jne(general);
        a.mov(rbx, __qword_ptr[rdi + AsmOffsets.MmuUpdatePtr]);   // ptr
        a.test(bl, (int)MmuCmd.CmdMask);
        a.jnz(general);                      // MMU_NORMAL_PT_UPDATE is 0
        a.mov(r12, rbx);
        a.shr(r12, PageFlags.PageShift);     // frame
        a.cmp(r12, __qword_ptr[F(a, "FrameCount")]);
        a.jae(general);                      // the checking pass declines it
        a.and(rbx, -8);
        a.add(rbx, __qword_ptr[F(a, "DirectMap")]);
        a.mov(rax, __qword_ptr[rdi + AsmOffsets.MmuUpdateVal]);   // val
        a.mov(__qword_ptr[rbx], rax);
        a.mov(rax, __qword_ptr[F(a, "PtBitmap")]);
        a.bt(__qword_ptr[rax], r12);
        a.jc(marked);
        a.@lock.bts(__qword_ptr[rax], r12);  // atomic, as the two passes' mark
        a.Label(ref marked);
        Count(a, pv, MmuUpdate);
        a.jmp(finish);                       // *done = 1 (esi), result 0
        a.Label(ref general);
    }
}
