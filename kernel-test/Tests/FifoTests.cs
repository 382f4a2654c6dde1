namespace KernelTest.Tests
{
    /// <summary>
    /// The FIFO event-channel ABI (public/event_channel.h, xen/common/event_fifo.c): the
    /// arguments Xen refuses, then init_control with a control block and one event-array page,
    /// events queued and delivered, set_priority, and EVTCHNOP_reset back to the 2-level ABI
    /// (which every other test uses: the FIFO test always ends with the reset).
    /// </summary>
    public static unsafe class FifoTests
    {
        const uint P = 1u << EvtchnFifoAbi.Pending, M = 1u << EvtchnFifoAbi.Masked, L = 1u << EvtchnFifoAbi.Linked;
        const ulong Einval = unchecked((ulong)-XenErrno.EINVAL);

        public static long InitControl(ulong gfn, uint offset, uint vcpu, out byte linkBits)
        {
            EvtchnInitControl ic;
            ic.ControlGfn = gfn; ic.Offset = offset; ic.Vcpu = vcpu; ic.LinkBits = 0;
            long rc = Hv.EventChannelOp(EvtchnOp.EVTCHNOP_init_control, &ic);
            linkBits = ic.LinkBits;
            return rc;
        }

        public static long Expand(ulong gfn)
        {
            EvtchnExpandArray e;
            e.ArrayGfn = gfn;
            return Hv.EventChannelOp(EvtchnOp.EVTCHNOP_expand_array, &e);
        }

        static long SetPriority(uint port, uint priority)
        {
            EvtchnSetPriority s;
            s.Port = port; s.Priority = priority;
            return Hv.EventChannelOp(EvtchnOp.EVTCHNOP_set_priority, &s);
        }

        public static long Reset()
        {
            EvtchnReset r;
            r.Dom = Hv.DomidSelf;
            return Hv.EventChannelOp(EvtchnOp.EVTCHNOP_reset, &r);
        }

        /// <summary>
        /// Before init_control (2-level): expand_array is -EOPNOTSUPP and set_priority on a bound
        /// port -ENOSYS. init_control: a vCPU that does not exist -ENOENT; an offset that is not
        /// 8-byte aligned or lets the 72-byte control block cross its page -EINVAL; a frame that
        /// is not the domain's or is one of its page tables -EINVAL; after each the domain is
        /// still 2-level.
        /// </summary>
        public static bool BadArguments()
        {
            ulong cb = Window.ClearedFrame();
            if (!Check.True(cb != 0, "no frame")) return false;
            if (!Check.Eq("expand_array before init_control", (ulong)Expand(cb), unchecked((ulong)-XenErrno.EOPNOTSUPP))) return false;
            uint port = EvtchnTests.BindIpi();
            if (port == 0) return false;
            bool ok = Check.Eq("set_priority with 2-level events", (ulong)SetPriority(port, 3), unchecked((ulong)-XenErrno.ENOSYS))
                && Check.Eq("init_control vcpu 4096", (ulong)InitControl(cb, 0, 4096, out _), unchecked((ulong)-XenErrno.ENOENT))
                && Check.Eq("init_control offset 4", (ulong)InitControl(cb, 4, 0, out _), Einval)
                && Check.Eq("init_control offset 4032", (ulong)InitControl(cb, 4096 - 64, 0, out _), Einval)
                && Check.Eq("init_control of no frame", (ulong)InitControl(1UL << 40, 0, 0, out _), Einval)
                && Check.Eq("init_control of a page table", (ulong)InitControl(Window.L1Mfn, 0, 0, out _), Einval)
                && Check.Eq("expand_array after the failures", (ulong)Expand(cb), unchecked((ulong)-XenErrno.EOPNOTSUPP));
            return Check.Rc("EVTCHNOP_close", EvtchnTests.Close(port)) && ok;
        }

        /// <summary>
        /// init_control (link_bits 17; a second one -EINVAL; expand_array of a page table -EINVAL).
        /// A send before the port's array page
        /// exists is kept and queued when expand_array adds the page: PENDING|LINKED, the port at
        /// the head of queue 7 (the default priority), ready bit 7, evtchn_upcall_pending, and one
        /// upcall once unmasked. A second event is linked from the first (LINK field), a masked one
        /// only marked PENDING until EVTCHNOP_unmask queues it. set_priority(3) moves the port's
        /// next event to queue 3; priority 16 and a port never allocated -EINVAL, a closed port
        /// -EACCES. EVTCHNOP_reset returns to 2-level events (expand_array -EOPNOTSUPP again).
        /// </summary>
        public static bool Events()
        {
            ulong cbMfn = Window.ClearedFrame(), arrMfn = Window.ClearedFrame();
            if (!Check.True(cbMfn != 0 && arrMfn != 0, "no frames")) return false;
            if (!Check.Rc("map control block", Window.Map(Runner.Slot(0), cbMfn)) || !Check.Rc("map event array", Window.Map(Runner.Slot(1), arrMfn))) return false;
            var cb = (EvtchnFifoControlBlock*)(Window.Va(Runner.Slot(0)) + 128);
            uint* word = (uint*)Window.Va(Runner.Slot(1));
            Ev.Mask();
            if (!Check.Rc("init_control", InitControl(cbMfn, 128, 0, out byte bits))) return false;
            bool ok = Body(cb, word, cbMfn, arrMfn, bits);
            Ev.Mask();
            long rc = Reset();
            return Check.Rc("EVTCHNOP_reset", rc) && ok
                && Check.Eq("expand_array after the reset", (ulong)Expand(arrMfn), unchecked((ulong)-XenErrno.EOPNOTSUPP))
                && Check.Rc("unmap", Window.Unmap(Runner.Slot(0))) && Check.Rc("unmap", Window.Unmap(Runner.Slot(1)));
        }

        static bool Body(EvtchnFifoControlBlock* cb, uint* word, ulong cbMfn, ulong arrMfn, byte bits)
        {
            const uint Q = EvtchnFifoAbi.PriorityDefault;
            if (!Check.Eq("link_bits", bits, EvtchnFifoAbi.LinkBits)) return false;
            if (!Check.Eq("second init_control", (ulong)InitControl(cbMfn, 0, 0, out _), Einval)) return false;
            uint a = EvtchnTests.BindIpi(), b = EvtchnTests.BindIpi();
            if (a == 0 || b == 0) return false;
            VcpuInfo* v = Window.Vcpu0;
            v->EvtchnUpcallPending = 0;
            if (!Check.Rc("send before the array page", EvtchnTests.Send(a))) return false;
            if (!Check.Eq("ready before the array page", cb->Ready, 0)) return false;
            if (!Check.Eq("expand_array of a page table", (ulong)Expand(Window.L1Mfn), Einval)) return false;
            if (!Check.Rc("expand_array", Expand(arrMfn))) return false;
            if (!Check.Eq("event word after expand_array", word[a], P | L)) return false;
            if (!Check.Eq("head of queue 7", cb->Head[Q], a) || !Check.Eq("ready", cb->Ready, 1u << (int)Q)) return false;
            if (!Check.Eq("evtchn_upcall_pending", v->EvtchnUpcallPending, 1)) return false;
            uint before = Ev.Upcalls;
            Ev.Unmask();
            Hv.Force();
            Ev.Mask();
            if (!Check.Eq("upcalls", Ev.Upcalls - before, 1)) return false;
            Consume(cb, word, a, b);

            // Two events on one queue: the second is linked from the first.
            if (!Check.Rc("send a", EvtchnTests.Send(a)) || !Check.Rc("send b", EvtchnTests.Send(b))) return false;
            if (!Check.Eq("a links to b", word[a], P | L | b) || !Check.Eq("b", word[b], P | L) || !Check.Eq("head", cb->Head[Q], a)) return false;
            Consume(cb, word, a, b);

            // A masked event: pending only, queued by EVTCHNOP_unmask.
            word[a] = M;
            if (!Check.Rc("send masked", EvtchnTests.Send(a))) return false;
            if (!Check.Eq("masked word", word[a], P | M) || !Check.Eq("ready while masked", cb->Ready, 0)) return false;
            EvtchnUnmask u;
            u.Port = a;
            if (!Check.Rc("EVTCHNOP_unmask", Hv.EventChannelOp(EvtchnOp.EVTCHNOP_unmask, &u))) return false;
            if (!Check.Eq("unmasked word", word[a], P | L) || !Check.Eq("head after unmask", cb->Head[Q], a)) return false;
            Consume(cb, word, a, b);

            // Priorities.
            if (!Check.Rc("set_priority(3)", SetPriority(a, 3))) return false;
            if (!Check.Rc("send at priority 3", EvtchnTests.Send(a))) return false;
            if (!Check.Eq("head of queue 3", cb->Head[3], a) || !Check.Eq("ready bit 3", cb->Ready, 1u << 3) || !Check.Eq("head of queue 7", cb->Head[Q], 0)) return false;
            Consume(cb, word, a, b);
            if (!Check.Eq("set_priority(16)", (ulong)SetPriority(a, EvtchnFifoAbi.PriorityMin + 1), Einval)) return false;
            if (!Check.Eq("set_priority of port 100000", (ulong)SetPriority(100000, 3), Einval)) return false;
            if (!Check.Rc("close b", EvtchnTests.Close(b))) return false;
            if (!Check.Eq("set_priority of a closed port", (ulong)SetPriority(b, 3), unchecked((ulong)-XenErrno.EACCES))) return false;
            return Check.Rc("close a", EvtchnTests.Close(a));
        }

        /// <summary>What the guest does after handling: clears the ready bits, the heads and both ports' words.</summary>
        static void Consume(EvtchnFifoControlBlock* cb, uint* word, uint a, uint b)
        {
            cb->Ready = 0;
            for (int q = 0; q < EvtchnFifoAbi.MaxQueues; q++) cb->Head[q] = 0;
            word[a] = 0;
            word[b] = 0;
            Window.Vcpu0->EvtchnUpcallPending = 0;
        }
    }
}
