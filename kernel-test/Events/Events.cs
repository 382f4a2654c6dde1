namespace KernelTest.Events
{
    /// <summary>
    /// The event callback (CALLBACKTYPE_event) and the 2-level event channel state in
    /// shared_info (public/event_channel.h, xen/common/event_2l.c). The callback runs with events
    /// masked (Xen masks them on delivery); it records what it saw — evtchn_upcall_pending,
    /// evtchn_pending_sel, and for each port it finds pending and unmasked, the arrival count
    /// and pvclock time — then clears the pending bits it handled, as Linux's
    /// xen_evtchn_do_upcall does.
    /// </summary>
    public static unsafe class Events
    {
        public const int MaxPorts = 256;
        struct PortTable { public fixed uint Hits[MaxPorts]; public fixed ulong At[MaxPorts]; }
        static PortTable s_ports;

        /// <summary>Upcalls received.</summary>
        public static volatile uint Upcalls;
        /// <summary>evtchn_pending_sel and the first pending word as the last upcall found them.</summary>
        public static ulong LastSel, LastPendingWord0;
        public static byte LastUpcallPending;

        public static uint Hits(uint port) { fixed (PortTable* t = &s_ports) return port < MaxPorts ? *(uint*)&t->Hits[port] : 0; }
        public static ulong ArrivedAt(uint port) { fixed (PortTable* t = &s_ports) return port < MaxPorts ? t->At[port] : 0; }

        public static void Reset(uint port)
        {
            fixed (PortTable* t = &s_ports) if (port < MaxPorts) { t->Hits[port] = 0; t->At[port] = 0; }
        }

        /// <summary>Called by kt_trap_dispatch for vector 0x100.</summary>
        public static void Upcall()
        {
            ulong now = Pvclock.Now();
            SharedInfo* s = Window.Shared;
            VcpuInfo* v = Window.Vcpu0;
            LastUpcallPending = v->EvtchnUpcallPending;
            v->EvtchnUpcallPending = 0;
            ulong sel = Native.Xchg(&v->EvtchnPendingSel, 0);
            LastSel = sel;
            LastPendingWord0 = s->EvtchnPending[0];
            while (sel != 0)
            {
                int w = LowestBit(sel);
                sel &= ~(1UL << w);
                ulong pending = s->EvtchnPending[w] & ~s->EvtchnMask[w];
                while (pending != 0)
                {
                    int b = LowestBit(pending);
                    pending &= ~(1UL << b);
                    Native.LockAnd(&s->EvtchnPending[w], ~(1UL << b));
                    uint port = (uint)(w * 64 + b);
                    fixed (PortTable* t = &s_ports)
                        if (port < MaxPorts) { t->Hits[port]++; t->At[port] = now; }
                }
            }
            Upcalls++;
        }

        static int LowestBit(ulong x)
        {
            int i = 0;
            while ((x & 1) == 0) { x >>= 1; i++; }
            return i;
        }

        /// <summary>Sets vcpu_info.evtchn_upcall_mask (the virtual IF, inverted).</summary>
        public static void Mask() => *(byte*)&Window.Vcpu0->EvtchnUpcallMask = 1;

        /// <summary>Clears the upcall mask; pending events arrive at the next entry to the hypervisor.</summary>
        public static void Unmask() => *(byte*)&Window.Vcpu0->EvtchnUpcallMask = 0;

        public static bool PendingBit(uint port) => (Window.Shared->EvtchnPending[port >> 6] & (1UL << (int)(port & 63))) != 0;

        public static void SetMaskBit(uint port) => Native.LockOr(&Window.Shared->EvtchnMask[port >> 6], 1UL << (int)(port & 63));

        public static void ClearPendingBit(uint port) => Native.LockAnd(&Window.Shared->EvtchnPending[port >> 6], ~(1UL << (int)(port & 63)));
    }
}
