namespace KernelTest.Tests
{
    /// <summary>
    /// Exceptions through the trap table (set_trap_table, public/arch-x86/xen.h trap_info): each
    /// arrives at kt_isr_N with Xen's frame, and the kernel resumes after the instruction.
    /// </summary>
    public static unsafe class ExceptionTests
    {
        static bool Expect(string what, ulong before, ulong vector)
        {
            ProbeState* p = Traps.State;
            if (!Check.Eq(what, p->Faults - before, 1)) return false;
            return Check.Eq("vector", p->Vector, vector);
        }

        /// <summary>A read of a never-mapped kernel address: #PF, vcpu_info.arch.cr2 = the address, error code 0 in P/W/U.</summary>
        public static bool PageFault()
        {
            ulong va = Window.Va(500) + 0x18;
            ulong before = Traps.State->Faults;
            Native.ProbeRead(va);
            if (!Expect("faults", before, 14)) return false;
            if (!Check.Eq("vcpu_info.arch.cr2", Traps.State->Cr2, va)) return false;
            return Check.Eq("error code (P, W/R, U/S bits)", Traps.State->ErrorCode & 7, 0);
        }

        /// <summary>ud2: #UD.</summary>
        public static bool InvalidOpcode()
        {
            ulong before = Traps.State->Faults;
            Native.ProbeUd2();
            return Expect("faults", before, 6);
        }

        /// <summary>A read of a non-canonical address: #GP with error code 0.</summary>
        public static bool GeneralProtection()
        {
            ulong before = Traps.State->Faults;
            Native.ProbeRead(0x8000000000000000);
            if (!Expect("faults", before, 13)) return false;
            return Check.Eq("error code", Traps.State->ErrorCode, 0);
        }

        /// <summary>
        /// fpu_taskswitch(1), then two SSE instructions: the first takes #NM; delivering it clears
        /// the virtual CR0.TS (Xen's do_device_not_available), so the second runs.
        /// </summary>
        public static bool DeviceNotAvailable()
        {
            ulong before = Traps.State->Faults;
            Native.ProbeFpu(1, 0);
            return Expect("#NM count over two SSE instructions", before, 7);
        }

        /// <summary>fpu_taskswitch(1) then fpu_taskswitch(0): SSE instructions run without #NM.</summary>
        public static bool TaskswitchClear()
        {
            ulong before = Traps.State->Faults;
            Native.ProbeFpu(1, 1);
            return Check.Eq("faults", Traps.State->Faults - before, 0);
        }
    }
}
