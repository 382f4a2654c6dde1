namespace Microxen.Traps
{
    /// <summary>
    /// External interrupts and IPIs taken in the native hypercall code with IF on, made to give
    /// their upcall as Xen's exit path does (it delivers pending events on every return to the
    /// guest). An interrupt taken in shim code raises its event but delivers no upcall there
    /// (TrapDispatch InShim), and the native paths return to the guest without looking at
    /// events. IF is on in [syscall_entry, fast_paths_end) and at syscall_entry_slow in these places:
    /// <list type="bullet">
    /// <item>After a <c>syscall</c>, before the <c>cli</c> that starts each IF-off path
    /// (IA32_FMASK keeps IF: Arch/SyscallFlags.cs): syscall_entry's guest-mode test up to the
    /// LSTAR dispatcher's cli (fast_paths_begin), the native user entry's test up to its
    /// general path's cli (fast_user_syscall_general), syscall_entry_slow's cli.</item>
    /// <item>In the routines the transfer page calls or jumps to (the guest's IF, kept): each
    /// gives the guest its RFLAGS back with popfq (the transfer page's own, or the helper's),
    /// iretq or sysretq, never from the RFLAGS it runs with.</item>
    /// <item>After the popfq that ends a return to the guest, at its last instruction (popfq has
    /// no interrupt shadow, so an interrupt held during the hypercall is taken there).</item>
    /// </list>
    /// The points where the guest's own context can be named are declared in fault_fixup_table:
    /// FaultFixupKind.GuestResume (<c>jmp rcx</c> after popfq: RIP = RCX), GuestResumeRet (<c>ret</c>
    /// after popfq: the return address popped) and GuestRetryCall (a helper's first pushfq, before
    /// anything is done: the entry's <c>call</c> again); there the frame is moved to the guest
    /// and the caller delivers the upcall. Anywhere else in the range, IF is cleared in the frame
    /// and a self-IPI on <see cref="RecheckVector"/> posted: the local APIC holds it until the
    /// guest's RFLAGS come back with IF on, at the guest's next instruction, where
    /// Interrupts.Handle delivers the upcall. Not on Linux's path (the native user entry with
    /// PvState.NativeUserSyscall: a callback that masks events), which keeps IF on up to the
    /// callback: an event raised there waits under the callback's mask, as under Xen.
    /// </summary>
    public static unsafe class SyscallWindow
    {
        /// <summary>The self-IPI's vector: the shim's own priority class, beside the timer's 0xf0 and Smp.Ipi's 0xf1.</summary>
        public const byte RecheckVector = 0xf2;

        /// <summary>Linked addresses (an AP's copy is translated by Smp.EntryCopy.DeltaOf).</summary>
        static ulong s_entry, s_dispatcher, s_user, s_userGeneral, s_end, s_slow;

        /// <summary>The linked entry code, [shimentry_start, shimentry_end): every edge is in it or in an AP's copy of it.</summary>
        static ulong s_stubsStart, s_stubsEnd;

        /// <summary>Interrupts whose frame was changed, all CPUs (a statistic: not atomic).</summary>
        public static ulong Resumed, Deferred;

        public static void Init(NativeSymbols* syms)
        {
            s_entry = syms->SyscallEntry;
            s_dispatcher = syms->FastPathsBegin;
            s_user = syms->FastUserSyscall;
            s_userGeneral = syms->FastUserSyscallGeneral;
            s_end = syms->FastPathsEnd;
            s_slow = syms->SyscallEntrySlow;
            s_stubsStart = syms->EntryStart;
            s_stubsEnd = syms->EntryEnd;
        }

        /// <summary>
        /// For an external interrupt or IPI taken in shim code (<paramref name="f"/>) with IF on:
        /// at a declared point, the frame moved to the guest's context; elsewhere in the native
        /// paths, unless on Linux's native user entry, IF cleared in the frame and the self-IPI posted.
        /// </summary>
        public static void Adjust(CpuFrame* f)
        {
            if ((f->Rflags & X86.Rflags.IF) == 0) return;
            if ((f->Rip < s_stubsStart || f->Rip >= s_stubsEnd) && !Smp.EntryCopy.InCopies(f->Rip)) return;   // C# (a blocked vCPU's wait): no edge, no table search
            ulong rip = (ulong)((long)f->Rip - Smp.EntryCopy.DeltaOf(f->Rip));
            FaultFixup* x = FaultFixup.Find(TrapDispatch.FaultFixups, rip, f->Vector);
            if (x != null)
            {
                switch ((FaultFixupKind)x->Kind)
                {
                    case FaultFixupKind.GuestResume:
                        f->Rip = f->Rcx;
                        break;
                    case FaultFixupKind.GuestResumeRet:
                        f->Rip = *(ulong*)f->Rsp;
                        f->Rsp += 8;
                        break;
                    case FaultFixupKind.GuestRetryCall:
                        f->Rip = *(ulong*)f->Rsp - x->Arg;
                        f->Rsp += 8;
                        break;
                }
                Resumed++;
                return;
            }
            if (!(rip >= s_entry && rip < s_end) && rip != s_slow) return;
            bool head = rip >= s_entry && rip < s_dispatcher, user = rip >= s_user && rip <= s_userGeneral;
            if (head || user)
            {
                PvState* pv = Smp.Cpus.Pv(Smp.Cpus.Current());
                if (pv == null) pv = ShimCpu.Pv;
                if ((user || pv->UserMode != 0) && (pv->NativeEntry & PvState.NativeUserSyscall) != 0) return;
            }
            f->Rflags &= ~X86.Rflags.IF;
            Deferred++;
            Smp.Ipi.SendSelf(RecheckVector);
        }
    }
}
