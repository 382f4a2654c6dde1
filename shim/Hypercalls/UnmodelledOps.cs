namespace Microxen.Hypercalls
{
    /// <summary>
    /// Hypercalls whose subject the shim does not model (platform, sysctl, domctl, kexec, profiling,
    /// HVM; machine checks are McaOps): each answers a bad request as Xen 4.17 does first (a NULL or unreadable
    /// argument structure is the dispatcher's -EFAULT, as Xen's copy_from_guest) and the rest -ENOSYS.
    /// </summary>
    public static unsafe class UnmodelledOps
    {
        /// <summary>Reads one byte of the guest structure at <paramref name="p"/>: an unreadable one (or one in the hypervisor's range) is -EFAULT.</summary>
        static void Touch(ulong p) => Guest.GuestPointer.Touch(p, 1);

        /// <summary>
        /// One-argument calls whose argument is a structure Xen copies in first (platform_op, sysctl,
        /// domctl, event_channel_op_compat, physdev_op_compat): -EFAULT for an unreadable one, else -ENOSYS.
        /// </summary>
        public static long CopyIn(string name, ulong nr, ulong arg)
        {
            Touch(arg);
            return HypercallStats.Unimplemented(name, nr, arg, 0, 0, 0, 0);
        }

        /// <summary>xen_domctl_t (public/domctl.h): 16 bytes of header, then a 128-byte union; XEN_DOMCTL_INTERFACE_VERSION and XEN_DOMCTL_shadow_op of Xen 4.17.</summary>
        const uint DomctlSize = 144, DomctlInterfaceVersion = 0x15, DomctlShadowOp = 10;

        /// <summary>
        /// paging_domctl_cont(xen_domctl_t*) (arch/x86/mm/paging.c do_paging_domctl_cont): the whole
        /// structure copied in (-EFAULT); cmd (uint32 at 0) other than XEN_DOMCTL_shadow_op or an
        /// interface_version (uint32 at 4) other than Xen 4.17's -EOPNOTSUPP; else -ENOSYS (logged).
        /// </summary>
        public static long PagingDomctlCont(ulong arg)
        {
            Guest.GuestPointer.Touch(arg, DomctlSize);
            if (((uint*)arg)[1] != DomctlInterfaceVersion || ((uint*)arg)[0] != DomctlShadowOp) return -XenErrno.EOPNOTSUPP;
            return HypercallStats.Unimplemented("paging_domctl_cont", Hypercall.PagingDomctlCont, arg, 0, 0, 0, 0);
        }

        /// <summary>
        /// nmi_op (common/kernel.c): XENNMI_register_callback (0) reads its structure (-EFAULT);
        /// XENNMI_unregister_callback (1) succeeds (no callback is ever registered); others -ENOSYS.
        /// </summary>
        public static long NmiOp(ulong cmd, ulong arg)
        {
            if (cmd == 0) Touch(arg);
            if (cmd == 1) return 0;
            return HypercallStats.Unimplemented("nmi_op", Hypercall.NmiOp, cmd, arg, 0, 0, 0);
        }

        /// <summary>
        /// xenoprof_op (common/xenoprof.c): XENOPROF_init (0) reads its structure (-EFAULT); every other
        /// command -EPERM (the caller is not the primary profiler: none is set up).
        /// </summary>
        public static long XenoprofOp(ulong cmd, ulong arg)
        {
            if (cmd != 0) return -XenErrno.EPERM;
            Touch(arg);
            return HypercallStats.Unimplemented("xenoprof_op", Hypercall.XenoprofOp, cmd, arg, 0, 0, 0);
        }

        /// <summary>hvm_op (arch/x86/hvm/hvm.c): HVMOP_set_param/get_param (0, 1) read their structure (-EFAULT); else -ENOSYS.</summary>
        public static long HvmOp(ulong cmd, ulong arg)
        {
            if (cmd <= 1) Touch(arg);
            return HypercallStats.Unimplemented("hvm_op", Hypercall.HvmOp, cmd, arg, 0, 0, 0);
        }

        /// <summary>Last KEXEC_CMD_* (public/kexec.h: kexec_status).</summary>
        const ulong KexecCmdLast = 6;

        /// <summary>kexec_op (common/kexec.c): commands 0..6 read their structure (-EFAULT); others -EINVAL.</summary>
        public static long KexecOp(ulong cmd, ulong arg)
        {
            if (cmd > KexecCmdLast) return -XenErrno.EINVAL;
            Touch(arg);
            return HypercallStats.Unimplemented("kexec_op", Hypercall.KexecOp, cmd, arg, 0, 0, 0);
        }

        /// <summary>Most xen_dm_op_buf entries Xen reads (xen/include/xen/dm.h, struct dmop_args).</summary>
        const uint DmOpMaxBufs = 2;

        /// <summary>
        /// dm_op(domid, nr_bufs, xen_dm_op_buf_t*) (common/dm.c do_dm_op): nr_bufs (uint32) 0 -ENODATA,
        /// more than <see cref="DmOpMaxBufs"/> -E2BIG, an unreadable buffer array -EFAULT; else -ENOSYS.
        /// </summary>
        public static long DmOp(ulong domid, ulong nrBufs, ulong bufs)
        {
            uint n = (uint)nrBufs;
            if (n == 0) return -XenErrno.ENODATA;
            if (n > DmOpMaxBufs) return -XenErrno.E2BIG;
            Touch(bufs);
            return HypercallStats.Unimplemented("dm_op", Hypercall.DmOp, domid, nrBufs, bufs, 0, 0);
        }

        /// <summary>xenpmu_op (arch/x86/cpu/vpmu.c): -EOPNOTSUPP, as Xen without vpmu= on its command line (the default).</summary>
        public static long XenpmuOp() => -XenErrno.EOPNOTSUPP;
    }
}
