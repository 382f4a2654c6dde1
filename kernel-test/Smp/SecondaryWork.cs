using Microxen.Arch;
using Microxen.Xen;

namespace KernelTest.Smp
{
    /// <summary>
    /// The secondary's commands for the SMP event, scheduling and trap tests (issue 11): a spin in
    /// guest code with events unmasked (an upcall must interrupt it), SCHEDOP_block and
    /// SCHEDOP_poll on the secondary, a #UD probe, set_trap_table and callback_op on itself, a
    /// selector load through its own GDT, SCHEDOP_shutdown. Results: R0..R5 as
    /// <see cref="Report"/> fills them, R6 a hypercall's result, R7 the Sent word when it returned.
    /// </summary>
    public static unsafe partial class Secondary
    {
        struct InfoTable { public fixed ulong P[MaxVcpus]; }
        static InfoTable s_info;

        /// <summary>vCPU n's vcpu_info: shared_info's slot n until <see cref="SetInfo"/> moved it (VCPUOP_register_vcpu_info).</summary>
        public static VcpuInfo* Info(uint n)
        {
            fixed (InfoTable* t = &s_info) return t->P[n] != 0 ? (VcpuInfo*)t->P[n] : SharedInfo.Vcpu(Window.Shared, (int)n);
        }

        public static void SetInfo(uint n, VcpuInfo* v) { fixed (InfoTable* t = &s_info) t->P[n] = (ulong)v; }

        /// <summary>The secondary vCPU whose stack holds <paramref name="address"/>, or 0 (none: vCPU 0's stacks).</summary>
        public static uint StackOwner(ulong address)
        {
            fixed (Stacks* st = &s_stacks)
            {
                ulong b = (ulong)st->B;
                if (address < b + StackSize || address >= b + MaxVcpus * StackSize) return 0;
                return (uint)((address - b) / StackSize);
            }
        }

        /// <summary>After an unexpected exception: vCPU n's frame resumes at <see cref="Entry"/> on a fresh stack, the command in progress answered.</summary>
        public static void Restart(uint n, CpuFrame* f)
        {
            ulong* w = Box(n);
            w[WDone] = w[WSeq];
            fixed (Stacks* st = &s_stacks) f->Rsp = (ulong)&st->B[(n + 1) * StackSize] - 8;
            f->Rip = (ulong)(delegate* unmanaged<ulong, void>)&Entry;
            f->Rdi = n;
            f->Rflags = X86.Rflags.Reserved1;
        }

        static void Serve2(uint n, ulong* w)
        {
            VcpuInfo* me = Info(n);
            switch (w[WCmd])
            {
                case CmdSpin:
                    Spin(n, me, w);
                    break;
                case CmdBlock:
                    Watch(w, me, (uint)w[WA]);
                    w[WReady] = 1;
                    w[WR6] = (ulong)Hv.SchedOpCall(SchedOp.SCHEDOP_block, null);
                    w[WR7] = w[WSent];
                    *(byte*)&me->EvtchnUpcallMask = 1;
                    Report(w);
                    break;
                case CmdPoll:
                    Poll(me, w);
                    break;
                case CmdUd2:
                    ulong traps = w[WTraps];
                    w[WTrapVector] = 0;
                    Native.ProbeUd2();
                    w[WR0] = w[WTrapVector];
                    w[WR1] = w[WTraps] - traps;
                    break;
                case CmdSetTrap:
                    w[WR0] = (ulong)SecondaryTraps.SetTrap((int)w[WA], (int)w[WB]);
                    break;
                case CmdCallback:
                    w[WR0] = (ulong)Hv.CallbackRegister(CallbackType.CALLBACKTYPE_event, 0, Traps.Syms->Isr[(int)w[WA]]);
                    break;
                case CmdSelector:
                    Native.LdtProbe(w[WA], &w[WR0]);
                    break;
                case CmdShutdown:
                    w[WR0] = (ulong)Hv.Shutdown((uint)w[WA]);
                    break;
            }
        }

        /// <summary>Watches port <paramref name="port"/>: the event counters zeroed, this vCPU's selector and upcall_pending cleared.</summary>
        static void Watch(ulong* w, VcpuInfo* me, uint port)
        {
            w[WWatch] = port;
            w[WWatchHits] = 0; w[WWatchAt] = 0; w[WOwnEvents] = 0; w[WForeignEvents] = 0;
            w[WMaskInCallback] = 0xff; w[WEventVector] = 0;
            Native.Xchg(&me->EvtchnPendingSel, 0);
            me->EvtchnUpcallPending = 0;
        }

        /// <summary>R0 = watched-port hits, R1 = upcalls through this vCPU's own callback, R2 = through vCPU 0's, R3 = evtchn_upcall_mask inside the callback, R4 = the Sent word at the hit, R5 = the callback's vector.</summary>
        static void Report(ulong* w)
        {
            w[WR0] = w[WWatchHits]; w[WR1] = w[WOwnEvents]; w[WR2] = w[WForeignEvents];
            w[WR3] = w[WMaskInCallback]; w[WR4] = w[WWatchAt]; w[WR5] = w[WEventVector];
        }

        /// <summary>
        /// Events unmasked, Ready set, a loop in guest code without hypercalls until port A was
        /// handled by an upcall or B ns passed; masked again. C != 0: VCPUOP_set_singleshot_timer
        /// for C ns from now first (R6 = its result).
        /// </summary>
        static void Spin(uint n, VcpuInfo* me, ulong* w)
        {
            Watch(w, me, (uint)w[WA]);
            ulong giveUp = Pvclock.NowOf(me) + w[WB];
            if (w[WC] != 0)
            {
                VcpuSetSingleshotTimer t;
                t.TimeoutAbsNs = Pvclock.NowOf(me) + w[WC];
                t.Flags = 0;
                w[WR6] = (ulong)Hv.VcpuOp(VcpuOp.VCPUOP_set_singleshot_timer, n, &t);
            }
            *(byte*)&me->EvtchnUpcallMask = 0;
            w[WReady] = 1;
            while (w[WWatchHits] == 0 && Pvclock.NowOf(me) < giveUp) Native.Pause();
            *(byte*)&me->EvtchnUpcallMask = 1;
            Report(w);
        }

        /// <summary>
        /// SCHEDOP_poll on port A with events masked, timeout B ns from now (0: none). R0 = A pending
        /// after, R1/R2 = upcalls (own/vCPU 0's callback), R3 = evtchn_upcall_mask after, R4 = the
        /// deadline, R5 = pvclock at return (both this vCPU's clock), R6 = the result, R7 = the
        /// Sent word at return.
        /// </summary>
        static void Poll(VcpuInfo* me, ulong* w)
        {
            uint port = (uint)w[WA];
            Watch(w, me, 0);
            SchedPoll p;
            p.Ports = (ulong)&port;
            p.NrPorts = 1;
            p.Timeout = w[WB] == 0 ? 0 : Pvclock.NowOf(me) + w[WB];
            w[WReady] = 1;
            w[WR6] = (ulong)Hv.SchedOpCall(SchedOp.SCHEDOP_poll, &p);
            w[WR7] = w[WSent];
            w[WR5] = Pvclock.NowOf(me);
            w[WR0] = Ev.PendingBit(port) ? 1UL : 0;
            w[WR1] = w[WOwnEvents]; w[WR2] = w[WForeignEvents];
            w[WR3] = me->EvtchnUpcallMask;
            w[WR4] = p.Timeout;
        }
    }
}
