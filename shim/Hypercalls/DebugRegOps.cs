using Microxen.Checked;

namespace Microxen.Hypercalls
{
    /// <summary>
    /// set_debugreg / get_debugreg (public/xen.h): DR0-DR3, DR6, DR7 with the native mov. In
    /// ring 0 the guest's breakpoints are the hardware's. Xen 4.17's value rules and errors in
    /// every mode (<see cref="DebugRegisters"/>: -EPERM, -EINVAL, -ENODEV); the guest's CR4.DE is
    /// the hardware's (the ring-0 guest writes CR4 itself).
    /// </summary>
    public static class DebugRegOps
    {
        static bool Cr4De => (Cpu.ReadCr4() & X86.Cr4.DE) != 0;

        public static long Get(ulong reg)
        {
            long rc = DebugRegisters.Get((uint)reg, Cr4De, out uint r);
            if (rc != 0) { Refuse("get_debugreg: no such register", reg); return rc; }
            switch (r)
            {
                case 0: return (long)Cpu.ReadDr0();
                case 1: return (long)Cpu.ReadDr1();
                case 2: return (long)Cpu.ReadDr2();
                case 3: return (long)Cpu.ReadDr3();
                case 6: return (long)Cpu.ReadDr6();
                default: return (long)Cpu.ReadDr7();
            }
        }

        public static long Set(ulong reg, ulong value)
        {
            long rc = DebugRegisters.Set((uint)reg, value, Cr4De, out uint r, out ulong v);
            if (rc != 0) { RefuseSet(rc, reg, value); return rc; }
            switch (r)
            {
                case 0: Cpu.WriteDr0(v); return 0;
                case 1: Cpu.WriteDr1(v); return 0;
                case 2: Cpu.WriteDr2(v); return 0;
                case 3: Cpu.WriteDr3(v); return 0;
                case 6: Cpu.WriteDr6(v); return 0;
                default: Cpu.WriteDr7(v); return 0;
            }
        }

        static void RefuseSet(long rc, ulong reg, ulong value)
        {
            if (rc == -XenErrno.ENODEV) Refuse("set_debugreg: no such register", reg);
            else if (rc == -XenErrno.EINVAL) Refuse("set_debugreg: bits 32-63 of DR6/DR7 set", value);
            else if ((uint)reg <= 3) Refuse("set_debugreg: breakpoint_addr_ok refused the address", value);
            else Refuse("set_debugreg: DR7.GD or an I/O breakpoint without CR4.DE", value);
        }

        static void Refuse(string site, ulong value)
        {
            if (CheckedMode.On) CheckLog.Refuse(site, value);
        }
    }
}
