using KernelTest.Smp;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// The SMP group's per-vCPU areas (issue 11), as Xen 4.17 keeps them (xen/common/domain.c
    /// do_vcpu_op, map_vcpu_info; xen/common/event_fifo.c): a runstate area vCPU 0 registers for
    /// vCPU 1, VCPUOP_register_vcpu_info for a down vCPU, FIFO control blocks per vCPU.
    /// </summary>
    public static unsafe class SmpVcpuAreaTests
    {
        const uint V = 1;
        static VcpuRunstateInfo s_runstate;

        /// <summary>Two pages, so one whole page is inside (<see cref="InfoPage"/>).</summary>
        struct TwoPages { public fixed byte B[2 * 4096]; }
        static TwoPages s_pages;

        static byte* InfoPage() { fixed (TwoPages* p = &s_pages) return (byte*)(((ulong)p->B + 4095) & ~4095UL); }

        static bool WaitArea(VcpuRunstateInfo* r, int state)
        {
            ulong giveUp = Pvclock.Now() + 2 * Pvclock.Second;
            while (*(int*)&r->State != state && Pvclock.Now() < giveUp) Native.Pause();
            return *(int*)&r->State == state;
        }

        /// <summary>
        /// vCPU 0 registers a runstate area for vCPU 1 (running its loop): 0, filled at once
        /// (RUNSTATE_running); vCPU 1 in SCHEDOP_block shows RUNSTATE_blocked there, running
        /// again once woken, with time counted as blocked.
        /// </summary>
        public static bool RunstateAreaForAnother()
        {
            if (!SmpRemoteTests.Ready()) return SmpRemoteTests.Skipped("smp_runstate_area");
            fixed (VcpuRunstateInfo* r = &s_runstate)
            {
                *r = default;
                r->State = -1;
                VcpuRegisterRunstateMemoryArea a;
                a.Addr = (ulong)r;
                if (!Check.Rc("register_runstate_memory_area for vCPU 1", Hv.VcpuOp(VcpuOp.VCPUOP_register_runstate_memory_area, V, &a))) return false;
                if (!Check.Eq("vCPU 1's runstate area right after", (ulong)(long)r->State, VcpuOp.RUNSTATE_running)) return false;
                if (!Check.True(r->StateEntryTime != 0, "state_entry_time not filled")) return false;
                uint port = SmpTests.BindIpi(V);
                if (port == 0) return false;
                Secondary.Post(V, Secondary.CmdBlock, port, 0, 0);
                bool blocked = WaitArea(r, VcpuOp.RUNSTATE_blocked);
                long sent = EvtchnTests.Send(port);
                bool done = Secondary.WaitDone(V, 5 * Pvclock.Second);
                EvtchnTests.Close(port);
                if (!Check.True(blocked, "vCPU 1's runstate area never showed RUNSTATE_blocked")) return false;
                if (!Check.Rc("EVTCHNOP_send", sent) || !Check.True(done, "vCPU 1 did not wake")) return false;
                if (!Check.True(WaitArea(r, VcpuOp.RUNSTATE_running), "vCPU 1's runstate area did not show RUNSTATE_running after the wake")) return false;
                return Check.True(r->Time[VcpuOp.RUNSTATE_blocked] != 0, "no time counted as blocked");
            }
        }

        /// <summary>
        /// VCPUOP_register_vcpu_info: for another vCPU that is up -EINVAL; once it is down (its
        /// own VCPUOP_down): an unaligned offset or one past the page's last vcpu_info -ENXIO,
        /// then 0: the new vcpu_info is the old one copied (mask kept) with every selector bit
        /// and evtchn_upcall_pending set; a second registration -EINVAL. An event for that vCPU
        /// marks the new vcpu_info, not shared_info's slot; VCPUOP_up resumes it, its time
        /// kept in the new place.
        /// </summary>
        public static bool RegisterVcpuInfoDown()
        {
            if (!SmpRemoteTests.Ready()) return SmpRemoteTests.Skipped("smp_register_vcpu_info_down");
            uint n = SmpTests.Driven - 1;
            byte* page = InfoPage();
            VcpuRegisterVcpuInfo info;
            info.Mfn = Mm.MfnOfVa((ulong)page);
            info.Offset = 128;
            info.Rsvd = 0;
            ulong einval = unchecked((ulong)-XenErrno.EINVAL), enxio = unchecked((ulong)-XenErrno.ENXIO);
            if (!Check.Eq("register_vcpu_info for a running vCPU", (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_register_vcpu_info, n, &info), einval)) return false;
            VcpuInfo* old = Secondary.Info(n);
            Secondary.Post(n, Secondary.CmdDown, 0, 0, 0);
            ulong giveUp = Pvclock.Now() + 5 * Pvclock.Second;
            while (Hv.VcpuOp(VcpuOp.VCPUOP_is_up, n, null) != 0 && Pvclock.Now() < giveUp) Native.Pause();
            if (!Check.Eq("VCPUOP_is_up after its down", (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_is_up, n, null), 0)) return false;
            SmpVcpuTests.Sleep(20_000_000);
            bool ok = Registered(n, &info, page, old, einval, enxio);
            if (!Check.Rc("VCPUOP_up", Hv.VcpuOp(VcpuOp.VCPUOP_up, n, null))) return false;
            if (!Check.True(Secondary.WaitDone(n, 5 * Pvclock.Second), "the vCPU did not resume after VCPUOP_up")) return false;
            return ok && Check.Rc("its VCPUOP_down's result", (long)Secondary.Result(n, 0))
                && Check.True(Secondary.Ask(n, Secondary.CmdRead, (ulong)&info, 0, 0, 5 * Pvclock.Second), "the vCPU did not answer after up");
        }

        static bool Registered(uint n, VcpuRegisterVcpuInfo* info, byte* page, VcpuInfo* old, ulong einval, ulong enxio)
        {
            info->Offset = 4096 - 60;
            if (!Check.Eq("register_vcpu_info offset 4036", (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_register_vcpu_info, n, info), enxio)) return false;
            info->Offset = 132;
            if (!Check.Eq("register_vcpu_info offset 132", (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_register_vcpu_info, n, info), enxio)) return false;
            info->Offset = 128;
            VcpuInfo* v = (VcpuInfo*)(page + 128);
            if (!Check.Rc("register_vcpu_info for a down vCPU", Hv.VcpuOp(VcpuOp.VCPUOP_register_vcpu_info, n, info))) return false;
            Secondary.SetInfo(n, v);
            if (!Check.Eq("new vcpu_info: evtchn_pending_sel", v->EvtchnPendingSel, ulong.MaxValue)) return false;
            if (!Check.Eq("new vcpu_info: evtchn_upcall_pending", v->EvtchnUpcallPending, 1)) return false;
            if (!Check.Eq("new vcpu_info: evtchn_upcall_mask (copied)", v->EvtchnUpcallMask, 1)) return false;
            if (!Check.True(v->Time.SystemTime != 0, "new vcpu_info: no system time")) return false;
            if (!Check.Eq("register_vcpu_info again", (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_register_vcpu_info, n, info), einval)) return false;
            uint port = SmpTests.BindIpi(n);
            if (port == 0) return false;
            Native.Xchg(&v->EvtchnPendingSel, 0);
            v->EvtchnUpcallPending = 0;
            Native.Xchg(&old->EvtchnPendingSel, 0);
            old->EvtchnUpcallPending = 0;
            long rc = EvtchnTests.Send(port);
            bool ok = Check.Rc("send", rc)
                && Check.Eq("the new vcpu_info's selector bit", v->EvtchnPendingSel >> (int)(port >> 6) & 1, 1)
                && Check.Eq("the new vcpu_info's upcall_pending", v->EvtchnUpcallPending, 1)
                && Check.Eq("shared_info's slot: selector", old->EvtchnPendingSel, 0);
            EvtchnTests.Close(port);
            Ev.ClearPendingBit(port);
            return ok;
        }

        /// <summary>
        /// FIFO events with a control block per vCPU (init_control for vCPU 0 and vCPU 1): an
        /// event on a port bound to vCPU 1 is queued on vCPU 1's queue 7 (HEAD, READY) and marks
        /// vCPU 1's evtchn_upcall_pending; vCPU 0's block stays empty. EVTCHNOP_reset goes back to
        /// 2-level events.
        /// </summary>
        public static bool FifoPerVcpu()
        {
            if (!SmpRemoteTests.Ready()) return SmpRemoteTests.Skipped("smp_fifo_per_vcpu");
            ulong cb0 = Window.ClearedFrame(), cb1 = Window.ClearedFrame(), arr = Window.ClearedFrame();
            if (!Check.True(cb0 != 0 && cb1 != 0 && arr != 0, "no frames")) return false;
            int s0 = Runner.Slot(0), s1 = Runner.Slot(1), s2 = Runner.Slot(2);
            if (!Check.Rc("map", Window.Map(s0, cb0)) || !Check.Rc("map", Window.Map(s1, cb1)) || !Check.Rc("map", Window.Map(s2, arr))) return false;
            var c0 = (EvtchnFifoControlBlock*)Window.Va(s0);
            var c1 = (EvtchnFifoControlBlock*)Window.Va(s1);
            uint* word = (uint*)Window.Va(s2);
            Ev.Mask();
            bool ok = Check.Rc("init_control(vCPU 0)", FifoTests.InitControl(cb0, 0, 0, out _))
                && Check.Rc("init_control(vCPU 1)", FifoTests.InitControl(cb1, 0, V, out _))
                && Check.Rc("expand_array", FifoTests.Expand(arr))
                && Queued(c0, c1, word);
            Ev.Mask();
            long rc = FifoTests.Reset();
            Window.Vcpu0->EvtchnUpcallPending = 0;
            Secondary.Info(V)->EvtchnUpcallPending = 0;
            return Check.Rc("EVTCHNOP_reset", rc) && ok
                && Check.Rc("unmap", Window.Unmap(s0)) && Check.Rc("unmap", Window.Unmap(s1)) && Check.Rc("unmap", Window.Unmap(s2));
        }

        static bool Queued(EvtchnFifoControlBlock* c0, EvtchnFifoControlBlock* c1, uint* word)
        {
            const uint Q = EvtchnFifoAbi.PriorityDefault;
            uint port = SmpTests.BindIpi(V);
            if (port == 0) return false;
            Secondary.Info(V)->EvtchnUpcallPending = 0;
            if (!Check.Rc("send", EvtchnTests.Send(port))) return false;
            uint linked = 1u << EvtchnFifoAbi.Pending | 1u << EvtchnFifoAbi.Linked;
            return Check.Eq("event word", word[port], linked)
                && Check.Eq("vCPU 1's head of queue 7", c1->Head[Q], port)
                && Check.Eq("vCPU 1's ready", c1->Ready, 1u << (int)Q)
                && Check.Eq("vCPU 1's evtchn_upcall_pending", Secondary.Info(V)->EvtchnUpcallPending, 1)
                && Check.True(c0->Head[Q] != port, "the port heads vCPU 0's queue 7 too")
                && Check.Eq("event words linking to the port (queued behind another)", LinksTo(word, port), 0);
        }

        /// <summary>How many event words of the array page link to <paramref name="port"/>.</summary>
        static ulong LinksTo(uint* word, uint port)
        {
            ulong n = 0;
            for (uint i = 1; i < EvtchnFifoAbi.WordsPerPage; i++)
                if ((word[i] & EvtchnFifoAbi.LinkMask) == port) n++;
            return n;
        }
    }
}
