namespace KernelTest.Arch
{
    /// <summary>
    /// kt_trap_common builds, from Xen's bounce frame, the same 176-byte frame as the shim's
    /// entry stubs (shim/Arch/CpuFrame.cs, compiled in): the general registers (rcx and r11 as
    /// Xen saved them), the vector, the error code (0 if none), then rip, cs, rflags, rsp, ss.
    /// Changing Rip/Cs/Rflags/Rsp/Ss changes where the iret hypercall resumes. Besides exception
    /// vectors, the Vector field holds these for the callbacks.
    /// </summary>
    public static class EntryVectors
    {
        public const ulong EventCallback = 0x100;
        public const ulong FailsafeCallback = 0x101;
    }
}
