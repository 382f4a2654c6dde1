using System.Text;
using Iced.Intel;

namespace Microxen.Tools.AsmGen;

/// <summary>
/// Assembles one block of code with Iced and writes it as GNU assembler source: the machine code
/// as <c>.byte</c> lines, Iced labels exported as global symbols, and 4- or 8-byte placeholders
/// replaced by <c>.long sym</c> / <c>.quad sym</c> so that ld resolves addresses Iced cannot know
/// (the C# entry points, the linked image's extent).
/// </summary>
sealed class Block
{
    public readonly Assembler Asm;
    readonly ulong _base;
    readonly List<(Label Label, string Name)> _globals = new();
    readonly List<(int Instruction, int Size, string Symbol)> _patches = new();

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

    /// <summary>An 8-byte data slot holding the address of <paramref name="symbol"/>.</summary>
    public Label QuadSlot(string symbol)
    {
        var l = Here();
        WithSymbol(symbol, 8, () => Asm.dq(0UL));
        return l;
    }

    /// <summary>Assembles the block and appends its GNU as text to <paramref name="sb"/>.</summary>
    public int WriteTo(StringBuilder sb)
    {
        // A label cannot end a block in Iced: make sure something follows the last one.
        Asm.int3();
        var ms = new MemoryStream();
        var result = Asm.Assemble(new StreamCodeWriter(ms), _base, BlockEncoderOptions.ReturnNewInstructionOffsets);
        byte[] code = ms.ToArray();
        var at = new Dictionary<int, List<string>>();
        foreach (var (label, name) in _globals)
        {
            var l = label;
            int off = (int)(result.GetLabelRIP(ref l) - _base);
            if (!at.TryGetValue(off, out var names)) at[off] = names = new();
            names.Add(name);
        }
        var patchAt = new Dictionary<int, (int, string)>();
        uint[] offsets = result.Result[0].NewInstructionOffsets;
        foreach (var (index, size, sym) in _patches)
        {
            // The patched bytes end the instruction: they end where the next one starts.
            int end = (int)offsets[index + 1];
            patchAt[end - size] = (size, sym);
        }
        int i = 0;
        var line = new List<string>();
        void Flush()
        {
            if (line.Count > 0) { sb.Append("\t.byte ").AppendLine(string.Join(",", line)); line.Clear(); }
        }
        while (i < code.Length)
        {
            if (at.TryGetValue(i, out var names))
            {
                Flush();
                foreach (var n in names) sb.AppendLine($"\t.globl {n}").AppendLine($"{n}:");
            }
            if (patchAt.TryGetValue(i, out var p))
            {
                Flush();
                sb.AppendLine(p.Item1 == 8 ? $"\t.quad {p.Item2}" : $"\t.long {p.Item2}");
                i += p.Item1;
                continue;
            }
            line.Add($"0x{code[i]:x2}");
            if (line.Count == 16) Flush();
            i++;
        }
        Flush();
        return code.Length;
    }
}
