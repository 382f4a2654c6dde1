using System.Runtime.InteropServices;

namespace KernelTest.Arch
{
    /// <summary>
    /// The frame kt_trap_common builds from Xen's bounce frame, 176 bytes: the general registers
    /// (rcx and r11 as Xen saved them), the vector (0x100 = event callback, 0x101 = failsafe), the
    /// error code (0 if none), then rip, cs, rflags, rsp, ss. Changing Rip/Cs/Rflags/Rsp/Ss
    /// changes where the iret hypercall resumes. The same layout as the shim's CpuFrame.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 176)]
    public struct TrapFrame
    {
        public const ulong EventVector = 0x100;
        public const ulong FailsafeVector = 0x101;

        [FieldOffset(0)] public ulong R15;
        [FieldOffset(8)] public ulong R14;
        [FieldOffset(16)] public ulong R13;
        [FieldOffset(24)] public ulong R12;
        [FieldOffset(32)] public ulong R11;
        [FieldOffset(40)] public ulong R10;
        [FieldOffset(48)] public ulong R9;
        [FieldOffset(56)] public ulong R8;
        [FieldOffset(64)] public ulong Rdi;
        [FieldOffset(72)] public ulong Rsi;
        [FieldOffset(80)] public ulong Rbp;
        [FieldOffset(88)] public ulong Rbx;
        [FieldOffset(96)] public ulong Rdx;
        [FieldOffset(104)] public ulong Rcx;
        [FieldOffset(112)] public ulong Rax;
        [FieldOffset(120)] public ulong Vector;
        [FieldOffset(128)] public ulong ErrorCode;
        [FieldOffset(136)] public ulong Rip;
        [FieldOffset(144)] public ulong Cs;
        [FieldOffset(152)] public ulong Rflags;
        [FieldOffset(160)] public ulong Rsp;
        [FieldOffset(168)] public ulong Ss;
    }
}
