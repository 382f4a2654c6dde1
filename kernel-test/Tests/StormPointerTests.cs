using KernelTest.Hypervisor;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// Guest pointers into the hypervisor's range (issue 9, s9c): Xen 4.17's copy_from_guest and
    /// copy_to_guest fail __addr_ok (xen/arch/x86/include/asm/x86_64/uaccess.h) for an address
    /// between the canonical hole and HYPERVISOR_VIRT_END, even a mapped one such as the
    /// read-only M2P, so each handler that copies its structure in first answers -EFAULT.
    /// </summary>
    public static unsafe class StormPointerTests
    {
        /// <summary>The start of the read-only M2P: mapped, readable by the guest, in Xen's range.</summary>
        const ulong HvPtr = Layout.MACH2PHYS_VIRT_START;

        /// <summary>physdev, event channel, sched, vcpu, callback_op, set_gdt and gnttab set_version with that pointer: -EFAULT each.</summary>
        public static bool HypervisorRange()
        {
            if (!Validation.Rc("physdev_op(set_iopl)", Hv.Call(Hypercall.PhysdevOp, PhysdevOp.PHYSDEVOP_set_iopl, HvPtr), XenErrno.EFAULT)) return false;
            if (!Validation.Rc("event_channel_op(status)", Hv.Call(Hypercall.EventChannelOp, EvtchnOp.EVTCHNOP_status, HvPtr), XenErrno.EFAULT)) return false;
            if (!Validation.Rc("sched_op(pin_override)", Hv.Call(Hypercall.SchedOp, SchedOp.SCHEDOP_pin_override, HvPtr), XenErrno.EFAULT)) return false;
            if (!Validation.Rc("vcpu_op(get_runstate_info)", Hv.Call(Hypercall.VcpuOp, VcpuOp.VCPUOP_get_runstate_info, 0, HvPtr), XenErrno.EFAULT)) return false;
            if (!Validation.Rc("callback_op(unregister)", Hv.Call(Hypercall.CallbackOp, CallbackType.CALLBACKOP_unregister, HvPtr), XenErrno.EFAULT)) return false;
            if (!Validation.Rc("set_gdt(frame list)", Hv.Call(Hypercall.SetGdt, HvPtr, 1), XenErrno.EFAULT)) return false;
            return Validation.Rc("grant_table_op(set_version)", Hv.Call(Hypercall.GrantTableOp, GnttabOp.GNTTABOP_set_version, HvPtr, 1), XenErrno.EFAULT);
        }
    }
}
