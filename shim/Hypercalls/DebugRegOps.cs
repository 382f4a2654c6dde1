namespace Microxen.Hypercalls
{
    /// <summary>
    /// set_debugreg / get_debugreg (public/xen.h): DR0-DR3, DR6, DR7 with the native mov. In
    /// ring 0 the guest's breakpoints are the hardware's. Other numbers: -EINVAL, as Xen.
    /// </summary>
    public static class DebugRegOps
    {
        public static long Get(ulong reg)
        {
            switch (reg)
            {
                case 0: return (long)Cpu.ReadDr0();
                case 1: return (long)Cpu.ReadDr1();
                case 2: return (long)Cpu.ReadDr2();
                case 3: return (long)Cpu.ReadDr3();
                case 6: return (long)Cpu.ReadDr6();
                case 7: return (long)Cpu.ReadDr7();
                default: return -XenErrno.EINVAL;
            }
        }

        public static long Set(ulong reg, ulong value)
        {
            switch (reg)
            {
                case 0: Cpu.WriteDr0(value); return 0;
                case 1: Cpu.WriteDr1(value); return 0;
                case 2: Cpu.WriteDr2(value); return 0;
                case 3: Cpu.WriteDr3(value); return 0;
                case 6: Cpu.WriteDr6(value); return 0;
                case 7: Cpu.WriteDr7(value); return 0;
                default: return -XenErrno.EINVAL;
            }
        }
    }
}
