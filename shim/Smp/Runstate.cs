using Microxen.Xen;

namespace Microxen.Smp
{
    /// <summary>
    /// Each vCPU's runstate (public/vcpu.h struct vcpu_runstate_info; Xen's vcpu_runstate_change in
    /// common/sched/core.c): its state (running, blocked, offline), the system time it entered it,
    /// and the time spent in each state. vCPU 0 runs from system time 0; the others are offline
    /// until VCPUOP_up. Transitions: up and first run (running), SCHEDOP_block/poll waiting
    /// (blocked, Hypercalls/SchedOps.cs), VCPUOP_down (offline). With one vCPU nothing changes
    /// (the shim's blocking then is not a state change here: running since 0, as before). After
    /// each change the vCPU's registered runstate area is written, as Xen's update_runstate_area.
    /// Written under the shim's lock, or by the vCPU's own CPU for its own entry.
    /// </summary>
    public static unsafe class Runstate
    {
        struct Table { public fixed ulong State[Guest.Vcpu.Max], Entry[Guest.Vcpu.Max], Time[Guest.Vcpu.Max * 4]; }
        static Table s_t;

        /// <summary>At boot: vCPUs 1.. offline.</summary>
        public static void Init(int count)
        {
            fixed (Table* t = &s_t) for (int n = 1; n < count; n++) t->State[n] = VcpuOp.RUNSTATE_offline;
        }

        /// <summary>vCPU <paramref name="n"/> enters <paramref name="state"/> now; its runstate area (if any) is updated.</summary>
        public static void Set(int n, int state)
        {
            ulong now = Time.Tsc.Now();
            fixed (Table* t = &s_t)
            {
                ulong old = t->State[n];
                if (old == (ulong)state) return;
                t->Time[n * 4 + (int)old] += now - t->Entry[n];
                t->State[n] = (ulong)state;
                t->Entry[n] = now;
            }
            ulong area = Guest.Vcpu.RunstateAreaOf(n);
            if (area != 0 && Checked.CheckedMmu.GuestCan(area, (ulong)sizeof(VcpuRunstateInfo), true)) Fill(n, (VcpuRunstateInfo*)area);
        }

        /// <summary>vcpu_runstate_get of vCPU <paramref name="n"/> into <paramref name="ri"/> (fields in their order: a fault is the caller's -EFAULT).</summary>
        public static void Fill(int n, VcpuRunstateInfo* ri)
        {
            ulong now = Time.Tsc.Now();
            fixed (Table* t = &s_t)
            {
                int state = (int)t->State[n];
                ri->State = state;
                ((uint*)ri)[1] = 0;
                ri->StateEntryTime = t->Entry[n];
                for (int i = 0; i < 4; i++) ri->Time[i] = t->Time[n * 4 + i] + (i == state ? now - t->Entry[n] : 0);
            }
        }
    }
}
