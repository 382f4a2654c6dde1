using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using Iced.Intel;
using Microxen.Arch;
using Microxen.Hypercalls;
using Microxen.Inline;
using static Iced.Intel.AssemblerRegisters;

namespace Microxen.Native;

/// <summary>One transfer-page sequence: its bytes (at most 32, placeholders zero) and the placeholders in them.</summary>
public sealed class Sequence
{
    public string Name;           // its constant in InlineSequences.g.cs
    public string Summary;        // what it does, for the comment
    public byte[] Bytes;
    public List<(int Offset, InlinePatch Kind, int Arg)> Patches = new();
}

/// <summary>
/// The transfer page's sequences, generated into one table (shim/Inline/InlineSequences.g.cs) that
/// shim/TransferPage/TransferPageBuilder.cs copies into the entries. The dispatcher entry is the
/// one Xen's ring-3 page uses, <c>push %rcx; push %r11; mov $N,%eax; syscall; pop %r11; pop %rcx;
/// ret</c> (iret: <c>push %rcx; push %r11; push %rax; mov $23,%eax; syscall</c>). Fast mode puts, per
/// the fast-path column of shim/Hypercalls/HypercallTable.cs, a call of the native routine of the
/// linked blob (shim/FastPaths) that falls back to the dispatcher entry when it declines (CF=1), an
/// inline sequence of the hypercall's own that does the work in its 32 bytes (fpu_taskswitch,
/// stack_switch), or the jump to fast_page_iret.
/// </summary>
public static class Generator
{
    public const int EntrySize = 32;

    /// <summary>The generated file's path under the repository root.</summary>
    public const string RelativePath = "shim/Inline/InlineSequences.g.cs";

    // Placeholder values Iced assembles in, found afterwards and zeroed.
    const ulong Slot = 0x1122334455667788UL;
    const int NumberMarker = 0x7a6b5c4d;
    const byte Number8Marker = 0x7f;     // push imm8: the largest N of the page's 128 entries

    static int Off(string f) => (int)Marshal.OffsetOf<PvState>(f);

    /// <summary>Every sequence, in the order of their numbers in the generated table.</summary>
    public static List<Sequence> All()
    {
        var list = new List<Sequence> { CallRoutine(), Dispatcher(false), Dispatcher(true), PageIret(), Smp(false), Smp(true), FpuTaskswitch(), StackSwitch() };
        CheckSmpTail(list[0], list[4]);
        foreach (var s in list)
            if (s.Bytes.Length > EntrySize) throw new InvalidOperationException($"{s.Name}: {s.Bytes.Length} bytes, more than {EntrySize}");
        return list;
    }

    /// <summary>
    /// The sequence fast mode puts in entry <paramref name="nr"/>, from the hypercall table's
    /// fast-path column; null for the dispatcher entry.
    /// </summary>
    public static string ForEntry(int nr)
    {
        if (nr >= HypercallTable.Size) return null;
        switch (HypercallTable.Row(nr).Fast)
        {
            case FastPath.Routine: return "CallRoutine";
            case FastPath.Iret: return "PageIret";
            case FastPath.Inline: return Own(nr);
            default: return null;
        }
    }

    /// <summary>The sequence of its own of a <see cref="FastPath.Inline"/> hypercall: one case per such row.</summary>
    static string Own(int nr) => nr switch
    {
        Xen.Hypercall.FpuTaskswitch => "FpuTaskswitch",
        Xen.Hypercall.StackSwitch => "StackSwitch",
        _ => throw new InvalidOperationException($"hypercall {nr} is FastPath.Inline in HypercallTable but has no sequence here"),
    };

    /// <summary>Assembles at address 0 (position independent).</summary>
    static byte[] Assemble(Assembler a)
    {
        var ms = new MemoryStream();
        a.Assemble(new StreamCodeWriter(ms), 0);
        return ms.ToArray();
    }

    /// <summary>The sequence of assembled bytes, each placeholder value found, recorded and zeroed.</summary>
    static Sequence Make(string name, string summary, Assembler a, params (ulong Marker, int Size, InlinePatch Kind, int Arg)[] patches)
    {
        var s = new Sequence { Name = name, Summary = summary, Bytes = Assemble(a) };
        foreach (var (marker, size, kind, arg) in patches)
        {
            int at = Find(s.Bytes, marker, size);
            Array.Clear(s.Bytes, at, size);
            s.Patches.Add((at, kind, arg));
        }
        return s;
    }

    /// <summary>push %rcx; push %r11; [push %rax;] mov $N,%eax; syscall[; pop %r11; pop %rcx; ret].</summary>
    static void DispatcherCode(Assembler a, bool iret)
    {
        a.push(rcx);
        a.push(r11);
        if (iret) a.push(rax);
        a.mov(eax, NumberMarker);
        a.syscall();
        if (iret) return;
        a.pop(r11);
        a.pop(rcx);
        a.ret();
    }

    static Sequence Dispatcher(bool iret)
    {
        var a = new Assembler(64);
        DispatcherCode(a, iret);
        return iret
            ? Make("DispatcherIret", "the dispatcher entry for iret (entered with jmp, flags word pushed; does not return)", a,
                (NumberMarker, 4, InlinePatch.Number, 0))
            : Make("Dispatcher", "the dispatcher entry: hypercall N through the LSTAR entry, as Xen's ring-3 page", a,
                (NumberMarker, 4, InlinePatch.Number, 0));
    }

    /// <summary>
    /// pushfq; call fast_NAME; popfq; ret, or when it declines (CF=1) popfq and the dispatcher
    /// entry's code with <c>push $N-128; pop %rax</c> for <c>mov $N,%eax</c> (3 bytes, not 5: 32 in
    /// all): N - 128 (PvState.DeclinedBias) from the transfer page tells the LSTAR dispatcher that
    /// the routine declined already, so it is not offered twice (issue 13). The routines change flags (CF is their answer); the guest's come back as Xen gives
    /// them back (its sysret restores the RFLAGS of the syscall, IF set, IOPL clear).
    /// </summary>
    static Sequence CallRoutine()
    {
        var a = new Assembler(64);
        var slot = a.CreateLabel();
        var slow = a.CreateLabel();
        a.pushfq();
        a.call(__qword_ptr[slot]);
        a.jb(slow);                      // CF=1: declined
        a.popfq();
        a.ret();
        a.Label(ref slow);
        a.popfq();
        a.push(rcx);
        a.push(r11);
        a.push(Number8Marker);
        a.pop(rax);
        a.syscall();
        a.pop(r11);
        a.pop(rcx);
        a.ret();
        a.Label(ref slot);
        a.dq(Slot);
        return Make("CallRoutine", "FastPath.Routine: the native routine fast_NAME, else the dispatcher entry; the guest's flags kept", a,
            (Number8Marker, 1, InlinePatch.Number8, 0), (Slot, 8, InlinePatch.FastRoutine, 0));
    }

    static Sequence PageIret()
    {
        var a = new Assembler(64);
        var slot = a.CreateLabel();
        a.jmp(__qword_ptr[slot]);
        a.Label(ref slot);
        a.dq(Slot);
        return Make("PageIret", "iret (entered with jmp, flags word pushed): fast_page_iret, which falls back to the dispatcher itself", a,
            (Slot, 8, InlinePatch.PageIret, 0));
    }

    const ulong Slot2 = 0x8877665544332211UL;

    /// <summary>
    /// SmpCall / SmpIret (several vCPUs, <see cref="SmpEntry"/>): <c>call *helper(%rip)</c> into
    /// smp_page_call or smp_page_iret, which find the calling CPU's copy of the routine (or of
    /// fast_page_iret) through sgdt and the table slot; the helper returns to the guest's caller
    /// itself. Bytes 18-23 are CallRoutine's from its syscall on (syscall; pop %r11; pop %rcx;
    /// ret): smp_page_call's fallback jumps to that syscall (SmpEntry.SyscallAt), and a
    /// dispatcher call made from a CallRoutine entry while the page is rewritten for several
    /// vCPUs (Smp/Vcpus.cs GoSmp) returns through them.
    /// </summary>
    static Sequence Smp(bool iret)
    {
        var a = new Assembler(64);
        var helper = a.CreateLabel();
        var table = a.CreateLabel();
        a.call(__qword_ptr[helper]);
        for (int i = SmpEntry.CallLength; i < SmpEntry.HelperSlot; i++) a.int3();
        a.Label(ref helper);
        a.dq(Slot);
        for (int i = SmpEntry.HelperSlot + 8; i < SmpEntry.SyscallAt; i++) a.int3();
        a.syscall();
        a.pop(r11);
        a.pop(rcx);
        a.ret();
        a.Label(ref table);
        a.dq(Slot2);
        var s = iret
            ? Make("SmpIret", "iret with several vCPUs (entered with jmp, flags word pushed): smp_page_iret, to this CPU's fast_page_iret", a,
                (Slot, 8, InlinePatch.SmpPageIret, 0), (Slot2, 8, InlinePatch.SmpTable, 0))
            : Make("SmpCall", "FastPath.Routine and FastPath.Inline with several vCPUs: smp_page_call, to this CPU's fast_NAME, else the dispatcher; flags kept", a,
                (Slot, 8, InlinePatch.SmpPageCall, 0), (Slot2, 8, InlinePatch.SmpTable, 0));
        var first = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(s.Bytes)).Decode();
        if (s.Patches[0].Offset != SmpEntry.HelperSlot || s.Patches[1].Offset != SmpEntry.TableSlot || s.Bytes.Length != EntrySize
            || first.Length != SmpEntry.CallLength || first.Mnemonic != Mnemonic.Call || !first.IsIPRelativeMemoryOperand
            || first.IPRelativeMemoryAddress != SmpEntry.HelperSlot)
            throw new InvalidOperationException($"{s.Name}: layout differs from shim/Inline/SmpEntry.cs");
        return s;
    }

    /// <summary>CallRoutine's bytes from its syscall on must be SmpCall's at the same offset (see <see cref="Smp"/>).</summary>
    static void CheckSmpTail(Sequence call, Sequence smp)
    {
        int at = -1;
        for (int i = 0; i + 1 < call.Bytes.Length; i++)
            if (call.Bytes[i] == 0x0f && call.Bytes[i + 1] == 0x05) at = i;
        if (at != SmpEntry.SyscallAt || !call.Bytes.Skip(at).Take(6).SequenceEqual(smp.Bytes.Skip(at).Take(6)))
            throw new InvalidOperationException("SmpCall: the bytes from CallRoutine's syscall on differ");
    }

    /// <summary>PvState.FastCount[nr]'s offset: the inline sequences count themselves there, as the routines do.</summary>
    static int CountOff(int nr) => Off("FastCount") + nr * 8;

    /// <summary>
    /// fpu_taskswitch(set): counted, then clts, and for set != 0 CR0.TS set again with a CR0
    /// write: the guest's flags kept (pushfq/popfq; clts changes none, so the branch on set
    /// can follow it), rdi unchanged, 32 bytes. The clear path is one clts as before; the set
    /// path has a clts more than a plain CR0 write.
    /// </summary>
    static Sequence FpuTaskswitch()
    {
        var a = new Assembler(64);
        a.pushfq();
        a.mov(rax, Slot);                // movabs: &PvState.FastCount[fpu_taskswitch]
        a.inc(__qword_ptr[rax]);
        TaskswitchCode.Emit(a);
        a.xor(eax, eax);
        a.popfq();
        a.ret();
        return Make("FpuTaskswitch", "fpu_taskswitch(set): counted, clts, CR0.TS set again if set != 0, flags kept, inline", a,
            (Slot, 8, InlinePatch.PvField, CountOff(Xen.Hypercall.FpuTaskswitch)));
    }

    /// <summary>
    /// stack_switch(ss, sp): counted, PvState.KernelSp and TSS.RSP0 stored through one pv_state
    /// pointer (biased so that both stores take an 8-bit displacement), one instruction more than
    /// the two movabs stores without the count; the guest's flags kept (pushfq/popfq).
    /// </summary>
    static Sequence StackSwitch()
    {
        int sp = Off("KernelSp"), rsp0 = Off("Tss") + (int)Marshal.OffsetOf<Tss>("Rsp0");
        int bias = (sp + rsp0) / 2;
        var a = new Assembler(64);
        a.pushfq();
        a.mov(rax, Slot);                // movabs: pv_state + bias
        a.mov(__qword_ptr[rax + (sp - bias)], rsi);
        a.mov(__qword_ptr[rax + (rsp0 - bias)], rsi);
        a.inc(__qword_ptr[rax + (CountOff(Xen.Hypercall.StackSwitch) - bias)]);
        a.xor(eax, eax);
        a.popfq();
        a.ret();
        return Make("StackSwitch", "stack_switch(ss, sp): counted, PvState.KernelSp and TSS.RSP0 stored inline", a,
            (Slot, 8, InlinePatch.PvField, bias));
    }

    static int Find(byte[] b, ulong marker, int size)
    {
        int found = -1;
        for (int i = 0; i + size <= b.Length; i++)
            if ((size == 8 ? BitConverter.ToUInt64(b, i) : size == 4 ? BitConverter.ToUInt32(b, i) : b[i]) == marker)
            {
                if (found >= 0) throw new InvalidOperationException("placeholder found twice");
                found = i;
            }
        if (found < 0) throw new InvalidOperationException("placeholder not found");
        return found;
    }

    /// <summary>Each instruction of a sequence as (offset, length, text); an 8-byte slot placeholder as a row of its own.</summary>
    public static List<(int Offset, int Length, string Text)> Lines(Sequence s)
    {
        var formatter = new IntelFormatter();
        formatter.Options.HexPrefix = "0x";
        formatter.Options.HexSuffix = null;
        formatter.Options.UppercaseHex = false;
        formatter.Options.RipRelativeAddresses = true;
        formatter.Options.ShowBranchSize = false;
        formatter.Options.BranchLeadingZeros = false;
        formatter.Options.SpaceAfterOperandSeparator = true;
        formatter.Options.SmallHexNumbersInDecimal = false;
        var lines = new List<(int, int, string)>();
        for (int at = 0; at < s.Bytes.Length;)
        {
            var slot = s.Patches.FirstOrDefault(p => p.Offset == at && IsSlot(p.Kind));
            if (slot.Kind != InlinePatch.None)
            {
                lines.Add((at, 8, "placeholder: " + Describe(slot.Kind, slot.Arg)));
                at += 8;
                continue;
            }
            var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(s.Bytes, at, s.Bytes.Length - at), (ulong)at);
            decoder.Decode(out var ins);
            if (ins.IsInvalid) throw new InvalidOperationException($"{s.Name}: invalid instruction at {at}");
            var output = new StringOutput();
            formatter.Format(ins, output);
            string text = output.ToStringAndReset();
            foreach (var p in s.Patches)
                if (p.Offset > at && p.Offset < at + ins.Length) text += " (placeholder: " + Describe(p.Kind, p.Arg) + ")";
            lines.Add((at, ins.Length, text));
            at += ins.Length;
        }
        return lines;
    }

    static string Describe(InlinePatch kind, int arg) => kind switch
    {
        InlinePatch.Number => "N, the entry's hypercall number",
        InlinePatch.Number8 => "N - 128, the entry's hypercall number marked declined (PvState.DeclinedBias)",
        InlinePatch.FastRoutine => "fast_path_table[N]",
        InlinePatch.PageIret => "fast_page_iret",
        InlinePatch.PvField => $"pv_state+{arg}",
        InlinePatch.SmpPageCall => "smp_page_call",
        InlinePatch.SmpPageIret => "smp_page_iret",
        InlinePatch.SmpTable => "the per-CPU table's column N, biased (SmpEntry)",
        _ => throw new InvalidOperationException(kind.ToString()),
    };

    /// <summary>A placeholder the code reads through memory (an 8-byte slot after the code), not an instruction's operand.</summary>
    static bool IsSlot(InlinePatch kind) => kind == InlinePatch.FastRoutine || kind == InlinePatch.PageIret
        || kind == InlinePatch.SmpPageCall || kind == InlinePatch.SmpPageIret || kind == InlinePatch.SmpTable;

    /// <summary>The text of shim/Inline/InlineSequences.g.cs.</summary>
    public static string Emit()
    {
        var all = All();
        var sb = new StringBuilder();
        sb.Append("// <auto-generated>\n// Generated by tools/InlineGen (Iced) from shim/Inline/InlineSequences.asm.cs and the fast-path column of\n");
        sb.Append("// shim/Hypercalls/HypercallTable.cs. Regenerate: dotnet run --project tools/InlineGen. Do not edit.\n// </auto-generated>\n\n");
        sb.Append("namespace Microxen.Inline\n{\n");
        sb.Append("    /// <summary>\n");
        sb.Append("    /// The transfer page's sequences (32-byte entries, shim/TransferPage/TransferPageBuilder.cs): their\n");
        sb.Append("    /// bytes, one run per sequence in <see cref=\"Bytes\"/>, and their placeholders, filled in per entry.\n");
        sb.Append("    /// </summary>\n");
        sb.Append("    public static class InlineSequences\n    {\n");
        for (int i = 0; i < all.Count; i++)
            sb.Append($"        /// <summary>{Escape(all[i].Summary)}.</summary>\n        public const int {all[i].Name} = {i};\n");
        sb.Append("\n");

        sb.Append("        /// <summary>The sequence fast mode puts in entry <paramref name=\"nr\"/> (the hypercall table's fast-path column); -1: the dispatcher entry.</summary>\n");
        sb.Append("        public static int ForEntry(int nr)\n        {\n            switch (nr)\n            {\n");
        for (int nr = 0; nr < HypercallTable.Size; nr++)
        {
            string name = ForEntry(nr);
            if (name != null) sb.Append($"                case {nr}: return {name};".PadRight(48)).Append($" // {HypercallTable.Row(nr).Name}\n");
        }
        sb.Append("                default: return -1;\n            }\n        }\n\n");

        sb.Append("        /// <summary>Where sequence <paramref name=\"s\"/> lies in <see cref=\"Bytes\"/>: first char, length in bytes.</summary>\n");
        sb.Append("        public static void Extent(int s, out int start, out int length)\n        {\n            switch (s)\n            {\n");
        // A sequence whose bytes are already in the blob (the dispatcher entry, CallRoutine's
        // fallback) is a window on them; the others are appended.
        var blob = new List<byte>();
        var starts = new List<int>();
        var inside = new List<string>();
        foreach (var s in all)
        {
            int at = IndexOf(blob, s.Bytes);
            inside.Add(at < 0 ? null : all[starts.FindLastIndex(x => x <= at)].Name);
            if (at < 0) { at = blob.Count; blob.AddRange(s.Bytes); }
            starts.Add(at);
            sb.Append($"                case {s.Name}: start = {at}; length = {s.Bytes.Length}; return;\n");
        }
        sb.Append("                default: start = 0; length = 0; return;\n            }\n        }\n\n");
        var patches = all.SelectMany(s => s.Patches.Select(p => (s.Name, p.Offset, p.Kind, p.Arg))).ToList();
        sb.Append("        /// <summary>Placeholders, in all sequences together.</summary>\n");
        sb.Append($"        public const int PatchCount = {patches.Count};\n\n");
        sb.Append("        /// <summary>Placeholder <paramref name=\"k\"/>: its sequence, its byte offset there, what it holds, the argument (a PvState offset for PvField).</summary>\n");
        sb.Append("        public static void Patch(int k, out int sequence, out int offset, out InlinePatch kind, out int arg)\n        {\n            switch (k)\n            {\n");
        for (int k = 0; k < patches.Count; k++)
        {
            var (seq, off, kind, arg) = patches[k];
            sb.Append($"                case {k}: sequence = {seq}; offset = {off}; kind = InlinePatch.{kind}; arg = {arg}; return;\n");
        }
        sb.Append("                default: sequence = -1; offset = 0; kind = InlinePatch.None; arg = 0; return;\n            }\n        }\n\n");

        sb.Append("        /// <summary>\n");
        sb.Append("        /// The sequences' bytes, one char per byte, placeholders zero: each instruction on one line\n");
        sb.Append("        /// with its text (Iced, addresses from the entry's start). Every \\x escape is two digits\n");
        sb.Append("        /// followed by another escape or the end of a literal; the literals are one constant.\n");
        sb.Append("        /// </summary>\n");
        sb.Append("        public const string Bytes =\n");
        for (int i = 0; i < all.Count; i++)
        {
            var s = all[i];
            string where = $"chars {starts[i]}-{starts[i] + s.Bytes.Length - 1}, {s.Bytes.Length} bytes";
            if (inside[i] != null)
            {
                sb.Append($"            // {s.Name} ({where}, inside {inside[i]} above): {s.Summary}\n");
                continue;
            }
            sb.Append($"            // {s.Name} ({where}): {s.Summary}\n");
            var lines = Lines(s);
            for (int j = 0; j < lines.Count; j++)
            {
                var (off, len, text) = lines[j];
                bool last = i == all.Count - 1 && j == lines.Count - 1;     // the last sequence is never a window (All's order)
                string lit = "\"" + string.Concat(s.Bytes.Skip(off).Take(len).Select(b => $"\\x{b:x2}")) + "\"" + (last ? ";" : " +");
                sb.Append($"            {lit}".PadRight(56)).Append($" // {off,2}: {text}\n");
            }
        }
        sb.Append("    }\n}\n");
        return sb.ToString();
    }

    static int IndexOf(List<byte> blob, byte[] bytes)
    {
        for (int i = 0; i + bytes.Length <= blob.Count; i++)
            if (blob.Skip(i).Take(bytes.Length).SequenceEqual(bytes)) return i;
        return -1;
    }

    static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
