using System.Runtime.InteropServices;

namespace Microxen.Arch
{
    /// <summary>
    /// Names the link-time symbol whose address a <see cref="NativeSymbols"/> field receives. The
    /// native code's generator (shim/Arch/CpuPrimitives.asm.cs) reads these names to emit
    /// <c>cpu_symbols</c>' table, in field-offset order: the list exists once, here.
    /// </summary>
    public sealed class NativeSymbolAttribute : System.Attribute
    {
        public readonly string Name;
        public NativeSymbolAttribute(string name) { Name = name; }
    }

    /// <summary>
    /// Addresses the native blob and the linker script define, copied by <c>cpu_symbols</c>
    /// (Cpu.Symbols) at boot: 8 bytes a field, virtual addresses unless named physical.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = Count * 8)]
    public struct NativeSymbols
    {
        public const int Count = 31;

        /// <summary>ulong[256]: the address of each vector's entry stub isr_N, for the IDT.</summary>
        [FieldOffset(0), NativeSymbol("isr_table")] public ulong IsrTable;
        /// <summary>The LSTAR (and CSTAR) target.</summary>
        [FieldOffset(8), NativeSymbol("syscall_entry")] public ulong SyscallEntry;
        /// <summary>Tops of the IST stacks 1-5 (TSS.IST1-5); IST5 serves #NP, #SS, #GP, so a faulting iretq's frame survives.</summary>
        [FieldOffset(16), NativeSymbol("ist1_stack_top")] public ulong Ist1Top;
        [FieldOffset(24), NativeSymbol("ist2_stack_top")] public ulong Ist2Top;
        [FieldOffset(32), NativeSymbol("ist3_stack_top")] public ulong Ist3Top;
        [FieldOffset(40), NativeSymbol("ist4_stack_top")] public ulong Ist4Top;
        [FieldOffset(48), NativeSymbol("ist5_stack_top")] public ulong Ist5Top;
        /// <summary>The linked image's virtual extent (linker.ld).</summary>
        [FieldOffset(56), NativeSymbol("__image_virt_start")] public ulong ImageVirtStart;
        [FieldOffset(64), NativeSymbol("__image_virt_end")] public ulong ImageVirtEnd;
        /// <summary>Physical start (.boot) and end of the loaded image (linker.ld).</summary>
        [FieldOffset(72), NativeSymbol("__boot_start")] public ulong BootStart;
        [FieldOffset(80), NativeSymbol("__load_end_phys")] public ulong LoadEndPhys;
        /// <summary>PvState*: the state the native fast paths share with C#.</summary>
        [FieldOffset(88), NativeSymbol("pv_state")] public ulong PvState;
        /// <summary>ulong[64]: the native fast routine per hypercall number, 0 for none.</summary>
        [FieldOffset(96), NativeSymbol("fast_path_table")] public ulong FastPathTable;
        /// <summary>The transfer page's native iret entry.</summary>
        [FieldOffset(104), NativeSymbol("fast_page_iret")] public ulong FastPageIret;
        /// <summary>FaultFixup[]: what a fault in shim code means (shim/Arch/FaultFixup.cs).</summary>
        [FieldOffset(112), NativeSymbol("fault_fixup_table")] public ulong FaultFixupTable;
        /// <summary>The AP trampoline's template (shim/Smp/ApBootData.cs: PageBytes bytes), copied below 1 MiB.</summary>
        [FieldOffset(120), NativeSymbol("ap_trampoline")] public ulong ApTrampoline;
        /// <summary>The image stub an AP enters from the trampoline (loads the shim's CR3, calls ap_main).</summary>
        [FieldOffset(128), NativeSymbol("ap_start")] public ulong ApStart;
        /// <summary>Physical address of the boot L4 (the APs' page table while they enter long mode).</summary>
        [FieldOffset(136), NativeSymbol("boot_pml4")] public ulong BootPml4;
        /// <summary>[start, end): the entry stubs, fast paths and pv_state, copied for each AP (Smp/EntryCopy.cs).</summary>
        [FieldOffset(144), NativeSymbol("shimentry_start")] public ulong EntryStart;
        [FieldOffset(152), NativeSymbol("shimentry_end")] public ulong EntryEnd;
        /// <summary>The movabs of hypercall_resume in cpu_abort_hypercall (its imm64 at +2), and the slot holding the hypercall stack's top.</summary>
        [FieldOffset(160), NativeSymbol("abort_resume_movabs")] public ulong AbortResumeMovabs;
        [FieldOffset(168), NativeSymbol("hypercall_stack_slot")] public ulong HypercallStackSlot;
        /// <summary>The transfer page's helpers with several vCPUs (shim/FastPaths/FastPaths.Smp.asm.cs).</summary>
        [FieldOffset(176), NativeSymbol("smp_page_call")] public ulong SmpPageCall;
        [FieldOffset(184), NativeSymbol("smp_page_iret")] public ulong SmpPageIret;
        /// <summary>The LSTAR (and CSTAR) target with the fast paths off: every syscall to C# (Traps/EntryStubs.asm.cs).</summary>
        [FieldOffset(192), NativeSymbol("syscall_entry_slow")] public ulong SyscallEntrySlow;
        /// <summary>The transfer page's stack_switch and fpu_taskswitch helpers with several vCPUs (FastPaths.Smp.asm.cs SmpPageLocal).</summary>
        [FieldOffset(200), NativeSymbol("smp_page_stack_switch")] public ulong SmpPageStackSwitch;
        [FieldOffset(208), NativeSymbol("smp_page_fpu_taskswitch")] public ulong SmpPageFpuTaskswitch;
        /// <summary>
        /// The first instructions a syscall runs with IF on before a cli (Traps/SyscallWindow.cs):
        /// the LSTAR dispatcher's cli, the native user entry and its general path's cli.
        /// </summary>
        [FieldOffset(216), NativeSymbol("fast_paths_begin")] public ulong FastPathsBegin;
        [FieldOffset(224), NativeSymbol("fast_user_syscall")] public ulong FastUserSyscall;
        [FieldOffset(232), NativeSymbol("fast_user_syscall_general")] public ulong FastUserSyscallGeneral;
        /// <summary>The end of the native fast paths' code (fast_path_table follows): Traps/SyscallWindow.cs's range.</summary>
        [FieldOffset(240), NativeSymbol("fast_paths_end")] public ulong FastPathsEnd;
    }
}
