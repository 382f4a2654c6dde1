namespace Microxen.Arch
{
    /// <summary>What <c>syscall</c> leaves in RFLAGS on the shim's LSTAR entry (SDM vol. 2B, SYSCALL: RFLAGS AND NOT IA32_FMASK).</summary>
    public static class SyscallFlags
    {
        /// <summary>
        /// IA32_FMASK (shim/Boot/ShimMain.cs): the RFLAGS bits <c>syscall</c> clears, TF, DF,
        /// IOPL, NT and AC (0x47500), not IF. A user process's <c>syscall</c> keeps IF on through
        /// the native entry (shim/FastPaths/FastPaths.Entry.asm.cs) into the guest's callback,
        /// which runs with IF on, so the entry needs no <c>sti</c> (under QEMU's TCG an
        /// <c>sti</c> ends the translation block and goes back to its main loop). A hypercall's <c>syscall</c> comes from the
        /// guest kernel, which runs with IF on: the dispatcher's routines run with it on, as they
        /// do when the transfer page calls them. An interrupt taken in those shim instructions (on
        /// its IST stack: every vector has one) interrupted the shim's own code and delivers
        /// nothing (Traps/TrapDispatch.cs InShim); the event stays pending, as one arriving while
        /// Xen runs the call. <c>cli</c> starts every path that needs IF off: the iret (from its
        /// pending test to the <c>sysretq</c> or <c>iretq</c>), the C# paths (syscall_entry_slow
        /// and the dispatcher's slow end in shim/Traps/EntryStubs.asm.cs) and the native user
        /// entry's general path (a callback that leaves events unmasked gets a pending event at its first
        /// instruction, after <c>sti</c>).
        /// </summary>
        public const ulong Mask = X86.Rflags.TF | X86.Rflags.DF | X86.Rflags.IOPL | X86.Rflags.NT | X86.Rflags.AC;
    }
}
