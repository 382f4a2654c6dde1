namespace Microxen.Boot
{
    /// <summary>The shim's last words: the reason, the registers, then a stop with an exit code.</summary>
    public static unsafe class Panic
    {
        /// <summary>Stops with <see cref="ExitCode.ShimPanic"/> after printing <paramref name="why"/>.</summary>
        public static void Stop(string why)
        {
            Log.Begin(); Log.Str("PANIC: "); Log.Str(why); Log.End();
            Machine.Exit(ExitCode.ShimPanic);
        }

        /// <summary>The core library's failure hook (shim/Runtime/RuntimeFail.cs).</summary>
        [System.Runtime.InteropServices.UnmanagedCallersOnly(EntryPoint = "runtime_fail")]
        static void RuntimeFail(char* message, int length)
        {
            Log.Begin(); Log.Str("PANIC: runtime: ");
            for (int i = 0; i < length; i++) Log.Char((byte)message[i]);
            Log.End();
            Machine.Exit(ExitCode.ShimPanic);
        }

        /// <summary>Prints a bad-input error line and stops with <paramref name="code"/>.</summary>
        public static void BadInput(ExitCode code, string what, string detail)
        {
            Log.Begin(); Log.Str("ERROR: "); Log.Str(what); Log.Str(": "); Log.Str(detail); Log.End();
            Machine.Exit(code);
        }

        /// <summary>Prints an exception frame: vector, error code, CR2, RIP and every register.</summary>
        public static void DumpFrame(CpuFrame* f)
        {
            Log.Begin(); Log.Str("vector "); Log.Dec(f->Vector); Log.Str(" ("); Log.Str(VectorName(f->Vector));
            Log.Str(") error "); Log.Hex(f->ErrorCode); Log.Str(" cr2 "); Log.Hex16(Cpu.ReadCr2()); Log.End();
            // syscall saves no CS/SS: the guest mode the shim tracks (PvState.UserMode) says
            // which ring the CPU was in (guest user mode: ring 3, kernel mode: ring 0).
            bool bySyscall = f->Vector == CpuFrame.HypercallVector || f->Vector == CpuFrame.UserSyscallVector;
            Log.Begin(); Log.Str("guest mode ");
            if (Guest.Vcpu.UserMode) Log.Str("user (ring 3)"); else Log.Str("kernel (ring 0)");
            if (bySyscall) Log.Str(", entered by syscall");
            Log.End();
            Log.Begin(); Log.Str("rip "); Log.Hex16(f->Rip);
            if (bySyscall && f->Cs == 0) Log.Str(" cs (not saved by syscall)"); else { Log.Str(" cs "); Log.Hex(f->Cs); }
            Log.Str(" rflags "); Log.Hex(f->Rflags); Log.Str(" rsp "); Log.Hex16(f->Rsp);
            if (bySyscall && f->Ss == 0) Log.Str(" ss (not saved by syscall)"); else { Log.Str(" ss "); Log.Hex(f->Ss); }
            Log.End();
            Reg3("rax ", f->Rax, " rbx ", f->Rbx, " rcx ", f->Rcx);
            Reg3("rdx ", f->Rdx, " rsi ", f->Rsi, " rdi ", f->Rdi);
            Reg3("rbp ", f->Rbp, " r8  ", f->R8, " r9  ", f->R9);
            Reg3("r10 ", f->R10, " r11 ", f->R11, " r12 ", f->R12);
            Reg3("r13 ", f->R13, " r14 ", f->R14, " r15 ", f->R15);
            Log.Begin(); Log.Str("cr0 "); Log.Hex(Cpu.ReadCr0()); Log.Str(" cr3 "); Log.Hex(Cpu.ReadCr3());
            Log.Str(" cr4 "); Log.Hex(Cpu.ReadCr4()); Log.End();
        }

        static void Reg3(string a, ulong va, string b, ulong vb, string c, ulong vc)
        {
            Log.Begin(); Log.Str(a); Log.Hex16(va); Log.Str(b); Log.Hex16(vb); Log.Str(c); Log.Hex16(vc); Log.End();
        }

        public static string VectorName(ulong v)
        {
            switch (v)
            {
                case 0: return "#DE divide error";
                case 1: return "#DB debug";
                case 2: return "NMI";
                case 3: return "#BP breakpoint";
                case 4: return "#OF overflow";
                case 5: return "#BR bound range";
                case 6: return "#UD invalid opcode";
                case 7: return "#NM device not available";
                case 8: return "#DF double fault";
                case 10: return "#TS invalid TSS";
                case 11: return "#NP segment not present";
                case 12: return "#SS stack fault";
                case 13: return "#GP general protection";
                case 14: return "#PF page fault";
                case 16: return "#MF x87 error";
                case 17: return "#AC alignment check";
                case 18: return "#MC machine check";
                case 19: return "#XM SIMD exception";
                case 0x100: return "hypercall";
                case 0x101: return "user syscall";
                default: return v < 32 ? "reserved exception" : "interrupt";
            }
        }
    }
}
