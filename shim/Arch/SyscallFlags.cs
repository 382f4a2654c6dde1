namespace Microxen.Arch
{
    /// <summary>What <c>syscall</c> leaves in RFLAGS on the shim's LSTAR entry (SDM vol. 2B, SYSCALL: RFLAGS AND NOT IA32_FMASK).</summary>
    public static class SyscallFlags
    {
        /// <summary>
        /// IA32_FMASK (shim/Boot/ShimMain.cs): the RFLAGS bits <c>syscall</c> clears, TF, IF, DF,
        /// IOPL, NT and AC (0x47700). IF stays cleared although the native user entry then needs
        /// an <c>sti</c> before the guest's callback (a TCG main-loop exit per system call): IA32_FMASK
        /// holds for every <c>syscall</c>, so with IF kept a hypercall from the guest kernel would
        /// run its first instructions (the guest-mode test before any <c>cli</c>) with IF on, and an
        /// interrupt taken there raises its event without an upcall (the shim's own code is
        /// interrupted, Traps/TrapDispatch.cs InShim); the guest would resume with the event pending
        /// and unmasked, its upcall not delivered until another interrupt (a VIRQ_TIMER left that
        /// way re-arms no timer). Xen delivers pending events on every return to the guest.
        /// </summary>
        public const ulong Mask = X86.Rflags.TF | X86.Rflags.IF | X86.Rflags.DF | X86.Rflags.IOPL | X86.Rflags.NT | X86.Rflags.AC;
    }
}
