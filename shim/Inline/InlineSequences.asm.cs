using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using Iced.Intel;
using Microxen.Arch;
using static Iced.Intel.AssemblerRegisters;

namespace Microxen.Native;

/// <summary>What a sequence's 8-byte placeholder must hold, filled in when the page is built.</summary>
public enum PatchKind { FastRoutine, PageIret, PvField }

/// <summary>One transfer-page entry: its bytes (at most 32) and the placeholders in them.</summary>
public sealed class Sequence
{
    public string Name;           // the C# class name
    public int Hypercall;         // entry number
    public string Summary;        // what it does, for the docstring
    public byte[] Bytes;
    public List<(int Offset, PatchKind Kind, int Arg)> Patches = new();
}

/// <summary>
/// The transfer page's inline sequences for fast mode (issue: "one named sequence per fast
/// path"). Entries either do the work in their 32 bytes (fpu_taskswitch, stack_switch) or call
/// the shared native routine of the linked blob (shim/FastPaths/FastPaths.asm.cs) and, when it
/// declines (CF=1), fall back to the dispatcher sequence Xen's ring-3 page uses:
/// push %rcx; push %r11; mov $N,%eax; syscall; pop %r11; pop %rcx; ret.
/// </summary>
public static class Generator
{
    public const int EntrySize = 32;

    static int Off(string f) => (int)Marshal.OffsetOf<PvState>(f);

    public static List<Sequence> All()
    {
        var list = new List<Sequence>
        {
            FpuTaskswitch(),
            StackSwitch(),
            CallStyle("MmuUpdate", 1, "mmu_update: fast_mmu_update, else the dispatcher"),
            CallStyle("UpdateVaMapping", 14, "update_va_mapping: fast_update_va_mapping, else the dispatcher"),
            CallStyle("XenVersion", 17, "xen_version: fast_xen_version (the event check), else the dispatcher"),
            CallStyle("SetSegmentBase", 25, "set_segment_base: fast_set_segment_base, else the dispatcher"),
            CallStyle("MmuextOp", 26, "mmuext_op: fast_mmuext_op, else the dispatcher"),
            CallStyle("UpdateDescriptor", 10, "update_descriptor: fast_update_descriptor, else the dispatcher"),
            CallStyle("Multicall", 13, "multicall: fast_multicall, which hands what it cannot run to the dispatcher"),
            Iret(),
        };
        foreach (var s in list)
            if (s.Bytes.Length > EntrySize) throw new InvalidOperationException($"{s.Name}: {s.Bytes.Length} bytes, more than {EntrySize}");
        return list;
    }

    /// <summary>Assembles at address 0 (position independent) and records placeholders by instruction index.</summary>
    static byte[] Assemble(Assembler a)
    {
        var ms = new MemoryStream();
        a.Assemble(new StreamCodeWriter(ms), 0);
        return ms.ToArray();
    }

    static Sequence FpuTaskswitch()
    {
        var a = new Assembler(64);
        var clear = a.CreateLabel();
        a.test(edi, edi);
        a.jz(clear);
        a.mov(rax, cr0);
        a.or(rax, (int)X86.Cr0.TS);
        a.mov(cr0, rax);
        a.xor(eax, eax);
        a.ret();
        a.Label(ref clear);
        a.clts();
        a.xor(eax, eax);
        a.ret();
        return new Sequence { Name = "FpuTaskswitchSequence", Hypercall = 5, Bytes = Assemble(a),
            Summary = "fpu_taskswitch(set): CR0.TS set, or clts, inline" };
    }

    static Sequence StackSwitch()
    {
        var a = new Assembler(64);
        a.mov(rax, rsi);
        a.mov(__qword_ptr[0x1122334455667788UL], rax);   // movabs moffs64, rax: PvState.KernelSp
        a.mov(__qword_ptr[0x1122334455667789UL], rax);   // PvState.Tss.Rsp0
        a.xor(eax, eax);
        a.ret();
        var bytes = Assemble(a);
        var s = new Sequence { Name = "StackSwitchSequence", Hypercall = 3, Bytes = bytes,
            Summary = "stack_switch(ss, sp): PvState.KernelSp and TSS.RSP0 stored inline" };
        s.Patches.Add((Find(bytes, 0x1122334455667788UL), PatchKind.PvField, Off("KernelSp")));
        s.Patches.Add((Find(bytes, 0x1122334455667789UL), PatchKind.PvField, Off("Tss") + (int)Marshal.OffsetOf<Tss>("Rsp0")));
        return s;
    }

    static Sequence CallStyle(string name, int nr, string summary)
    {
        var a = new Assembler(64);
        var slot = a.CreateLabel();
        var slow = a.CreateLabel();
        a.call(__qword_ptr[slot]);
        a.jb(slow);                      // CF=1: declined
        a.ret();
        a.Label(ref slow);
        a.push(rcx);
        a.push(r11);
        a.mov(eax, nr);
        a.syscall();
        a.pop(r11);
        a.pop(rcx);
        a.ret();
        a.Label(ref slot);
        a.dq(0x1122334455667788UL);
        var bytes = Assemble(a);
        var s = new Sequence { Name = name + "Sequence", Hypercall = nr, Bytes = bytes, Summary = summary };
        s.Patches.Add((Find(bytes, 0x1122334455667788UL), PatchKind.FastRoutine, nr));
        return s;
    }

    static Sequence Iret()
    {
        var a = new Assembler(64);
        var slot = a.CreateLabel();
        a.jmp(__qword_ptr[slot]);
        a.Label(ref slot);
        a.dq(0x1122334455667788UL);
        var bytes = Assemble(a);
        var s = new Sequence { Name = "IretSequence", Hypercall = 23, Bytes = bytes,
            Summary = "iret (entered with jmp, flags word pushed): fast_page_iret, which falls back to the dispatcher itself" };
        s.Patches.Add((Find(bytes, 0x1122334455667788UL), PatchKind.PageIret, 0));
        return s;
    }

    static int Find(byte[] b, ulong marker)
    {
        for (int i = 0; i + 8 <= b.Length; i++)
            if (BitConverter.ToUInt64(b, i) == marker) return i;
        throw new InvalidOperationException("placeholder not found");
    }

    /// <summary>The text of shim/Inline/NAME.g.cs for one sequence.</summary>
    public static string Emit(Sequence s)
    {
        var sb = new StringBuilder();
        sb.Append("// <auto-generated>\n// Generated by tools/InlineGen with Iced. Regenerate: dotnet run --project tools/InlineGen. Do not edit.\n// </auto-generated>\n\n");
        sb.Append("namespace Microxen.Inline\n{\n");
        sb.Append($"    /// <summary>\n    /// Transfer-page entry {s.Hypercall}, {s.Bytes.Length} bytes: {s.Summary}.\n    /// </summary>\n");
        sb.Append($"    public static unsafe class {s.Name}\n    {{\n");
        sb.Append($"        public const int Hypercall = {s.Hypercall};\n");
        sb.Append($"        public const int Length = {s.Bytes.Length};\n");
        sb.Append($"        public const int PatchCount = {s.Patches.Count};\n\n");
        sb.Append("        /// <summary>Writes the bytes; placeholders (8 bytes each) are left zero.</summary>\n");
        sb.Append("        public static void Write(byte* p)\n        {\n");
        for (int i = 0; i < s.Bytes.Length; i++)
        {
            bool inPatch = s.Patches.Any(pt => i >= pt.Offset && i < pt.Offset + 8);
            sb.Append($"            p[{i}] = 0x{(inPatch ? 0 : s.Bytes[i]):x2};\n");
        }
        sb.Append("        }\n\n");
        sb.Append("        /// <summary>Placeholder i: byte offset, kind (InlinePatch), argument (hypercall number or PvState offset).</summary>\n");
        sb.Append("        public static void Patch(int i, out int offset, out InlinePatch kind, out int arg)\n        {\n");
        sb.Append("            switch (i)\n            {\n");
        for (int i = 0; i < s.Patches.Count; i++)
        {
            var (off, kind, arg) = s.Patches[i];
            sb.Append($"                case {i}: offset = {off}; kind = InlinePatch.{kind}; arg = {arg}; return;\n");
        }
        sb.Append("                default: offset = 0; kind = InlinePatch.None; arg = 0; return;\n");
        sb.Append("            }\n        }\n    }\n}\n");
        return sb.ToString();
    }
}
