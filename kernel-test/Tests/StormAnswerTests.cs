using KernelTest.Hypervisor;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// Answers the hypercall storm found different from Xen 4.17's (issue 9, fzA): xen_version
    /// (xen/common/kernel.c) and hypercalls microxen does not model, whose first checks it keeps
    /// (xen/common/dm.c, arch/x86/cpu/mcheck/mce.c, arch/x86/cpu/vpmu.c, common/kernel.c nmi_op).
    /// </summary>
    public static unsafe class StormAnswerTests
    {
        /// <summary>A non-canonical address: unreadable in every build (the low-linked one maps page 0).</summary>
        const ulong Unreadable = 0x8000000000000000;

        /// <summary>
        /// XENVER_pagesize with a non-NULL handle -EINVAL; XENVER_build_id: NULL gives the id's
        /// length (positive), len 0 -EINVAL, len 1 (shorter than any id) -ENOBUFS.
        /// </summary>
        public static bool VersionEdges()
        {
            uint buf = 0;
            if (!Validation.Rc("pagesize with a handle", Hv.Call(Hypercall.XenVersion, XenVersionCmd.XENVER_pagesize, (ulong)&buf), XenErrno.EINVAL)) return false;
            long len = Hv.Call(Hypercall.XenVersion, XenVersionCmd.XENVER_build_id, 0);
            if (!Check.True(len > 0 && len <= 64, "build_id(NULL) is the id's length")) return false;
            if (!Validation.Rc("build_id len 0", Hv.Call(Hypercall.XenVersion, XenVersionCmd.XENVER_build_id, (ulong)&buf), XenErrno.EINVAL)) return false;
            buf = 1;
            return Validation.Rc("build_id len 1", Hv.Call(Hypercall.XenVersion, XenVersionCmd.XENVER_build_id, (ulong)&buf), XenErrno.ENOBUFS);
        }

        /// <summary>
        /// mca, sysctl, platform_op with an unreadable (non-canonical) structure -EFAULT; mca with a wrong interface_version
        /// -EACCES; dm_op with no buffers -ENODATA, with 3 -E2BIG; xenpmu_op -EOPNOTSUPP (vpmu off);
        /// nmi_op(XENNMI_unregister_callback) 0; xenoprof_op(get_buffer) -EPERM.
        /// </summary>
        public static bool UnmodelledFirstChecks()
        {
            uint* mc = stackalloc uint[32];
            for (int i = 0; i < 32; i++) mc[i] = 0;
            if (!Validation.Rc("mca(unreadable)", Hv.Call(Hypercall.Mca, Unreadable), XenErrno.EFAULT)) return false;
            if (!Validation.Rc("mca version 0", Hv.Call(Hypercall.Mca, (ulong)mc), XenErrno.EACCES)) return false;
            if (!Validation.Rc("sysctl(unreadable)", Hv.Call(Hypercall.Sysctl, Unreadable), XenErrno.EFAULT)) return false;
            if (!Validation.Rc("platform_op(unreadable)", Hv.Call(Hypercall.PlatformOp, Unreadable), XenErrno.EFAULT)) return false;
            if (!Validation.Rc("dm_op no buffers", Hv.Call(Hypercall.DmOp, 0, 0, 0), XenErrno.ENODATA)) return false;
            if (!Validation.Rc("dm_op 3 buffers", Hv.Call(Hypercall.DmOp, 0, 3, (ulong)mc), XenErrno.E2BIG)) return false;
            if (!Validation.Rc("xenpmu_op", Hv.Call(Hypercall.XenpmuOp, 0, 0), XenErrno.EOPNOTSUPP)) return false;
            if (!Validation.Rc("nmi_op unregister", Hv.Call(Hypercall.NmiOp, 1, 0), 0)) return false;
            return Validation.Rc("xenoprof_op get_buffer", Hv.Call(Hypercall.XenoprofOp, 1, 0), XenErrno.EPERM);
        }

        /// <summary>
        /// SCHEDOP_pin_override on a one-pCPU host: clear with none -EINVAL, pin to 0, again -EBUSY,
        /// clear 0, the pCPU past the last -EINVAL; SCHEDOP_watchdog of timer 1 never armed -EINVAL, id 3 -EINVAL;
        /// sched_op_compat(SCHEDOP_yield) 0.
        /// </summary>
        public static bool SchedEdges()
        {
            int pcpu = -1;
            if (!Validation.Rc("clear with none", Hv.Call(Hypercall.SchedOp, SchedOp.SCHEDOP_pin_override, (ulong)&pcpu), XenErrno.EINVAL)) return false;
            pcpu = 0;
            if (!Validation.Rc("pin to 0", Hv.Call(Hypercall.SchedOp, SchedOp.SCHEDOP_pin_override, (ulong)&pcpu), 0)) return false;
            if (!Validation.Rc("pin again", Hv.Call(Hypercall.SchedOp, SchedOp.SCHEDOP_pin_override, (ulong)&pcpu), XenErrno.EBUSY)) return false;
            pcpu = -1;
            if (!Validation.Rc("clear", Hv.Call(Hypercall.SchedOp, SchedOp.SCHEDOP_pin_override, (ulong)&pcpu), 0)) return false;
            pcpu = (int)SmpTests.Count(); // one past the last pCPU: dom0's vCPUs are the pCPUs one to one
            if (!Validation.Rc("pcpu past the last", Hv.Call(Hypercall.SchedOp, SchedOp.SCHEDOP_pin_override, (ulong)&pcpu), XenErrno.EINVAL)) return false;
            uint* wd = stackalloc uint[2];
            wd[0] = 1; wd[1] = 0;
            if (!Validation.Rc("watchdog 1 unarmed", Hv.Call(Hypercall.SchedOp, SchedOp.SCHEDOP_watchdog, (ulong)wd), XenErrno.EINVAL)) return false;
            wd[0] = 3;
            if (!Validation.Rc("watchdog 3", Hv.Call(Hypercall.SchedOp, SchedOp.SCHEDOP_watchdog, (ulong)wd), XenErrno.EINVAL)) return false;
            return Validation.Rc("sched_op_compat yield", Hv.Call(Hypercall.SchedOpCompat, SchedOp.SCHEDOP_yield, 0), 0);
        }

        /// <summary>PHYSDEVOP_unmap_pirq: domain 1 (absent) -ESRCH; pirq -1 of DOMID_SELF -EINVAL.</summary>
        public static bool UnmapPirqEdges()
        {
            int* u = stackalloc int[2];
            u[0] = 1; u[1] = 5;
            if (!Validation.Rc("domain 1", Hv.Call(Hypercall.PhysdevOp, PhysdevOp.PHYSDEVOP_unmap_pirq, (ulong)u), XenErrno.ESRCH)) return false;
            u[0] = Hv.DomidSelf; u[1] = -1;
            return Validation.Rc("pirq -1", Hv.Call(Hypercall.PhysdevOp, PhysdevOp.PHYSDEVOP_unmap_pirq, (ulong)u), XenErrno.EINVAL);
        }
    }
}
