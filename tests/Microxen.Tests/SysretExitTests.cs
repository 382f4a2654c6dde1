using Microxen.Arch;

namespace Microxen.Tests;

/// <summary>
/// shim/Arch/SysretExit.cs: when fast mode's native iret may leave for user mode with sysretq
/// (the asm in shim/FastPaths/FastPaths.Sysret.asm.cs tests the same conditions). A row that
/// says true where iretq and sysretq differ would hand the guest other registers (or, for a
/// non-canonical RCX, a #GP in ring 0 on the user stack).
/// </summary>
public class SysretExitTests
{
    const ulong Rip = 0x401000, Rf = 0x246, Cs = 0x33, Ss = 0x2b;

    [Theory]
    // rip, cs, rflags, ss, rcx, r11, sysret
    [InlineData(Rip, Cs, Rf, Ss, Rip, Rf, true)]                                 // getppid's frame under Linux 6.1
    [InlineData(Rip, Cs, 0x2UL | 0x200 | 0x40000 | 0x200000, Ss, Rip, 0x2UL | 0x200 | 0x40000 | 0x200000, true)]   // AC, ID: loaded by both
    [InlineData(0x7fffffffeff0UL, Cs, Rf, Ss, 0x7fffffffeff0UL, Rf, true)]       // the last lower-half page
    [InlineData(Rip, Cs, Rf, Ss, Rip + 1, Rf, false)]                            // RCX the guest gets is not RIP
    [InlineData(Rip, Cs, Rf, Ss, Rip, Rf | 1, false)]                            // R11 is not RFLAGS
    [InlineData(Rip, Cs, Rf | 0x100, Ss, Rip, Rf | 0x100, false)]                // TF: sysret's #DB before the first instruction
    [InlineData(Rip, Cs, Rf | 0x10000, Ss, Rip, Rf | 0x10000, false)]            // RF: sysret cannot load it
    [InlineData(Rip, Cs, Rf | 0x20000, Ss, Rip, Rf | 0x20000, false)]            // VM
    [InlineData(Rip, Cs, Rf | 0x8, Ss, Rip, Rf | 0x8, false)]                    // reserved bit 3
    [InlineData(Rip, Cs, Rf | (1UL << 22), Ss, Rip, Rf | (1UL << 22), false)]    // reserved bit 22
    [InlineData(0x800000000000UL, Cs, Rf, Ss, 0x800000000000UL, Rf, false)]      // non-canonical: #GP in ring 0 on Intel
    [InlineData(0xffffffff81000000UL, Cs, Rf, Ss, 0xffffffff81000000UL, Rf, false)]   // canonical but the upper half
    [InlineData(Rip, 0x23UL, Rf, Ss, Rip, Rf, false)]                            // __USER32_CS: compatibility mode
    [InlineData(Rip, 0xe033UL, Rf, 0xe02bUL, Rip, Rf, false)]                    // FLAT_RING3 selectors: not STAR's
    [InlineData(Rip, Cs, Rf, 0UL, Rip, Rf, false)]                               // another SS
    public void Table(ulong rip, ulong cs, ulong rflags, ulong ss, ulong rcx, ulong r11, bool sysret)
        => Assert.Equal(sysret, SysretExit.Indistinguishable(rip, cs, rflags, ss, rcx, r11));

    [Fact]
    public void SelectorsAreStarsAndTheMaskIsAnImm32()
    {
        Assert.Equal((ulong)X86.LinuxSelector.UserCs, SysretExit.Cs);
        Assert.Equal((ulong)X86.LinuxSelector.UserDs, SysretExit.Ss);
        Assert.Equal(SysretExit.RflagsRefused, unchecked((ulong)(long)(int)SysretExit.RflagsRefused));
        Assert.Equal(0UL, SysretExit.RflagsRefused & (X86.Rflags.IF | X86.Rflags.CF | X86.Rflags.Reserved1));
    }
}
