namespace Microxen.Arch
{
    /// <summary>What <c>syscall</c> leaves in RFLAGS on the shim's LSTAR entry (SDM vol. 2B, SYSCALL: RFLAGS AND NOT IA32_FMASK).</summary>
    public static class SyscallFlags
    {
        /// <summary>
        /// IA32_FMASK (shim/Boot/ShimMain.cs): the RFLAGS bits <c>syscall</c> clears, TF, DF, IOPL,
        /// NT and AC (0x47600). IF is kept: the guest (kernel and user) runs with IF on, so the
        /// native user entry reaches the guest's syscall callback with IF on and needs no
        /// <c>sti</c>, which under QEMU's TCG ends the translation block and leaves to the main loop
        /// on every system call. Every other syscall path starts with a <c>cli</c> (the LSTAR
        /// dispatcher, the user entry's general path, syscall_entry_slow); an interrupt taken in
        /// the few instructions before it raises its event in shim code, where no upcall can be
        /// delivered, so Traps/SyscallWindow.cs clears IF in the interrupted frame and posts a
        /// self-IPI that the CPU takes at the guest's next instruction, where the upcall is
        /// delivered as Xen delivers pending events on its way back to the guest.
        /// </summary>
        public const ulong Mask = X86.Rflags.TF | X86.Rflags.DF | X86.Rflags.IOPL | X86.Rflags.NT | X86.Rflags.AC;
    }
}
