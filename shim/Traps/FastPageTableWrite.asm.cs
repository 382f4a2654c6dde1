using System.Runtime.InteropServices;
using Microxen.Xen;

namespace Microxen.Native;

/// <summary>
/// fast_ptwr: a guest-kernel write to a read-only page table (Traps/PageTableWrite.cs) done
/// natively, without the C# trap path, for the forms on Linux's fork and exit paths:
/// <c>xchg m64, r64</c> (REX.W 87 /r: native_ptep_get_and_clear), <c>mov m64, r64</c> (REX.W 89
/// /r: native_set_pte) and <c>and</c>/<c>or m8, imm8</c> (80 /4, 80 /1, with <c>lock</c> or
/// its one-CPU replacement DS: clear_bit/set_bit, ptep_set_wrprotect), the operand addressed by
/// one base register and a displacement (ModRM mod 0-2; a SIB byte only without an index). The
/// CPU itself does the instruction's operation on the shim's direct-map alias of the entry
/// (<c>xchg</c> and <c>lock and/or</c> are atomic against other CPUs' writes and A/D updates),
/// the status flags it sets are copied into the guest's RFLAGS, and the guest resumes after the
/// instruction. Entered from fast_pf_entry for a fault in ring 0 (never the guest kernel's
/// <c>int $14</c>: without an error code the CPU's frame has RFLAGS, bit 1 always set, where
/// fast_pf_entry tests CS's RPL, so that goes the user-mode way and declines there); it builds the entry stubs'
/// CpuFrame first. A fault that is no page-table write (not a write to a present page, or a
/// lower-half address written by upper-half code) goes to the guest from FastPageFault's
/// kernel-mode delivery. Everything it declines (fast paths off: checked mode, inline=off, more
/// than one vCPU; RFLAGS.TF; the shim's own code (L4 slots 256-271); a lower-half address
/// written by lower-half code (a kernel linked low), a walk that meets a
/// missing or large page, an entry not read-only, a frame that is not the guest's or not marked
/// a page table yet, any other instruction form, an operand other than CR2) goes on to the C#
/// trap path with the frame as it was: TrapDispatch, then PageTableWrite.TryBegin.
/// </summary>
static class FastPageTableWrite
{
    static int Of(string field) => (int)Marshal.OffsetOf<CpuFrame>(field);

    /// <summary>CpuFrame fields of the general registers in ModRM/REX numbering (0 rax ... 15 r15).</summary>
    static readonly string[] ByNumber =
        { "Rax", "Rcx", "Rdx", "Rbx", "Rsp", "Rbp", "Rsi", "Rdi", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15" };

    const byte Lock = 0xf0, Ds = 0x3e, OpXchg = 0x87, OpMovStore = 0x89, OpGroup1Imm8 = 0x80;
    const int RexW = 8, RexR = 4, RexX = 2, RexB = 1, Group1Or = 1, Group1And = 4;
    const ulong StatusFlags = X86.Rflags.CF | X86.Rflags.PF | X86.Rflags.AF | X86.Rflags.ZF | X86.Rflags.SF | X86.Rflags.OF;

    /// <summary>
    /// Emits the routine and returns its label: entered by jmp with the #PF's hardware frame at
    /// rsp (error code on top); <paramref name="frameBuilt"/> is the C# trap path after its pushes
    /// (vector and registers on the stack), <paramref name="popAndIret"/> the stubs' way back,
    /// <paramref name="count"/> a qword counting the writes done here, <paramref name="guestFault"/>
    /// where a fault that is no page-table write goes (the frame built, rdi = CR2).
    /// </summary>
    public static Label Emit(Block b, Label frameBuilt, Label popAndIret, Label count, Label guestFault)
    {
        var a = b.Asm;
        var entry = a.CreateLabel();
        var decline = a.CreateLabel();
        var numbers = a.CreateLabel();
        b.Place(ref entry);
        b.Global("fast_ptwr");
        a.push(X86.Vector.PF);
        foreach (var r in FrameLayout.Pushed) a.push(r);
        // rsp is the CpuFrame from here; every register is free.
        a.cmp(__qword_ptr[FastPaths.Field(a, "FastPaths")], 0);
        a.je(decline);
        a.mov(rsi, __qword_ptr[rsp + Of("Rip")]);
        a.mov(rax, Layout.HYPERVISOR_VIRT_START);
        a.mov(rdx, rsi);
        a.sub(rdx, rax);
        a.mov(rax, Layout.HYPERVISOR_VIRT_END - Layout.HYPERVISOR_VIRT_START);
        a.cmp(rdx, rax);
        a.jb(decline);                                      // the shim's own access (its fault table, -EFAULT)
        a.mov(rdi, cr2);
        // Not a write to a present page, or (fast mode's rule, PageTableWrite.TryBegin) a
        // lower-half address written by upper-half code: the guest's own fault.
        var candidate = a.CreateLabel();
        a.mov(eax, __dword_ptr[rsp + Of("ErrorCode")]);
        a.and(eax, 0x1f);                                   // P W U RSVD I
        a.cmp(eax, 3);                                      // present, write, kernel
        a.jne(guestFault);
        a.bt(rdi, 63);
        a.jc(candidate);
        a.bt(rsi, 63);
        a.jc(guestFault);
        a.jmp(decline);                                     // a kernel linked low: C# (ptwr may apply)
        a.Label(ref candidate);
        a.bt(__qword_ptr[rsp + Of("Rflags")], 8);           // TF: the guest steps itself
        a.jc(decline);
        FastPaths.WalkToL1(a, default, decline);            // rax = the L1 entry mapping CR2
        a.mov(rax, __qword_ptr[rax]);
        a.mov(edx, eax);
        a.and(edx, (int)(PageFlags.Present | PageFlags.RW));
        a.cmp(edx, (int)PageFlags.Present);
        a.jne(decline);
        a.mov(r8, PageFlags.PADDR_MASK);
        a.and(rax, r8);
        a.shr(rax, PageFlags.PageShift);                    // the table's frame
        a.cmp(rax, __qword_ptr[FastPaths.Field(a, "M2pEntries")]);
        a.jae(decline);
        a.mov(rdx, __qword_ptr[FastPaths.Field(a, "M2p")]);
        a.cmp(__qword_ptr[rdx + rax * 8], -1);              // Host.InvalidM2p: not the guest's
        a.je(decline);
        a.cmp(rax, __qword_ptr[FastPaths.Field(a, "FrameCount")]);
        a.jae(decline);
        a.mov(rdx, __qword_ptr[FastPaths.Field(a, "PtBitmap")]);
        a.bt(__qword_ptr[rdx], rax);                        // marked (C# runs the deferred walks)
        a.jnc(decline);
        a.shl(rax, PageFlags.PageShift);
        a.add(rax, __qword_ptr[FastPaths.Field(a, "DirectMap")]);
        a.mov(r11, rdi);
        a.and(r11d, (int)PageFlags.PageSize - 1);
        a.add(r11, rax);                                    // r11: the direct-map alias of CR2's byte

        // Decode at rip (rsi): prefixes lock/DS, REX (ebx), opcode (r9d), ModRM (r10d).
        for (int i = 0; i < 2; i++)
        {
            var notPrefix = a.CreateLabel();
            var prefix = a.CreateLabel();
            a.movzx(eax, __byte_ptr[rsi]);
            a.cmp(al, Lock);
            a.je(prefix);
            a.cmp(al, Ds);
            a.jne(notPrefix);
            a.Label(ref prefix);
            a.inc(rsi);
            a.Label(ref notPrefix);
        }
        var noRex = a.CreateLabel();
        a.xor(ebx, ebx);
        a.movzx(eax, __byte_ptr[rsi]);
        a.mov(ecx, eax);
        a.and(ecx, 0xf0);
        a.cmp(ecx, 0x40);
        a.jne(noRex);
        a.mov(ebx, eax);
        a.inc(rsi);
        a.Label(ref noRex);
        a.movzx(r9d, __byte_ptr[rsi]);
        a.movzx(r10d, __byte_ptr[rsi + 1]);
        a.add(rsi, 2);
        a.test(bl, RexX);                                   // an index register: declined
        a.jnz(decline);
        // The base register's number (ecx) from ModRM.rm or the SIB base; mod (r12d).
        var noSib = a.CreateLabel();
        var haveBase = a.CreateLabel();
        a.mov(r12d, r10d);
        a.shr(r12d, 6);
        a.cmp(r12d, 3);
        a.je(decline);                                      // a register operand
        a.mov(ecx, r10d);
        a.and(ecx, 7);
        a.cmp(ecx, 4);
        a.jne(noSib);
        a.movzx(ecx, __byte_ptr[rsi]);
        a.inc(rsi);
        a.mov(eax, ecx);
        a.and(eax, 0x38);
        a.cmp(eax, 4 << 3);                                 // SIB index 100: none
        a.jne(decline);
        a.and(ecx, 7);
        a.Label(ref noSib);
        a.cmp(ecx, 5);                                      // mod 0 with rm/base 101: disp32 only or RIP-relative
        a.jne(haveBase);
        a.test(r12d, r12d);
        a.jz(decline);
        a.Label(ref haveBase);
        var noRexB = a.CreateLabel();
        a.test(bl, RexB);
        a.jz(noRexB);
        a.or(ecx, 8);
        a.Label(ref noRexB);
        a.lea(rdx, __[numbers]);
        a.movzx(eax, __byte_ptr[rdx + rcx]);
        a.mov(r13, __qword_ptr[rsp + rax * 8]);             // r13: base + displacement
        var disp32 = a.CreateLabel();
        var dispDone = a.CreateLabel();
        a.cmp(r12d, 1);
        a.jne(disp32);
        a.movsx(rax, __byte_ptr[rsi]);
        a.add(r13, rax);
        a.inc(rsi);
        a.jmp(dispDone);
        a.Label(ref disp32);
        a.cmp(r12d, 2);
        a.jne(dispDone);
        a.movsxd(rax, __dword_ptr[rsi]);
        a.add(r13, rax);
        a.add(rsi, 4);
        a.Label(ref dispDone);
        a.cmp(r13, rdi);                                    // the operand is CR2
        a.jne(decline);
        // ModRM.reg with REX.R: the register operand's frame slot (r14 = its address).
        a.mov(ecx, r10d);
        a.shr(ecx, 3);
        a.and(ecx, 7);
        a.mov(eax, ebx);
        a.and(eax, RexR);
        a.lea(ecx, __[rcx + rax * 2]);
        a.movzx(eax, __byte_ptr[rdx + rcx]);
        a.lea(r14, __[rsp + rax * 8]);

        var group1 = a.CreateLabel();
        var done = a.CreateLabel();
        a.cmp(r9d, OpGroup1Imm8);
        a.je(group1);
        a.test(bl, RexW);                                   // xchg and mov: 64-bit operands, aligned
        a.jz(decline);
        a.test(edi, 7);
        a.jnz(decline);
        var mov = a.CreateLabel();
        a.cmp(r9d, OpMovStore);
        a.je(mov);
        a.cmp(r9d, OpXchg);
        a.jne(decline);
        a.mov(rax, __qword_ptr[r14]);
        a.xchg(__qword_ptr[r11], rax);
        a.mov(__qword_ptr[r14], rax);
        a.jmp(done);
        a.Label(ref mov);
        a.mov(rax, __qword_ptr[r14]);
        a.mov(__qword_ptr[r11], rax);
        a.jmp(done);

        // and/or m8, imm8: ModRM.reg is the operation; the CPU's own flags go to the guest.
        var or = a.CreateLabel();
        a.Label(ref group1);
        a.movzx(eax, __byte_ptr[rsi]);
        a.inc(rsi);
        a.mov(ecx, r10d);
        a.shr(ecx, 3);
        a.and(ecx, 7);
        a.cmp(ecx, Group1Or);
        a.je(or);
        a.cmp(ecx, Group1And);
        a.jne(decline);
        a.@lock.and(__byte_ptr[r11], al);
        var flags = a.CreateLabel();
        a.jmp(flags);
        a.Label(ref or);
        a.@lock.or(__byte_ptr[r11], al);
        a.Label(ref flags);
        a.pushfq();
        a.pop(rax);
        a.and(eax, (int)StatusFlags);
        a.and(__qword_ptr[rsp + Of("Rflags")], ~(int)StatusFlags);
        a.or(__qword_ptr[rsp + Of("Rflags")], rax);

        a.Label(ref done);
        a.mov(__qword_ptr[rsp + Of("Rip")], rsi);           // past the instruction
        a.inc(__qword_ptr[count]);
        a.jmp(popAndIret);
        a.Label(ref decline);
        a.jmp(frameBuilt);

        // Frame slot (qwords) of each register number; read-only data after the code.
        a.Label(ref numbers);
        var slots = new byte[ByNumber.Length];
        for (int i = 0; i < slots.Length; i++) slots[i] = (byte)(Of(ByNumber[i]) / 8);
        a.db(slots);
        return entry;
    }
}
