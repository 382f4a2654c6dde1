namespace KernelTest.Tests
{
    /// <summary>
    /// The hardware state a user process's <c>syscall</c> reaches the CALLBACKTYPE_syscall entry
    /// with (issue 13, ppwall). Xen 4.17 runs every PV guest context with RFLAGS.IF set (the
    /// guest's own interrupt flag is vcpu_info's event mask); microxen's native user-syscall
    /// entry sets it again with an <c>sti</c> before the callback (IA32_FMASK clears it:
    /// shim/Arch/SyscallFlags.cs says why). Fails if that <c>sti</c> is dropped while FMASK still clears IF.
    /// </summary>
    public static unsafe class SyscallEntryTests
    {
        /// <summary>kt_user_code's syscall: kt_syscall_callback's pushfq sees IF set.</summary>
        public static bool CallbackIfOn()
        {
            if (!UserSpace.Ensure()) return false;
            Traps.State->CallbackRflags = 0;
            if (!UserSpace.Run()) return false;
            return Check.Eq("RFLAGS.IF at the syscall callback", Traps.State->CallbackRflags & X86.Rflags.IF, X86.Rflags.IF);
        }
    }
}
