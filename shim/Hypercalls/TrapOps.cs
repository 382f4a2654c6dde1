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
        /// <summary>
        /// HYPERVISOR_set_trap_table(traps): array ended by address 0; null clears the table. As
        /// Xen's do_set_trap_table (xen/arch/x86/pv/callback.c): a non-canonical handler address
        /// stops the walk with -EINVAL (the entries before it stay installed); the selector's RPL
        /// is raised to 3 (fixup_guest_code_selector; unused by a 64-bit guest's bounce frames).
        /// </summary>
        public static long SetTrapTable(ulong traps)
        {
            if (traps == 0) { Vcpu.ClearTraps(); return 0; }
            for (TrapInfo* t = (TrapInfo*)traps; t->Address != 0; t++)
            {
                if (!Canonical(t->Address)) return Refuse("do_set_trap_table: non-canonical handler address", t->Address, XenErrno.EINVAL);
                Vcpu.SetTrap(t->Vector, t->Address, (ushort)Checked.Descriptor.FixupRpl(t->Cs), t->Flags);
            }
            return 0;
        }

        /// <summary>
        /// HYPERVISOR_set_callbacks(event, failsafe, syscall): Xen's do_set_callbacks registers
        /// each as callback_op would with flags 0 (so the failsafe and syscall callbacks no longer
        /// mask events), skips a non-canonical address (that callback stays as it was) and returns 0.
        /// </summary>
        public static long SetCallbacks(ulong evt, ulong failsafe, ulong syscall)
        {
            Register(CallbackType.CALLBACKTYPE_event, 0, evt);
            Register(CallbackType.CALLBACKTYPE_failsafe, 0, failsafe);
            Register(CallbackType.CALLBACKTYPE_syscall, 0, syscall);
            return 0;
        }

        /// <summary>
        /// HYPERVISOR_callback_op(CALLBACKOP_register / unregister, arg), as Xen's do_callback_op
        /// (xen/arch/x86/pv/callback.c): register: -EINVAL for a non-canonical address, -ENOSYS for
        /// an unknown type; CALLBACKTYPE_nmi is trap 2 (events masked, FLAT_KERNEL_CS). Unregister:
        /// only the NMI callback can be removed (0); event, failsafe, syscall, syscall32 and
        /// sysenter give -EINVAL, other types -ENOSYS. Other commands: -ENOSYS.
        /// </summary>
        public static long CallbackOp(ulong cmd, ulong arg)
        {
            // do_callback_op: register and unregister copy their structure in first (-EFAULT).
            if ((int)cmd == CallbackType.CALLBACKOP_register || (int)cmd == CallbackType.CALLBACKOP_unregister) Guest.GuestPointer.Require(arg);
            if ((int)cmd == CallbackType.CALLBACKOP_register)
            {
                CallbackRegister* r = (CallbackRegister*)arg;
                return Register(r->Type, r->Flags, r->Address);
            }
            if ((int)cmd == CallbackType.CALLBACKOP_unregister)
            {
                ushort type = ((CallbackUnregister*)arg)->Type;
                switch (type)
                {
                    case CallbackType.CALLBACKTYPE_nmi:
                        Vcpu.NmiCallback = 0;
                        Vcpu.SetTrap(X86.Vector.NMI, 0, 0, 0);
                        return 0;
                    case CallbackType.CALLBACKTYPE_event:
                    case CallbackType.CALLBACKTYPE_failsafe:
                    case CallbackType.CALLBACKTYPE_syscall:
                    case CallbackType.CALLBACKTYPE_syscall32:
                    case CallbackType.CALLBACKTYPE_sysenter:
                        return Refuse("unregister_guest_callback: only the NMI callback can be unregistered", type, XenErrno.EINVAL);
                    default: return Refuse("unregister_guest_callback: unknown callback type", type, XenErrno.ENOSYS);
                }
            }
            return Refuse("do_callback_op: unknown command", cmd, XenErrno.ENOSYS);
        }

        /// <summary>register_guest_callback: 0, -EINVAL (non-canonical address) or -ENOSYS (unknown type).</summary>
        static long Register(ushort type, ushort flags, ulong address)
        {
            if (!Canonical(address)) return Refuse("register_guest_callback: non-canonical address", address, XenErrno.EINVAL);
            bool mask = (flags & CallbackType.CALLBACKF_mask_events) != 0;
            switch (type)
            {
                case CallbackType.CALLBACKTYPE_event: Vcpu.EventCallback = address; return 0;
                case CallbackType.CALLBACKTYPE_failsafe:
                    Vcpu.FailsafeCallback = address;
                    Vcpu.FailsafeMasksEvents = mask;
                    return 0;
                case CallbackType.CALLBACKTYPE_syscall:
                    Vcpu.SyscallCallback = address;
                    Vcpu.SyscallMasksEvents = mask;
                    return 0;
                case CallbackType.CALLBACKTYPE_nmi:
                    Vcpu.NmiCallback = address;
                    Vcpu.SetTrap(X86.Vector.NMI, address, Layout.FLAT_KERNEL_CS, Layout.TI_IF);
                    return 0;
                case CallbackType.CALLBACKTYPE_syscall32:
                case CallbackType.CALLBACKTYPE_sysenter:
                    return 0;   // 32-bit user entry points: kept by Xen, unused until compat user mode exists
                default: return Refuse("register_guest_callback: unknown callback type", type, XenErrno.ENOSYS);
            }
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
            ShimCpu.Pv->GuestTs = (int)set != 0 ? 1UL : 0UL;   // Xen: int set
            return 0;
        }

        /// <summary>
        /// HYPERVISOR_set_segment_base(which, base): FS, user GS (the inactive one in kernel mode),
        /// kernel GS; -EINVAL for a non-canonical base. GS_USER_SEL loads the user GS selector
        /// with RPL 3; one that faults is replaced by the NUL selector (TrapDispatch), as Xen 4.17.
        /// </summary>
        public static long SetSegmentBase(ulong which, ulong value)
        {
            uint w = (uint)which;                                    // Xen: unsigned int which
            if (w <= Layout.SEGBASE_GS_KERNEL && !Canonical(value)) return Refuse("do_set_segment_base: non-canonical base", value, XenErrno.EINVAL);
            switch (w)
            {
                case Layout.SEGBASE_FS: Cpu.Wrmsr(X86.Msr.IA32_FS_BASE, value); return 0;
                case Layout.SEGBASE_GS_USER: Cpu.Wrmsr(X86.Msr.IA32_KERNEL_GS_BASE, value); return 0;
                case Layout.SEGBASE_GS_KERNEL: Cpu.Wrmsr(X86.Msr.IA32_GS_BASE, value); return 0;
                case Layout.SEGBASE_GS_USER_SEL:
                    ushort sel = (ushort)value;                      // Xen: (uint16_t)base
                    if (sel > 3) sel |= (ushort)X86.Selector.RplMask;   // RPL 3: no DPL 0 segment for user mode
                    Cpu.LoadUserGs(sel);
                    return 0;
                default: return Refuse("do_set_segment_base: unknown segment", which, XenErrno.EINVAL);
            }
        }

        /// <summary>VMASST types a 64-bit PV guest may name (PV64_VM_ASSIST_MASK, xen/arch/x86/include/asm/domain.h): 0-5 and m2p_strict.</summary>
        public const ulong Pv64VmAssistMask = (1UL << Xen.VmAssist.VMASST_TYPE_4gb_segments) | (1UL << Xen.VmAssist.VMASST_TYPE_4gb_segments_notify)
            | (1UL << Xen.VmAssist.VMASST_TYPE_writable_pagetables) | (1UL << Xen.VmAssist.VMASST_TYPE_pae_extended_cr3)
            | (1UL << Xen.VmAssist.VMASST_TYPE_architectural_iopl) | (1UL << Xen.VmAssist.VMASST_TYPE_runstate_update_flag)
            | (1UL << Xen.VmAssist.VMASST_TYPE_m2p_strict);

        /// <summary>The domain's VMASST bitmap (Xen's d->vm_assist), as enabled and disabled by the guest.</summary>
        public static ulong VmAssistEnabled;

        /// <summary>
        /// HYPERVISOR_vm_assist(cmd, type), as Xen's do_vm_assist (xen/common/domain.c; both
        /// arguments unsigned int): a type outside <see cref="Pv64VmAssistMask"/> is -EINVAL before
        /// the command is looked at, then enable/disable set or clear the bit, other commands -ENOSYS.
        /// The shim does not act on the bits (the guest runs natively).
        /// </summary>
        public static long VmAssist(ulong cmd, ulong type)
        {
            uint t = (uint)type;
            if (t >= 64 || (Pv64VmAssistMask & (1UL << (int)t)) == 0) return Refuse("do_vm_assist: type not valid for a 64-bit PV guest", type, XenErrno.EINVAL);
            switch ((uint)cmd)
            {
                case Xen.VmAssist.VMASST_CMD_enable: VmAssistEnabled |= 1UL << (int)t; return 0;
                case Xen.VmAssist.VMASST_CMD_disable: VmAssistEnabled &= ~(1UL << (int)t); return 0;
                default: return Refuse("do_vm_assist: unknown command", cmd, XenErrno.ENOSYS);
            }
        }

        static bool Canonical(ulong a) => (long)a >> 47 == 0 || (long)a >> 47 == -1;

        /// <summary>A refused request: logged once per site in checked mode (CheckLog); returns -<paramref name="errno"/>, Xen's.</summary>
        static long Refuse(string site, ulong value, int errno)
        {
            if (Checked.CheckedMode.On) Checked.CheckLog.Refuse(site, value);
            return -errno;
        }
    }
}
