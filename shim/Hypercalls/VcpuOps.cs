namespace Microxen.Hypercalls
{
    /// <summary>HYPERVISOR_vcpu_op (public/vcpu.h): vCPU 0 here, the others' start and stop in Smp/Vcpus.cs.</summary>
    public static unsafe class VcpuOps
    {
        /// <summary>
        /// Whether do_vcpu_op / common_vcpu_op (xen/arch/x86/domain.c, common/domain.c) copy the
        /// argument before any other check for vCPU 0 (the current one): initialise (vCPU 0 has
        /// its vcpu_info), get_runstate_info, register_runstate_memory_area, set_periodic_timer,
        /// set_singleshot_timer, register_vcpu_info, register_vcpu_time_memory_area, and get_physid
        /// (copy_to_guest after is_hwdom_pinned_vcpu, which dom0's only vCPU passes).
        /// </summary>
        static bool CopiesArg(ulong cmd) => cmd == VcpuOp.VCPUOP_initialise || cmd == VcpuOp.VCPUOP_get_runstate_info
            || cmd == VcpuOp.VCPUOP_register_runstate_memory_area || cmd == VcpuOp.VCPUOP_set_periodic_timer
            || cmd == VcpuOp.VCPUOP_set_singleshot_timer || cmd == VcpuOp.VCPUOP_register_vcpu_info
            || cmd == VcpuOp.VCPUOP_register_vcpu_time_memory_area || cmd == VcpuOp.VCPUOP_get_physid;

        public static long Op(ulong cmd, ulong vcpu, ulong arg)
        {
            if (vcpu >= (ulong)Smp.Vcpus.Count) return -XenErrno.ENOENT;   // no such vCPU (Smp/Vcpus.cs: dom0_max_vcpus)
            if (CopiesArg(cmd)) Guest.GuestPointer.Require(arg);   // copy_from/to_guest first: -EFAULT in Xen's range
            int me = Smp.Cpus.Current();
            if (vcpu == (ulong)me) return OpOn(cmd, vcpu, arg, me);
            // Another vCPU's op: ShimCpu.Pv and Vcpu.Id (Vcpu.Info, its callbacks, trap table,
            // runstate area) name the target for its duration (under the lock once it is active;
            // before, the other vCPUs are not running).
            PvState* saved = ShimCpu.Pv;
            int savedId = Vcpu.Id;
            ShimCpu.Pv = Smp.Cpus.Pv((int)vcpu);
            Vcpu.Id = (int)vcpu;
            if (ShimCpu.Pv->VcpuInfo == 0) ShimCpu.Pv->VcpuInfo = (ulong)SharedInfo.Vcpu(Vcpu.Shared, (int)vcpu);   // shared_info's slot until registered
            long r = OpOn(cmd, vcpu, arg, me);
            ShimCpu.Pv = saved;
            Vcpu.Id = savedId;
            return r;
        }

        static long OpOn(ulong cmd, ulong vcpu, ulong arg, int me)
        {
            switch (cmd)
            {
                case VcpuOp.VCPUOP_is_up:
                    return *Smp.Vcpus.State((int)vcpu) == Smp.Vcpus.Up ? 1 : 0;
                case VcpuOp.VCPUOP_down:
                    if (Smp.Vcpus.OthersUp((int)vcpu)) return Smp.Vcpus.TakeDown((int)vcpu);
                    // The guest's last vCPU up stops (Linux does this at the end of an early panic):
                    // nothing can run any more, so the run ends as a guest crash.
                    HypercallStats.Print();
                    Console.Log.Line("guest crash: dom0 took its only vCPU down");
                    Machine.Exit(ExitCode.GuestCrash);
                    return 0;
                case VcpuOp.VCPUOP_register_vcpu_info:
                {
                    VcpuRegisterVcpuInfo* r = (VcpuRegisterVcpuInfo*)arg;
                    // map_vcpu_info (xen/common/domain.c): an offset past the page's last vcpu_info
                    // or not 8-aligned -ENXIO; registered already -EINVAL; another vCPU that is up
                    // -EINVAL (itself or a down vCPU only); checked mode: the page's writable type.
                    if (r->Offset > 4096 - (ulong)sizeof(VcpuInfo) || (r->Offset & 7) != 0)
                    {
                        if (Checked.CheckedMode.On) Checked.CheckLog.Refuse("map_vcpu_info: bad offset", r->Offset);
                        return -XenErrno.ENXIO;
                    }
                    if ((s_vcpuInfoHeld >> (int)vcpu & 1) != 0)
                    {
                        if (Checked.CheckedMode.On) Checked.CheckLog.Refuse("map_vcpu_info: vcpu_info already registered", r->Mfn);
                        return -XenErrno.EINVAL;
                    }
                    if (vcpu != (ulong)me && *Smp.Vcpus.State((int)vcpu) == Smp.Vcpus.Up) return -XenErrno.EINVAL;
                    if (Checked.CheckedMode.On)
                    {
                        long crc = CheckedVcpuInfo(r->Mfn);
                        if (crc != 0) return crc;
                    }
                    else if (r->Mfn >= Host.FrameCount) return -XenErrno.EINVAL;
                    s_vcpuInfoHeld |= 1UL << (int)vcpu;
                    ulong alias = Guest.VcpuInfoAlias.Map((int)vcpu, r->Mfn);   // not the direct map: TCG's TLB (Guest/VcpuInfoAlias.cs)
                    VcpuInfo* to = (VcpuInfo*)((alias != 0 ? (byte*)alias : Host.Mem.Frame(r->Mfn)) + r->Offset);
                    byte* s = (byte*)Vcpu.Info;
                    byte* d = (byte*)to;
                    for (int i = 0; i < 64; i++) d[i] = s[i];
                    Vcpu.Info = to;
                    Vcpu.InfoMa = (r->Mfn << 12) + r->Offset;
                    Time.GuestTime.Publish();
                    // "Mark everything as being pending just to make sure nothing gets dropped."
                    to->EvtchnUpcallPending = 1;
                    to->EvtchnPendingSel = ulong.MaxValue;
                    return 0;
                }
                case VcpuOp.VCPUOP_register_runstate_memory_area:
                {
                    // Xen 4.17 common/domain.c: the argument copied in (-EFAULT), the area's address
                    // must pass guest_handle_okay (-EFAULT: in the hypervisor's hole or not canonical);
                    // then it is recorded and the current runstate copied there, a failed copy ignored.
                    ulong area = ((VcpuRegisterRunstateMemoryArea*)arg)->Addr;
                    if (!Checked.CheckedMmu.AddrOk(area)) return -XenErrno.EFAULT;
                    Vcpu.RunstateArea = area;
                    if (Checked.CheckedMmu.GuestCan(area, (ulong)sizeof(VcpuRunstateInfo), true)) FillRunstate((VcpuRunstateInfo*)area);
                    return 0;
                }
                case VcpuOp.VCPUOP_set_singleshot_timer:
                {
                    // Xen 4.17 ignores the flags (VCPU_SSHOTTMR_future included): a deadline
                    // already past raises VIRQ_TIMER at once (the APIC timer fires at once).
                    if (vcpu != (ulong)me) return -XenErrno.EINVAL;   // Xen: only on the calling vCPU
                    VcpuSetSingleshotTimer* t = (VcpuSetSingleshotTimer*)arg;
                    Time.ApicTimer.Arm(t->TimeoutAbsNs);
                    return 0;
                }
                case VcpuOp.VCPUOP_stop_singleshot_timer:
                    if (vcpu != (ulong)me) return -XenErrno.EINVAL;
                    Time.ApicTimer.Stop();
                    return 0;
                case VcpuOp.VCPUOP_stop_periodic_timer:
                    return 0;   // the shim runs no periodic timer
                case VcpuOp.VCPUOP_initialise:
                {
                    // default_initialise_vcpu: the vcpu_guest_context copied in (-EFAULT), then the
                    // only vCPU is initialised already: -EEXIST.
                    s_sink ^= (byte)(*(byte*)arg ^ *(byte*)(arg + VcpuOp.VcpuGuestContextSize - 1));   // a fault: -EFAULT (TryFail)
                    for (ulong p = (arg & ~4095UL) + 4096; p < arg + VcpuOp.VcpuGuestContextSize; p += 4096) s_sink ^= *(byte*)p;
                    if (vcpu != 0) return Smp.Vcpus.Initialise((int)vcpu, (VcpuGuestContext*)arg);
                    return -XenErrno.EEXIST;
                }
                case VcpuOp.VCPUOP_up:
                    if (vcpu != 0) return Smp.Vcpus.WakeUp((int)vcpu);
                    return 0;   // initialised and not down: nothing to wake
                case VcpuOp.VCPUOP_set_periodic_timer:
                {
                    // vcpu_set_periodic_timer: a period under 1 ms or over STIME_DELTA_MAX -EINVAL.
                    ulong period = ((VcpuSetPeriodicTimer*)arg)->PeriodNs;
                    if (period < VcpuOp.PeriodMinNs || period > VcpuOp.StimeDeltaMax) return -XenErrno.EINVAL;
                    Once(ref s_periodicWarned, "vcpu_op: VCPUOP_set_periodic_timer accepted, no periodic VIRQ_TIMER is raised; period ns", period);
                    return 0;
                }
                case VcpuOp.VCPUOP_get_physid:
                {
                    // The hardware domain's vCPU pinned to one CPU (the only one): x86_cpu_to_apicid,
                    // and in bits 32-63 the ACPI processor id, copied out (-EFAULT). On one CPU the
                    // ACPI id is taken equal to the APIC id (the MADT is not read here).
                    ulong apic = BootApicId();
                    *(ulong*)arg = apic | (apic << 32);
                    return 0;
                }
                case VcpuOp.VCPUOP_register_vcpu_time_memory_area:
                {
                    // As register_runstate_memory_area: guest_handle_okay (-EFAULT), then the
                    // current vcpu_time_info copied there, a failed copy ignored.
                    ulong area = ((VcpuRegisterRunstateMemoryArea*)arg)->Addr;
                    if (!Checked.CheckedMmu.AddrOk(area)) return -XenErrno.EFAULT;
                    Once(ref s_timeAreaWarned, "vcpu_op: VCPUOP_register_vcpu_time_memory_area copied once, not kept up to date; area", area);
                    if (Checked.CheckedMmu.GuestCan(area, (ulong)sizeof(VcpuTimeInfo), true)) *(VcpuTimeInfo*)area = Vcpu.Info->Time;
                    return 0;
                }
                case VcpuOp.VCPUOP_get_runstate_info:
                {
                    // Xen 4.17 common/domain.c: the vcpu_runstate_info copied out (-EFAULT when it
                    // cannot be), fields in their order; the only vCPU is always running.
                    FillRunstate((VcpuRunstateInfo*)arg);
                    return 0;
                }
                default:
                    return HypercallStats.Unimplemented("vcpu_op", Hypercall.VcpuOp, cmd, vcpu, arg, 0, 0);
            }
        }

        /// <summary>The vcpu_runstate_info of the vCPU the op names (Smp/Runstate.cs), fields in their order (a fault: -EFAULT).</summary>
        static void FillRunstate(VcpuRunstateInfo* ri) => Smp.Runstate.Fill(Vcpu.Id, ri);

        /// <summary>Logs <paramref name="what"/> with <paramref name="value"/> the first time only.</summary>
        static void Once(ref bool done, string what, ulong value)
        {
            if (done) return;
            done = true;
            Console.Log.Begin(); Console.Log.Str(what); Console.Log.Str(" "); Console.Log.Hex(value); Console.Log.End();
        }

        /// <summary>The boot CPU's initial APIC id: CPUID leaf 1, EBX bits 24-31 (SDM vol. 2A, CPUID).</summary>
        static ulong BootApicId()
        {
            uint* r = stackalloc uint[4];
            Arch.Cpu.Cpuid(1, 0, r);
            return r[1] >> 24;
        }

        static ulong s_vcpuInfoHeld;   // a bit per vCPU
        static bool s_periodicWarned, s_timeAreaWarned;
        static byte s_sink;

        /// <summary>
        /// Checked mode's map_vcpu_info page reference (xen/common/domain.c): the page must take a
        /// PGT_writable_page reference (else -EINVAL), which Xen holds while it is the vcpu_info.
        /// </summary>
        static long CheckedVcpuInfo(ulong mfn)
        {
            if (Checked.PageTypes.GetPageAndType(mfn, Checked.PageType.Writable) != 0)
            {
                Checked.CheckLog.Refuse("map_vcpu_info: could not get page type PGT_writable_page", mfn);
                return -XenErrno.EINVAL;
            }
            return 0;
        }
    }
}
