using KernelTest.Memory;
using KernelTest.Hypervisor;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// Answers the hypercall storm found different from Xen 4.17's (issue 9, s9b: vcpu, sched, mc):
    /// vcpu_op (xen/common/domain.c common_vcpu_op, xen/arch/x86/domain.c do_vcpu_op), SCHEDOP_poll
    /// (xen/common/sched/core.c do_poll) and multicall's guest_handle_okay (xen/common/multicall.c).
    /// </summary>
    public static unsafe class StormVcpuSchedTests
    {
        /// <summary>A non-canonical address: fails guest_handle_okay (below HYPERVISOR_VIRT_END, above 2^47).</summary>
        const ulong NonCanonical = 0x8000000000000000;
        /// <summary>A canonical user address with no page tables (L4 slot 32): passes guest_handle_okay, any copy fails.</summary>
        const ulong NoTables = 32UL << 39;

        struct Areas
        {
            public fixed byte Context[VcpuOp.VcpuGuestContextSize];   // a readable vcpu_guest_context
            public VcpuRunstateInfo Runstate;
            public VcpuTimeInfo Time;
        }
        static Areas s_areas;

        static long Vcpu(int cmd, ulong arg) => Hv.Call(Hypercall.VcpuOp, (ulong)cmd, 0, arg);

        /// <summary>
        /// VCPUOP_initialise of the running vCPU 0: unreadable context -EFAULT, readable -EEXIST;
        /// VCPUOP_up 0; set_periodic_timer under 1 ms or over STIME_DELTA_MAX -EINVAL;
        /// set_singleshot_timer with VCPU_SSHOTTMR_future and a past deadline 0 (flags ignored);
        /// get_physid 0, to an unwritable address -EFAULT.
        /// </summary>
        public static bool VcpuOps()
        {
            fixed (Areas* a = &s_areas)
            {
                if (!Validation.Rc("initialise(unreadable)", Vcpu(VcpuOp.VCPUOP_initialise, NoTables), XenErrno.EFAULT)) return false;
                if (!Validation.Rc("initialise(vCPU 0)", Vcpu(VcpuOp.VCPUOP_initialise, (ulong)a->Context), XenErrno.EEXIST)) return false;
            }
            if (!Validation.Rc("up(vCPU 0)", Vcpu(VcpuOp.VCPUOP_up, 0), 0)) return false;
            ulong* t = stackalloc ulong[2];
            t[0] = VcpuOp.PeriodMinNs - 1;
            if (!Validation.Rc("periodic under 1 ms", Vcpu(VcpuOp.VCPUOP_set_periodic_timer, (ulong)t), XenErrno.EINVAL)) return false;
            t[0] = VcpuOp.StimeDeltaMax + 1;
            if (!Validation.Rc("periodic over STIME_DELTA_MAX", Vcpu(VcpuOp.VCPUOP_set_periodic_timer, (ulong)t), XenErrno.EINVAL)) return false;
            t[0] = 1; t[1] = VcpuOp.VCPU_SSHOTTMR_future;
            if (!Validation.Rc("singleshot past, future flag", Vcpu(VcpuOp.VCPUOP_set_singleshot_timer, (ulong)t), 0)) return false;
            if (!Validation.Rc("stop singleshot", Vcpu(VcpuOp.VCPUOP_stop_singleshot_timer, 0), 0)) return false;
            if (!Validation.Rc("get_physid(unwritable)", Vcpu(VcpuOp.VCPUOP_get_physid, NoTables), XenErrno.EFAULT)) return false;
            return Validation.Rc("get_physid", Vcpu(VcpuOp.VCPUOP_get_physid, (ulong)t), 0);
        }

        /// <summary>
        /// register_runstate_memory_area and register_vcpu_time_memory_area: a non-canonical
        /// address -EFAULT; an address with no tables 0 (the copy's failure is ignored); a real
        /// area 0 and filled at once (runstate running; a time record with a multiplier).
        /// </summary>
        public static bool VcpuAreas()
        {
            ulong area;
            area = NonCanonical;
            if (!Validation.Rc("runstate area non-canonical", Vcpu(VcpuOp.VCPUOP_register_runstate_memory_area, (ulong)&area), XenErrno.EFAULT)) return false;
            area = NoTables;
            if (!Validation.Rc("runstate area unmapped", Vcpu(VcpuOp.VCPUOP_register_runstate_memory_area, (ulong)&area), 0)) return false;
            area = NonCanonical;
            if (!Validation.Rc("time area non-canonical", Vcpu(VcpuOp.VCPUOP_register_vcpu_time_memory_area, (ulong)&area), XenErrno.EFAULT)) return false;
            area = NoTables;
            if (!Validation.Rc("time area unmapped", Vcpu(VcpuOp.VCPUOP_register_vcpu_time_memory_area, (ulong)&area), 0)) return false;
            fixed (Areas* a = &s_areas)
            {
                a->Runstate.State = -1;
                a->Time.TscToSystemMul = 0;
                area = (ulong)&a->Runstate;
                if (!Validation.Rc("runstate area", Vcpu(VcpuOp.VCPUOP_register_runstate_memory_area, (ulong)&area), 0)) return false;
                area = (ulong)&a->Time;
                if (!Validation.Rc("time area", Vcpu(VcpuOp.VCPUOP_register_vcpu_time_memory_area, (ulong)&area), 0)) return false;
                if (!Check.Eq("runstate written: running", (ulong)a->Runstate.State, VcpuOp.RUNSTATE_running)) return false;
                return Check.True(a->Time.TscToSystemMul != 0, "time area written");
            }
        }

        static long Poll(ulong ports, uint n, ulong timeout)
        {
            SchedPoll p;
            p.Ports = ports; p.NrPorts = n; p.Timeout = timeout;
            return Hv.Call(Hypercall.SchedOp, SchedOp.SCHEDOP_poll, (ulong)&p);
        }

        /// <summary>
        /// SCHEDOP_poll with events masked: 129 ports -EINVAL; a non-canonical ports array -EFAULT
        /// even for no ports; an unreadable one -EFAULT; port 0 (reserved), a free port and one past
        /// the valid ones -EINVAL; no ports and a past timeout 0 (wakes at once).
        /// </summary>
        public static bool PollEdges()
        {
            byte masked = *(byte*)&Window.Vcpu0->EvtchnUpcallMask;
            Events.Events.Mask();
            uint* port = stackalloc uint[1];
            bool ok = Validation.Rc("129 ports", Poll((ulong)port, 129, 1), XenErrno.EINVAL)
                && Validation.Rc("ports non-canonical, none", Poll(NonCanonical, 0, 1), XenErrno.EFAULT)
                && Validation.Rc("ports unmapped", Poll(NoTables, 1, 1), XenErrno.EFAULT);
            port[0] = 0;
            ok = ok && Validation.Rc("port 0", Poll((ulong)port, 1, 1), XenErrno.EINVAL);
            port[0] = 63;
            ok = ok && Validation.Rc("free port 63", Poll((ulong)port, 1, 1), XenErrno.EINVAL);
            port[0] = 1u << 20;
            ok = ok && Validation.Rc("port 2^20", Poll((ulong)port, 1, 1), XenErrno.EINVAL)
                && Validation.Rc("no ports, past timeout", Poll((ulong)port, 0, 1), 0);
            if (masked == 0) Events.Events.Unmask();
            return ok;
        }

        /// <summary>
        /// multicall of a non-canonical entry array: -EFAULT (guest_handle_okay). With no entries Xen
        /// and checked mode answer -EFAULT too, fast mode's native multicall 0 (README, the storm):
        /// that case is the storm's (group mc), not this test's, which runs in every mode.
        /// </summary>
        public static bool MulticallBadArray() =>
            Validation.Rc("multicall(non-canonical, 1)", Hv.Call(Hypercall.Multicall, NonCanonical, 1), XenErrno.EFAULT);
    }
}
