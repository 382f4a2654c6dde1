namespace Microxen.Native;

/// <summary>
/// The one table of faults the shim's own code expects (<c>fault_fixup_table</c>, entries laid
/// out as <see cref="FaultFixup"/>): the *.asm.cs code declares each range where it touches
/// something the guest controls, next to that code, as Xen's <c>_ASM_EXTABLE</c> beside its
/// <c>.Lft</c> labels; Traps/TrapDispatch.cs looks a fault up here before anything else.
/// </summary>
static class FaultFixups
{
    static readonly List<(string Begin, string End, string Fixup, FaultFixupKind Kind, uint Arg)> Entries = new();

    /// <summary>The byte offset of a register in the entry stubs' <see cref="CpuFrame"/>.</summary>
    public static uint CpuFrameOffset(string register) => (uint)System.Runtime.InteropServices.Marshal.OffsetOf<CpuFrame>(register);

    /// <summary>Code between global symbols <paramref name="begin"/> and <paramref name="end"/>; <paramref name="fixup"/> null for kinds that do not jump.</summary>
    public static void Add(string begin, string end, string fixup, FaultFixupKind kind, uint arg = 0)
    {
        if ((kind == FaultFixupKind.Efault || kind == FaultFixupKind.Decline || kind == FaultFixupKind.Ignore) != (fixup != null))
            throw new InvalidOperationException($"{begin}: kind {kind} {(fixup == null ? "needs" : "takes no")} fixup address");
        Entries.Add((begin, end, fixup, kind, arg));
    }

    /// <summary>
    /// Emits the one instruction <paramref name="emit"/> adds at the global symbol
    /// <paramref name="name"/> and declares it, <c>name</c> to <c>name + its length</c>, as a range.
    /// </summary>
    public static void Around(Block b, string name, FaultFixupKind kind, uint arg, Action emit)
    {
        b.Global(name);
        emit();
        var instr = b.Asm.Instructions[^1];
        if (instr.IsJccShortOrNear || instr.IsJmpShortOrNear || instr.IsCallNear)
            throw new InvalidOperationException($"{name}: a branch's length is known only when the block is laid out");
        int length = (int)Iced.Intel.Encoder.Create(64, new Iced.Intel.StreamCodeWriter(new MemoryStream())).Encode(instr, 0);
        Add(name, $"{name} + {length}", null, kind, arg);
    }

    /// <summary>
    /// Writes the table as GNU as data: the narrow entries in declaration order, then the
    /// <see cref="FaultFixupKind.CrashGuest"/> catch-alls, then the terminator.
    /// </summary>
    public static void Write(StringBuilder sb)
    {
        if (System.Runtime.InteropServices.Marshal.SizeOf<FaultFixup>() != 32)
            throw new InvalidOperationException("FaultFixup is not the (begin, end, fixup, kind:arg) record emitted here");
        sb.AppendLine("\t.section .rodata.fixup,\"a\",@progbits");
        sb.AppendLine("\t.balign 8\n\t.globl fault_fixup_table\nfault_fixup_table:");
        foreach (var e in Entries.Where(e => e.Kind != FaultFixupKind.CrashGuest).Concat(Entries.Where(e => e.Kind == FaultFixupKind.CrashGuest)))
            sb.AppendLine($"\t.quad {e.Begin}, {e.End}, {e.Fixup ?? "0"}\n\t.long {(uint)e.Kind}, {e.Arg}    # {e.Kind}");
        sb.AppendLine("\t.quad 0, 0, 0, 0");
    }
}
