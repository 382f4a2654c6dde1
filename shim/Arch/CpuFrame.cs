using System.Runtime.InteropServices;

namespace Microxen.Arch
{
    /// <summary>
    /// The register frame every entry stub builds (shim/Traps/EntryStubs.asm.cs), 176 bytes: the
    /// general registers, the vector and error code the stub pushed, then the hardware
    /// interrupt frame (SDM vol. 3A 6.14.2). A hypercall frame has Vector = 0x100 and returns
    /// the way it came (rflags from R11, jmp RCX); setting any other vector makes the stub
    /// return with iretq to Rip/Cs/Rflags/Rsp/Ss, which is how the shim redirects the guest.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 176)]
    public struct CpuFrame
    {
        public const ulong HypercallVector = 0x100;
        public const ulong UserSyscallVector = 0x101;
        public const ulong IretVector = 0x1ff;

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
