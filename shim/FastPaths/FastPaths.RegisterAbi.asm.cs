namespace Microxen.Native;

/// <summary>
/// A build-time check of Xen's register ABI on the native routines (public/arch-x86/xen-x86_64.h:
/// "Clobbered: argument registers (e.g., 2-arg hypercall clobbers %rdi,%rsi)"): each routine
/// fast_NAME of the hypercall table may write RAX and the first Args argument registers of its
/// row (shim/Hypercalls/HypercallTable.cs: RDI, RSI, RDX, R10, R8), and any other register only
/// if it saves it (pushes it) first. Part of <see cref="FastPaths"/>.
/// </summary>
static partial class FastPaths
{
    static readonly Register[] ArgRegisters = { Register.RDI, Register.RSI, Register.RDX, Register.R10, Register.R8 };

    /// <summary>
    /// Follows each routine's code from its symbol through every branch to its rets, collecting
    /// the general registers it writes and the ones it pushes; stops the build naming the
    /// routine and register when it writes one it may not. An indirect call (multicall's
    /// entries) counts as writing RAX and all five argument registers, a routine's worst case.
    /// The LSTAR rows lstar_NAME (FastPaths.Lstar.asm.cs) too, whose exit is the indirect jump
    /// back to the guest (<c>jmp rcx</c>) or a jump to lstar_declined / lstar_call, and which may
    /// also write R11 (Exit.Lstar reloads it from the RFLAGS the dispatcher pushed).
    /// </summary>
    public static void CheckRegisterAbi(Block b)
    {
        var (code, symbols) = b.Disassemble();
        var info = new InstructionInfoFactory();
        var exits = new HashSet<ulong> { symbols["lstar_declined"], symbols["lstar_call"] };
        for (int i = 0; i < Hypercalls.HypercallTable.FastPathRows; i++)
        {
            int nr = i % Hypercalls.HypercallTable.Size;
            bool lstar = i >= Hypercalls.HypercallTable.Size;
            var row = Hypercalls.HypercallTable.Row(nr);
            if (!row.HasRoutine || lstar && Array.IndexOf(LstarBodies, nr) < 0) continue;
            string name = (lstar ? "lstar_" : "fast_") + row.Name;
            var allowed = new HashSet<Register> { Register.RAX, Register.RSP };
            if (lstar) allowed.Add(Register.R11);
            for (int k = 0; k < row.Args; k++) allowed.Add(ArgRegisters[k]);
            var written = new HashSet<Register>();
            var pushed = new HashSet<Register>();
            var seen = new HashSet<ulong>();
            var todo = new Stack<ulong>();
            todo.Push(symbols[name]);
            while (todo.Count > 0)
            {
                ulong ip = todo.Pop();
                while (seen.Add(ip))
                {
                    if (!code.TryGetValue(ip, out var ins)) throw new InvalidOperationException($"{name}: no instruction at 0x{ip:x}");
                    if (ins.Mnemonic == Mnemonic.Push && ins.Op0Kind == OpKind.Register) pushed.Add(ins.Op0Register.GetFullRegister());
                    if (ins.FlowControl == FlowControl.IndirectCall)
                        foreach (var r in ArgRegisters.Append(Register.RAX)) written.Add(r);
                    foreach (var used in info.GetInfo(ins).GetUsedRegisters())
                        if (used.Access is OpAccess.Write or OpAccess.CondWrite or OpAccess.ReadWrite or OpAccess.ReadCondWrite
                            && used.Register.IsGPR())
                            written.Add(used.Register.GetFullRegister());
                    if (ins.FlowControl is FlowControl.Return or FlowControl.Interrupt or FlowControl.Exception) break;
                    if (ins.FlowControl == FlowControl.ConditionalBranch && !exits.Contains(ins.NearBranchTarget)) todo.Push(ins.NearBranchTarget);
                    if (ins.FlowControl == FlowControl.UnconditionalBranch)
                    {
                        if (exits.Contains(ins.NearBranchTarget)) break;
                        ip = ins.NearBranchTarget;
                        continue;
                    }
                    if (ins.FlowControl == FlowControl.IndirectBranch && lstar && ins.Op0Register == Register.RCX) break;
                    if (ins.FlowControl == FlowControl.IndirectBranch) throw new InvalidOperationException($"{name}: indirect jump at 0x{ip:x}");
                    ip = ins.NextIP;
                }
            }
            foreach (var r in written)
                if (!allowed.Contains(r) && !pushed.Contains(r))
                    throw new InvalidOperationException(
                        $"{name} writes {r} without saving it: {row.Name} takes {row.Args} arguments (HypercallTable), so {r} must survive it (Xen's register ABI)");
        }
    }
}
