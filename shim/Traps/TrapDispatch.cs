using System.Runtime.InteropServices;
using Microxen.Arch;
using Microxen.Boot;
using Microxen.Console;
using Microxen.Guest;
using Microxen.Events;

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
            if (v == 0x80 && (f->Cs & 3) == 3)
            {
                if (!Deliver(f, 0x80, false)) CrashGuest(f, v, "int $0x80 with no handler registered");
                return;
            }
            if (v >= 32)
            {
                Interrupts.Handle(f, inShim);
                return;
            }
            if (inShim && (v == 11 || v == 12 || v == 13) && IsIretqToGuest(f->Rip))
            {
                if (Failsafe.TryDeliver(f)) return;
                CrashGuest(f, v, "the guest's iret frame could not be loaded and no failsafe callback is registered");
            }
            if (inShim && (v == 11 || v == 13) && (f->Rip == LoadUserGsNative || f->Rip == LoadUserGsC))
            {
                // set_segment_base(GS_USER_SEL) with a selector that cannot be loaded: Xen loads
                // the NUL selector instead (and returns 0). Retry the mov with 0.
                if (f->Rip == LoadUserGsNative) f->Rsi = 0; else f->Rdi = 0;
                return;
            }
            if (inShim && (v == 14 || v == 13) && TryFastFixup(f, v))
                return;
            if (inShim && (v == 14 || v == 13) && Hypercalls.HypercallDispatch.TryFail(v, v == 14 ? Cpu.ReadCr2() : 0))
                return;   // not reached: the hypercall was finished with -EFAULT
            if (inShim && (v == 14 || v == 13) && f->Rip >= FastPathsBegin && f->Rip < FastPathsEnd)
            {
                // A native fast path met a guest pointer it cannot use. Xen would return -EFAULT;
                // the native routines keep no state to unwind, so the guest is stopped, named.
                Log.Begin(); Log.Str("a hypercall on a native fast path met a bad guest pointer");
                if (v == 14) { Log.Str(" (page fault at "); Log.Hex(Cpu.ReadCr2()); Log.Str(")"); }
                Log.End();
                CrashGuest(f, v, "bad pointer in a hypercall served natively (Xen would return -EFAULT)");
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
            if (v == 1 && PageTableWrite.TryEnd(f)) return;
            ulong cr2 = v == 14 ? Cpu.ReadCr2() : 0;
            if (v == 14 && PageTableWrite.TryBegin(f, cr2)) return;
            ExceptionCount++;
            if (v == 14) Vcpu.Info->Arch.Cr2 = cr2;
            if (Log.On(LogLevel.Debug))
            {
                Log.Begin(); Log.Str("guest exception "); Log.Dec(v); Log.Str(" at "); Log.Hex(f->Rip);
                Log.Str(" error "); Log.Hex(f->ErrorCode); if (v == 14) { Log.Str(" cr2 "); Log.Hex(Cpu.ReadCr2()); } Log.End();
            }
            // #NM: Xen clears the guest's virtual CR0.TS when it delivers it (do_device_not_available).
            if (v == 7) ShimCpu.Pv->GuestTs = 0;
            if (v == 2 || v == 8 || v == 18 || !Deliver(f, (int)v, HasErrorCode(v)))
                CrashGuest(f, v, "no handler registered");
        }

        /// <summary>Ends the run as a guest crash, printing the reason and the guest's registers.</summary>
        public static void CrashGuest(CpuFrame* f, ulong v, string why)
        {
            Log.Begin(); Log.Str("guest crash: "); Log.Str(Panic.VectorName(v)); Log.Str(": "); Log.Str(why); Log.End();
            Panic.DumpFrame(f);
            Hypercalls.HypercallStats.Print();
            Machine.Exit(ExitCode.GuestCrash);
        }

        /// <summary>The iretq instructions that enter the guest (tools/AsmGen): C# path, LSTAR and transfer-page native iret.</summary>
        public static ulong IretqC, IretqLstar, IretqPage;
        /// <summary>The native fast paths' code (shim/FastPaths/FastPaths.asm.cs).</summary>
        public static ulong FastPathsBegin, FastPathsEnd;
        public static ulong LoadUserGsNative, LoadUserGsC;
        /// <summary>fast_fixup_table: where a fault on a guest pointer inside a fast path resumes.</summary>
        public static FastFixup* FastFixups;

        /// <summary>
        /// A #PF or #GP in native fast-path code that touches guest memory (a guest pointer the
        /// shim cannot use): resume at that code's fixup, which returns Xen's answer (-EFAULT) or
        /// declines to the C# path. False when the fault is not in such code.
        /// </summary>
        static bool TryFastFixup(CpuFrame* f, ulong v)
        {
            for (FastFixup* x = FastFixups; x != null && x->Begin != 0; x++)
            {
                if (f->Rip < x->Begin || f->Rip >= x->End) continue;
                if (x->Hypercall != FastFixup.Declines)
                    Hypercalls.HypercallStats.BadPointer(x->Hypercall, v, v == 14 ? Cpu.ReadCr2() : 0);
                f->Rip = x->Fixup;
                return true;
            }
            return false;
        }

        static bool IsIretqToGuest(ulong rip) => rip == IretqC || rip == IretqLstar || rip == IretqPage;

        static bool HasErrorCode(ulong v) => X86.Vector.HasErrorCode(v);

        /// <summary>
        /// Sends exception <paramref name="vector"/> to the handler the guest registered
        /// (set_trap_table) with Xen's bounce frame; events masked when the entry asks for it
        /// (TI_IF). False when no handler is registered.
        /// </summary>
        public static bool Deliver(CpuFrame* f, int vector, bool errorCode)
        {
            TrapHandler h = Vcpu.Trap(vector);
            if (h.Address == 0) return false;
            BounceFrame.Push(f, h.Address, h.Cs, errorCode, (h.Flags & 4) != 0);
            return true;
        }
    }
}
