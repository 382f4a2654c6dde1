namespace Microxen.Native;

/// <summary>multicall done natively, entry by entry. Part of <see cref="FastPaths"/>: the same calling convention and pv_state.</summary>
static partial class FastPaths
{
    /// <summary>
    /// multicall(entries, count): each multicall_entry (op, result, args[6]; 64 bytes) whose op has
    /// a native routine runs it with args[0..4] in rdi, rsi, rdx, r10, r8 and stores its result.
    /// At the first entry that has none (iret, a nested multicall, anything else) or whose
    /// routine declines, the rest is handed over: rdi and rsi point at the remaining entries and
    /// count, and the routine declines, so the C# multicall runs exactly those. An entry array
    /// it cannot read or write: -EFAULT (fast_multicall_efault).
    /// </summary>
    static void Multicall_(Block b, Label pv, Label table)
    {
        var a = Routine(b, "fast_multicall");
        var loop = a.CreateLabel();
        var done = a.CreateLabel();
        var tail = a.CreateLabel();
        PushMulticall(a);
        a.mov(rbx, rdi);                     // current entry
        a.mov(r12d, esi);                    // entries left (nr_calls is 32-bit)
        a.Label(ref loop);
        a.test(r12, r12);
        a.jz(done);
        a.mov(rax, __qword_ptr[rbx + AsmOffsets.MulticallOp]);   // op
        a.cmp(rax, Microxen.Hypercalls.HypercallTable.Size - 1);
        a.ja(tail);
        a.cmp(eax, Iret);
        a.je(tail);
        a.cmp(eax, Multicall);
        a.je(tail);
        a.lea(r13, __[table]);
        a.mov(r13, __qword_ptr[r13 + rax * 8]);   // no routine: fast_decline, which declines
        a.mov(rdi, __qword_ptr[rbx + AsmOffsets.MulticallArg(0)]);
        a.mov(rsi, __qword_ptr[rbx + AsmOffsets.MulticallArg(1)]);
        a.mov(rdx, __qword_ptr[rbx + AsmOffsets.MulticallArg(2)]);
        a.mov(r10, __qword_ptr[rbx + AsmOffsets.MulticallArg(3)]);
        a.mov(r8, __qword_ptr[rbx + AsmOffsets.MulticallArg(4)]);
        a.call(r13);
        a.jc(tail);
        a.mov(__qword_ptr[rbx + AsmOffsets.MulticallResult], rax);   // result
        a.add(rbx, AsmOffsets.MulticallEntrySize);
        a.dec(r12);
        a.jmp(loop);
        a.Label(ref done);
        Count(a, pv, Multicall);
        PopMulticall(a);
        a.xor(eax, eax);
        a.ret();
        a.Label(ref tail);                   // the C# multicall takes the remainder
        a.mov(rdi, rbx);
        a.mov(rsi, r12);
        PopMulticall(a);
        a.mov(eax, Multicall);               // declined: the number back in rax (DeclineAs)
        a.stc();
        a.ret();
        // A fault in this routine's own code (reading an entry, storing its result; the routines
        // it calls have their own entries) resumes here (fault_fixup_table): the whole multicall
        // returns -EFAULT, as Xen's do_multicall when it cannot copy an entry.
        b.Global("fast_multicall_efault");
        PopMulticall(a);
        a.mov(rax, (long)-Xen.XenErrno.EFAULT);
        a.clc();
        a.ret();
        b.Global("fast_multicall_end");
        FaultFixups.Add("fast_multicall", "fast_multicall_end", "fast_multicall_efault", FaultFixupKind.Efault, Multicall);
    }

    /// <summary>
    /// What multicall saves: its own rbx, r12, r13, and rdx, r10, r8, which each entry's routine
    /// gets its arguments in: multicall takes two arguments (rdi, rsi), so the others survive it.
    /// </summary>
    static readonly AssemblerRegister64[] MulticallSaved = { rbx, r12, r13, rdx, r10, r8 };

    static void PushMulticall(Assembler a)
    {
        foreach (var r in MulticallSaved) a.push(r);
    }

    static void PopMulticall(Assembler a)
    {
        foreach (var r in MulticallSaved.Reverse()) a.pop(r);
    }
}
