using System;
using System.Collections.Generic;
using System.IO;

using Iced.Intel;
using Xunit;

namespace Microxen.Tests;

/// <summary>
/// The one table of faults the shim's code expects (shim/Arch/FaultFixup.cs): the lookup rules
/// on a synthetic table, and the table the generator wrote into build/microxen.elf.
/// </summary>
public unsafe class FaultFixupTests
{
    static FaultFixup E(ulong begin, ulong end, FaultFixupKind kind, ulong fixup = 0, uint arg = 0) =>
        new() { Begin = begin, End = end, Fixup = fixup, Kind = (uint)kind, Arg = arg };

    [Fact]
    public void FindTakesTheFirstEntryWhoseRangeAndVectorMatch()
    {
        var t = new[]
        {
            E(0x1000, 0x1002, FaultFixupKind.Failsafe),
            E(0x2000, 0x2100, FaultFixupKind.Efault, 0x2100, 1),
            E(0x1000, 0x3000, FaultFixupKind.CrashGuest),
            default,
        };
        fixed (FaultFixup* p = t)
        {
            Assert.True(FaultFixup.Find(p, 0x1001, 12) == &p[0]);       // #SS on the iretq
            Assert.True(FaultFixup.Find(p, 0x1001, 14) == &p[2]);       // #PF there is not a bad frame
            Assert.True(FaultFixup.Find(p, 0x1002, 12) == null);        // End is exclusive; CrashGuest does not take #SS
            Assert.True(FaultFixup.Find(p, 0x20ff, 14) == &p[1]);
            Assert.True(FaultFixup.Find(p, 0x2100, 13) == &p[2]);
            Assert.True(FaultFixup.Find(p, 0x3000, 13) == null);
            Assert.True(FaultFixup.Find(p, 0x2050, 6) == null);         // #UD is never expected
        }
        Assert.True(FaultFixup.Find(null, 0x1000, 13) == null);
    }

    [Theory]
    [InlineData(FaultFixupKind.Efault, new ulong[] { 13, 14 })]
    [InlineData(FaultFixupKind.Decline, new ulong[] { 13, 14 })]
    [InlineData(FaultFixupKind.CrashGuest, new ulong[] { 13, 14 })]
    [InlineData(FaultFixupKind.Failsafe, new ulong[] { 11, 12, 13 })]
    [InlineData(FaultFixupKind.RetryNullSelector, new ulong[] { 11, 13, 14 })]
    public void EachKindCoversTheFaultsItsCodeCanRaise(FaultFixupKind kind, ulong[] vectors)
    {
        for (ulong v = 0; v < 32; v++)
            Assert.Equal(Array.IndexOf(vectors, v) >= 0, FaultFixup.Covers(kind, v));
    }

    /// <summary>
    /// build/microxen.elf's fault_fixup_table: every range lies in the image and is not empty, each
    /// entry's code is what its kind expects (iretq for Failsafe, a mov to GS from the register
    /// Arg names for RetryNullSelector), fixups land in the image, the catch-all comes last.
    /// </summary>
    [Fact]
    public void TheLinkedTableDescribesTheCodeItCovers()
    {
        _ = Integration.Qemu.Image;   // builds the image if needed
        var elf = new Elf(File.ReadAllBytes(Path.Combine(DebianKernel.RepoRoot, "build", "microxen.elf")));
        ulong start = elf.Symbol("__image_virt_start"), end = elf.Symbol("__image_virt_end");
        ulong at = elf.Symbol("fault_fixup_table");
        var kinds = new List<FaultFixupKind>();
        for (; ; at += FaultFixup.Size)
        {
            FaultFixup x = MemoryMarshal.Read<FaultFixup>(elf.At(at, FaultFixup.Size));
            var kind = (FaultFixupKind)x.Kind;
            if (kind == FaultFixupKind.None) { Assert.Equal(0UL, x.Begin); break; }
            kinds.Add(kind);
            Assert.InRange(x.Begin, start, end - 1);
            Assert.InRange(x.End, x.Begin + 1, end);
            var ins = Decode(elf, x.Begin);
            switch (kind)
            {
                case FaultFixupKind.Failsafe:
                    Assert.Equal(Mnemonic.Iretq, ins.Mnemonic);
                    Assert.Equal(x.Begin + (ulong)ins.Length, x.End);
                    break;
                case FaultFixupKind.RetryNullSelector:
                    Assert.Equal(Mnemonic.Mov, ins.Mnemonic);
                    Assert.Equal(Register.GS, ins.Op0Register);
                    string reg = ins.Op1Register.ToString();     // SI or DI: the frame's Rsi or Rdi
                    Assert.Equal((uint)Marshal.OffsetOf<CpuFrame>("R" + reg.ToLowerInvariant()), x.Arg);
                    Assert.Equal(x.Begin + (ulong)ins.Length, x.End);
                    break;
                case FaultFixupKind.Efault:
                case FaultFixupKind.Decline:
                    Assert.InRange(x.Fixup, start, end - 1);
                    if (kind == FaultFixupKind.Efault) Assert.InRange(x.Arg, 1u, 63u);   // a hypercall number
                    break;
                case FaultFixupKind.Ignore:       // one store skipped: the code resumes right after it
                    Assert.Equal(Mnemonic.Mov, ins.Mnemonic);
                    Assert.Equal(OpKind.Memory, ins.Op0Kind);
                    Assert.Equal(x.Begin + (ulong)ins.Length, x.End);
                    Assert.Equal(x.End, x.Fixup);
                    break;
                case FaultFixupKind.CrashGuest:
                    Assert.Equal(0UL, x.Fixup);
                    break;
                case FaultFixupKind.GuestRetryCall:   // a transfer-page helper's first instruction, pushfq; Arg the entry's call length
                    Assert.Equal(Mnemonic.Pushfq, ins.Mnemonic);
                    Assert.Equal(x.Begin + (ulong)ins.Length, x.End);
                    Assert.Equal((uint)Microxen.Inline.SmpEntry.CallLength, x.Arg);
                    break;
                case FaultFixupKind.GuestResume:      // jmp rcx right after the popfq that gives the guest its RFLAGS
                case FaultFixupKind.GuestResumeRet:   // ret right after it
                    if (kind == FaultFixupKind.GuestResume)
                    {
                        Assert.Equal(Mnemonic.Jmp, ins.Mnemonic);
                        Assert.Equal(Register.RCX, ins.Op0Register);
                    }
                    else Assert.Equal(Mnemonic.Ret, ins.Mnemonic);
                    Assert.Equal(x.Begin + (ulong)ins.Length, x.End);
                    Assert.Equal(0x9d, elf.At(x.Begin - 1, 1)[0]);   // popfq
                    Assert.Equal(0UL, x.Fixup);
                    break;
                default:
                    Assert.Fail($"entry {kinds.Count - 1}: unknown kind {x.Kind}");
                    break;
            }
        }
        Assert.Equal(4, kinds.FindAll(k => k == FaultFixupKind.Failsafe).Count);            // C#, LSTAR, transfer-page and native #PF iretq
        Assert.Equal(2, kinds.FindAll(k => k == FaultFixupKind.RetryNullSelector).Count);   // set_segment_base(GS_USER_SEL), native and C#
        Assert.Equal(3, kinds.FindAll(k => k == FaultFixupKind.Ignore).Count);              // *done of mmu_update and mmuext_op (fast_ and lstar_)
        Assert.Equal(8, kinds.FindAll(k => k == FaultFixupKind.GuestResume).Count);         // lstar_call, the LSTAR rows (stack_switch, set_segment_base twice, mmuext_op), the C# syscall path (hypercall and user), smp_page_call's decline
        Assert.Equal(3, kinds.FindAll(k => k == FaultFixupKind.GuestResumeRet).Count);      // smp_page_call, smp_page_stack_switch, smp_page_fpu_taskswitch
        Assert.Equal(3, kinds.FindAll(k => k == FaultFixupKind.GuestRetryCall).Count);      // the same three helpers' first pushfq
        Assert.Equal(FaultFixupKind.CrashGuest, kinds[^1]);
        Assert.Single(kinds.FindAll(k => k == FaultFixupKind.CrashGuest));
    }

    static Instruction Decode(Elf elf, ulong va)
    {
        var d = Decoder.Create(64, new ByteArrayCodeReader(elf.At(va, 15).ToArray()), va);
        d.Decode(out var ins);
        return ins;
    }

    /// <summary>Just enough of ELF64: symbols from .symtab, bytes at a virtual address from the section holding it.</summary>
    sealed class Elf
    {
        readonly byte[] _b;
        readonly List<(ulong Addr, ulong Off, ulong Size, uint Type, uint Link, ulong EntSize)> _sh = new();
        public Elf(byte[] b)
        {
            _b = b;
            ulong shoff = BitConverter.ToUInt64(b, 0x28);
            int entsize = BitConverter.ToUInt16(b, 0x3a), n = BitConverter.ToUInt16(b, 0x3c);
            for (int i = 0; i < n; i++)
            {
                int s = (int)shoff + i * entsize;
                _sh.Add((BitConverter.ToUInt64(b, s + 0x10), BitConverter.ToUInt64(b, s + 0x18), BitConverter.ToUInt64(b, s + 0x20),
                    BitConverter.ToUInt32(b, s + 4), BitConverter.ToUInt32(b, s + 0x28), BitConverter.ToUInt64(b, s + 0x38)));
            }
        }

        public ulong Symbol(string name)
        {
            foreach (var s in _sh)
            {
                if (s.Type != 2) continue;                               // SHT_SYMTAB
                var strtab = _sh[(int)s.Link];
                for (ulong o = s.Off; o < s.Off + s.Size; o += s.EntSize)
                {
                    int nameAt = (int)(strtab.Off + BitConverter.ToUInt32(_b, (int)o));
                    int len = Array.IndexOf(_b, (byte)0, nameAt) - nameAt;
                    if (System.Text.Encoding.ASCII.GetString(_b, nameAt, len) == name) return BitConverter.ToUInt64(_b, (int)o + 8);
                }
            }
            Assert.Fail($"no symbol {name}");
            return 0;
        }

        public ReadOnlySpan<byte> At(ulong va, int length)
        {
            foreach (var s in _sh)
                if (s.Type == 1 && s.Addr != 0 && va >= s.Addr && va + (ulong)length <= s.Addr + s.Size)   // SHT_PROGBITS
                    return _b.AsSpan((int)(s.Off + (va - s.Addr)), length);
            Assert.Fail($"0x{va:x} is in no loaded section");
            return default;
        }
    }
}
