namespace Microxen.Guest
{
    /// <summary>One registered trap handler (HYPERVISOR_set_trap_table, struct trap_info).</summary>
    public struct TrapHandler
    {
        public ulong Address;   // 0 = none
        public ushort Cs;
        public byte Flags;      // TI_IF (bit 2): mask events on entry
    }

    /// <summary>
    /// The state of the guest's vCPUs that the shim keeps: where each vcpu_info lives, the
    /// handlers and callbacks it registered, its kernel stack, its page-table bases. Every
    /// member means "the current vCPU" (<see cref="Id"/>): the one whose CPU holds the shim's
    /// lock (Smp/ShimLock.cs sets <see cref="Id"/> with ShimCpu.Pv), or the target of a
    /// vcpu_op on another vCPU for its duration (Hypercalls/VcpuOps.cs). Fields in PvState are
    /// per CPU already (vCPU n runs on CPU n); the rest are tables indexed by vCPU. Xen keeps
    /// all of them per vCPU (struct pv_vcpu, struct vcpu: xen/include/asm-x86/pv/domain.h).
    /// </summary>
    public static unsafe class Vcpu
    {
        /// <summary>vCPUs with state here (Events.Evtchn.MaxVcpus: Smp/Vcpus.cs bounds dom0's count by it).</summary>
        public const int Max = Events.Evtchn.MaxVcpus;

        /// <summary>One trap_ctxt entry (16 bytes; a vCPU's 256 fill one 4 KiB frame).</summary>
        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Size = 16)] public struct TrapEntry { public ulong Address; public ushort Cs; public byte Flags; }
        struct Traps0 { public fixed ulong Words[512]; }
        /// <summary>vCPU 0's trap table; the others' are frames Smp/Vcpus.cs gives with <see cref="SetTrapTable"/>.</summary>
        static Traps0 s_traps0;

        struct PerVcpu
        {
            public fixed ulong EventCb[Max], FailsafeCb[Max], FailsafeMask[Max], NmiCb[Max], InfoMa[Max], Runstate[Max], TrapTable[Max];
        }
        static PerVcpu s_v;

        /// <summary>The vCPU the members below name (0 with one vCPU).</summary>
        public static int Id;

        /// <summary>vCPU <paramref name="n"/>'s trap table (256 <see cref="TrapEntry"/>), vCPU 0's when none was given.</summary>
        public static TrapEntry* TrapTable(int n)
        {
            ulong t;
            fixed (PerVcpu* v = &s_v) t = v->TrapTable[n];
            if (t != 0) return (TrapEntry*)t;
            fixed (Traps0* z = &s_traps0) return (TrapEntry*)z;
        }

        /// <summary>Gives vCPU <paramref name="n"/> (&gt; 0) its own trap table, a zeroed 4 KiB page.</summary>
        public static void SetTrapTable(int n, TrapEntry* table) { fixed (PerVcpu* v = &s_v) v->TrapTable[n] = (ulong)table; }

        /// <summary>The shared_info page (shim frame, through the direct map).</summary>
        public static SharedInfo* Shared;
        /// <summary>vcpu_info of the vCPU: in shared_info until VCPUOP_register_vcpu_info moves it (PvState.VcpuInfo).</summary>
        public static VcpuInfo* Info { get => (VcpuInfo*)Arch.ShimCpu.Pv->VcpuInfo; set => Arch.ShimCpu.Pv->VcpuInfo = (ulong)value; }
        public static ulong InfoMa { get { fixed (PerVcpu* v = &s_v) return v->InfoMa[Id]; } set { fixed (PerVcpu* v = &s_v) v->InfoMa[Id] = value; } }

        public static ulong EventCallback { get { fixed (PerVcpu* v = &s_v) return v->EventCb[Id]; } set { fixed (PerVcpu* v = &s_v) v->EventCb[Id] = value; } }
        public static ulong FailsafeCallback { get { fixed (PerVcpu* v = &s_v) return v->FailsafeCb[Id]; } set { fixed (PerVcpu* v = &s_v) v->FailsafeCb[Id] = value; } }
        /// <summary>CALLBACKF_mask_events given with the failsafe callback.</summary>
        public static bool FailsafeMasksEvents { get { fixed (PerVcpu* v = &s_v) return v->FailsafeMask[Id] != 0; } set { fixed (PerVcpu* v = &s_v) v->FailsafeMask[Id] = value ? 1UL : 0UL; } }
        public static ulong SyscallCallback { get => Arch.ShimCpu.Pv->SyscallCallback; set { Arch.ShimCpu.Pv->SyscallCallback = value; Arch.NativeEntry.Publish(Arch.ShimCpu.Pv); } }
        /// <summary>CALLBACKF_mask_events given with the syscall callback (PvState).</summary>
        public static bool SyscallMasksEvents { get => Arch.ShimCpu.Pv->SyscallMasksEvents != 0; set { Arch.ShimCpu.Pv->SyscallMasksEvents = value ? 1UL : 0UL; Arch.NativeEntry.Publish(Arch.ShimCpu.Pv); } }
        public static ulong NmiCallback { get { fixed (PerVcpu* v = &s_v) return v->NmiCb[Id]; } set { fixed (PerVcpu* v = &s_v) v->NmiCb[Id] = value; } }

        /// <summary>HYPERVISOR_stack_switch: kernel RSP for entries from user mode (PvState).</summary>
        public static ulong KernelSp { get => Arch.ShimCpu.Pv->KernelSp; set => Arch.ShimCpu.Pv->KernelSp = value; }
        /// <summary>Machine addresses of the kernel and user L4 (MMUEXT_NEW_BASEPTR / NEW_USER_BASEPTR; PvState).</summary>
        public static ulong KernelL4 { get => Arch.ShimCpu.Pv->KernelL4Ma; set => Arch.ShimCpu.Pv->KernelL4Ma = value; }
        public static ulong UserL4 { get => Arch.ShimCpu.Pv->UserL4Ma; set => Arch.ShimCpu.Pv->UserL4Ma = value; }
        /// <summary>Guest virtual address of the runstate area (VCPUOP_register_runstate_memory_area), 0 = none.</summary>
        /// <summary>vCPU <paramref name="n"/>'s runstate area, 0 = none.</summary>
        public static ulong RunstateAreaOf(int n) { fixed (PerVcpu* v = &s_v) return v->Runstate[n]; }
        public static ulong RunstateArea { get { fixed (PerVcpu* v = &s_v) return v->Runstate[Id]; } set { fixed (PerVcpu* v = &s_v) v->Runstate[Id] = value; } }

        /// <summary>
        /// The guest mode (PvState.UserMode, Xen's !TF_kernel_mode): true while the guest runs in
        /// user mode. Written only at the transitions (iret to user; entries from user mode).
        /// </summary>
        public static bool UserMode { get => Arch.ShimCpu.Pv->UserMode != 0; set => Arch.ShimCpu.Pv->UserMode = value ? 1UL : 0UL; }

        /// <summary>Set from the shim option user_pt=switch: user mode runs on <see cref="UserL4"/> (PvState).</summary>
        public static bool SwitchUserPageTable { get => Arch.ShimCpu.Pv->SwitchUserPt != 0; set { Arch.ShimCpu.Pv->SwitchUserPt = value ? 1UL : 0UL; Arch.NativeEntry.Publish(Arch.ShimCpu.Pv); } }

        /// <summary>On the way to user mode: the user L4 when switching is on and the guest gave one.</summary>
        public static void EnterUserPageTable()
        {
            if (SwitchUserPageTable && UserL4 != 0) Arch.Cpu.WriteCr3(UserL4);
        }

        /// <summary>On entry from user mode: back to the kernel L4.</summary>
        public static void EnterKernelPageTable()
        {
            if (SwitchUserPageTable && UserL4 != 0) Arch.Cpu.WriteCr3(KernelL4);
        }

        public static void SetTrap(int vector, ulong address, ushort cs, byte flags)
        {
            TrapEntry* t = TrapTable(Id) + vector;
            t->Address = address; t->Cs = cs; t->Flags = flags;
            if (vector == Arch.X86.Vector.PF) Microxen.Traps.FastPageFaultHandler.Publish(Id, address, cs, flags);   // vCPU Id's copy of the native #PF path
        }

        public static void ClearTraps()
        {
            TrapEntry* t = TrapTable(Id);
            for (int v = 0; v < 256; v++) t[v].Address = 0;
            Microxen.Traps.FastPageFaultHandler.Publish(Id, 0, 0, 0);
        }

        public static TrapHandler Trap(int vector)
        {
            TrapEntry* t = TrapTable(Id) + vector;
            TrapHandler h;
            h.Address = t->Address; h.Cs = t->Cs; h.Flags = t->Flags;
            return h;
        }
    }
}
