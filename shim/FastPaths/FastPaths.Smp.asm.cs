using Microxen.Inline;

namespace Microxen.Native;

/// <summary>
/// The transfer page's way to the calling CPU's fast paths once several vCPUs run (shim/Inline/SmpEntry.cs).
/// Part of <see cref="FastPaths"/>: emitted among the routines (a fault in them stops the guest,
/// as a fault in a routine's own code), used from the boot CPU's copy by every CPU: they read no
/// <c>pv_state</c>, only the calling CPU's GDT base and the per-CPU table the shim fills
/// (shim/FastPaths/SmpTransferPage.cs).
/// </summary>
static partial class FastPaths
{
    /// <summary>
    /// [rsp] on entry to a helper: entry + CallLength (the SmpCall/SmpIret entry's call). The
    /// helper's first instructions make rax &amp;row[cpu][N] (see <see cref="SmpEntry"/>) from the
    /// table slot and the GDT base sgdt stores below RSP: nothing is delivered to the guest while
    /// the shim's code runs, so that memory is not overwritten in between. <paramref name="at"/>:
    /// where the return address is after the helper's own pushes.
    /// </summary>
    static void SmpRowEntry(Assembler a, int at)
    {
        a.sgdt(__[rsp - 16]);                                   // limit at rsp-16, base at rsp-14
        a.shr(__qword_ptr[rsp - 14], SmpEntry.BaseShift);       // (GdtVirt >> BaseShift) + this CPU's row offset
        a.mov(rax, __qword_ptr[rsp + at]);                      // entry + CallLength
        a.mov(rax, __qword_ptr[rax + (SmpEntry.TableSlot - SmpEntry.CallLength)]);
        a.add(rax, __qword_ptr[rsp - 14]);                      // &row[cpu][N]
    }

    /// <summary>
    /// smp_page_call, called by entry N's SmpCall: this CPU's fast_NAME with the guest's
    /// registers; when it declines, the dispatcher entry's work (N from the entry's address,
    /// syscall). Returns to the entry's caller with the guest's flags (pushfq/popfq, as
    /// CallRoutine). Seven instructions more than CallRoutine on the native path (the entry's call, sgdt and the table: 12 against 5).
    /// </summary>
    static void SmpPageCall(Block b)
    {
        var a = Routine(b, "smp_page_call");
        var slow = a.CreateLabel();
        EntryPushfq(b);
        SmpRowEntry(a, 8);
        a.call(__qword_ptr[rax]);
        a.jb(slow);
        PopfqRet(b);
        // Declined: the entry's own syscall (SmpEntry.SyscallAt) with N - DeclinedBias and the
        // guest's rcx and r11 pushed as CallRoutine's fallback has them, so the LSTAR dispatcher
        // sends it straight to C#; the entry's pops and ret return to its caller.
        a.Label(ref slow);
        a.mov(rax, __qword_ptr[rsp + 8]);
        a.add(__qword_ptr[rsp + 8], SmpEntry.SyscallAt - SmpEntry.CallLength);
        a.and(eax, 4096 - (1 << SmpEntry.EntryShift));          // the entry's offset in the page
        a.shr(eax, SmpEntry.EntryShift);                        // N
        a.add(rax, -PvState.DeclinedBias);
        a.xchg(__qword_ptr[rsp + 8], rcx);                      // rcx: the entry's syscall; the guest's rcx where the entry pops it
        a.xchg(__qword_ptr[rsp], r11);                          // the guest's r11 where the entry pops it (the syscall overwrites r11)
        a.push(r11);
        a.popfq();                                              // the guest's flags, which the syscall saves
        GuestResumeJmpRcx(b);                                   // an interrupt here is the guest's, at the entry's syscall
    }

    /// <summary>
    /// A helper's first instruction, the pushfq that saves the guest's flags (IF on) for its
    /// popfq: declared FaultFixupKind.GuestRetryCall, so that an interrupt taken before it is the
    /// guest's, at the entry's <c>call</c> (Traps/SyscallWindow.cs); after it IF may be cleared.
    /// </summary>
    static void EntryPushfq(Block b) =>
        FaultFixups.Around(b, $"guest_retry_call_{s_resumePoints++}", FaultFixupKind.GuestRetryCall, (uint)SmpEntry.CallLength, () => b.Asm.pushfq());

    /// <summary>
    /// The guest's flags (pushfq'd at [rsp], the entry's return address above them) back with
    /// popfq as the last instruction before the ret to the entry's caller: the flags moved over
    /// the entry's return address (pop to [rsp] addresses the stack after the pop), so that an
    /// interrupt taken after the popfq, at the ret, is the guest's (FaultFixupKind.GuestResumeRet).
    /// </summary>
    static void PopfqRet(Block b)
    {
        var a = b.Asm;
        a.pop(__qword_ptr[rsp]);
        a.popfq();
        FaultFixups.Around(b, $"guest_resume_ret_{s_resumePoints++}", FaultFixupKind.GuestResumeRet, 0, () => a.ret());
    }

    /// <summary>
    /// smp_page_iret, called by entry 23's SmpIret (itself jumped to, iret frame and flags word
    /// pushed, rax, r11, rcx the guest's): jumps to this CPU's fast_page_iret with the stack and
    /// those registers as the entry had them.
    /// </summary>
    static void SmpPageIret(Block b)
    {
        var a = Routine(b, "smp_page_iret");
        a.push(rax);
        SmpRowEntry(a, 8);
        a.mov(rax, __qword_ptr[rax]);                           // this CPU's fast_page_iret
        a.mov(__qword_ptr[rsp + 8], rax);                       // over the entry's return address
        a.pop(rax);
        a.ret();
        SmpPageLocal(b);
    }

    /// <summary>
    /// smp_page_stack_switch and smp_page_fpu_taskswitch, the helpers of entries 3 and 5 (SmpCall
    /// layout; SmpTransferPage puts them in the entries' helper slots and this CPU's pv_state in
    /// those columns of the per-CPU table): the work of fast_stack_switch / fast_fpu_taskswitch
    /// (counted; KernelSp and TSS.RSP0; CR0.TS cleared, set again when set != 0) done here on the
    /// pv_state the table gives, without smp_page_call's call into the routine; neither declines.
    /// The guest's flags kept; return to the entry's caller.
    /// </summary>
    static void SmpPageLocal(Block b)
    {
        var a = Routine(b, "smp_page_stack_switch");
        EntryPushfq(b);
        SmpRowEntry(a, 8);
        a.mov(rax, __qword_ptr[rax]);                           // this CPU's pv_state
        a.mov(__qword_ptr[rax + Off("KernelSp")], rsi);
        a.mov(__qword_ptr[rax + TssOff("Rsp0")], rsi);
        a.inc(__qword_ptr[rax + CountOff(StackSwitch)]);
        SmpLocalReturn(b);

        a = Routine(b, "smp_page_fpu_taskswitch");
        EntryPushfq(b);
        SmpRowEntry(a, 8);
        a.mov(rax, __qword_ptr[rax]);                           // this CPU's pv_state
        a.inc(__qword_ptr[rax + CountOff(FpuTaskswitch)]);
        TaskswitchCode.Emit(a);
        SmpLocalReturn(b);
    }

    /// <summary>Result 0, the guest's flags back, and return past the entry to its caller.</summary>
    static void SmpLocalReturn(Block b)
    {
        b.Asm.xor(eax, eax);
        PopfqRet(b);
    }
}
