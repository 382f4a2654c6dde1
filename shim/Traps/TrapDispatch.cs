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
            if (v >= 32 && InShim(f->Rip)) SyscallWindow.Adjust(f);   // at a hypercall's edge: its upcall not lost (SyscallWindow)
            if (v == Smp.Ipi.Vector) { Smp.Ipi.Handle(f, InShim(f->Rip)); return; }   // the shim's own IPI (shim/Smp), the lock only to deliver events
            Smp.ShimLock.Enter();
            DispatchLocked(f, v);
            Smp.ShimLock.Exit();
        }

        /// <summary>Whether <paramref name="rip"/> is the shim's code: its image or an AP's copy of the entry stubs (Smp/EntryCopy.cs).</summary>
        public static bool InShim(ulong rip) => (rip >= ShimStart && rip < ShimEnd) || Smp.EntryCopy.InCopies(rip);

        static void DispatchLocked(CpuFrame* f, ulong v)
        {
            bool inShim = InShim(f->Rip);
            if (v == SoftwareInterrupts.Int80 && (f->Cs & X86.Selector.RplMask) == 3)
            {
                SoftwareInterrupts.Int80FromUser(f);
                return;
            }
            // The frequent #UD and #DB first: forced CPUID, a page-table write's single step.
            if (v == 6 && !inShim && CpuidEmulation.IsForcedCpuid((byte*)f->Rip))
            {
                CpuidEmulation.Emulate(f);
                return;
            }
            if (v == 1 && !inShim && PageTableWrite.TryEnd(f)) return;
            // The guest kernel's int $N reaches the stub of vector N (ring 0 passes every gate):
            // never taken for the exception or interrupt N.
            if (!inShim && SoftwareInterrupts.IsFromKernel(f, v))
            {
                SoftwareInterrupts.FromKernel(f, v);
                return;
            }
            if (v >= 32)
            {
                Interrupts.Handle(f, inShim);
                return;
            }
            if (inShim)
            {
                ShimFault(f, v);
                return;
            }
            if (v == X86.Vector.GP && (((f->Cs & X86.Selector.RplMask) == 3 && SoftwareInterrupts.FromUserGp(f)) || SegmentEmulation.TryGp(f))) return;
            ulong cr2 = v == 14 ? Cpu.ReadCr2() : 0;
            if (v == 14 && (Guest.Ldt.InArea(cr2) ? Guest.Ldt.TryFault(ref cr2) : PageTableWrite.TryBegin(f, cr2))) return;
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

        /// <summary>fault_fixup_table (shim/Arch/FaultFixup.cs): the faults the shim's own code expects.</summary>
        public static FaultFixup* FaultFixups;

        /// <summary>
        /// An exception in the shim's own code: an entry of <see cref="FaultFixups"/> (a fault the
        /// code expects: a guest pointer, a guest frame or selector), else a fault on a guest
        /// pointer in a C# hypercall (-EFAULT, <see cref="Hypercalls.HypercallDispatch.TryFail"/>),
        /// else a panic with the registers.
        /// </summary>
        static void ShimFault(CpuFrame* f, ulong v)
        {
            long copy = Smp.EntryCopy.DeltaOf(f->Rip);   // an AP's copy of the stubs: its entries by the linked address
            FaultFixup* x = FaultFixup.Find(FaultFixups, (ulong)((long)f->Rip - copy), v);
            ulong cr2 = v == 14 ? Cpu.ReadCr2() : 0;
            if (x != null)
            {
                switch ((FaultFixupKind)x->Kind)
                {
                    case FaultFixupKind.Efault:
                        Hypercalls.HypercallStats.BadPointer(x->Arg, v, cr2);
                        f->Rip = (ulong)((long)x->Fixup + copy);
                        return;
                    case FaultFixupKind.Decline:
                    case FaultFixupKind.Ignore:
                        f->Rip = (ulong)((long)x->Fixup + copy);
                        return;
                    case FaultFixupKind.Failsafe:
                        if (v == X86.Vector.GP && SegmentEmulation.TryRetryIretq(f)) return;
                        if (Failsafe.TryDeliver(f)) return;
                        CrashGuest(f, v, "the guest's iret frame could not be loaded and no failsafe callback is registered");
                        return;
                    case FaultFixupKind.RetryNullSelector:
                        *(ulong*)((byte*)f + x->Arg) = 0;    // the mov is retried with the NUL selector
                        return;
                    case FaultFixupKind.CrashGuest:
                        Log.Begin(); Log.Str("a hypercall on a native fast path met a bad guest pointer");
                        if (v == 14) { Log.Str(" (page fault at "); Log.Hex(cr2); Log.Str(")"); }
                        Log.End();
                        CrashGuest(f, v, "bad pointer in a hypercall served natively (Xen would return -EFAULT)");
                        return;
                }
            }
            if ((v == 14 || v == 13) && Hypercalls.HypercallDispatch.TryFail(v, cr2))
                return;   // not reached: the hypercall was finished with -EFAULT
            Log.Line("unexpected exception in the shim");
            Panic.DumpFrame(f);
            Machine.Exit(ExitCode.ShimPanic);
        }

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
