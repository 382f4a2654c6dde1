using Microxen.Xen;

namespace Microxen.Native;

/// <summary>Page-table and descriptor hypercalls done natively: update_va_mapping, update_descriptor, mmu_update, mmuext_op. Part of <see cref="FastPaths"/>: the same calling convention and pv_state.</summary>
static partial class FastPaths
{
    /// <summary>
    /// Walks the current CR3 to the L1 entry mapping rdi: its address in rax. Uses rax and rdx,
    /// which the caller saved (<paramref name="decline"/> restores them); the address mask is
    /// a constant of the block (<see cref="PaddrMaskLabel"/>), so no third register is needed.
    /// </summary>
    internal static void WalkToL1(Assembler a, Label pv, Label decline)
    {
        a.mov(rax, cr3);
        a.and(rax, __qword_ptr[PaddrMaskLabel]);
        for (int level = 4; level >= 2; level--)
        {
            a.mov(rdx, rdi);
            a.shr(rdx, (byte)(12 + 9 * (level - 1)));
            a.and(edx, PageFlags.EntriesPerTable - 1);
            a.add(rax, __qword_ptr[F(a, "DirectMap")]);
            a.mov(rax, __qword_ptr[rax + rdx * 8]);
            a.test(al, (int)PageFlags.Present);
            a.jz(decline);
            if (level < 4)
            {
                a.test(al, (int)PageFlags.PSE);
                a.jnz(decline);
            }
            a.and(rax, __qword_ptr[PaddrMaskLabel]);
        }
        a.mov(rdx, rdi);
        a.shr(rdx, PageFlags.PageShift);
        a.and(edx, PageFlags.EntriesPerTable - 1);
        a.add(rax, __qword_ptr[F(a, "DirectMap")]);
        a.lea(rax, __[rax + rdx * 8]);
    }

    /// <summary>
    /// update_va_mapping(va, val, flags): the L1 entry rewritten, then invlpg (UVMF_INVLPG) or a
    /// TLB flush (UVMF_TLB_FLUSH) on this CPU. Three arguments: rdx is kept on the stack while
    /// the walk uses it. A flush of other vCPUs' TLBs (UVMF_ALL, or UVMF_MULTI's vCPU mask in
    /// flags' upper bits) is declined with several vCPUs (the C# path asks their CPUs, as Xen's
    /// flush_tlb_mask); with one vCPU it is this CPU's. Without a flush type the upper bits are
    /// not read, as in Xen's do_update_va_mapping.
    /// </summary>
    static void UpdateVaMapping_(Block b, Label pv, Label decline)
    {
        var a = Routine(b, "fast_update_va_mapping");
        var back = a.CreateLabel();
        var invlpg = a.CreateLabel();
        var done = a.CreateLabel();
        var others = a.CreateLabel();
        var local = a.CreateLabel();
        a.test(rdx, ~(int)UvmFlags.UVMF_FLUSHTYPE_MASK);
        a.jnz(others);
        a.Label(ref local);
        a.push(rdx);                         // flags
        WalkToL1(a, pv, back);
        Count(a, pv, UpdateVaMapping);
        a.mov(__qword_ptr[rax], rsi);
        a.pop(rdx);
        a.mov(eax, edx);
        a.and(eax, (int)UvmFlags.UVMF_FLUSHTYPE_MASK);
        a.cmp(eax, (int)UvmFlags.UVMF_INVLPG);
        a.je(invlpg);
        a.cmp(eax, (int)UvmFlags.UVMF_TLB_FLUSH);
        a.jne(done);
        a.mov(rax, cr3);
        a.mov(cr3, rax);
        a.jmp(done);
        a.Label(ref invlpg);
        a.invlpg(__byte_ptr[rdi]);
        a.Label(ref done);
        a.xor(eax, eax);
        a.ret();
        a.Label(ref others);                 // UVMF_ALL / UVMF_MULTI
        a.test(dl, (int)UvmFlags.UVMF_FLUSHTYPE_MASK);
        a.jz(local);                         // no flush: the mask is not read
        a.cmp(__qword_ptr[F(a, "FastPaths")], (int)PvState.FastPathsSmp);
        a.jne(local);                        // one vCPU: this CPU's TLB is every vCPU's
        a.jmp(decline);
        // A fault in the walk or the store (a table entry naming a frame the direct map does
        // not reach) resumes here (fault_fixup_table), with the saved flags still pushed:
        // nothing was changed, the C# path answers.
        b.Global("fast_update_va_mapping_decline");
        a.nop();                             // Iced allows one label per instruction
        a.Label(ref back);
        a.pop(rdx);
        DeclineAs(a, UpdateVaMapping);       // the walk wrote rax
        FaultFixups.Add("fast_update_va_mapping", "fast_update_va_mapping_decline", "fast_update_va_mapping_decline", FaultFixupKind.Decline);
    }

    /// <summary>update_descriptor(ma, desc): the 8-byte descriptor stored at machine address ma (8-aligned, in RAM).</summary>
    static void UpdateDescriptor_(Block b, Label pv, Label decline)
    {
        var a = Routine(b, "fast_update_descriptor");
        var outside = a.CreateLabel();
        a.test(dil, 7);
        a.jnz(decline);                      // misaligned: the C# path answers -EINVAL
        a.mov(rax, rdi);
        a.shr(rax, PageFlags.PageShift);
        a.cmp(rax, __qword_ptr[F(a, "FrameCount")]);
        a.jae(outside);
        Count(a, pv, UpdateDescriptor);
        a.add(rdi, __qword_ptr[F(a, "DirectMap")]);
        a.mov(__qword_ptr[rdi], rsi);
        a.xor(eax, eax);
        a.ret();
        a.Label(ref outside);
        DeclineAs(a, UpdateDescriptor);
    }

    /// <summary>
    /// The end of a batch routine (mmu_update, mmuext_op) whose saved registers <paramref name="pop"/>
    /// restores, in form <paramref name="x"/>: at
    /// <paramref name="finish"/> every request was applied (the count goes to *done when done is
    /// not null, result 0); at <paramref name="no"/> the checking pass refused the batch (declined
    /// as hypercall <paramref name="nr"/>). A
    /// *done the shim cannot write (not mapped, read-only) is skipped and the result stays 0:
    /// do_mmu_update and do_mmuext_op ignore copy_to_guest(pdone)'s failure (Xen 4.17 mm.c).
    /// </summary>
    static void BatchEpilogue(Block b, string symbol, int nr, Label finish, Label no, Action<Assembler> pop, Exit x)
    {
        var a = b.Asm;
        a.Label(ref finish);
        a.test(rdx, rdx);
        var noDone = a.CreateLabel();
        a.jz(noDone);
        b.Global(symbol + "_done");
        a.mov(__dword_ptr[rdx], esi);
        b.Place(ref noDone);
        b.Global(symbol + "_done_end");
        FaultFixups.Add(symbol + "_done", symbol + "_done_end", symbol + "_done_end", FaultFixupKind.Ignore);
        pop(a);
        a.xor(eax, eax);
        x.Done(b);
        a.Label(ref no);
        pop(a);
        x.Decline(a, nr);
    }

    /// <summary>The registers a batch routine saves (rbx, r12, r8), pushed in this order.</summary>
    static void PushBatch(Assembler a)
    {
        a.push(rbx);
        a.push(r12);
        a.push(r8);
    }

    /// <summary>Pops what <see cref="PushBatch"/> pushed.</summary>
    public static void PopBatch(Assembler a)
    {
        a.pop(r8);
        a.pop(r12);
        a.pop(rbx);
    }

    /// <summary>
    /// The two passes of a batch routine (mmu_update, mmuext_op) named <paramref name="symbol"/>:
    /// a continuation (MMU_UPDATE_PREEMPTED in count) is declined; rbx, r12 and r8 are pushed;
    /// <paramref name="checkOne"/> checks request r8 (jumping to its <c>no</c> label refuses the
    /// whole batch, falling through or to its <c>checkNext</c> label goes on), then, every
    /// request accepted, <paramref name="applyOne"/> applies each (falling through or jumping to
    /// its <c>next</c> label goes on), and <see cref="BatchEpilogue"/> ends it.
    /// </summary>
    static void BatchRoutine(Block b, Label pv, Label decline, string symbol, int counter,
        Action<Assembler, Label, Label> checkOne, Action<Assembler, Label> applyOne, Action<Assembler, Label> first = null)
    {
        var a = Routine(b, symbol);
        var no = a.CreateLabel();
        var check = a.CreateLabel();
        var checkNext = a.CreateLabel();
        var apply = a.CreateLabel();
        var applyNext = a.CreateLabel();
        var next = a.CreateLabel();
        var finish = a.CreateLabel();
        a.test(esi, MmuCmd.MMU_UPDATE_PREEMPTED);  // a continuation: C# path
        a.jnz(decline);
        PushBatch(a);
        first?.Invoke(a, finish);            // a shorter path for some batches (mmu_update: FastPaths.MmuOne.asm.cs)
        a.xor(r8d, r8d);                     // i
        a.Label(ref check);
        a.cmp(r8d, esi);                     // count: Xen's unsigned int
        a.jae(apply);
        checkOne(a, no, checkNext);
        a.Label(ref checkNext);
        a.inc(r8);
        a.jmp(check);

        a.Label(ref apply);
        Count(a, pv, counter);
        a.xor(r8d, r8d);
        a.Label(ref applyNext);
        a.cmp(r8d, esi);
        a.jae(finish);
        applyOne(a, next);
        a.Label(ref next);
        a.inc(r8);
        a.jmp(applyNext);

        BatchEpilogue(b, symbol, counter, finish, no, PopBatch, Exit.Call);
    }

    /// <summary>
    /// mmu_update(reqs, count, done, domid) for MMU_NORMAL_PT_UPDATE, MMU_PT_UPDATE_PRESERVE_AD
    /// and MMU_MACHPHYS_UPDATE: a first pass checks every request (command, frame in range), a
    /// second applies them all; anything else is declined whole.
    /// </summary>
    static void MmuUpdate_(Block b, Label pv, Label decline) =>
        BatchRoutine(b, pv, decline, "fast_mmu_update", MmuUpdate, (a, no, checkNext) =>
        {
            var machphys = a.CreateLabel();
            a.mov(rax, r8);
            a.shl(rax, (byte)AsmOffsets.MmuUpdateShift);
            a.mov(rbx, __qword_ptr[rdi + rax + AsmOffsets.MmuUpdatePtr]);   // ptr
            a.mov(r12, rbx);
            a.shr(r12, PageFlags.PageShift);     // frame
            a.mov(eax, ebx);
            a.and(eax, (int)MmuCmd.CmdMask);
            a.cmp(eax, MmuCmd.MMU_PT_UPDATE_NO_TRANSLATE);
            a.je(no);
            a.cmp(eax, MmuCmd.MMU_MACHPHYS_UPDATE);
            a.je(machphys);
            a.cmp(r12, __qword_ptr[F(a, "FrameCount")]);
            a.jae(no);
            a.jmp(checkNext);
            a.Label(ref machphys);
            a.cmp(r12, __qword_ptr[F(a, "M2pEntries")]);
            a.jae(no);
        }, (a, store) =>
        {
            var applyM2p = a.CreateLabel();
            var plain = a.CreateLabel();
            a.mov(rax, r8);
            a.shl(rax, (byte)AsmOffsets.MmuUpdateShift);
            a.mov(rbx, __qword_ptr[rdi + rax + AsmOffsets.MmuUpdatePtr]);   // ptr
            a.mov(r12, __qword_ptr[rdi + rax + AsmOffsets.MmuUpdateVal]);   // val
            a.mov(eax, ebx);
            a.and(eax, (int)MmuCmd.CmdMask);
            a.cmp(eax, MmuCmd.MMU_MACHPHYS_UPDATE);
            a.je(applyM2p);
            a.and(rbx, -8);
            a.add(rbx, __qword_ptr[F(a, "DirectMap")]);
            a.cmp(eax, MmuCmd.MMU_PT_UPDATE_PRESERVE_AD);
            a.jne(plain);
            // MMU_PT_UPDATE_PRESERVE_AD: the old A/D bits kept, with lock cmpxchg as Xen's
            // update_intpte: another CPU's page walk may set them between the read and the write.
            var retry = a.CreateLabel();
            var mark = a.CreateLabel();
            a.mov(rax, __qword_ptr[rbx]);
            a.Label(ref retry);
            a.mov(r10, rax);
            a.and(r10d, (int)(PageFlags.Accessed | PageFlags.Dirty));
            a.or(r10, r12);
            a.@lock.cmpxchg(__qword_ptr[rbx], r10);
            a.jne(retry);
            a.jmp(mark);
            a.Label(ref plain);
            a.mov(__qword_ptr[rbx], r12);
            a.Label(ref mark);
            a.mov(rax, rbx);                     // the frame written into is a page table: mark it
            a.sub(rax, __qword_ptr[F(a, "DirectMap")]);
            a.shr(rax, PageFlags.PageShift);
            a.mov(r10, __qword_ptr[F(a, "PtBitmap")]);
            a.@lock.bts(__qword_ptr[r10], rax);  // atomic: other CPUs' fast paths and C# (PageTableFrames.Mark) set bits too
            a.jmp(store);
            a.Label(ref applyM2p);
            a.shr(rbx, PageFlags.PageShift);
            a.mov(rax, __qword_ptr[F(a, "M2p")]);
            a.mov(__qword_ptr[rax + rbx * 8], r12);
        }, (a, finish) => MmuUpdateOne(a, pv, finish));

    /// <summary>
    /// mmuext_op(ops, count, done, domid), in one pass, each op applied as it is read: PIN_L1/L2/L3
    /// (the frame marked a page table) and UNPIN (nothing to do in fast mode) of a frame in
    /// range, NEW_BASEPTR and NEW_USER_BASEPTR (0: none) of an L4 the shim already prepared (its
    /// image slot is the shim's), TLB_FLUSH_* and INVLPG_* (with one vCPU all on this CPU; with
    /// several only the _LOCAL ones), PIN_L4 (FastPaths.Pin.asm.cs; a pin done again by C# only
    /// renews its record). At the first op it cannot do it declines the whole call: the C# path runs the batch from its
    /// start, doing again the ops before that one. Each of those is an assignment (CR3, the
    /// recorded user L4, a page-table mark) or a flush, so doing it twice leaves the state once
    /// would (Xen's do_mmuext_op applies ops in order too, and stops at the first failure with
    /// *done = its index), at the price of a second CR3 load. NEW_BASEPTR of the L4 already loaded
    /// still loads CR3: Xen's new_guest_cr3 calls write_ptbase for the same frame (a TLB flush
    /// the guest may rely on). A continuation (MMU_UPDATE_PREEMPTED) is the C# path's.
    /// Registers: the index in r11, the op's cmd in eax (then scratch), its arg1 in r12; r12 saved,
    /// and r11 in the Call form (the Lstar form's exit reloads it). A fault reading an op declines
    /// (SYMBOL_fault): C# ends the batch there with -EFAULT and *done = i, as Xen's copy_from_guest.
    /// </summary>
    static void MmuextOp_(Block b, Label pv, Label decline, Exit x)
    {
        string symbol = x.Symbol("mmuext_op");
        var a = Routine(b, symbol);
        Label loop = a.CreateLabel(), counted = a.CreateLabel(), next = a.CreateLabel(), finish = a.CreateLabel(), no = a.CreateLabel();
        Label baseptr = a.CreateLabel(), user = a.CreateLabel(), userNone = a.CreateLabel(), remote = a.CreateLabel(),
            local = a.CreateLabel(), unpin = a.CreateLabel(), invlpg = a.CreateLabel();
        Action<Assembler> push = x.IsLstar ? (Action<Assembler>)(q => q.push(r12)) : q => { q.push(r11); q.push(r12); };
        Action<Assembler> pop = x.IsLstar ? (Action<Assembler>)(q => q.pop(r12)) : q => { q.pop(r12); q.pop(r11); };
        var special = a.CreateLabel();
        if (MmuCmd.MMU_UPDATE_PREEMPTED != 1u << 31) throw new InvalidOperationException("MMU_UPDATE_PREEMPTED is not count's sign bit");
        a.test(esi, esi);
        a.jle(special);                      // no op, or a continuation (MMU_UPDATE_PREEMPTED: the sign bit)
        push(a);
        a.xor(r11d, r11d);                   // i
        a.Label(ref loop);
        a.imul(rax, r11, AsmOffsets.MmuextOpSize);
        a.mov(r12, __qword_ptr[rdi + rax + AsmOffsets.MmuextOpArg1]);   // mfn / linear_addr
        a.mov(eax, __dword_ptr[rdi + rax + AsmOffsets.MmuextOpCmd]);    // cmd
        a.cmp(eax, MmuextCmd.MMUEXT_NEW_BASEPTR);
        a.je(baseptr);
        a.cmp(eax, MmuextCmd.MMUEXT_NEW_USER_BASEPTR);
        a.je(user);
        a.cmp(eax, MmuextCmd.MMUEXT_INVLPG_LOCAL);
        a.ja(remote);
        a.cmp(eax, MmuextCmd.MMUEXT_UNPIN_TABLE);
        a.je(unpin);
        a.ja(local);                                 // 6, 7
        a.cmp(eax, MmuextCmd.MMUEXT_PIN_L4_TABLE);
        var notPinL4 = a.CreateLabel();
        a.jne(notPinL4);
        PinL4Check(a, no);                           // PIN_L4: natively (FastPaths.Pin.asm.cs), else C#
        PinL4Apply(a, next);
        a.Label(ref notPinL4);
        a.cmp(r12, __qword_ptr[F(a, "FrameCount")]); // PIN_L1..L3: the frame is a page table
        a.jae(no);
        a.mov(rax, __qword_ptr[F(a, "PtBitmap")]);   // not r10: a later op's decline hands domid to C#
        a.@lock.bts(__qword_ptr[rax], r12);
        a.jmp(next);
        a.Label(ref unpin);
        a.cmp(r12, __qword_ptr[F(a, "FrameCount")]);
        a.jae(no);
        a.jmp(next);
        a.Label(ref remote);                         // 8-11: other vCPUs' TLBs too
        a.cmp(eax, MmuextCmd.MMUEXT_INVLPG_ALL);
        a.ja(no);
        a.cmp(__qword_ptr[F(a, "FastPaths")], (int)PvState.FastPathsSmp);
        a.je(no);                                    // several vCPUs: C# asks their CPUs (Smp/Tlb.cs)
        a.Label(ref local);
        a.test(al, 1);
        a.jnz(invlpg);                               // 7, 9, 11
        a.mov(rax, cr3);                             // 6, 8, 10
        a.mov(cr3, rax);
        a.jmp(next);
        a.Label(ref invlpg);
        a.invlpg(__byte_ptr[r12]);
        a.jmp(next);
        a.Label(ref baseptr);
        PreparedL4(a, no);
        a.mov(__qword_ptr[F(a, "KernelL4Ma")], r12);
        a.mov(cr3, r12);
        a.jmp(next);
        a.Label(ref user);
        a.test(r12, r12);
        a.jz(userNone);                              // user base 0: none
        PreparedL4(a, no);
        a.Label(ref userNone);
        a.mov(__qword_ptr[F(a, "UserL4Ma")], r12);
        a.Label(ref next);
        a.inc(r11d);
        a.cmp(r11d, esi);                            // count: Xen's unsigned int
        a.jb(loop);
        a.Label(ref counted);
        Count(a, pv, MmuextOp);
        BatchEpilogue(b, symbol, MmuextOp, finish, no, pop, x);
        a.Label(ref special);
        a.js(x.IsLstar ? LstarDeclined : decline);   // a continuation: C# path
        push(a);
        a.jmp(counted);
        b.Global(symbol + "_fault");
        pop(a);
        x.Decline(a, MmuextOp);
        FaultFixups.Add(symbol, symbol + "_fault", symbol + "_fault", FaultFixupKind.Decline);
    }

    /// <summary>The guest L4 slot of the shim's image (0xffff82d080000000, shim/Boot/BootCode.asm.cs): filled in every L4 the shim prepared.</summary>
    const int ImageSlot = 261;

    /// <summary>
    /// For NEW_BASEPTR / NEW_USER_BASEPTR: frame r12 in range and its image slot the shim's
    /// (the shim filled it when the guest pinned or loaded it), else to <paramref name="no"/>;
    /// r12 becomes the frame's machine address. Uses rax.
    /// </summary>
    static void PreparedL4(Assembler a, Label no)
    {
        a.cmp(r12, __qword_ptr[F(a, "FrameCount")]);
        a.jae(no);
        a.shl(r12, PageFlags.PageShift);
        a.mov(rax, __qword_ptr[F(a, "DirectMap")]);
        a.mov(rax, __qword_ptr[rax + r12 + ImageSlot * 8]);
        a.cmp(rax, __qword_ptr[F(a, "ShimSlot261")]);
        a.jne(no);
    }
}
