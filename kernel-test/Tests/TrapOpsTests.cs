using KernelTest.Hypervisor;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// The registration hypercalls' refusals and Xen 4.17's error codes: vm_assist
    /// (xen/common/domain.c do_vm_assist, PV64_VM_ASSIST_MASK), callback_op and set_callbacks
    /// (xen/arch/x86/pv/callback.c), set_trap_table, set_debugreg / get_debugreg
    /// (xen/arch/x86/pv/misc-hypercalls.c, x86_emulate.c), set_segment_base.
    /// </summary>
    public static unsafe class TrapOpsTests
    {
        const long EPERM = -1, ENODEV = -19, EINVAL = -22, ENOSYS = -38;
        const ulong NonCanonical = 0x0000800000000000UL;

        static bool Is(string what, long rc, long want) => Check.Eq(what, (ulong)rc, unchecked((ulong)want));

        static long VmAssist(ulong cmd, ulong type) => Hv.Call(Hypercall.VmAssist, cmd, type);

        /// <summary>Types 0-5 and m2p_strict (32) are valid; 6, 31, 64: -EINVAL (before the command is looked at); command 2: -ENOSYS.</summary>
        public static bool VmAssistTypes()
        {
            return Is("vm_assist(enable, m2p_strict)", VmAssist(Microxen.Xen.VmAssist.VMASST_CMD_enable, Microxen.Xen.VmAssist.VMASST_TYPE_m2p_strict), 0)
                && Is("vm_assist(disable, m2p_strict)", VmAssist(Microxen.Xen.VmAssist.VMASST_CMD_disable, Microxen.Xen.VmAssist.VMASST_TYPE_m2p_strict), 0)
                && Is("vm_assist(enable, runstate_update_flag)", VmAssist(Microxen.Xen.VmAssist.VMASST_CMD_enable, Microxen.Xen.VmAssist.VMASST_TYPE_runstate_update_flag), 0)
                && Is("vm_assist(disable, runstate_update_flag)", VmAssist(Microxen.Xen.VmAssist.VMASST_CMD_disable, Microxen.Xen.VmAssist.VMASST_TYPE_runstate_update_flag), 0)
                && Is("vm_assist(enable, 6)", VmAssist(Microxen.Xen.VmAssist.VMASST_CMD_enable, 6), EINVAL)
                && Is("vm_assist(enable, 31)", VmAssist(Microxen.Xen.VmAssist.VMASST_CMD_enable, 31), EINVAL)
                && Is("vm_assist(enable, 64)", VmAssist(Microxen.Xen.VmAssist.VMASST_CMD_enable, 64), EINVAL)
                && Is("vm_assist(2, writable_pagetables)", VmAssist(2, Microxen.Xen.VmAssist.VMASST_TYPE_writable_pagetables), ENOSYS)
                && Is("vm_assist(2, 6)", VmAssist(2, 6), EINVAL);
        }

        static long Unregister(ushort type)
        {
            CallbackUnregister u;
            u.Type = type;
            u.Unused = 0;
            return Hv.Call(Hypercall.CallbackOp, CallbackType.CALLBACKOP_unregister, (ulong)&u);
        }

        /// <summary>
        /// callback_op: an unknown type is -ENOSYS, a non-canonical address -EINVAL (the callback
        /// stays); unregister: the NMI callback only (0), event/failsafe/syscall -EINVAL, unknown
        /// -ENOSYS; an unknown command -ENOSYS. Events still arrive afterwards.
        /// </summary>
        public static bool CallbackOpErrors()
        {
            CallbackUnregister u;
            u.Type = CallbackType.CALLBACKTYPE_event;
            u.Unused = 0;
            return Is("register type 99", Hv.CallbackRegister(99, 0, 0x1000), ENOSYS)
                && Is("register event, non-canonical", Hv.CallbackRegister(CallbackType.CALLBACKTYPE_event, 0, NonCanonical), EINVAL)
                && Is("register nmi", Hv.CallbackRegister(CallbackType.CALLBACKTYPE_nmi, 0, 0xffffffff80001000UL), 0)
                && Is("unregister nmi", Unregister(CallbackType.CALLBACKTYPE_nmi), 0)
                && Is("unregister event", Unregister(CallbackType.CALLBACKTYPE_event), EINVAL)
                && Is("unregister failsafe", Unregister(CallbackType.CALLBACKTYPE_failsafe), EINVAL)
                && Is("unregister syscall", Unregister(CallbackType.CALLBACKTYPE_syscall), EINVAL)
                && Is("unregister type 99", Unregister(99), ENOSYS)
                && Is("callback_op(7)", Hv.Call(Hypercall.CallbackOp, 7, (ulong)&u), ENOSYS)
                && EvtchnTests.IpiUpcall();
        }

        /// <summary>set_callbacks with three non-canonical addresses: 0, and nothing registered (events still reach the event callback).</summary>
        public static bool SetCallbacksNonCanonical()
        {
            return Is("set_callbacks(non-canonical x3)", Hv.Call(Hypercall.SetCallbacks, NonCanonical, NonCanonical, NonCanonical), 0)
                && EvtchnTests.IpiUpcall();
        }

        struct Table { public TrapInfo A, B, End; }

        /// <summary>set_trap_table whose second entry has a non-canonical handler: -EINVAL (vector 0x7e, used by nobody).</summary>
        public static bool SetTrapTableNonCanonical()
        {
            Table t;
            t.A.Vector = 0x7e; t.A.Flags = 0; t.A.Cs = Layout.FLAT_KERNEL_CS; t.A.Address = 0xffffffff80001000UL;
            t.B.Vector = 0x7e; t.B.Flags = 0; t.B.Cs = Layout.FLAT_KERNEL_CS; t.B.Address = NonCanonical;
            t.End.Vector = 0; t.End.Flags = 0; t.End.Cs = 0; t.End.Address = 0;
            return Is("set_trap_table(entry 2 non-canonical)", Hv.Call(Hypercall.SetTrapTable, (ulong)&t), EINVAL);
        }

        static long SetDr(ulong reg, ulong v) => Hv.Call(Hypercall.SetDebugreg, reg, v);
        static long GetDr(ulong reg) => Hv.Call(Hypercall.GetDebugreg, reg);

        /// <summary>
        /// set_debugreg refusals: DR0 in Xen's range -EPERM; DR7.GD -EPERM; an enabled I/O
        /// breakpoint without CR4.DE -EPERM; bits 32-63 of DR6/DR7 -EINVAL; register 8 -ENODEV
        /// (get_debugreg too).
        /// </summary>
        public static bool DebugRegRefusals()
        {
            return Is("set_debugreg(0, 0xffff800000001000)", SetDr(0, 0xffff800000001000UL), EPERM)
                && Is("set_debugreg(3, non-canonical)", SetDr(3, NonCanonical), EPERM)
                && Is("set_debugreg(7, GD)", SetDr(7, 0x2000), EPERM)
                && Is("set_debugreg(7, DR0 I/O breakpoint)", SetDr(7, 0x00020001), EPERM)
                && Is("set_debugreg(7, bit 32)", SetDr(7, 1UL << 32), EINVAL)
                && Is("set_debugreg(6, bit 32)", SetDr(6, 1UL << 32), EINVAL)
                && Is("set_debugreg(8)", SetDr(8, 0), ENODEV)
                && Is("get_debugreg(8)", GetDr(8), ENODEV);
        }

        /// <summary>
        /// Values Xen keeps: DR6 with its reserved bits (0 reads 0xffff0ff0), DR7 with bit 10 set
        /// (0 reads 0x400), DR4/DR5 are DR6/DR7 (CR4.DE clear); DR0 in the upper canonical half
        /// above Xen's range is allowed.
        /// </summary>
        public static bool DebugRegValues()
        {
            return Is("set_debugreg(6, 0)", SetDr(6, 0), 0)
                && Is("get_debugreg(6)", GetDr(6), 0xffff0ff0)
                && Is("get_debugreg(4)", GetDr(4), 0xffff0ff0)
                && Is("set_debugreg(5, 0)", SetDr(5, 0), 0)
                && Is("get_debugreg(7)", GetDr(7), 0x400)
                && Is("get_debugreg(5)", GetDr(5), 0x400)
                && Is("set_debugreg(0, 0xffffffff80001000)", SetDr(0, 0xffffffff80001000UL), 0)
                && Is("get_debugreg(0)", GetDr(0), unchecked((long)0xffffffff80001000UL))
                && Is("set_debugreg(0, 0)", SetDr(0, 0), 0);
        }

        /// <summary>set_segment_base with an unknown segment (4, 0xffffffff): -EINVAL.</summary>
        public static bool SegmentBaseUnknown()
        {
            return Is("set_segment_base(4)", Hv.Call(Hypercall.SetSegmentBase, 4, 0), EINVAL)
                && Is("set_segment_base(0xffffffff)", Hv.Call(Hypercall.SetSegmentBase, 0xffffffff, 0), EINVAL);
        }
    }
}
