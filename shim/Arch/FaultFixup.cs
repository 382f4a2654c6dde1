using System.Runtime.InteropServices;

namespace Microxen.Arch
{
    /// <summary>
    /// What a fault in shim code covered by <c>fault_fixup_table</c> means, and what the trap
    /// path does about it (the analogue of Xen's <c>__ex_table</c> next to each <c>.Lft</c> label,
    /// and XTF's common/extable.c, with a kind per entry instead of one fixup address).
    /// </summary>
    public enum FaultFixupKind : uint
    {
        /// <summary>End of the table.</summary>
        None = 0,
        /// <summary>
        /// A native hypercall routine met a guest pointer it cannot use (#PF, #GP): resume at
        /// <see cref="FaultFixup.Fixup"/>, which unwinds the routine and returns -EFAULT (Xen's
        /// copy_from/to_guest); the hypercall <see cref="FaultFixup.Arg"/> is counted as given a bad pointer.
        /// </summary>
        Efault = 1,
        /// <summary>#PF or #GP: resume at <see cref="FaultFixup.Fixup"/>, which declines to the C# path (it answers and counts).</summary>
        Decline = 2,
        /// <summary>
        /// The shim's <c>iretq</c> into the guest could not load the guest's frame (#NP, #SS, #GP):
        /// the guest's failsafe callback (CALLBACKTYPE_failsafe), as Xen; a guest crash without one.
        /// </summary>
        Failsafe = 3,
        /// <summary>
        /// A <c>mov %gs</c> of a selector the guest gave that cannot be loaded (#NP, #GP, or #PF when the descriptor table itself cannot be read): retry with
        /// the NUL selector, as Xen's set_segment_base(SEGBASE_GS_USER_SEL); <see cref="FaultFixup.Arg"/>
        /// is the byte offset in <see cref="CpuFrame"/> of the register that holds the selector.
        /// </summary>
        RetryNullSelector = 4,
        /// <summary>
        /// Any other #PF or #GP in native hypercall code: the guest is stopped, named (Xen would
        /// return -EFAULT; code without a fixup keeps no state to unwind). Listed last: the table
        /// is searched in order and the entries above are narrower.
        /// </summary>
        CrashGuest = 5,
        /// <summary>
        /// #PF or #GP on a store whose failure the hypercall ignores (Xen's copy_to_guest of
        /// mmu_update's and mmuext_op's pdone, whose result do_mmu_update / do_mmuext_op drop):
        /// the store is skipped, resuming at <see cref="FaultFixup.Fixup"/> with every register as at the fault.
        /// </summary>
        Ignore = 6,
        /// <summary>
        /// An external interrupt or IPI (vector 32 and up) taken at the <c>jmp rcx</c> that ends a
        /// hypercall's return once popfq has restored the guest's RFLAGS: the guest's own context
        /// at RCX, where its upcall is delivered (Traps/SyscallWindow.cs); popfq has no interrupt
        /// shadow, so an interrupt held during the hypercall is taken there.
        /// </summary>
        GuestResume = 7,
        /// <summary>
        /// As <see cref="GuestResume"/>, at the <c>ret</c> after the popfq that ends a transfer-page
        /// helper (FastPaths.Smp.asm.cs): the guest's context at the return address, RSP above it.
        /// </summary>
        GuestResumeRet = 8,
        /// <summary>
        /// An external interrupt or IPI at the first instruction (pushfq) of a helper a transfer-page
        /// entry calls (FastPaths.Smp.asm.cs): the guest's context at that entry's <c>call</c>
        /// (return address - <see cref="FaultFixup.Arg"/>, the call's length; RSP above it), which
        /// runs again after the upcall: nothing was done yet.
        /// </summary>
        GuestRetryCall = 9,
    }

    /// <summary>
    /// One entry of <c>fault_fixup_table</c>, 32 bytes, written by the native code's generator
    /// (shim/Traps/FaultFixups.asm.cs) from the ranges the *.asm.cs code declares: code in
    /// [<see cref="Begin"/>, <see cref="End"/>), what a fault there means (<see cref="Kind"/>) and
    /// where it resumes (<see cref="Fixup"/>, with every register as at the fault). The table ends
    /// with an entry whose Kind is <see cref="FaultFixupKind.None"/>; entries are searched in order.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = Size)]
    public unsafe struct FaultFixup
    {
        public const int Size = 32;

        [FieldOffset(0)] public ulong Begin;
        [FieldOffset(8)] public ulong End;
        /// <summary>Where the code resumes (Efault, Decline, Ignore); 0 for the kinds that do not jump.</summary>
        [FieldOffset(16)] public ulong Fixup;
        /// <summary>A <see cref="FaultFixupKind"/>.</summary>
        [FieldOffset(24)] public uint Kind;
        /// <summary>Efault: the hypercall number; RetryNullSelector: the CpuFrame offset of the selector register.</summary>
        [FieldOffset(28)] public uint Arg;

        /// <summary>The exception vectors a kind covers (SDM vol. 3A table 6-1: #NP 11, #SS 12, #GP 13, #PF 14).</summary>
        public static bool Covers(FaultFixupKind kind, ulong vector)
        {
            switch (kind)
            {
                case FaultFixupKind.Efault:
                case FaultFixupKind.Decline:
                case FaultFixupKind.Ignore:
                case FaultFixupKind.CrashGuest: return vector == 13 || vector == 14;
                case FaultFixupKind.Failsafe: return vector == 11 || vector == 12 || vector == 13;
                case FaultFixupKind.RetryNullSelector: return vector == 11 || vector == 13 || vector == 14;   // #PF: the descriptor table itself unreadable (an LDT selector, no LDT)
                case FaultFixupKind.GuestResume:
                case FaultFixupKind.GuestResumeRet:
                case FaultFixupKind.GuestRetryCall: return vector >= 32;
                default: return false;
            }
        }

        /// <summary>The first entry of <paramref name="table"/> whose range holds <paramref name="rip"/> and whose kind covers <paramref name="vector"/>; null when none.</summary>
        public static FaultFixup* Find(FaultFixup* table, ulong rip, ulong vector)
        {
            if (table == null) return null;
            for (FaultFixup* x = table; x->Kind != (uint)FaultFixupKind.None; x++)
                if (rip >= x->Begin && rip < x->End && Covers((FaultFixupKind)x->Kind, vector)) return x;
            return null;
        }
    }
}
