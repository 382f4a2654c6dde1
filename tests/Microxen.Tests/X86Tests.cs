using Xunit;

namespace Microxen.Tests;

/// <summary>The x86 facts of shim/Arch/X86.cs that the entry stubs and trap delivery depend on.</summary>
public class X86Tests
{
    /// <summary>
    /// SDM vol. 3A table 6-1: the processor pushes an error code for #DF (8), #TS (10), #NP (11),
    /// #SS (12), #GP (13), #PF (14), #AC (17), #CP (21), #VC (29), #SX (30), and for no other
    /// vector. The entry stubs push a 0 for the others and TrapDispatch passes the code on to the
    /// guest for these: a #CP, #VC or #SX must reach the guest with its error code.
    /// </summary>
    [Fact]
    public void ErrorCodeVectorsAreTable61()
    {
        int[] withErrorCode = { 8, 10, 11, 12, 13, 14, 17, 21, 29, 30 };
        for (int v = 0; v < 256; v++)
            Assert.True(X86.Vector.HasErrorCode((ulong)v) == System.Array.IndexOf(withErrorCode, v) >= 0, $"vector {v}");
        Assert.False(X86.Vector.HasErrorCode(CpuFrame.HypercallVector));
        Assert.False(X86.Vector.HasErrorCode(ulong.MaxValue));
    }

    /// <summary>The RFLAGS mask the shim writes to IA32_FMASK: TF, DF, IOPL, NT, AC cleared by syscall, IF kept (shim/Arch/SyscallFlags.cs).</summary>
    [Fact]
    public void SyscallMaskKeepsIf()
    {
        Assert.Equal(0x47500UL, SyscallFlags.Mask);
        Assert.Equal(0UL, SyscallFlags.Mask & X86.Rflags.IF);
        Assert.Equal(X86.Rflags.TF, SyscallFlags.Mask & X86.Rflags.TF);
        Assert.Equal(0x202UL, X86.Rflags.Reserved1 | X86.Rflags.IF);
    }

    /// <summary>Linux's user selectors (arch/x86/include/asm/segment.h): __USER32_CS, __USER_DS, __USER_CS.</summary>
    [Fact]
    public void LinuxUserSelectors()
    {
        Assert.Equal(0x23, X86.LinuxSelector.User32Cs);
        Assert.Equal(0x2b, X86.LinuxSelector.UserDs);
        Assert.Equal(0x33, X86.LinuxSelector.UserCs);
        // SYSRET to 64-bit mode loads CS = STAR[63:48] + 16, SS = STAR[63:48] + 8 (SDM vol. 2B SYSRET).
        Assert.Equal(X86.LinuxSelector.UserCs, X86.LinuxSelector.User32Cs + 16);
        Assert.Equal(X86.LinuxSelector.UserDs, X86.LinuxSelector.User32Cs + 8);
    }
}
