using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Iced.Intel;

namespace Microxen.Tools.AsmGen;

/// <summary>
/// Assembles one block of code with Iced and writes it as GNU assembler source that reads as
/// assembly: one line per instruction (its bytes as <c>.byte</c>, its AT&amp;T text as a comment),
/// Iced labels exported as global symbols, and 4- or 8-byte placeholders replaced by
/// <c>.long sym</c> / <c>.quad sym</c> so that ld resolves addresses Iced cannot know (the C#
/// entry points, the linked image's extent). The bytes are Iced's: the text is only a comment.
/// </summary>
sealed class Block
{
    public readonly Assembler Asm;
    readonly ulong _base;
    readonly List<(Label Label, string Name)> _globals = new();
    readonly List<(int Instruction, int Size, string Symbol)> _patches = new();
    readonly List<(int Instruction, int Alignment)> _aligns = new();

    public Block(int bitness, ulong baseAddress = 0)
    {
        Asm = new Assembler(bitness);
        _base = baseAddress;
    }

    /// <summary>Defines a global symbol at the current position.</summary>
    public void Global(string name) => _globals.Add((Here(), name));

    // Iced allows one label per instruction: labels made at the same position are one label.
    Label _last;
    int _lastAt = -1;

    /// <summary>Places a label created earlier (forward references) at the current position.</summary>
    public void Place(ref Label l)
    {
        if (_lastAt == Asm.Instructions.Count) throw new InvalidOperationException("a label is already placed here");
        Asm.Label(ref l);
        _last = l;
        _lastAt = Asm.Instructions.Count;
    }

    /// <summary>A label at the current position, for internal references; not exported.</summary>
    public Label Here()
    {
        if (_lastAt == Asm.Instructions.Count) return _last;
        _last = Asm.CreateLabel();
        Asm.Label(ref _last);
        _lastAt = Asm.Instructions.Count;
        return _last;
    }

    /// <summary>
    /// Emits the instruction that <paramref name="emit"/> adds, whose last <paramref name="size"/>
    /// bytes are an immediate or data placeholder, and has ld fill them with <paramref name="symbol"/>.
    /// </summary>
    public void WithSymbol(string symbol, int size, Action emit)
    {
        emit();
        _patches.Add((Asm.Instructions.Count - 1, size, symbol));
    }

    /// <summary>
    /// Pads with zero bytes so that what is emitted next starts at a multiple of
    /// <paramref name="alignment"/> bytes (a power of two; the block itself is aligned so in its
    /// section): for data the code reaches, e.g. pv_state's qwords.
    /// </summary>
    public void Align(int alignment)
    {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0) throw new ArgumentException($"alignment {alignment} is not a power of two");
        _aligns.Add((Asm.Instructions.Count, alignment));
    }

    /// <summary>
    /// Encodes the block, inserting zero bytes before each instruction <see cref="Align"/> marked
    /// (and each global symbol on qword data)
    /// until every one is aligned (a pad can lengthen a branch across it: encode again).
    /// Map gives each of Asm's instructions its index in List.
    /// </summary>
    (List<Instruction> List, byte[] Code, uint[] Offsets, int[] Map) Encode()
    {
        var list = Asm.Instructions.ToList();
        var map = Enumerable.Range(0, list.Count).ToArray();
        // A global symbol on qword data (a table C# or the code reads) is 8-byte aligned.
        foreach (var (label, _) in _globals)
            if (list[label.InstructionIndex].Code == Code.DeclareQword && !_aligns.Any(x => x.Instruction == label.InstructionIndex))
                _aligns.Add((label.InstructionIndex, sizeof(ulong)));
        for (int pass = 0; ; pass++)
        {
            var ms = new MemoryStream();
            if (!BlockEncoder.TryEncode(Asm.Bitness, new InstructionBlock(new StreamCodeWriter(ms), list, _base),
                    out var error, out var result, BlockEncoderOptions.ReturnNewInstructionOffsets))
                throw new InvalidOperationException(error);
            uint[] offsets = result.NewInstructionOffsets;
            int misaligned = _aligns.FindIndex(x => (_base + offsets[map[x.Instruction]]) % (ulong)x.Alignment != 0);
            if (misaligned < 0) return (list, ms.ToArray(), offsets, map);
            if (pass == 8) throw new InvalidOperationException("alignment does not converge");
            var (index, alignment) = _aligns[misaligned];
            int at = map[index];
            int pad = (int)(((ulong)alignment - (_base + offsets[at]) % (ulong)alignment) % (ulong)alignment);
            list.InsertRange(at, Enumerable.Repeat(Instruction.CreateDeclareByte(0), pad));
            for (int i = index; i < map.Length; i++) map[i] += pad;
        }
    }

    /// <summary>
    /// The assembled block read back: each instruction (not data) decoded at its address, and
    /// each global symbol's address (for checks of the generated code, e.g. which registers a
    /// routine writes). Call after everything is emitted.
    /// </summary>
    public (SortedDictionary<ulong, Instruction> Code, Dictionary<string, ulong> Symbols) Disassemble()
    {
        var (instructions, code, offsets, map) = Encode();
        var decoded = new SortedDictionary<ulong, Instruction>();
        for (int i = 0; i < instructions.Count; i++)
        {
            if (IsData(instructions[i])) continue;
            int off = (int)offsets[i], end = i + 1 < instructions.Count ? (int)offsets[i + 1] : code.Length;
            var dec = Iced.Intel.Decoder.Create(Asm.Bitness, new ByteArrayCodeReader(code, off, end - off), _base + (ulong)off);
            decoded[_base + (ulong)off] = dec.Decode();
        }
        var symbols = new Dictionary<string, ulong>();
        foreach (var (label, name) in _globals) symbols[name] = _base + offsets[map[label.InstructionIndex]];
        return (decoded, symbols);
    }

    static int s_blocks;

    /// <summary>
    /// Assembles the block and appends its GNU as text to <paramref name="sb"/>: one line per
    /// instruction, its bytes as <c>.byte</c> then its text (AT&amp;T syntax, Iced's GasFormatter)
    /// as a comment; global symbols and the internal labels branches and RIP-relative operands
    /// name on lines of their own; data as <c>.byte</c>/<c>.zero</c>; placeholders as
    /// <c>.long sym</c>/<c>.quad sym</c> after the instruction's other bytes.
    /// </summary>
    public int WriteTo(StringBuilder sb)
    {
        // A label cannot end a block in Iced: make sure something follows the last one.
        Asm.int3();
        var (instructions, code, offsets, map) = Encode();
        if (_aligns.Count > 0) sb.AppendLine($"\t.balign {_aligns.Max(x => x.Alignment)}");
        var at = new Dictionary<int, List<string>>();
        foreach (var (label, name) in _globals)
        {
            int off = (int)offsets[map[label.InstructionIndex]];
            if (!at.TryGetValue(off, out var names)) at[off] = names = new();
            names.Add(name);
        }
        int End(int index) => index + 1 < instructions.Count ? (int)offsets[index + 1] : code.Length;
        var patchAt = new Dictionary<int, (int Size, string Symbol)>();
        foreach (var (index, size, sym) in _patches)
            patchAt[map[index]] = (size, sym);   // the patched bytes end the instruction

        // Decode every instruction (not data) at its final address, for its text and its targets.
        var decoded = new Dictionary<int, Instruction>();
        for (int i = 0; i < instructions.Count; i++)
        {
            if (IsData(instructions[i])) continue;
            int off = (int)offsets[i];
            var dec = Iced.Intel.Decoder.Create(Asm.Bitness, new ByteArrayCodeReader(code, off, End(i) - off), _base + (ulong)off);
            decoded[i] = dec.Decode();
        }
        // Names for addresses: global symbols; an address inside data that follows a global
        // symbol (pv_state's fields) is sym+N; any other target of a branch or RIP-relative
        // operand gets an internal label.
        int block = s_blocks++;
        var codeStarts = decoded.Keys.Select(i => (int)offsets[i]).OrderBy(x => x).ToArray();
        var globalStarts = at.Keys.OrderBy(x => x).ToArray();
        var locals = new SortedDictionary<int, string>();
        var symbols = new SortedList<ulong, string>();
        foreach (var (off, names) in at) symbols[_base + (ulong)off] = names[^1];   // the last name given: the most specific (fast_path_table, not fast_paths_end)
        foreach (var ins in decoded.Values)
        {
            ulong target = ins.IsIPRelativeMemoryOperand ? ins.IPRelativeMemoryAddress
                : ins.Op0Kind is OpKind.NearBranch16 or OpKind.NearBranch32 or OpKind.NearBranch64 ? ins.NearBranchTarget
                : ulong.MaxValue;
            if (target < _base || target >= _base + (ulong)code.Length) continue;
            int t = (int)(target - _base);
            if (at.ContainsKey(t) || locals.ContainsKey(t)) continue;
            int g = Array.FindLast(globalStarts, x => x <= t);
            if (ins.IsIPRelativeMemoryOperand && globalStarts.Length > 0 && g <= t && at.ContainsKey(g)
                && !Array.Exists(codeStarts, c => c >= g && c <= t))
                symbols[target] = $"{at[g][^1]}+0x{t - g:x}";
            else
                symbols[target] = locals[t] = $".L{block}_{t:x}";
        }
        var formatter = new GasFormatter(new Resolver(symbols));
        formatter.Options.FirstOperandCharIndex = 8;
        formatter.Options.RipRelativeAddresses = true;
        formatter.Options.UppercaseHex = false;
        var output = new StringOutput();

        var zeros = 0;
        void FlushZeros()
        {
            if (zeros > 0) { sb.AppendLine($"\t.zero {zeros}"); zeros = 0; }
        }
        for (int i = 0; i < instructions.Count; i++)
        {
            int off = (int)offsets[i], end = End(i);
            bool labelled = at.ContainsKey(off) || locals.ContainsKey(off);
            if (labelled) FlushZeros();
            if (at.TryGetValue(off, out var names))
                foreach (var n in names) sb.AppendLine($"\t.globl {n}").AppendLine($"{n}:");
            if (locals.TryGetValue(off, out var local)) sb.AppendLine($"{local}:");
            patchAt.TryGetValue(i, out var patch);
            int plain = end - off - patch.Size;
            if (decoded.TryGetValue(i, out var ins))
            {
                FlushZeros();
                formatter.Format(in ins, output);
                string text = output.ToStringAndReset();
                if (patch.Symbol != null) text = NameThePlaceholder(text, code, end, patch.Size, patch.Symbol);
                var data = new StringBuilder("\t");
                if (plain > 0) data.Append(".byte ").Append(Bytes(code, off, plain));
                if (patch.Symbol != null) data.Append(plain > 0 ? "; " : "").Append(patch.Size == 8 ? ".quad " : ".long ").Append(patch.Symbol);
                sb.Append(data.ToString().PadRight(CommentColumn)).Append(" # ").AppendLine(text);
                continue;
            }
            // Data: runs of zeros merge into one .zero line (until a label), the rest as .byte.
            if (patch.Symbol == null && Array.TrueForAll(code[off..end], x => x == 0)) { zeros += end - off; continue; }
            FlushZeros();
            if (plain > 0) sb.Append("\t.byte ").AppendLine(Bytes(code, off, plain));
            if (patch.Symbol != null) sb.AppendLine(patch.Size == 8 ? $"\t.quad {patch.Symbol}" : $"\t.long {patch.Symbol}");
        }
        FlushZeros();
        return code.Length;
    }

    /// <summary>Where the instruction text starts (after a tab): room for about 10 bytes.</summary>
    const int CommentColumn = 56;

    static bool IsData(in Instruction i) =>
        i.Code is Code.DeclareByte or Code.DeclareWord or Code.DeclareDword or Code.DeclareQword;

    static string Bytes(byte[] code, int at, int count) =>
        string.Join(",", code.Skip(at).Take(count).Select(x => $"0x{x:x2}"));

    /// <summary>
    /// The instruction text with its placeholder (the value of its last <paramref name="size"/>
    /// bytes, as the formatter prints it: decimal below 10, else hex) replaced by the symbol ld puts there.
    /// </summary>
    static string NameThePlaceholder(string text, byte[] code, int end, int size, string symbol)
    {
        ulong v = size == 8 ? BitConverter.ToUInt64(code, end - 8) : BitConverter.ToUInt32(code, end - 4);
        string shown = v <= 9 ? v.ToString() : $"0x{v:x}";
        int at = text.LastIndexOf(shown, StringComparison.Ordinal);
        return at < 0 ? $"{text} ({symbol})" : text[..at] + symbol + text[(at + shown.Length)..];
    }

    /// <summary>Names the branch targets and RIP-relative addresses WriteTo named.</summary>
    sealed class Resolver : ISymbolResolver
    {
        readonly SortedList<ulong, string> _symbols;
        public Resolver(SortedList<ulong, string> symbols) => _symbols = symbols;

        public bool TryGetSymbol(in Instruction instruction, int operand, int instructionOperand, ulong address, int addressSize, out SymbolResult symbol)
        {
            symbol = default;
            var kind = instruction.GetOpKind(instructionOperand);
            bool branch = kind is OpKind.NearBranch16 or OpKind.NearBranch32 or OpKind.NearBranch64;
            bool ripRelative = kind == OpKind.Memory && instruction.IsIPRelativeMemoryOperand;
            if (!branch && !ripRelative) return false;
            if (!_symbols.TryGetValue(address, out var name)) return false;
            symbol = new SymbolResult(address, name);
            return true;
        }
    }
}

/// <summary>
/// The program of a generator that writes one GNU assembler file (tools/AsmGen, tools/KernelTestGen):
/// <c>TOOL OUT.s</c>; the file is a header line, what each of <paramref name="parts"/> writes, in
/// order, and the non-executable-stack note.
/// </summary>
static class GasProgram
{
    public static int Run(string[] args, string tool, params Action<StringBuilder>[] parts)
    {
        if (args.Length != 1)
        {
            System.Console.Error.WriteLine($"usage: {tool} OUT.s");
            return 2;
        }
        var sb = new StringBuilder();
        sb.AppendLine($"# Generated by tools/{tool} (Iced). Do not edit.");
        foreach (var part in parts) part(sb);
        sb.AppendLine("\t.section .note.GNU-stack,\"\",@progbits");
        File.WriteAllText(args[0], sb.ToString());
        return 0;
    }
}
