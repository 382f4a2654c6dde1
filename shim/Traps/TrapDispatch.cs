using System.Runtime.InteropServices;
using Microxen.Arch;
using Microxen.Boot;
using Microxen.Console;
using Microxen.Guest;

namespace Microxen.Traps
{
    /// <summary>
    /// C# side of every IDT stub (trap_dispatch): emulates forced CPUID, sends the guest's
    /// exceptions to the handlers it registered, and stops the machine with the registers
    /// printed when the shim itself faults or the guest faults with no handler.
    /// </summary>
    public static unsafe class TrapDispatch
    {
        public static ulong ShimStart, ShimEnd;
        public static ulong ExceptionCount;

        [UnmanagedCallersOnly(EntryPoint = "trap_dispatch")]
        static void Dispatch(CpuFrame* f)
        {
            ulong v = f->Vector;
            bool inShim = f->Rip >= ShimStart && f->Rip < ShimEnd;
            if (v >= 32)
            {
                Interrupts.Handle(f);
                return;
            }
            if (inShim)
            {
                Log.Line("unexpected exception in the shim");
                Panic.DumpFrame(f);
                Machine.Exit(ExitCode.ShimPanic);
            }
            if (v == 6 && CpuidEmulation.IsForcedCpuid((byte*)f->Rip))
            {
                CpuidEmulation.Emulate(f);
                return;
            }
            ExceptionCount++;
            if (v == 14 && Vcpu.Info != null) Vcpu.Info->Arch.Cr2 = Cpu.ReadCr2();
            if (Log.On(LogLevel.Debug))
            {
                Log.Begin(); Log.Str("guest exception "); Log.Dec(v); Log.Str(" at "); Log.Hex(f->Rip);
                Log.Str(" error "); Log.Hex(f->ErrorCode); if (v == 14) { Log.Str(" cr2 "); Log.Hex(Cpu.ReadCr2()); } Log.End();
            }
            if (!Deliver(f, (int)v, HasErrorCode(v)))
            {
                Log.Begin(); Log.Str("guest crash: "); Log.Str(Panic.VectorName(v)); Log.Str(" with no handler registered"); Log.End();
                Panic.DumpFrame(f);
                Machine.Exit(ExitCode.GuestCrash);
            }
        }

        static bool HasErrorCode(ulong v) => v == 8 || v == 10 || v == 11 || v == 12 || v == 13 || v == 14 || v == 17;

        /// <summary>
        /// Redirects <paramref name="f"/> to the guest's handler for <paramref name="vector"/> with
        /// Xen's bounce frame on the guest stack (xen/arch/x86/x86_64/entry.S, create_bounce_frame):
        /// from low to high address rcx, r11, [error code], rip, cs (saved upcall mask in bits
        /// 32-39), rflags (IF = events enabled), rsp, ss. False when no handler is registered.
        /// </summary>
        public static bool Deliver(CpuFrame* f, int vector, bool errorCode)
        {
            TrapHandler h = Vcpu.Trap(vector);
            if (h.Address == 0) return false;
            byte mask = Vcpu.Info != null ? Vcpu.Info->EvtchnUpcallMask : (byte)1;
            ulong sp = f->Rsp & ~15UL;
            int words = errorCode ? 8 : 7;
            ulong* p = (ulong*)(sp - (ulong)words * 8);
            int i = 0;
            p[i++] = f->Rcx;
            p[i++] = f->R11;
            if (errorCode) p[i++] = f->ErrorCode;
            p[i++] = f->Rip;
            p[i++] = (f->Cs & 0xffff) | ((ulong)mask << 32);
            p[i++] = (f->Rflags & ~0x200UL) | (mask != 0 ? 0UL : 0x200UL);
            p[i++] = f->Rsp;
            p[i++] = f->Ss;
            if ((h.Flags & 4) != 0 && Vcpu.Info != null) Vcpu.Info->EvtchnUpcallMask = 1;
            f->Rsp = (ulong)p;
            f->Rip = h.Address;
            f->Cs = (ulong)(h.Cs & ~3);
            f->Rflags = (f->Rflags | 0x200UL) & ~(0x100UL | 0x4000UL | 0x10000UL);   // IF on; TF, NT, RF off
            f->Vector = CpuFrame.IretVector;
            return true;
        }
    }
}
