using Microxen.Xen;

namespace Microxen.Checked
{
    /// <summary>
    /// Xen 4.17's rules for the guest's debug registers, as pure logic: set_debugreg
    /// (xen/arch/x86/pv/misc-hypercalls.c) and get_debugreg (x86emul_read_dr,
    /// xen/arch/x86/x86_emulate.c), constants from xen/arch/x86/include/asm/debugreg.h.
    /// Register numbers are Xen's <c>unsigned int</c> (the argument's low 32 bits). DR4/DR5 are
    /// DR6/DR7 while the guest's CR4.DE is clear, else -ENODEV (#UD).
    /// </summary>
    public static class DebugRegisters
    {
        /// <summary>DR_STATUS_RESERVED_ZERO: DR6 bit 12 and bits 32-63 read as zero.</summary>
        public const ulong Dr6ReservedZero = ~0xffffefffUL;
        /// <summary>DR_STATUS_RESERVED_ONE: DR6 bits 4-11 and 16-31 read as one.</summary>
        public const ulong Dr6ReservedOne = 0xffff0ff0UL;
        /// <summary>DR_CONTROL_RESERVED_ZERO: DR7 bits 11-12, 14-15 and 32-63 read as zero.</summary>
        public const ulong Dr7ReservedZero = ~0xffff27ffUL;
        /// <summary>DR_CONTROL_RESERVED_ONE: DR7 bit 10 reads as one.</summary>
        public const ulong Dr7ReservedOne = 0x400UL;
        /// <summary>DR_GENERAL_DETECT (DR7.GD, bit 13): a guest may not set it (-EPERM).</summary>
        public const ulong Dr7GeneralDetect = 0x2000UL;
        /// <summary>DR7_ACTIVE_MASK: the L0-3/G0-3 enable bits.</summary>
        public const ulong Dr7ActiveMask = 0xffUL;
        /// <summary>DR_IO: the R/W field value of an I/O breakpoint (needs CR4.DE).</summary>
        public const ulong RwIo = 2;

        /// <summary>breakpoint_addr_ok (__addr_ok): the lower canonical half, or above Xen's range (HYPERVISOR_VIRT_END).</summary>
        public static bool BreakpointAddressOk(ulong a) => a < (1UL << 47) || a >= Layout.HYPERVISOR_VIRT_END;

        /// <summary>
        /// set_debugreg(reg, value): 0, or Xen's errno (-EPERM: a breakpoint address in Xen's range,
        /// DR7.GD, an I/O breakpoint without CR4.DE; -EINVAL: bits 32-63 of DR6/DR7 set; -ENODEV:
        /// no such register). On success <paramref name="hwReg"/> is the register written (0-3, 6,
        /// 7) and <paramref name="stored"/> the value Xen keeps (reserved bits forced).
        /// </summary>
        public static long Set(uint reg, ulong value, bool cr4De, out uint hwReg, out ulong stored)
        {
            hwReg = reg;
            stored = value;
            if (reg <= 3) return BreakpointAddressOk(value) ? 0 : -XenErrno.EPERM;
            if ((reg == 4 || reg == 5) && cr4De) return -XenErrno.ENODEV;
            if (reg == 4 || reg == 6)
            {
                hwReg = 6;
                if (value != (uint)value) return -XenErrno.EINVAL;
                stored = (value & ~Dr6ReservedZero) | Dr6ReservedOne;
                return 0;
            }
            if (reg != 5 && reg != 7) return -XenErrno.ENODEV;
            hwReg = 7;
            if (value != (uint)value) return -XenErrno.EINVAL;
            value = (value & ~Dr7ReservedZero) | Dr7ReservedOne;
            if ((value & Dr7GeneralDetect) != 0) return -XenErrno.EPERM;
            if ((value & Dr7ActiveMask) != 0 && !cr4De)
                for (int i = 16; i < 32; i += 4)
                    if (((value >> i) & 3) == RwIo) return -XenErrno.EPERM;
            stored = value;
            return 0;
        }

        /// <summary>get_debugreg(reg): the register to read (0-3, 6, 7) in <paramref name="hwReg"/>; 0, or -ENODEV.</summary>
        public static long Get(uint reg, bool cr4De, out uint hwReg)
        {
            hwReg = reg;
            if (reg <= 3 || reg == 6 || reg == 7) return 0;
            if ((reg == 4 || reg == 5) && !cr4De) { hwReg = reg + 2; return 0; }
            return -XenErrno.ENODEV;
        }
    }
}
