namespace Microxen.Hypercalls
{
    /// <summary>HYPERVISOR_vcpu_op (public/vcpu.h) for the guest's single vCPU 0.</summary>
    public static unsafe class VcpuOps
    {
        public static long Op(ulong cmd, ulong vcpu, ulong arg)
        {
            if (vcpu != 0) return -XenErrno.ENOENT;   // one vCPU: the others do not exist
            switch (cmd)
            {
                case VcpuOp.VCPUOP_is_up:
                    return 1;
                case VcpuOp.VCPUOP_down:
                    // The guest's only vCPU stops (Linux does this at the end of an early panic):
                    // nothing can run any more, so the run ends as a guest crash.
                    HypercallStats.Print();
                    Console.Log.Line("guest crash: dom0 took its only vCPU down");
                    Machine.Exit(ExitCode.GuestCrash);
                    return 0;
                case VcpuOp.VCPUOP_register_vcpu_info:
                {
                    VcpuRegisterVcpuInfo* r = (VcpuRegisterVcpuInfo*)arg;
                    if (Checked.CheckedMode.On)
                    {
                        long crc = CheckedVcpuInfo(r->Mfn, r->Offset);
                        if (crc != 0) return crc;
                    }
                    if (r->Offset > 4096 - 64 || r->Mfn >= Host.FrameCount) return -XenErrno.EINVAL;
                    VcpuInfo* to = (VcpuInfo*)(Host.Mem.Frame(r->Mfn) + r->Offset);
                    byte* s = (byte*)Vcpu.Info;
                    byte* d = (byte*)to;
                    for (int i = 0; i < 64; i++) d[i] = s[i];
                    Vcpu.Info = to;
                    Vcpu.InfoMa = (r->Mfn << 12) + r->Offset;
                    Time.GuestTime.Publish();
                    return 0;
                }
                case VcpuOp.VCPUOP_register_runstate_memory_area:
                    Vcpu.RunstateArea = ((VcpuRegisterRunstateMemoryArea*)arg)->Addr;
                    if (Vcpu.RunstateArea != 0) ((VcpuRunstateInfo*)Vcpu.RunstateArea)->State = VcpuOp.RUNSTATE_running;
                    return 0;
                case VcpuOp.VCPUOP_set_singleshot_timer:
                {
                    VcpuSetSingleshotTimer* t = (VcpuSetSingleshotTimer*)arg;
                    if ((t->Flags & VcpuOp.VCPU_SSHOTTMR_future) != 0 && t->TimeoutAbsNs < Time.Tsc.Now())
                        return -XenErrno.ETIME;
                    Time.ApicTimer.Arm(t->TimeoutAbsNs);
                    return 0;
                }
                case VcpuOp.VCPUOP_stop_singleshot_timer:
                    Time.ApicTimer.Stop();
                    return 0;
                case VcpuOp.VCPUOP_stop_periodic_timer:
                    return 0;   // the shim runs no periodic timer
                case VcpuOp.VCPUOP_get_runstate_info:
                {
                    // Xen 4.17 common/domain.c: the vcpu_runstate_info copied out (-EFAULT when it
                    // cannot be), fields in their order; the only vCPU is always running.
                    VcpuRunstateInfo* ri = (VcpuRunstateInfo*)arg;
                    ulong now = Time.Tsc.Now();
                    ri->State = VcpuOp.RUNSTATE_running;
                    ((uint*)ri)[1] = 0;
                    ri->StateEntryTime = 0;
                    ri->Time[VcpuOp.RUNSTATE_running] = now;
                    for (int i = 0; i < 4; i++) if (i != VcpuOp.RUNSTATE_running) ri->Time[i] = 0;
                    return 0;
                }
                default:
                    return HypercallStats.Unimplemented("vcpu_op", Hypercall.VcpuOp, cmd, vcpu, arg, 0, 0);
            }
        }

        static bool s_vcpuInfoHeld;

        /// <summary>
        /// Checked mode's map_vcpu_info (xen/common/domain.c): an offset past the page's last
        /// vcpu_info or not 8-aligned -ENXIO; registered already -EINVAL; the page must take a
        /// PGT_writable_page reference (else -EINVAL), which Xen holds while it is the vcpu_info.
        /// </summary>
        static long CheckedVcpuInfo(ulong mfn, ulong offset)
        {
            if (offset > 4096 - (ulong)sizeof(VcpuInfo) || (offset & 7) != 0) { Checked.CheckLog.Refuse("map_vcpu_info: bad offset", offset); return -XenErrno.ENXIO; }
            if (s_vcpuInfoHeld) { Checked.CheckLog.Refuse("map_vcpu_info: vcpu_info already registered", mfn); return -XenErrno.EINVAL; }
            if (Checked.PageTypes.GetPageAndType(mfn, Checked.PageType.Writable) != 0)
            {
                Checked.CheckLog.Refuse("map_vcpu_info: could not get page type PGT_writable_page", mfn);
                return -XenErrno.EINVAL;
            }
            s_vcpuInfoHeld = true;
            return 0;
        }
    }
}
