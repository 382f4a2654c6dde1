namespace Microxen.Arch
{
    /// <summary>
    /// When fast mode's native iret leaves for guest user mode with <c>sysretq</c> instead of
    /// <c>iretq</c> (shim/FastPaths/FastPaths.Sysret.asm.cs): only when the guest cannot tell
    /// the two apart. Under QEMU TCG <c>iretq</c> reads five qwords and two GDT descriptors
    /// through slow loads; <c>sysretq</c> loads fixed selectors. Xen 4.17 does the same on its
    /// exit (xen/arch/x86/x86_64/entry.S, restore_all_guest) for frames with VGCF_in_syscall.
    /// SYSRET (SDM vol. 2B, "SYSRET"): RIP = RCX, RFLAGS = (R11 AND 3C7FD7H) OR 2, CS =
    /// STAR[63:48] + 16 and SS = STAR[63:48] + 8 with RPL 3 and fixed flat attributes.
    /// The asm tests exactly this function's conditions; tests/Microxen.Tests/SysretExitTests.cs
    /// holds the table.
    /// </summary>
    public static class SysretExit
    {
        /// <summary>The RFLAGS bits SYSRET loads from R11 (SDM: 3C7FD7H); bit 1 is then set.</summary>
        public const ulong RflagsLoaded = 0x3C7FD7;

        /// <summary>
        /// RFLAGS bits that keep the iretq: every bit SYSRET does not load (RF, VM, the reserved
        /// bits 3, 5, 15, 22-63; bit 1 reads as 1 either way), and TF: after SYSRET with TF set
        /// the single-step trap is taken before the first user instruction (Linux's
        /// arch/x86/entry/common.c refuses its own sysret for TF and RF for that reason), after
        /// IRETQ only once the first instruction has run. A sign-extended imm32 (checked by AsmGen).
        /// </summary>
        public const ulong RflagsRefused = (~RflagsLoaded & ~X86.Rflags.Reserved1) | X86.Rflags.TF;

        /// <summary>The first non-canonical address of the lower half: RCX at or above it would #GP in ring 0 (Intel).</summary>
        public const ulong UserTop = 1ul << 47;

        /// <summary>The selectors SYSRETQ loads with STAR[63:48] = <see cref="X86.LinuxSelector.User32Cs"/> (shim/Boot/ShimMain.cs).</summary>
        public const ulong Cs = X86.LinuxSelector.User32Cs + 16, Ss = X86.LinuxSelector.User32Cs + 8;

        /// <summary>
        /// True when sysretq returns to exactly the state iretq would: the frame's
        /// <paramref name="rip"/>, <paramref name="cs"/>, <paramref name="rflags"/> (as the
        /// shim finally loads it: IF set, IOPL 0), <paramref name="rsp"/>, <paramref name="ss"/>,
        /// with <paramref name="rcx"/> and <paramref name="r11"/> the values the guest gets.
        /// </summary>
        public static bool Indistinguishable(ulong rip, ulong cs, ulong rflags, ulong ss, ulong rcx, ulong r11)
        {
            if (rcx != rip || r11 != rflags) return false;     // sysret's RIP and RFLAGS come from them
            if ((r11 & RflagsRefused) != 0) return false;
            if (rip >= UserTop) return false;                   // canonical lower half only
            return cs == Cs && ss == Ss;
        }
    }
}
