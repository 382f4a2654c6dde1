using Microxen.Xen;

namespace Microxen.Native;

/// <summary>
/// MMUEXT_PIN_L4_TABLE done natively inside fast_mmuext_op (Linux pins two L4s, the kernel's and
/// the user's, on every fork): the shim's L4 entries 256-271 copied into the new L4 (Boot/Host.cs
/// FillShimSlots), the L4 marked a page table, and the pin recorded for the deferred walk of its
/// user half (Memory/DeferredTreeMarks.cs) in <c>fast_pin_records</c>: a qword count, then
/// <see cref="PinRecordCapacity"/> pairs (L4 frame, sum of its entries 256-271: DeferredTreeMarks'
/// tag). C# takes the records over (DeferredTreeMarks.TakeNative) before it adds a pin of its own
/// or walks the recorded trees, so every answer of PageTableFrames.IsMarked is the one the C# pin
/// gave. The op declines the batch (C# pins, as before) with several vCPUs (the
/// list belongs to the shim's lock), a frame past the machine's, or too few free records.
/// </summary>
static partial class FastPaths
{
    /// <summary>Records fast_pin_records holds; a batch that could need more goes to C#.</summary>
    public const int PinRecordCapacity = 32;

    /// <summary>Bytes of one record (frame, tag).</summary>
    public const int PinRecordSize = 16;

    static Label s_pinL4, s_pinCount;

    static Label PinL4Label(Assembler a)
    {
        if (s_pinL4.IsEmpty) s_pinL4 = a.CreateLabel("fast_pin_l4");
        return s_pinL4;
    }

    static Label PinCountLabel(Assembler a)
    {
        if (s_pinCount.IsEmpty) s_pinCount = a.CreateLabel("fast_pin_count");
        return s_pinCount;
    }

    /// <summary>
    /// fast_mmuext_op's check of a PIN_L4 in r12: falls through when it
    /// can be done natively, jumps to <paramref name="no"/> (the batch goes to C#) otherwise.
    /// </summary>
    static void PinL4Check(Assembler a, Label no)
    {
        a.cmp(__qword_ptr[F(a, "FastPaths")], (int)PvState.FastPathsSmp);
        a.je(no);                                    // several vCPUs: DeferredTreeMarks is under the shim's lock
        a.cmp(r12, __qword_ptr[F(a, "FrameCount")]);
        a.jae(no);                                   // C# answers -EINVAL
        a.cmp(__qword_ptr[PinCountLabel(a)], PinRecordCapacity);   // the batch's earlier pins are counted already
        a.jae(no);
    }

    /// <summary>
    /// fast_mmuext_op's PIN_L4 (frame in r12, checked): calls fast_pin_l4, keeping r10 (the
    /// domid a later op's decline hands to C#) and rbx (not saved by fast_mmuext_op).
    /// </summary>
    static void PinL4Apply(Assembler a, Label next)
    {
        a.push(r10);
        a.push(rbx);
        a.call(PinL4Label(a));
        a.pop(rbx);
        a.pop(r10);
        a.jmp(next);
    }

    /// <summary>
    /// fast_pin_l4: the pin of L4 frame r12 (checked by <see cref="PinL4Check"/>). Keeps rdi,
    /// rsi, rdx, r8 and r11 (fast_mmuext_op's batch state); uses rax, rbx, r10, r12 (its callers
    /// restore them) and rcx (saved). Also fast_pin_records(): the records' address.
    /// </summary>
    static void PinL4_(Block b)
    {
        var a = b.Asm;
        var pin = PinL4Label(a);
        var count = PinCountLabel(a);
        b.Place(ref pin);
        b.Global("fast_pin_l4");
        a.push(rcx);
        a.mov(rax, r12);
        a.shl(rax, PageFlags.PageShift);
        a.add(rax, __qword_ptr[F(a, "DirectMap")]);  // the L4
        a.mov(r10, __qword_ptr[F(a, "ShimL4Slots")]);
        a.xor(ebx, ebx);                             // the tag: the sum of the entries copied
        for (int i = 0; i <= Layout.LastReservedL4Slot - Layout.FirstReservedL4Slot; i++)
        {
            a.mov(rcx, __qword_ptr[r10 + i * 8]);
            a.mov(__qword_ptr[rax + (Layout.FirstReservedL4Slot + i) * 8], rcx);
            a.add(rbx, rcx);
        }
        a.mov(r10, __qword_ptr[F(a, "PtBitmap")]);
        a.@lock.bts(__qword_ptr[r10], r12);          // the L4 is a page table (atomic, as PageTableFrames.Mark)
        a.mov(rax, __qword_ptr[count]);
        a.shl(rax, 4);                               // PinRecordSize
        a.lea(r10, __[count]);                       // the records follow the count
        a.mov(__qword_ptr[r10 + rax + 8], r12);
        a.mov(__qword_ptr[r10 + rax + 16], rbx);
        a.inc(__qword_ptr[count]);
        a.pop(rcx);
        a.ret();
        b.Global("fast_pin_records");
        a.lea(rax, __[count]);
        a.ret();
    }

    /// <summary>fast_pin_records' data: the count and the records, on the data page after pv_state.</summary>
    static void PinRecords_(Block b)
    {
        var a = b.Asm;
        var count = PinCountLabel(a);
        a.Label(ref count);
        a.dq(0UL);
        for (int i = 0; i < PinRecordCapacity * PinRecordSize / 8; i++) a.dq(0UL);
    }
}
