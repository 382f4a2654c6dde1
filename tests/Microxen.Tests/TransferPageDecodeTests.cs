using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Iced.Intel;
using Microxen.Hypercalls;
using Microxen.TransferPage;
using Microxen.Native;
using Xunit;

namespace Microxen.Tests;

/// <summary>
/// The transfer page decoded with Iced: the dispatcher entry everywhere in checked mode
/// (inline=off), each fast path's inline sequence in fast mode, all within 32 bytes.
/// </summary>
public unsafe class TransferPageDecodeTests
{
    const ulong PageVa = 0xffffffff81001000UL;
    const ulong PvState = 0xffff82d080200000UL;
    const ulong PageIret = 0xffff82d080123400UL;
    /// <summary>The hypercalls with a fast path in the hypercall table: their entries differ in fast mode.</summary>
    static readonly int[] FastPaths = Enumerable.Range(0, HypercallTable.Size).Where(n => HypercallTable.Row(n).Fast != FastPath.None).ToArray();

    /// <summary>The hypercalls whose entry calls their native routine (FastPath.Routine).</summary>
    public static TheoryData<int> RoutineEntries()
    {
        var d = new TheoryData<int>();
        for (int n = 0; n < HypercallTable.Size; n++)
            if (HypercallTable.Row(n).Fast == FastPath.Routine) d.Add(n);
        return d;
    }

    static ulong RoutineFor(int nr) => 0xffff82d080110000UL + (ulong)nr * 0x100;

    static byte[] Build(bool inline)
    {
        var page = new byte[4096];
        var table = new ulong[64];
        for (int i = 0; i < 64; i++) table[i] = RoutineFor(i);
        fixed (byte* p = page)
        fixed (ulong* t = table)
        {
            var targets = new InlineTargets { FastPathTable = t, PageIret = PageIret, PvState = PvState };
            TransferPageBuilder.Fill(p, inline, targets);
        }
        return page;
    }

    /// <summary>Decodes entry n up to its first ret / jmp / iret-style syscall end; asserts it stays inside the 32 bytes.</summary>
    static List<Instruction> Decode(byte[] page, int n, int maxInstructions = 16)
    {
        var bytes = page.AsSpan(n * 32, 32).ToArray();
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes), PageVa + (ulong)n * 32);
        var list = new List<Instruction>();
        ulong end = PageVa + (ulong)n * 32 + 32;
        while (list.Count < maxInstructions && decoder.IP < end)
        {
            decoder.Decode(out var ins);
            Assert.False(ins.IsInvalid, $"entry {n}: invalid instruction at {ins.IP:x}");
            Assert.True(ins.NextIP <= end, $"entry {n}: instruction at {ins.IP:x} crosses the 32-byte boundary");
            list.Add(ins);
            if (ins.Mnemonic == Mnemonic.Int3) break;
        }
        return list;
    }

    static string[] Mnemonics(List<Instruction> ins, int count) => ins.Take(count).Select(i => i.Mnemonic.ToString()).ToArray();

    static void AssertDispatcher(byte[] page, int n)
    {
        var ins = Decode(page, n);
        if (n == 23)
        {
            Assert.Equal(new[] { "Push", "Push", "Push", "Mov", "Syscall" }, Mnemonics(ins, 5));
            Assert.Equal(Register.RAX, ins[2].Op0Register);
        }
        else
        {
            Assert.Equal(new[] { "Push", "Push", "Mov", "Syscall", "Pop", "Pop", "Ret" }, Mnemonics(ins, 7));
            Assert.Equal(Register.RCX, ins[0].Op0Register);
            Assert.Equal(Register.R11, ins[1].Op0Register);
            Assert.Equal(Register.R11, ins[4].Op0Register);
            Assert.Equal(Register.RCX, ins[5].Op0Register);
        }
        var mov = ins.First(i => i.Mnemonic == Mnemonic.Mov);
        Assert.Equal(Register.EAX, mov.Op0Register);
        Assert.Equal((uint)n, mov.Immediate32);
    }

    [Fact]
    public void DispatcherModeHasTheDispatcherEntryInAll128()
    {
        var page = Build(inline: false);
        for (int n = 0; n < 128; n++) AssertDispatcher(page, n);
    }

    [Fact]
    public void FastModeLeavesTheDispatcherEntryWhereThereIsNoFastPath()
    {
        var page = Build(inline: true);
        for (int n = 0; n < 128; n++)
            if (Array.IndexOf(FastPaths, n) < 0) AssertDispatcher(page, n);
    }

    [Theory]
    [MemberData(nameof(RoutineEntries))]
    public void CallStyleEntryCallsItsNativeRoutineThenFallsBackToTheDispatcher(int n)
    {
        var page = Build(inline: true);
        var ins = Decode(page, n, 14);
        // The guest's flags kept around the routine (whose CF is its answer) on both ways out.
        Assert.Equal(new[] { "Pushfq", "Call", "Jb", "Popfq", "Ret", "Popfq", "Push", "Push", "Push", "Pop", "Syscall", "Pop", "Pop", "Ret" },
            Mnemonics(ins, 14));
        Assert.True(ins[1].IsIPRelativeMemoryOperand);
        ulong slot = ins[1].IPRelativeMemoryAddress;
        ulong target = BitConverter.ToUInt64(page, (int)(slot - PageVa));
        Assert.Equal(RoutineFor(n), target);
        Assert.Equal(ins[5].IP, ins[2].NearBranchTarget);          // declined -> flags back, the dispatcher sequence
        Assert.Equal(Register.RCX, ins[6].Op0Register);
        Assert.Equal(Register.R11, ins[7].Op0Register);
        Assert.Equal(unchecked((ulong)(n - Microxen.Arch.PvState.DeclinedBias)), ins[8].GetImmediate(0));   // push $N-128; pop %rax: declined already
        Assert.Equal(Register.RAX, ins[9].Op0Register);
        Assert.Equal(Register.R11, ins[11].Op0Register);
        Assert.Equal(Register.RCX, ins[12].Op0Register);
        Assert.True(slot + 8 <= PageVa + (ulong)n * 32 + 32, "the routine's address must lie inside the entry");
    }

    /// <summary>
    /// With several vCPUs (Inline/SmpEntry.cs) each entry with a fast path is <c>call *slot(%rip)</c>
    /// into smp_page_call (iret: smp_page_iret), the table slot holding its column N, and bytes
    /// 18-23 CallRoutine's from its syscall on; the others stay the dispatcher entry.
    /// </summary>
    [Fact]
    public void SmpEntriesCallTheirHelperWithTheirTableColumn()
    {
        const ulong Call = 0xffff82d080140000UL, Iret = 0xffff82d080140100UL, Table = 0x1234567000UL;
        var page = new byte[4096];
        var table = new ulong[64];
        fixed (byte* p = page)
        fixed (ulong* t = table)
        {
            var targets = new InlineTargets { FastPathTable = t, PageIret = PageIret, PvState = PvState, SmpPageCall = Call, SmpPageIret = Iret, SmpTable = Table };
            TransferPageBuilder.Fill(p, true, true, targets);
        }
        var one = Build(inline: true);
        for (int n = 0; n < 128; n++)
        {
            if (Array.IndexOf(FastPaths, n) < 0) { AssertDispatcher(page, n); continue; }
            var ins = Decode(page, n, 1);
            Assert.Equal(Mnemonic.Call, ins[0].Mnemonic);
            Assert.True(ins[0].IsIPRelativeMemoryOperand);
            Assert.Equal(PageVa + (ulong)n * 32 + (ulong)Microxen.Inline.SmpEntry.HelperSlot, ins[0].IPRelativeMemoryAddress);
            Assert.Equal(n == Xen.Hypercall.Iret ? Iret : Call, BitConverter.ToUInt64(page, n * 32 + Microxen.Inline.SmpEntry.HelperSlot));
            Assert.Equal(Table + (ulong)n * 8, BitConverter.ToUInt64(page, n * 32 + Microxen.Inline.SmpEntry.TableSlot));
            int at = Microxen.Inline.SmpEntry.SyscallAt;
            Assert.Equal(one.AsSpan(Xen.Hypercall.MmuUpdate * 32 + at, 6).ToArray(), page.AsSpan(n * 32 + at, 6).ToArray());
        }
    }

    static ulong PvOffset(string field) => (ulong)System.Runtime.InteropServices.Marshal.OffsetOf<PvState>(field);
    static ulong FastCount(int nr) => PvState + PvOffset("FastCount") + (ulong)nr * 8;

    /// <summary>The address a [reg+disp] operand names when the register holds <paramref name="reg"/>.</summary>
    static ulong Target(Instruction ins, ulong reg) => unchecked(reg + ins.MemoryDisplacement64);

    [Fact]
    public void FpuTaskswitchCountsItselfThenWritesTsKeepingTheFlags()
    {
        var ins = Decode(Build(inline: true), 5, 12);
        Assert.Equal(new[] { "Pushfq", "Mov", "Inc", "Test", "Clts", "Je", "Mov", "Or", "Mov", "Xor", "Popfq", "Ret" }, Mnemonics(ins, 12));
        ulong rax = ins[1].GetImmediate(1);
        Assert.Equal(FastCount(5), rax);
        Assert.Equal(Register.RAX, ins[2].MemoryBase);
        Assert.Equal(FastCount(5), Target(ins[2], rax));
        Assert.Equal(MemorySize.UInt64, ins[2].MemorySize);
        Assert.Equal(Register.EDI, ins[3].Op0Register);               // set == 0: clts only
        Assert.Equal(ins[9].IP, ins[5].NearBranchTarget);
        Assert.Equal(Register.CR0, ins[6].Op1Register);               // else TS set again
        Assert.Equal(8UL, ins[7].GetImmediate(1));
        Assert.Equal(Register.CR0, ins[8].Op0Register);
        Assert.Equal(Register.RAX, ins[8].Op1Register);
        Assert.Equal(Register.EAX, ins[9].Op0Register);               // the result, 0
    }

    [Fact]
    public void StackSwitchCountsItselfAndStoresTheKernelStackInline()
    {
        var ins = Decode(Build(inline: true), 3, 8).Skip(1).ToList();    // pushfq ... popfq: the guest's flags kept
        Assert.Equal(new[] { "Mov", "Mov", "Mov", "Inc", "Xor", "Popfq", "Ret" }, Mnemonics(ins, 7));
        ulong rax = ins[0].GetImmediate(1);
        Assert.Equal(Register.RAX, ins[0].Op0Register);
        Assert.Equal(PvState + PvOffset("KernelSp"), Target(ins[1], rax));
        Assert.Equal(Register.RSI, ins[1].Op1Register);
        Assert.Equal(PvState + PvOffset("Tss") + 4, Target(ins[2], rax));   // TSS.RSP0
        Assert.Equal(Register.RSI, ins[2].Op1Register);
        Assert.Equal(FastCount(3), Target(ins[3], rax));
        Assert.Equal(MemorySize.UInt64, ins[3].MemorySize);
    }

    [Fact]
    public void IretJumpsToTheNativeIret()
    {
        var page = Build(inline: true);
        var ins = Decode(page, 23, 1);
        Assert.Equal(Mnemonic.Jmp, ins[0].Mnemonic);
        Assert.True(ins[0].IsIPRelativeMemoryOperand);
        Assert.Equal(PageIret, BitConverter.ToUInt64(page, (int)(ins[0].IPRelativeMemoryAddress - PageVa)));
    }

    [Fact]
    public void FastModeChangesExactlyTheEntriesOfTheTablesFastPaths()
    {
        // Measured against the page itself: the entries fast mode changes are exactly the table's fast paths.
        var dispatcher = Build(inline: false);
        var fast = Build(inline: true);
        var changed = Enumerable.Range(0, 128).Where(n => !dispatcher.AsSpan(n * 32, 32).SequenceEqual(fast.AsSpan(n * 32, 32))).ToArray();
        Assert.Equal(FastPaths, changed);
        Assert.Contains(23, changed);
        Assert.True(changed.Length >= 10, $"only {changed.Length} fast-path entries");
    }

    [Fact]
    public void RegeneratingTheSequenceTableReproducesTheCommittedFile()
    {
        string path = Path.Combine(DebianKernel.RepoRoot, Generator.RelativePath);
        Assert.Equal(File.ReadAllText(path), Generator.Emit());
        var inline = Directory.GetFiles(Path.Combine(DebianKernel.RepoRoot, "shim", "Inline"), "*.g.cs").Select(Path.GetFileName);
        Assert.Equal(new[] { "InlineSequences.g.cs" }, inline);
    }

    [Fact]
    public void EverySequenceDecodesExactlyIntoItsBytesWithItsPlaceholdersZero()
    {
        foreach (var s in Generator.All())
        {
            var lines = Generator.Lines(s);
            Assert.Equal(s.Bytes.Length, lines.Sum(l => l.Length));
            Assert.True(s.Bytes.Length <= 32, $"{s.Name}: {s.Bytes.Length} bytes");
            foreach (var p in s.Patches)
                Assert.All(s.Bytes.Skip(p.Offset).Take(p.Kind == Microxen.Inline.InlinePatch.Number ? 4 : p.Kind == Microxen.Inline.InlinePatch.Number8 ? 1 : 8), b => Assert.Equal(0, b));
        }
    }
}
