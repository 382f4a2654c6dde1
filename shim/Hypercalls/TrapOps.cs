using Microxen.Arch;
using Microxen.Guest;
using Microxen.Xen;

namespace Microxen.Hypercalls
{
    /// <summary>
    /// The hypercalls that register the guest's entry points and per-CPU state: set_trap_table,
    /// set_callbacks, callback_op, stack_switch, fpu_taskswitch, set_segment_base, vm_assist.
    /// Sources: public/xen.h, public/callback.h, public/arch-x86/xen.h (trap_info).
    /// </summary>
    public static unsafe class TrapOps
    {
        /// <summary>HYPERVISOR_set_trap_table(traps): array ended by address 0; null clears the table.</summary>
        public static long SetTrapTable(ulong traps)
        {
            if (traps == 0) { Vcpu.ClearTraps(); return 0; }
            for (TrapInfo* t = (TrapInfo*)traps; t->Address != 0; t++)
                Vcpu.SetTrap(t->Vector, t->Address, t->Cs, t->Flags);
            return 0;
        }

        public static long SetCallbacks(ulong evt, ulong failsafe, ulong syscall)
        {
            Vcpu.EventCallback = evt;
            Vcpu.FailsafeCallback = failsafe;
            Vcpu.SyscallCallback = syscall;
            return 0;
        }

        /// <summary>HYPERVISOR_callback_op(CALLBACKOP_register / unregister, arg).</summary>
        public static long CallbackOp(ulong cmd, ulong arg)
        {
            if (cmd == CallbackType.CALLBACKOP_register)
            {
                CallbackRegister* r = (CallbackRegister*)arg;
                switch (r->Type)
                {
                    case CallbackType.CALLBACKTYPE_event: Vcpu.EventCallback = r->Address; return 0;
                    case CallbackType.CALLBACKTYPE_failsafe:
                        Vcpu.FailsafeCallback = r->Address;
                        Vcpu.FailsafeMasksEvents = (r->Flags & CallbackType.CALLBACKF_mask_events) != 0;
                        return 0;
                    case CallbackType.CALLBACKTYPE_syscall:
                        Vcpu.SyscallCallback = r->Address;
                        Vcpu.SyscallMasksEvents = (r->Flags & CallbackType.CALLBACKF_mask_events) != 0;
                        return 0;
                    case CallbackType.CALLBACKTYPE_nmi: Vcpu.NmiCallback = r->Address; return 0;
                    case CallbackType.CALLBACKTYPE_syscall32:
                    case CallbackType.CALLBACKTYPE_sysenter:
                        return 0;   // 32-bit user entry points: kept by Xen, unused until compat user mode exists
                    default: return -XenErrno.EINVAL;
                }
            }
            if (cmd == CallbackType.CALLBACKOP_unregister) return 0;
            return -XenErrno.ENOSYS;
        }

        /// <summary>
        /// HYPERVISOR_stack_switch(ss, esp): the kernel stack for entries from user mode (TSS.RSP0).
        /// ss is not kept: nothing would read it (an entry from user mode runs the guest kernel in
        /// ring 0 with a NUL SS, Guest/BounceFrame.cs).
        /// </summary>
        public static long StackSwitch(ulong ss, ulong sp)
        {
            Vcpu.KernelSp = sp;
            ShimCpu.SetRsp0(sp);
            return 0;
        }

        /// <summary>
        /// HYPERVISOR_fpu_taskswitch(set): the guest's CR0.TS. Recorded in PvState.GuestTs, which the
        /// stub makes the hardware bit after the shim's own fxrstor (shim/Traps/EntryStubs.asm.cs);
        /// writing CR0.TS here would make that fxrstor take #NM inside the shim.
        /// </summary>
        public static long FpuTaskswitch(ulong set)
        {
            ShimCpu.Pv->GuestTs = set != 0 ? 1UL : 0UL;
            return 0;
        }

        /// <summary>
        /// HYPERVISOR_set_segment_base(which, base): FS, user GS (the inactive one in kernel mode),
        /// kernel GS; -EINVAL for a non-canonical base. GS_USER_SEL loads the user GS selector
        /// with RPL 3; one that faults is replaced by the NUL selector (TrapDispatch), as Xen 4.17.
        /// </summary>
        public static long SetSegmentBase(ulong which, ulong value)
        {
            bool canonical = (long)value >> 47 == 0 || (long)value >> 47 == -1;
            if (which <= Layout.SEGBASE_GS_KERNEL && !canonical) return -XenErrno.EINVAL;
            if (which == Layout.SEGBASE_GS_USER_SEL && value > 3) value |= 3;   // RPL 3: no DPL 0 segment for user mode
            switch (which)
            {
                case Layout.SEGBASE_FS: Cpu.Wrmsr(X86.Msr.IA32_FS_BASE, value); return 0;
                case Layout.SEGBASE_GS_USER: Cpu.Wrmsr(X86.Msr.IA32_KERNEL_GS_BASE, value); return 0;
                case Layout.SEGBASE_GS_KERNEL: Cpu.Wrmsr(X86.Msr.IA32_GS_BASE, value); return 0;
                case Layout.SEGBASE_GS_USER_SEL: Cpu.LoadUserGs((ushort)value); return 0;
                default: return -XenErrno.EINVAL;
            }
        }

        /// <summary>HYPERVISOR_vm_assist(cmd, type): every assist type Xen knows is accepted (the guest runs natively).</summary>
        public static long VmAssist(ulong cmd, ulong type)
        {
            if (cmd > 1) return -XenErrno.ENOSYS;
            return type <= 5 ? 0 : -XenErrno.EINVAL;
        }
    }
}
