using System.Runtime.InteropServices;

namespace Microxen.Arch
{
    /// <summary>
    /// The per-vCPU state both C# and the native fast paths (shim/FastPaths/FastPaths.asm.cs) use,
    /// 1024 bytes at the native symbol <c>pv_state</c>. The generator reads these offsets from
    /// this very struct (Marshal.OffsetOf), so the two cannot disagree. Addresses are virtual
    /// unless named machine (Ma).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = Size)]
    public unsafe struct PvState
    {
        public const int Size = 1024;
        /// <summary>Alignment of <c>pv_state</c> in bytes (a cache line): every qword field is naturally aligned.</summary>
        public const int Alignment = 64;
        public const int MaxCounted = Microxen.Hypercalls.HypercallTable.Size;

        /// <summary>HYPERVISOR_stack_switch: kernel stack for entries from user mode (also in Tss.Rsp0).</summary>
        [FieldOffset(0)] public ulong KernelSp;
        /// <summary>
        /// The guest's transfer page (virtual address; 0: none): a hypercall number N - 128 whose
        /// syscall returns into it is N, declined already by its routine (Inline/InlineSequences
        /// CallRoutine), and the LSTAR dispatcher sends it straight to C# (FastPaths.Emit).
        /// </summary>
        [FieldOffset(8)] public ulong TransferPageVa;
        /// <summary>CallRoutine's fallback passes N - this: above every hypercall number unsigned, a sign-extended imm8.</summary>
        public const int DeclinedBias = 128;
        /// <summary>VcpuInfo* of vCPU 0.</summary>
        [FieldOffset(16)] public ulong VcpuInfo;
        /// <summary>ulong* machine_to_phys table, and its entries.</summary>
        [FieldOffset(24)] public ulong M2p;
        [FieldOffset(32)] public ulong M2pEntries;
        /// <summary>Machine frames that exist (bounds for mmu_update targets).</summary>
        [FieldOffset(40)] public ulong FrameCount;
        /// <summary>The shim's L4 entry for slot 261 (its code): present in every L4 the shim prepared.</summary>
        [FieldOffset(48)] public ulong ShimSlot261;
        /// <summary>Machine addresses of the guest's kernel and user L4 (NEW_BASEPTR / NEW_USER_BASEPTR).</summary>
        [FieldOffset(56)] public ulong KernelL4Ma;
        [FieldOffset(64)] public ulong UserL4Ma;
        /// <summary>1 when user mode runs on the user L4 (user_pt=switch).</summary>
        [FieldOffset(72)] public ulong SwitchUserPt;
        /// <summary>Virtual address of machine address 0 (the direct map).</summary>
        [FieldOffset(80)] public ulong DirectMap;
        /// <summary>
        /// 1: hypercalls with a native fast path take it (fast mode, inline=on); 0: all go to C#
        /// (set before LSTAR is: ShimMain points it at syscall_entry_slow, and the native paths never run);
        /// <see cref="FastPathsSmp"/>: taken, with several vCPUs (remote TLB flushes declined).
        /// </summary>
        [FieldOffset(88)] public ulong FastPaths;
        /// <summary>The value of <see cref="FastPaths"/> once a second vCPU runs (Smp/Vcpus.cs GoSmp).</summary>
        public const ulong FastPathsSmp = 2;
        /// <summary>CALLBACKTYPE_syscall entry, and whether it masks events (CALLBACKF_mask_events).</summary>
        [FieldOffset(96)] public ulong SyscallCallback;
        [FieldOffset(104)] public ulong SyscallMasksEvents;
        /// <summary>Scratch: the user RSP while the native user-syscall entry changes stacks.</summary>
        [FieldOffset(112)] public ulong ScratchRsp;
        /// <summary>User system calls sent to the guest by the native entry.</summary>
        [FieldOffset(120)] public ulong UserSyscalls;
        /// <summary>
        /// The guest's CR0.TS (fpu_taskswitch) while the shim's C# runs: the entry stubs record the
        /// hardware bit here and clear it around their fxsave/fxrstor (a guest with TS set gets #NM,
        /// the shim never), then make the hardware bit this value again on the way out.
        /// </summary>
        [FieldOffset(128)] public ulong GuestTs;
        /// <summary>Virtual address of the shim's L4 entries 256-271 (16 entries), copied into every L4 the guest pins.</summary>
        [FieldOffset(136)] public ulong ShimL4Slots;
        /// <summary>ulong* bitmap of the guest's page-table frames (Memory/PageTableFrames.cs).</summary>
        [FieldOffset(144)] public ulong PtBitmap;
        /// <summary>
        /// The vCPU's guest mode, as Xen's TF_kernel_mode (v->arch.flags, toggle_guest_mode): 1
        /// while the guest runs in user mode, 0 in kernel mode (the start state). Every
        /// transition passes through the shim and writes it: 1 on an iret to an RPL-3 CS (C#
        /// Hypercalls/Iret.cs, native FastPaths IretCommon), after GS (and CR3) were switched to
        /// the user's and just before the iretq; 0 on each entry into the guest kernel from user
        /// mode (Guest/BounceFrame.cs: exceptions, interrupts, events, the C# user syscall;
        /// Guest/Failsafe.cs; the native user syscall), with IF off, after GS and CR3 are the
        /// kernel's. Outside the few shim instructions of a transition (where an interrupt or
        /// NMI is taken in the shim's own code and delivers nothing to the guest), 0 means the
        /// kernel's GS and CR3 are loaded and 1 the user's. The LSTAR entry routes
        /// <c>syscall</c> by it: a hypercall in kernel mode, a user process's system call in
        /// user mode (never by RCX: kernels are linked anywhere).
        /// </summary>
        [FieldOffset(152)] public ulong UserMode;
        /// <summary>The task-state segment (IST stacks, RSP0).</summary>
        [FieldOffset(160)] public Tss Tss;
        /// <summary>
        /// What the native entries may do without testing the fields it is made of, published by
        /// shim/FastPaths/NativeEntry.cs whenever one of them changes: <see cref="NativeIret"/>
        /// (FastPaths on and no user_pt=switch: the LSTAR iret's native path and the user-mode
        /// #PF entry, Traps/FastPageFault.asm.cs, without their other tests), <see cref="NativeUserSyscall"/> (that, and a syscall callback that masks
        /// events: fast_user_syscall's shortest path). 0: the entries test each field themselves.
        /// </summary>
        [FieldOffset(504)] public ulong NativeEntry;
        /// <summary>
        /// SysretExit.UserTop while <see cref="NativeIret"/> is published, else 0 (published with
        /// NativeEntry): the LSTAR iret's RIP limit for sysretq (FastPaths.IretNative.asm.cs), so that
        /// its return to user mode tests NativeIret only when the frame is not sysretq's.
        /// </summary>
        [FieldOffset(496)] public ulong SysretTop;
        public const int NativeIret = 1, NativeUserSyscall = 2;
        /// <summary>Hypercalls served by a native fast path, by number (0-63).</summary>
        [FieldOffset(512)] public fixed ulong FastCount[MaxCounted];
    }
}
