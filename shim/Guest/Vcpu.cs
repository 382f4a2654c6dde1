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
    /// The state of the guest's one vCPU that the shim keeps: where its vcpu_info lives, the
    /// handlers and callbacks it registered, its kernel stack, its page-table bases.
    /// </summary>
    public static unsafe class Vcpu
    {
        struct Traps { public fixed ulong Address[256]; public fixed ushort Cs[256]; public fixed byte Flags[256]; }
        static Traps s_traps;

        /// <summary>The shared_info page (shim frame, through the direct map).</summary>
        public static SharedInfo* Shared;
        /// <summary>vcpu_info of vCPU 0: in shared_info until VCPUOP_register_vcpu_info moves it (PvState.VcpuInfo).</summary>
        public static VcpuInfo* Info { get => (VcpuInfo*)Arch.ShimCpu.Pv->VcpuInfo; set => Arch.ShimCpu.Pv->VcpuInfo = (ulong)value; }
        public static ulong InfoMa;

        public static ulong EventCallback;
        public static ulong FailsafeCallback;
        /// <summary>CALLBACKF_mask_events given with the failsafe callback.</summary>
        public static bool FailsafeMasksEvents;
        public static ulong SyscallCallback { get => Arch.ShimCpu.Pv->SyscallCallback; set { Arch.ShimCpu.Pv->SyscallCallback = value; Arch.NativeEntry.Publish(Arch.ShimCpu.Pv); } }
        /// <summary>CALLBACKF_mask_events given with the syscall callback (PvState).</summary>
        public static bool SyscallMasksEvents { get => Arch.ShimCpu.Pv->SyscallMasksEvents != 0; set { Arch.ShimCpu.Pv->SyscallMasksEvents = value ? 1UL : 0UL; Arch.NativeEntry.Publish(Arch.ShimCpu.Pv); } }
        public static ulong NmiCallback;

        /// <summary>HYPERVISOR_stack_switch: kernel RSP for entries from user mode (PvState).</summary>
        public static ulong KernelSp { get => Arch.ShimCpu.Pv->KernelSp; set => Arch.ShimCpu.Pv->KernelSp = value; }
        /// <summary>Machine addresses of the kernel and user L4 (MMUEXT_NEW_BASEPTR / NEW_USER_BASEPTR; PvState).</summary>
        public static ulong KernelL4 { get => Arch.ShimCpu.Pv->KernelL4Ma; set => Arch.ShimCpu.Pv->KernelL4Ma = value; }
        public static ulong UserL4 { get => Arch.ShimCpu.Pv->UserL4Ma; set => Arch.ShimCpu.Pv->UserL4Ma = value; }
        /// <summary>Guest virtual address of the runstate area (VCPUOP_register_runstate_memory_area), 0 = none.</summary>
        public static ulong RunstateArea;

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
            fixed (Traps* t = &s_traps) { t->Address[vector] = address; t->Cs[vector] = cs; t->Flags[vector] = flags; }
            if (vector == Arch.X86.Vector.PF) Microxen.Traps.FastPageFaultHandler.Publish(address, cs, flags);
        }

        public static void ClearTraps()
        {
            fixed (Traps* t = &s_traps) for (int v = 0; v < 256; v++) t->Address[v] = 0;
            Microxen.Traps.FastPageFaultHandler.Publish(0, 0, 0);
        }

        public static TrapHandler Trap(int vector)
        {
            TrapHandler h;
            fixed (Traps* t = &s_traps) { h.Address = t->Address[vector]; h.Cs = t->Cs[vector]; h.Flags = t->Flags[vector]; }
            return h;
        }
    }
}
