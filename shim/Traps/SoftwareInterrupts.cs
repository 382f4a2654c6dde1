namespace Microxen.Traps
{
    /// <summary>
    /// The guest's <c>int $N</c>, delivered as Xen 4.17 delivers it (xen/arch/x86/traps.c
    /// do_general_protection, permit_softint in asm/x86_64/regs.h; entry.S int80_direct_trap):
    /// through the trap table entry N (set_trap_table) when its DPL (trap_info.flags &amp; 3,
    /// TI_GET_DPL) admits the caller: DPL &gt;= 1 from guest kernel mode, 3 from user mode; else
    /// the guest gets #GP with error code N*8+2 (IDT bit) at the <c>int</c>. Exceptions: <c>int3</c>,
    /// <c>int $3</c> and <c>int $4</c> are #BP/#OF whatever the entry's DPL (DPL 3 gates in Xen's
    /// IDT and here); <c>int $0x80</c> reaches a registered entry 0x80 whatever its DPL
    /// (int80_direct_trap), #GP(0x402) when there is none.
    /// <para>
    /// From user mode (ring 3) the IDT's DPL-0 gates make the CPU raise #GP(N*8+2) as on Xen
    /// (<see cref="FromUserGp"/>). The guest kernel runs in ring 0, where no gate DPL stops
    /// <c>int $N</c>: it arrives at the shim's own stub for vector N, looking like the exception
    /// or interrupt N. <see cref="IsFromKernel"/> tells them apart, so that <c>int $0x20</c> is never
    /// the timer and <c>int $14</c> never a #PF: for a vector the CPU pushes an error code for,
    /// the frame sits 8 bytes higher on its IST stack (no error code pushed; the IST stacks
    /// leave <see cref="Idt.IstGuard"/> bytes above the frame for that); for the shim's hardware
    /// interrupts, the in-service bit (local APIC, 8259) says hardware; any other vector is the
    /// guest's <c>int</c> when the two bytes before the return address are <c>CD N</c>. A real
    /// fault-type exception whose preceding bytes happen to be <c>CD N</c> would be misread
    /// (README: differences from Xen).
    /// </para>
    /// </summary>
    public static unsafe class SoftwareInterrupts
    {
        /// <summary>Error code bit 1 (IDT): the #GP was caused by the IDT entry of the vector in bits 3-10 (SDM vol. 3A 6.13).</summary>
        const ulong ErrorIdt = 2, ErrorExt = 1;
        const byte IntOpcode = 0xcd;
        const int IntLength = 2;
        /// <summary>The lowest DPL of a trap-table entry that admits int $N from guest kernel and user mode (permit_softint).</summary>
        const int KernelDpl = 1, UserDpl = 3;
        public const int Int80 = 0x80;
        public static ulong Count;

        /// <summary>
        /// True when the ring-0 frame <paramref name="f"/> for vector <paramref name="v"/> is the
        /// guest kernel's <c>int $v</c>; for a vector with a CPU error code, the frame is also
        /// moved to where the exit path expects it (the CPU pushed none).
        /// </summary>
        public static bool IsFromKernel(CpuFrame* f, ulong v)
        {
            if (v == X86.Vector.BP || v == X86.Vector.OF) return false;   // #BP/#OF either way (Xen: DPL 3 gates)
            if (X86.Vector.HasErrorCode(v))
            {
                if ((ulong)(f + 1) != Idt.IstTop((int)v) + 8) return false;
                // The CPU's 5 words start at the ErrorCode slot: move them up one field.
                f->Ss = f->Rsp; f->Rsp = f->Rflags; f->Rflags = f->Cs; f->Cs = f->Rip; f->Rip = f->ErrorCode;
                f->ErrorCode = 0;
                return true;
            }
            if ((f->Cs & X86.Selector.RplMask) != 0) return false;
            if ((v == ApicTimer.Vector || v == SyscallWindow.RecheckVector || v == Smp.Ipi.Vector) && ApicTimer.InService((int)v)) return false;
            if (v == Interrupts.SerialVector && Interrupts.PicInService(Interrupts.SerialVector - Interrupts.PicBase)) return false;
            return PrecededByInt(f->Rip, (byte)v);
        }

        /// <summary>Whether the bytes at rip-2, rip-1 are mapped in the current tables and read CD <paramref name="v"/>.</summary>
        static bool PrecededByInt(ulong rip, byte v)
        {
            ulong at = rip - IntLength;
            ulong l4 = PageTables.EntryMfn(Cpu.ReadCr3());
            ulong pte; int level;
            if (!PageTables.Walk(Host.Mem, l4, at, out pte, out level)) return false;
            if (((at + 1) >> 12) != (at >> 12) && !PageTables.Walk(Host.Mem, l4, at + 1, out pte, out level)) return false;
            byte* p = (byte*)at;
            return p[0] == IntOpcode && p[1] == v;
        }

        /// <summary>The guest kernel's <c>int $v</c> (return address after it): delivered, or #GP(v*8+2) at the instruction.</summary>
        public static void FromKernel(CpuFrame* f, ulong v)
        {
            Count++;
            TrapHandler h = Vcpu.Trap((int)v);
            bool permitted = v == Int80 ? h.Address != 0 : (h.Flags & X86.Selector.RplMask) >= KernelDpl;
            if (permitted && TrapDispatch.Deliver(f, (int)v, false)) return;
            RaiseGp(f, v);
        }

        /// <summary>
        /// A #GP from user mode whose error code names an IDT entry (the CPU refused a DPL-0
        /// gate to <c>int $N</c>): delivers vector N when its trap-table DPL is 3, as Xen. True
        /// when delivered. The vector is taken from the error code as Xen takes it, so QEMU 7.2's
        /// N*16+2 (DESIGN.md 6) is read the same way under both.
        /// </summary>
        public static bool FromUserGp(CpuFrame* f)
        {
            if ((f->ErrorCode & (ErrorIdt | ErrorExt)) != ErrorIdt) return false;
            int v = (int)((f->ErrorCode >> 3) & 0xff);
            if ((Vcpu.Trap(v).Flags & X86.Selector.RplMask) < UserDpl) return false;
            Count++;
            f->Rip += IntLength;
            return TrapDispatch.Deliver(f, v, false) || Undo(f);
        }

        static bool Undo(CpuFrame* f) { f->Rip -= IntLength; return false; }

        /// <summary>User mode's <c>int $0x80</c> (a DPL-3 gate, return address after it): its entry, or #GP(0x402) without one.</summary>
        public static void Int80FromUser(CpuFrame* f)
        {
            Count++;
            if (TrapDispatch.Deliver(f, Int80, false)) return;
            RaiseGp(f, Int80);
        }

        /// <summary>#GP(v*8+2) at the <c>int</c> (Xen: int80_slow_path, do_general_protection's "pass on GPF").</summary>
        static void RaiseGp(CpuFrame* f, ulong v)
        {
            f->Rip -= IntLength;
            f->ErrorCode = (v << 3) | ErrorIdt;
            if (!TrapDispatch.Deliver(f, X86.Vector.GP, true))
                TrapDispatch.CrashGuest(f, X86.Vector.GP, "int $N refused (#GP) with no #GP handler registered");
        }
    }
}
