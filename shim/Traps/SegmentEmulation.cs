namespace Microxen.Traps
{
    /// <summary>
    /// What Xen's flat selectors (public/arch-x86/xen-x86_64.h FLAT_RING3_*, FLAT_KERNEL_*) do
    /// for a kernel that Xen runs in ring 3, completed for the guest kernel in ring 0 when the
    /// CPU refuses them with #GP (Arch/Gdt.cs says which are native):
    /// <list type="bullet">
    /// <item><c>mov r16/r32/r64, %ss</c> with 0xe02b: SS becomes <see cref="Gdt.KernelSs"/> (a ring-0
    /// SS cannot have RPL 3; reading SS back gives 0xe038, not 0xe02b).</item>
    /// <item><c>iretq</c> to CS 0xe033/0xe023 (RPL 3): Xen's ring-3 kernel stays
    /// in kernel mode (a same-ring iretq; Mini-OS returns from events so): the shim loads RIP,
    /// RFLAGS (IF and IOPL kept: ring 3 cannot change them), RSP and CS 0xe030/0xe020, SS
    /// <see cref="Gdt.KernelSs"/>.</item>
    /// <item><c>lretq</c> / <c>lretq $n</c> to 0xe033/0xe023: a same-ring far return under Xen (pops
    /// RIP and CS only, then n bytes): likewise.</item>
    /// </list>
    /// User mode's transfers to 0xe033/0xe023 are completed on their DPL-3 aliases (<see cref="TryGp"/>).
    /// Anything else (memory operands, 16/32-bit operand sizes) is the guest's #GP. An
    /// <c>iretq</c> to a DPL-3 CS of the guest's own GDT is not refused by the CPU: it enters
    /// ring 3, where Xen would stay in kernel mode (README: differences from Xen).
    /// </summary>
    public static unsafe class SegmentEmulation
    {
        const byte RexW = 0x48, OpMovSreg = 0x8e, OpIret = 0xcf, OpLret = 0xcb, OpLretImm = 0xca;
        const int SregSs = 2;
        public static ulong Count;

        /// <summary>
        /// True when the #GP in <paramref name="f"/> was a flat-selector load or transfer, now
        /// completed: the guest kernel's (see above), or user mode's <c>iretq</c>/<c>lretq</c> to
        /// 0xe033/0xe023 (the CPU refuses their DPL-0 entries in ring 3), which then runs on the
        /// DPL-3 alias (<see cref="Gdt.UserHardwareCs"/>), its <c>iretq</c> with SS 0xe02b only.
        /// </summary>
        public static bool TryGp(CpuFrame* f)
        {
            bool user = (f->Cs & X86.Selector.RplMask) == 3;
            byte* p = (byte*)f->Rip;
            int n = 0;
            byte rex = 0;
            while (n < 4 && (p[n] == 0x66 || p[n] == 0x67 || (p[n] >= 0x40 && p[n] <= 0x4f)))
            {
                if (p[n] >= 0x40 && p[n] <= 0x4f) rex = p[n];
                n++;
            }
            byte op = p[n];
            if (op == OpMovSreg) return !user && MovSs(f, p[n + 1], rex, n + 2);
            if (rex != RexW) return false;
            ulong* s = (ulong*)f->Rsp;
            ulong cs = s[1] & 0xffff;
            if ((cs & X86.Selector.RplMask) != 3 || !Gdt.IsFlatCode(cs) || f->ErrorCode != (cs & ~X86.Selector.RplMask)) return false;
            if (op == OpIret)
            {
                // User mode: SS 0xe02b only (what the alias can be checked against). Kernel mode:
                // any SS, since the frames the shim gives the kernel name 0xe038 or NUL where Xen
                // names FLAT_KERNEL_SS (a Mini-OS-style `orb $3` then makes them 0xe03b or 3).
                ulong ss = s[4] & 0xffff;
                if (user && ss != (Gdt.FlatDs | X86.Selector.RplMask)) return false;
                const ulong Kept = X86.Rflags.IF | X86.Rflags.IOPL;
                f->Rflags = (s[2] & ~Kept) | (f->Rflags & Kept);
                f->Rip = s[0];
                f->Rsp = s[3];
                f->Ss = user ? ss : Gdt.KernelSs;
            }
            else if (op == OpLret || op == OpLretImm)
            {
                f->Rip = s[0];
                f->Rsp += 16 + (op == OpLretImm ? *(ushort*)(p + n + 1) : 0UL);
            }
            else return false;
            f->Cs = user ? Gdt.UserHardwareCs(cs) : cs & ~X86.Selector.RplMask;
            Count++;
            return true;
        }

        /// <summary>
        /// The shim's own <c>iretq</c> into the guest (a FaultFixupKind.Failsafe range) refused a flat
        /// selector of the guest's frame (iret hypercall, bounce frame): a user CS 0xe033/0xe023
        /// becomes its DPL-3 alias, a kernel SS 0xe028/0xe02b becomes <see cref="Gdt.KernelSs"/>,
        /// and the <c>iretq</c> is retried. Handled here, after the fault, so that the iret paths
        /// (C# and native) stay as they are for every other frame. True when retried.
        /// </summary>
        public static bool TryRetryIretq(CpuFrame* f)
        {
            ulong* frame = (ulong*)f->Rsp;   // rip, cs, rflags, rsp, ss: what the iretq was loading
            ulong cs = frame[1] & 0xffff, ss = frame[4] & 0xffff;
            if ((cs & X86.Selector.RplMask) == 3 && f->ErrorCode == (cs & ~X86.Selector.RplMask) && Gdt.UserHardwareCs(cs) != cs)
                frame[1] = Gdt.UserHardwareCs(cs);
            else if ((cs & X86.Selector.RplMask) == 0 && f->ErrorCode == Gdt.FlatDs && (ss & ~X86.Selector.RplMask) == Gdt.FlatDs)
                frame[4] = Gdt.KernelSs;
            else return false;
            Count++;
            return true;
        }

        /// <summary>mov r/m16, Sreg (8E /r) with a register operand naming SS and a flat data selector.</summary>
        static bool MovSs(CpuFrame* f, byte modrm, byte rex, int length)
        {
            if ((modrm >> 6) != 3 || ((modrm >> 3) & 7) != SregSs) return false;
            int reg = (modrm & 7) | ((rex & 1) << 3);
            ulong sel = Register(f, reg) & 0xffff;
            if ((sel & ~X86.Selector.RplMask) != Gdt.FlatDs || f->ErrorCode != Gdt.FlatDs) return false;
            f->Ss = Gdt.KernelSs;
            f->Rip += (ulong)length;
            Count++;
            return true;
        }

        /// <summary>General register <paramref name="r"/> (0 = rax ... 15 = r15, the ModRM/REX order) in the frame.</summary>
        static ulong Register(CpuFrame* f, int r)
        {
            switch (r)
            {
                case 0: return f->Rax; case 1: return f->Rcx; case 2: return f->Rdx; case 3: return f->Rbx;
                case 4: return f->Rsp; case 5: return f->Rbp; case 6: return f->Rsi; case 7: return f->Rdi;
                case 8: return f->R8; case 9: return f->R9; case 10: return f->R10; case 11: return f->R11;
                case 12: return f->R12; case 13: return f->R13; case 14: return f->R14; default: return f->R15;
            }
        }
    }
}
