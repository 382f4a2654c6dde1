namespace Microxen.Native;

/// <summary>
/// Fast mode's native hypercall paths, shared by the LSTAR entry (current Linux) and the
/// transfer page (shim/Inline): the high-frequency hypercalls done with native instructions,
/// no C#. Each routine <c>fast_NAME</c> is entered by a call: arguments in rdi, rsi, rdx, r10,
/// r8; it keeps every register but rax and the argument registers the hypercall takes (its
/// Args in shim/Hypercalls/HypercallTable.cs: Xen's register ABI), flags aside (its callers
/// restore the guest's: the LSTAR dispatcher from r11, the transfer page with pushfq/popfq);
/// it returns CF=0 with the
/// result in rax, or CF=1 having changed nothing but rax, which holds its hypercall number again
/// ("declined": the caller takes the C# path, which gives Xen's full semantics and error codes;
/// the LSTAR dispatcher keeps no copy of the number, <see cref="DeclineAs"/>). The <c>pv_state</c> block
/// (shim/Arch/PvState.cs) is in the same section, so routines reach it RIP-relatively.
/// </summary>
static partial class FastPaths
{
    /// <summary>Hypercall numbers the routines use (public/xen.h, shim/Xen/Hypercall.cs).</summary>
    public const int MmuUpdate = Xen.Hypercall.MmuUpdate, StackSwitch = Xen.Hypercall.StackSwitch,
        FpuTaskswitch = Xen.Hypercall.FpuTaskswitch, UpdateDescriptor = Xen.Hypercall.UpdateDescriptor,
        Multicall = Xen.Hypercall.Multicall, UpdateVaMapping = Xen.Hypercall.UpdateVaMapping,
        XenVersion = Xen.Hypercall.XenVersion, Iret = Xen.Hypercall.Iret, SetSegmentBase = Xen.Hypercall.SetSegmentBase,
        MmuextOp = Xen.Hypercall.MmuextOp;

    static int Off(string field) => (int)Marshal.OffsetOf<PvState>(field);

    // Iced takes no label+displacement operand: each pv_state field used gets its own label,
    // placed on that field's dword when the block is emitted.
    static readonly Dictionary<int, Label> Fields = new();

    static Label F(Assembler a, string field) => F(a, Off(field));

    /// <summary>The label of a PvState field, for the other stubs of the same block.</summary>
    public static Label Field(Assembler a, string field) => F(a, Off(field));

    static Label PvLabel;

    static Label F(Assembler a, int offset)
    {
        if (offset == 0) return PvLabel;
        if (offset % 4 != 0) throw new InvalidOperationException($"pv_state offset {offset} is not dword aligned");
        if (!Fields.TryGetValue(offset, out var l)) Fields[offset] = l = a.CreateLabel();
        return l;
    }
    static int TssOff(string field) => Off("Tss") + (int)Marshal.OffsetOf<Tss>(field);
    static int CountOff(int nr) => Off("FastCount") + nr * 8;

    const ulong PaddrMask = Xen.PageFlags.PADDR_MASK;
    const uint XenVersionValue = Xen.XenRelease.Version;

    /// <summary>
    /// Emits pv_state, the routines, fast_path_table and the LSTAR dispatcher. The dispatcher
    /// is entered from syscall_entry (guest kernel mode) with the syscall state untouched; it jumps
    /// to <paramref name="slow"/> (the C# path) with that state intact when no routine takes the call.
    /// </summary>
    public static Label Emit(Block b, Label slow)
    {
        var a = b.Asm;
        var pv = a.CreateLabel("pv_state");
        PvLabel = pv;
        PaddrMaskLabel = a.CreateLabel("fast_paddr_mask");
        SegmentBaseMsrs = a.CreateLabel("fast_segment_base_msrs");
        UserTopLabel = a.CreateLabel("fast_user_top");
        var decline = a.CreateLabel();
        var table = a.CreateLabel();
        var dispatch = a.CreateLabel();

        // ---- LSTAR dispatcher --------------------------------------------------------------
        b.Place(ref dispatch);
        b.Global("fast_paths_begin");
        a.cli();                             // IF off in the hypercall paths (IA32_FMASK keeps it; an interrupt before this: Traps/SyscallWindow.cs)
        var notIret = a.CreateLabel();
        a.cmp(rax, Iret);                    // all 64 bits, as Xen's pv_hypercall (rax 0x1_0000_0017 is not iret)
        a.jne(notIret);
        LstarIret(b, pv, slow);
        a.Label(ref notIret);
        var past = a.CreateLabel();
        a.cmp(rax, Microxen.Hypercalls.HypercallTable.Size - 1);
        a.ja(past);
        a.push(r11);                         // the guest's RFLAGS, popfq'd on the way back (Exit.Lstar); r11 the table's base meanwhile
        a.lea(r11, __[table]);
        a.jmp(__qword_ptr[r11 + rax * 8 + Microxen.Hypercalls.HypercallTable.Size * 8]);   // its LSTAR row (FastPaths.Lstar.asm.cs)
        // A number past the table: N - DeclinedBias from the transfer page's CallRoutine (its
        // routine declined already: C# with N, not offered twice) or from fast_page_iret,
        // else the guest's own (C#: -ENOSYS).
        var notDeclined = a.CreateLabel();
        a.Label(ref past);
        a.lea(rax, __[rax + PvState.DeclinedBias]);
        a.cmp(rax, Microxen.Hypercalls.HypercallTable.Size);
        a.jae(notDeclined);
        a.push(rcx);
        a.sub(rcx, __qword_ptr[F(a, "TransferPageVa")]);
        a.cmp(rcx, 4096);
        a.pop(rcx);
        a.jb(slow);
        PageIretDeclined = a.CreateLabel();   // fast_page_iret's decline (iret with an event pending): C# too
        a.push(rax);
        a.lea(rax, __[PageIretDeclined]);
        a.cmp(rcx, rax);
        a.pop(rax);
        a.je(slow);
        a.Label(ref notDeclined);
        a.lea(rax, __[rax - PvState.DeclinedBias]);
        a.jmp(slow);

        // ---- the routines -----------------------------------------------------------------
        UserSyscall(b, pv);
        LstarRows(b, slow);

        b.Place(ref decline);
        b.Global("fast_decline");            // every routine's "declined", and fast_path_table's empty rows
        a.stc();
        a.ret();

        FpuTaskswitch_(b, pv);
        StackSwitch_(b, pv, Exit.Call);
        StackSwitch_(b, pv, Exit.Lstar);
        SetSegmentBase_(b, pv, decline);
        LstarSetSegmentBase(b, pv);
        XenVersion_(b, pv, decline);
        UpdateVaMapping_(b, pv, decline);
        UpdateDescriptor_(b, pv, decline);
        Multicall_(b, pv, table);
        MmuUpdate_(b, pv, decline);          // rbx, r12, r8 pushed while it touches guest memory
        // A fault on a request declines: the C# path redoes the batch from its start (the
        // requests before it are assignments: the same end state) and ends it with -EFAULT and
        // *done = i, as Xen's __copy_from_guest failure in do_mmu_update. mmuext_op: its own (Mmu.asm.cs).
        b.Global("fast_batch_fault");
        PopBatch(a);
        DeclineAs(a, MmuUpdate);
        FaultFixups.Add("fast_mmu_update", "fast_batch_fault", "fast_batch_fault", FaultFixupKind.Decline);
        MmuextOp_(b, pv, decline, Exit.Call);
        MmuextOp_(b, pv, decline, Exit.Lstar);
        PinL4_(b);
        PageIret(b, pv);
        SmpPageCall(b);
        SmpPageIret(b);

        // ---- fast_path_table: ulong[128], the routine fast_NAME per hypercall number, or
        // fast_decline (stc; ret) for a number without one: the hypercall table's rows with a
        // routine (shim/Hypercalls/HypercallTable.cs); then the LSTAR rows (FastPaths.Lstar.asm.cs)
        b.Place(ref table);
        b.Global("fast_paths_end");
        b.Global("fast_path_table");
        TableRowsEmit(b);

        // Any other fault in the routines above: no state to unwind, the guest is stopped, named.
        FaultFixups.Add("fast_paths_begin", "fast_paths_end", null, FaultFixupKind.CrashGuest);

        // ---- pv_state: PvState.Size zero bytes, on pages of its own (EntryStubs.PageGap) ----
        EntryStubs.PageGap(a);
        b.Align(PvState.Alignment);
        b.Place(ref pv);
        b.Global("pv_state");
        for (int off = 0; off < PvState.Size; off += 4)
        {
            if (off > 0 && Fields.TryGetValue(off, out var field)) a.Label(ref field);
            a.dd(0u);
        }
        if (Fields.ContainsKey(0)) throw new InvalidOperationException("pv_state field at offset 0: use the pv label");
        a.Label(ref PaddrMaskLabel);         // a constant, on the data page after pv_state (no data among the code)
        a.dq(PaddrMask);
        EmitSegmentBaseMsrs(a);
        a.Label(ref UserTopLabel);           // FastPaths.Sysret.asm.cs
        a.dq(Arch.SysretExit.UserTop);
        PinRecords_(b);                      // fast_pin_records' data, on the same data page
        return dispatch;
    }

    /// <summary>A qword holding PADDR_MASK after pv_state (WalkToL1 ands with it: no register spent on the constant).</summary>
    static Label PaddrMaskLabel;

    /// <summary>fast_user_syscall's label, for syscall_entry's jump in user mode (created there, placed by <see cref="UserSyscall"/>).</summary>
    public static Label UserEntry;

    /// <summary>Where <see cref="UserSyscall"/> declines to: the C# user-syscall path (set by EntryStubs).</summary>
    public static Label UserSlow;

    /// <summary>Starts a routine: the global symbol <paramref name="symbol"/> here in <paramref name="b"/>; its assembler.</summary>
    static Assembler Routine(Block b, string symbol)
    {
        b.Global(symbol);
        return b.Asm;
    }

    static void Count(Assembler a, Label pv, int nr) => a.inc(__qword_ptr[F(a, CountOff(nr))]);

    /// <summary>
    /// A routine's decline once it has written rax: <c>mov eax, nr; stc; ret</c>, its hypercall
    /// number <paramref name="nr"/> back in rax, as the LSTAR dispatcher hands it to C#. A decline
    /// before rax is written may jump to fast_decline (stc; ret).
    /// </summary>
    static void DeclineAs(Assembler a, int nr)
    {
        a.mov(eax, nr);
        a.stc();
        a.ret();
    }

}
