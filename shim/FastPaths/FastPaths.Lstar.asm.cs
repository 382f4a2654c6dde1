namespace Microxen.Native;

/// <summary>
/// The LSTAR dispatcher's rows: fast_path_table's second half (rows Size + N), which the
/// dispatcher jumps to with the guest's RFLAGS pushed and r11 the table's base. A row is
/// <c>lstar_NAME</c>, the routine's body emitted a second time to end as a hypercall does
/// (<see cref="Exit"/>: no call, no ret, no CF test), for the hypercalls Linux makes on every
/// context switch (<see cref="LstarBodies"/>); <c>lstar_call</c>, which calls fast_NAME
/// (the first half's row) and tests its CF, for the other routines; <c>lstar_declined</c>
/// (C#) for a number without one. Part of <see cref="FastPaths"/>.
/// </summary>
static partial class FastPaths
{
    /// <summary>Hypercalls whose body is emitted as lstar_NAME too (stack_switch, set_segment_base and mmuext_op: Linux's __switch_to).</summary>
    static readonly int[] LstarBodies = { StackSwitch, SetSegmentBase, MmuextOp };

    /// <summary>Rows fast_path_table holds: fast_NAME by number, then the LSTAR rows (shim/Smp/EntryCopy.cs relocates them all).</summary>
    const int TableRows = Microxen.Hypercalls.HypercallTable.FastPathRows;

    static Label LstarDeclined, LstarCall;

    /// <summary>
    /// How a routine's body ends, as fast_NAME (<see cref="Call"/>: called, CF its answer) or
    /// lstar_NAME (<see cref="Lstar"/>: jumped to by the LSTAR dispatcher, the guest's RFLAGS at
    /// [rsp] once the body's own pushes are popped).
    /// </summary>
    sealed class Exit
    {
        public bool IsLstar;
        public static readonly Exit Call = new() { IsLstar = false }, Lstar = new() { IsLstar = true };

        /// <summary>The symbol of hypercall <paramref name="name"/>'s body in this form.</summary>
        public string Symbol(string name) => (IsLstar ? "lstar_" : "fast_") + name;

        /// <summary>
        /// The result in rax, CF clear (the caller of the Call form tests it): ret, or back to the
        /// guest as Xen's hypercall return (RFLAGS of the syscall, R11 = that RFLAGS, RCX = RIP).
        /// </summary>
        public void Done(Block b)
        {
            var a = b.Asm;
            if (!IsLstar) { a.ret(); return; }
            a.mov(r11, __qword_ptr[rsp]);
            a.popfq();
            GuestResumeJmpRcx(b);
        }

        /// <summary>Declined once rax was written: rax = <paramref name="nr"/> again, to C# (<see cref="DeclineAs"/>, or lstar_declined).</summary>
        public void Decline(Assembler a, int nr)
        {
            if (!IsLstar) { DeclineAs(a, nr); return; }
            a.mov(eax, nr);
            a.jmp(LstarDeclined);
        }
    }

    static int s_resumePoints;

    /// <summary>
    /// The <c>jmp rcx</c> that ends a return to the guest once popfq has restored its RFLAGS
    /// (IF on): declared <see cref="FaultFixupKind.GuestResume"/>, so that an interrupt taken
    /// there is the guest's, at RCX (Traps/SyscallWindow.cs).
    /// </summary>
    public static void GuestResumeJmpRcx(Block b) =>
        FaultFixups.Around(b, $"guest_resume_{s_resumePoints++}", FaultFixupKind.GuestResume, 0, () => b.Asm.jmp(rcx));

    /// <summary>lstar_declined (C# with the syscall state as it came: r11 popped, rax the number) and lstar_call.</summary>
    static void LstarRows(Block b, Label slow)
    {
        var a = b.Asm;
        LstarDeclined = a.CreateLabel();
        LstarCall = a.CreateLabel();
        b.Place(ref LstarDeclined);
        b.Global("lstar_declined");
        a.pop(r11);
        a.jmp(slow);
        b.Place(ref LstarCall);
        b.Global("lstar_call");
        a.call(__qword_ptr[r11 + rax * 8]);  // fast_NAME: it keeps r11 (Xen's register ABI)
        a.jc(LstarDeclined);                 // it left rax = the number (DeclineAs)
        Exit.Lstar.Done(b);
    }

    /// <summary>fast_path_table's rows: fast_NAME or fast_decline by number, then lstar_NAME, lstar_call or lstar_declined.</summary>
    static void TableRowsEmit(Block b)
    {
        var a = b.Asm;
        for (int row = 0; row < TableRows; row++)
        {
            int nr = row % Microxen.Hypercalls.HypercallTable.Size;
            var r = Microxen.Hypercalls.HypercallTable.Row(nr);
            string symbol = row < Microxen.Hypercalls.HypercallTable.Size
                ? (r.HasRoutine ? "fast_" + r.Name : "fast_decline")
                : Array.IndexOf(LstarBodies, nr) >= 0 ? "lstar_" + r.Name : r.HasRoutine ? "lstar_call" : "lstar_declined";
            b.WithSymbol(symbol, 8, () => a.dq(0UL));
        }
    }
}
