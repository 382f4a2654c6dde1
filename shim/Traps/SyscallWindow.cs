namespace Microxen.Traps
{
    /// <summary>
    /// External interrupts and IPIs taken in shim code with IF on at a hypercall's edges, made to
    /// give their upcall as Xen's exit path does (it delivers pending events on every return to
    /// the guest). An interrupt taken in shim code raises its event but delivers no upcall there
    /// (TrapDispatch InShim), and the native paths return to the guest without looking at
    /// events. Two edges have IF on:
    /// <list type="bullet">
    /// <item>After a <c>syscall</c>, before the <c>cli</c> that starts each IF-off path
    /// (IA32_FMASK keeps IF: Arch/SyscallFlags.cs): syscall_entry's guest-mode test up to the
    /// LSTAR dispatcher's cli (fast_paths_begin), the native user entry's test up to its
    /// general path's cli (fast_user_syscall_general), syscall_entry_slow's cli. There IF is
    /// cleared in the frame and a self-IPI on <see cref="RecheckVector"/> posted: the local APIC
    /// holds it until the guest's RFLAGS come back with IF on, at the guest's next instruction,
    /// where Interrupts.Handle delivers the upcall. Not on Linux's path (the native user entry
    /// with PvState.NativeUserSyscall: a callback that masks events), which keeps IF on to the
    /// callback: an event raised there waits under the callback's mask, as under Xen.</item>
    /// <item>After the popfq that ends a hypercall's return, at its last instruction (popfq has
    /// no interrupt shadow, so an interrupt held during the hypercall is taken there):
    /// FaultFixupKind.GuestResume (<c>jmp rcx</c>) and GuestResumeRet (<c>ret</c>). The frame is
    /// moved to where that instruction goes, the guest's own context, and the caller delivers
    /// the upcall.</item>
    /// </list>
    /// Not covered: the native routines the transfer page calls run with the guest's IF on
    /// (smp_page_call and its kin save the guest's flags with their own first pushfq, so IF
    /// cannot be cleared under them); an interrupt there leaves its event for the next one.
    /// </summary>
    public static unsafe class SyscallWindow
    {
        /// <summary>The self-IPI's vector: the shim's own priority class, beside the timer's 0xf0 and Smp.Ipi's 0xf1.</summary>
        public const byte RecheckVector = 0xf2;

        /// <summary>Linked addresses (an AP's copy is translated by Smp.EntryCopy.DeltaOf).</summary>
        static ulong s_entry, s_dispatcher, s_user, s_userGeneral, s_slow;

        /// <summary>Interrupts whose frame was changed, all CPUs (a statistic: not atomic).</summary>
        public static ulong Resumed, Deferred;

        public static void Init(NativeSymbols* syms)
        {
            s_entry = syms->SyscallEntry;
            s_dispatcher = syms->FastPathsBegin;
            s_user = syms->FastUserSyscall;
            s_userGeneral = syms->FastUserSyscallGeneral;
            s_slow = syms->SyscallEntrySlow;
        }

        /// <summary>
        /// For an external interrupt or IPI taken in shim code (<paramref name="f"/>) with IF on:
        /// at a GuestResume point, the frame moved to the guest's context (RIP = RCX, or the
        /// return address popped); before a syscall path's cli, unless on Linux's native user
        /// entry, IF cleared in the frame and the self-IPI posted.
        /// </summary>
        public static void Adjust(CpuFrame* f)
        {
            if ((f->Rflags & X86.Rflags.IF) == 0) return;
            ulong rip = (ulong)((long)f->Rip - Smp.EntryCopy.DeltaOf(f->Rip));
            FaultFixup* x = FaultFixup.Find(TrapDispatch.FaultFixups, rip, f->Vector);
            if (x != null && x->Kind == (uint)FaultFixupKind.GuestResume)
            {
                f->Rip = f->Rcx;
                Resumed++;
                return;
            }
            if (x != null && x->Kind == (uint)FaultFixupKind.GuestResumeRet)
            {
                f->Rip = *(ulong*)f->Rsp;
                f->Rsp += 8;
                Resumed++;
                return;
            }
            bool head = rip >= s_entry && rip < s_dispatcher, user = rip >= s_user && rip <= s_userGeneral;
            if (!head && !user && rip != s_dispatcher && rip != s_slow) return;
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
