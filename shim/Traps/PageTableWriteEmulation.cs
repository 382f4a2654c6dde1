using System.Runtime.CompilerServices;
using Microxen.Arch;

namespace Microxen.Traps
{
    /// <summary>
    /// Fast mode's write to a read-only page table in one trap (Traps/PageTableWrite.cs decides
    /// that the #PF is one): the faulting instruction is decoded and its write done through the
    /// shim's direct map of the table's frame, then the guest resumes after it; no single step
    /// and no #DB. Xen emulates every instruction (ptwr_emulated_write and x86_emulate); this
    /// takes the forms Linux writes page-table entries with (arch/x86/include/asm/pgtable_64.h,
    /// bitops.h), and declines the rest to the single step:
    /// <list type="bullet">
    /// <item><c>mov m64, r64</c> (REX.W 89 /r) and <c>mov m64, imm32</c> (REX.W C7 /0): native_set_pte.</item>
    /// <item><c>xchg m64, r64</c> (REX.W 87 /r): native_ptep_get_and_clear.</item>
    /// <item><c>and m8, imm8</c> / <c>or m8, imm8</c> (80 /4, 80 /1): clear_bit / set_bit with a
    /// constant bit (ptep_set_wrprotect); <c>btr</c> / <c>bts m64, imm8</c> (REX.W 0F BA /6, /5):
    /// test_and_clear_bit (ptep_test_and_clear_young).</item>
    /// <item><c>cmpxchg m64, r64</c> (REX.W 0F B1 /r): try_cmpxchg on an entry.</item>
    /// </list>
    /// Prefixes taken: <c>lock</c> (F0) and DS (3E, what Linux's alternatives put in place of
    /// LOCK_PREFIX on one CPU), one REX. The operand must be CR2 itself, addressed by base, index
    /// and displacement (no RIP-relative or segment-overridden forms), a qword operand aligned.
    /// Every read-modify-write is a <c>lock cmpxchg</c> loop on the aligned qword, so an
    /// accessed or dirty bit another CPU's page walk sets meanwhile is never lost, and another
    /// CPU's write to the same table is ordered as the instruction's own would be. Flags as the
    /// instruction sets them (SDM vol. 2: AND/OR clear CF and OF and set ZF, SF, PF from the
    /// byte; BTR/BTS set CF to the old bit; CMPXCHG sets them as CMP rax, old); the ones the SDM
    /// leaves undefined are kept. A guest single-stepping itself (RFLAGS.TF) is declined.
    /// </summary>
    public static unsafe class PageTableWriteEmulation
    {
        const byte Lock = 0xf0, Ds = 0x3e, RexW = 8, RexR = 4, RexX = 2, RexB = 1;
        const byte OpXchg = 0x87, OpMovStore = 0x89, OpMovImm = 0xc7, OpGroup1Imm8 = 0x80, TwoByte = 0x0f,
            OpBtGroupImm = 0xba, OpCmpxchg = 0xb1;
        const int Group1Or = 1, Group1And = 4, BtBts = 5, BtBtr = 6;
        const ulong StatusFlags = X86.Rflags.CF | X86.Rflags.PF | X86.Rflags.AF | X86.Rflags.ZF | X86.Rflags.SF | X86.Rflags.OF;
        public static ulong Count;

        /// <summary>
        /// True when the write at <paramref name="cr2"/> by the instruction at f->Rip was done at
        /// <paramref name="target"/> (the direct-map address of the byte CR2 names) and f->Rip
        /// moved past it; false, nothing changed, for any form not listed above.
        /// </summary>
        public static bool TryEmulate(CpuFrame* f, ulong cr2, byte* target)
        {
            if ((f->Rflags & X86.Rflags.TF) != 0) return false;
            byte* p = (byte*)f->Rip;
            int n = 0;
            while (n < 2 && (p[n] == Lock || p[n] == Ds)) n++;
            byte rex = 0;
            if ((p[n] & 0xf0) == 0x40) rex = p[n++];
            byte op = p[n++];
            bool twoByte = op == TwoByte;
            if (twoByte) op = p[n++];
            byte modrm = p[n++];
            int reg = ((modrm >> 3) & 7) | ((rex & RexR) << 1);
            ulong ea;
            if (!Address(f, p, ref n, modrm, rex, out ea) || ea != cr2) return false;
            bool wide = (rex & RexW) != 0;
            ulong* q = (ulong*)((ulong)target & ~7UL);
            if (!twoByte && op == OpGroup1Imm8 && ((reg & 7) == Group1And || (reg & 7) == Group1Or))
            {
                int shift = (int)(cr2 & 7) * 8;
                ulong imm = p[n++];
                bool and = (reg & 7) == Group1And;
                ulong mask = (and ? ~imm & 0xff : imm) << shift;
                ulong old = Update(q, mask, and);
                ulong r = ((and ? old & ~mask : old | mask) >> shift) & 0xff;
                SetFlags(f, X86.Rflags.CF | X86.Rflags.OF | X86.Rflags.PF | X86.Rflags.ZF | X86.Rflags.SF,
                    (Parity(r) ? X86.Rflags.PF : 0) | (r == 0 ? X86.Rflags.ZF : 0) | ((r & 0x80) != 0 ? X86.Rflags.SF : 0));
            }
            else if (!wide || (cr2 & 7) != 0) return false;
            else if (!twoByte && op == OpMovStore) *q = *Register(f, reg);
            else if (!twoByte && op == OpMovImm && (reg & 7) == 0)
            {
                *q = (ulong)(long)*(int*)(p + n);
                n += 4;
            }
            else if (!twoByte && op == OpXchg)
            {
                ulong* r = Register(f, reg);
                ulong old;
                do old = *q; while (Cpu.CmpXchg(q, old, *r) != old);
                *r = old;
            }
            else if (twoByte && op == OpBtGroupImm && ((reg & 7) == BtBtr || (reg & 7) == BtBts))
            {
                ulong bit = 1UL << (p[n++] & 63);
                ulong old = Update(q, bit, (reg & 7) == BtBtr);
                SetFlags(f, X86.Rflags.CF, (old & bit) != 0 ? X86.Rflags.CF : 0);
            }
            else if (twoByte && op == OpCmpxchg)
            {
                ulong want = f->Rax, old;
                do old = *q; while (old == want && Cpu.CmpXchg(q, old, *Register(f, reg)) != old);
                if (old != want) f->Rax = old;
                SetFlags(f, StatusFlags, CompareFlags(want, old));
            }
            else return false;
            f->Rip += (ulong)n;
            Count++;
            return true;
        }

        /// <summary>Atomically clears (<paramref name="clear"/>) or sets <paramref name="bits"/> in *q; the value before.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static ulong Update(ulong* q, ulong bits, bool clear)
        {
            ulong old;
            do old = *q; while (Cpu.CmpXchg(q, old, clear ? old & ~bits : old | bits) != old);
            return old;
        }

        /// <summary>
        /// The operand address of a ModRM memory form (SDM vol. 2 2.1.5, 2.2.1): base, index × scale,
        /// displacement; moves <paramref name="n"/> past the SIB and displacement. False for a
        /// register operand and for RIP-relative addressing.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static bool Address(CpuFrame* f, byte* p, ref int n, byte modrm, byte rex, out ulong ea)
        {
            int mod = modrm >> 6, rm = modrm & 7;
            ea = 0;
            if (mod == 3 || (mod == 0 && rm == 5)) return false;
            if (rm == 4)
            {
                byte sib = p[n++];
                int index = ((sib >> 3) & 7) | ((rex & RexX) << 2), b = sib & 7;
                if (index != 4) ea = *Register(f, index) << (sib >> 6);
                if (mod == 0 && b == 5) { ea += (ulong)(long)*(int*)(p + n); n += 4; return true; }
                ea += *Register(f, b | ((rex & RexB) << 3));
            }
            else ea = *Register(f, rm | ((rex & RexB) << 3));
            if (mod == 1) ea += (ulong)(long)(sbyte)p[n++];
            else if (mod == 2) { ea += (ulong)(long)*(int*)(p + n); n += 4; }
            return true;
        }

        /// <summary>General register <paramref name="r"/> (ModRM order: 0 rax ... 15 r15) in the frame (shim/Arch/CpuFrame.cs: r15 first, rax at slot 14).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static ulong* Register(CpuFrame* f, int r)
        {
            if (r == 4) return &f->Rsp;
            return (ulong*)f + (r < 4 ? 14 - r : 15 - r);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void SetFlags(CpuFrame* f, ulong which, ulong values) => f->Rflags = (f->Rflags & ~which) | values;

        /// <summary>Even number of set bits in the low byte (PF).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static bool Parity(ulong v)
        {
            v &= 0xff; v ^= v >> 4; v ^= v >> 2; v ^= v >> 1;
            return (v & 1) == 0;
        }

        /// <summary>The status flags of CMP a, b (a - b).</summary>
        static ulong CompareFlags(ulong a, ulong b)
        {
            ulong r = a - b, fl = 0;
            if (a < b) fl |= X86.Rflags.CF;
            if (Parity(r)) fl |= X86.Rflags.PF;
            if (((a ^ b ^ r) & 0x10) != 0) fl |= X86.Rflags.AF;
            if (r == 0) fl |= X86.Rflags.ZF;
            if ((r >> 63) != 0) fl |= X86.Rflags.SF;
            if ((((a ^ b) & (a ^ r)) >> 63) != 0) fl |= X86.Rflags.OF;
            return fl;
        }
    }
}
