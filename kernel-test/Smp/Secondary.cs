using Microxen.Xen;

namespace KernelTest.Smp
{
    /// <summary>
    /// kernel-test's secondary vCPUs: vCPU n (1 &lt;= n &lt; <see cref="MaxVcpus"/>) is started with
    /// VCPUOP_initialise (<see cref="VcpuGuestContext"/>: rip = <see cref="Entry"/>, rdi = n, its own
    /// 16 KiB stack, cr3 = the kernel's L4) and VCPUOP_up, the way Linux's cpu_initialize_context
    /// (arch/x86/xen/smp_pv.c) does. It runs with its events masked (vcpu_info[n].evtchn_upcall_mask
    /// = 1: nothing is delivered to it, it polls shared_info) except while a command unmasks them,
    /// and serves one mailbox of words, the boot vCPU writing a command and a new sequence number,
    /// the secondary answering with the same number in Done. It prints nothing. Its context has
    /// its own trap table, event callback and GDT (<see cref="SecondaryTraps"/>): the vectors of
    /// the handlers that ran on its stack tell which were used.
    /// </summary>
    public static unsafe partial class Secondary
    {
        /// <summary>vCPUs kernel-test can drive (vcpu_info in shared_info: fewer than XEN_LEGACY_MAX_VCPUS).</summary>
        public const int MaxVcpus = 8;
        const int StackSize = 16384;
        /// <summary>Mailbox words per vCPU.</summary>
        const int Stride = 32;
        const int WSeq = 0, WCmd = 1, WA = 2, WB = 3, WC = 4, WDone = 5, WR0 = 6, WR1 = 7, WR2 = 8, WR3 = 9, WR4 = 10, WR5 = 11, WR6 = 12, WR7 = 13, WAlive = 14;
        /// <summary>Results a command can leave (<see cref="Result"/>: R0..R7).</summary>
        public const int Results = 8;
        /// <summary>Mailbox words of the trap record (<see cref="Word"/>): see <see cref="SecondaryTraps"/>.</summary>
        public const int WSpin = 15, WReady = 16, WWatch = 17, WOwnEvents = 18, WForeignEvents = 19, WMaskInCallback = 20,
            WWatchHits = 21, WWatchAt = 22, WTrapVector = 23, WTraps = 24, WFaultVector = 25, WFaultRip = 26, WFaults = 27, WEventVector = 28,
            /// <summary>Set to 1 by vCPU 0 right before it sends the event a command waits for (clocks of two vCPUs are not compared).</summary>
            WSent = 29;
        /// <summary>The last probe exception's error code, and its frame's saved upcall mask (CS bits 32-39) | RFLAGS.IF (SmpPageFaultTests).</summary>
        public const int WTrapError = 30, WTrapFrame = 31;

        /// <summary>Calls A, a <c>delegate* unmanaged&lt;uint, ulong*, void&gt;</c>, with this vCPU's number and its result words (R0-R2).</summary>
        public const ulong CmdCall = 16;

        public const ulong CmdRead = 1, CmdPingPong = 2, CmdTimer = 3, CmdDown = 4, CmdSpin = 5, CmdBlock = 6, CmdPoll = 7,
            CmdUd2 = 8, CmdSetTrap = 9, CmdCallback = 10, CmdSelector = 11, CmdShutdown = 12;
        /// <summary>How long the secondary waits for one event before it gives up, ns.</summary>
        const ulong WaitNs = 2_000_000_000;

        struct Stacks { public fixed byte B[MaxVcpus * StackSize]; }
        struct Mail { public fixed ulong W[MaxVcpus * Stride]; }
        static Stacks s_stacks;
        static Mail s_mail;
        static VcpuGuestContext s_ctx;
        static ulong s_seq;

        static ulong* Box(uint n) { fixed (Mail* m = &s_mail) return &m->W[n * Stride]; }

        /// <summary>Result word r (0..<see cref="Results"/>-1) of the last command to vCPU n.</summary>
        public static ulong Result(uint n, int r) => Box(n)[WR0 + r];

        /// <summary>Mailbox word <paramref name="i"/> (W*) of vCPU n.</summary>
        public static ulong* Word(uint n, int i) => &Box(n)[i];

        /// <summary>Times vCPU n has entered <see cref="Entry"/> or come back from VCPUOP_down.</summary>
        public static ulong Alive(uint n) => Box(n)[WAlive];

        /// <summary>VCPUOP_initialise for vCPU n: 0 or Xen's -errno.</summary>
        public static long Initialise(uint n)
        {
            fixed (VcpuGuestContext* c = &s_ctx)
            fixed (Stacks* st = &s_stacks)
            {
                *c = default;
                ulong top = (ulong)&st->B[(n + 1) * StackSize] & ~15UL;   // the static may be 8-aligned: the ABI wants rsp+8 16-aligned at entry (movaps)
                c->Flags = Layout.VGCF_in_kernel;
                c->Rip = (ulong)(delegate* unmanaged<ulong, void>)&Entry;
                c->Rdi = n;
                c->Rsp = top - 8;
                c->Rflags = 2;
                c->Cs = Layout.FLAT_KERNEL_CS;
                c->Ss = Layout.FLAT_KERNEL_SS;
                c->Ds = Layout.FLAT_KERNEL_DS;
                c->Es = Layout.FLAT_KERNEL_DS;
                c->KernelSs = Layout.FLAT_KERNEL_SS;
                c->KernelSp = top;
                c->Cr3 = Mm.KernelL4Mfn << 12;
                SecondaryTraps.Fill(c);
                return Hv.VcpuOp(VcpuOp.VCPUOP_initialise, n, c);
            }
        }

        /// <summary>
        /// Gives vCPU n command <paramref name="cmd"/> with arguments a, b, c and waits until it is
        /// done or <paramref name="timeoutNs"/> of pvclock time passed; false on the time-out.
        /// </summary>
        public static bool Ask(uint n, ulong cmd, ulong a, ulong b, ulong c, ulong timeoutNs)
        {
            Post(n, cmd, a, b, c);
            return WaitDone(n, timeoutNs);
        }

        /// <summary>Posts a command without waiting (<see cref="WaitDone"/> waits).</summary>
        public static void Post(uint n, ulong cmd, ulong a, ulong b, ulong c)
        {
            ulong* w = Box(n);
            w[WCmd] = cmd; w[WA] = a; w[WB] = b; w[WC] = c;
            for (int r = 0; r < Results; r++) w[WR0 + r] = 0;
            w[WReady] = 0;
            w[WSent] = 0;
            w[WSeq] = ++s_seq;
        }

        public static bool WaitDone(uint n, ulong timeoutNs)
        {
            ulong* w = Box(n);
            ulong giveUp = Pvclock.Now() + timeoutNs;
            while (w[WDone] != w[WSeq])
            {
                if (Pvclock.Now() > giveUp) return false;
                Native.Pause();
            }
            return true;
        }

        /// <summary>Waits until <see cref="Alive"/>(n) exceeds <paramref name="before"/>.</summary>
        public static bool WaitAlive(uint n, ulong before, ulong timeoutNs)
        {
            ulong giveUp = Pvclock.Now() + timeoutNs;
            while (Alive(n) <= before)
            {
                if (Pvclock.Now() > giveUp) return false;
                Native.Pause();
            }
            return true;
        }

        [UnmanagedCallersOnly(EntryPoint = "kt_smp_entry")]
        static void Entry(ulong n)
        {
            VcpuInfo* me = Info((uint)n);
            *(byte*)&me->EvtchnUpcallMask = 1;
            // Xen gives a new PV vCPU a 10 ms periodic VIRQ_TIMER; only the one-shot timer is wanted.
            Hv.VcpuOp(VcpuOp.VCPUOP_stop_periodic_timer, (uint)n, null);
            ulong* w = Box((uint)n);
            w[WAlive]++;
            ulong seen = w[WDone];
            for (;;)
            {
                ulong seq = w[WSeq];
                if (seq != seen)
                {
                    seen = seq;
                    Serve((uint)n, Info((uint)n), w);
                    w[WDone] = seq;
                }
                w[WSpin]++;
                Native.Pause();
            }
        }

        static void Serve(uint n, VcpuInfo* me, ulong* w)
        {
            switch (w[WCmd])
            {
                case CmdRead:
                    w[WR0] = *(ulong*)w[WA];
                    break;
                case CmdPingPong:
                    PingPong(me, w);
                    break;
                case CmdTimer:
                    Timer(n, me, w);
                    break;
                case CmdCall:
                    ((delegate* unmanaged<uint, ulong*, void>)w[WA])(n, w + WR0);
                    break;
                case CmdDown:
                    w[WR0] = (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_down, n, null);
                    w[WAlive]++;
                    break;
                default:
                    Serve2(n, w);
                    break;
            }
        }

        /// <summary>
        /// C rounds of: wait for port A (bound to this vCPU), clear it, send port B. R0 = rounds
        /// done; R1 = rounds in which A became pending but this vCPU's evtchn_pending_sel never
        /// got A's word bit (the event was not routed to this vCPU's vcpu_info).
        /// </summary>
        static void PingPong(VcpuInfo* me, ulong* w)
        {
            uint port = (uint)w[WA];
            ulong selBit = 1UL << (int)(port >> 6);
            ulong rounds = 0, unrouted = 0;
            for (; rounds < w[WC]; rounds++)
            {
                bool routed = WaitSelector(me, selBit);
                if (!WaitPending(me, port)) break;
                if (!routed) unrouted++;
                Native.Xchg(&me->EvtchnPendingSel, 0);
                me->EvtchnUpcallPending = 0;
                Ev.ClearPendingBit(port);
                EvtchnSend s;
                s.Port = (uint)w[WB];
                Hv.EventChannelOp(EvtchnOp.EVTCHNOP_send, &s);
            }
            w[WR0] = rounds;
            w[WR1] = unrouted;
        }

        /// <summary>
        /// Arms VCPUOP_set_singleshot_timer on this vCPU for its pvclock + B ns and waits for port A
        /// (VIRQ_TIMER bound to this vCPU). R0 = deadline, R1 = pvclock at arrival (0: none), R2 =
        /// the hypercall's result.
        /// </summary>
        static void Timer(uint n, VcpuInfo* me, ulong* w)
        {
            uint port = (uint)w[WA];
            VcpuSetSingleshotTimer t;
            t.TimeoutAbsNs = Pvclock.NowOf(me) + w[WB];
            t.Flags = 0;
            w[WR0] = t.TimeoutAbsNs;
            long rc = Hv.VcpuOp(VcpuOp.VCPUOP_set_singleshot_timer, n, &t);
            w[WR2] = (ulong)rc;
            if (rc != 0) return;
            if (WaitPending(me, port)) w[WR1] = Pvclock.NowOf(me);
            Native.Xchg(&me->EvtchnPendingSel, 0);
            me->EvtchnUpcallPending = 0;
            Ev.ClearPendingBit(port);
        }

        /// <summary>Waits for the evtchn_pending_sel bits <paramref name="bits"/> of this vCPU (set by Xen after the pending bit).</summary>
        static bool WaitSelector(VcpuInfo* me, ulong bits)
        {
            ulong giveUp = Pvclock.NowOf(me) + WaitNs;
            while ((me->EvtchnPendingSel & bits) == 0)
            {
                if (Pvclock.NowOf(me) > giveUp) return false;
                Native.Pause();
            }
            return true;
        }

        static bool WaitPending(VcpuInfo* me, uint port)
        {
            ulong giveUp = Pvclock.NowOf(me) + WaitNs;
            while (!Ev.PendingBit(port))
            {
                if (Pvclock.NowOf(me) > giveUp) return false;
                Native.Pause();
            }
            return true;
        }
    }
}
