namespace Microxen.Events
{
    /// <summary>
    /// The FIFO event-channel ABI (xen/common/event_fifo.c, public/event_channel.h): the guest's
    /// control block (ready bitmap, one queue head per priority) and event array (one 32-bit word
    /// per port: PENDING, MASKED, LINKED, BUSY and a 17-bit LINK to the next port of its queue),
    /// and the shim's side of the queues (their tails, each port's priority and last queue).
    /// Each vCPU has its own control block and queues (Xen's struct evtchn_fifo_vcpu): a port
    /// queues on the vCPU it notifies (Evtchn.VcpuOf) and remembers the vCPU and priority of its
    /// last queue (fifo_lastq). Read-modify-writes of the event words and the ready bitmap are
    /// lock-prefixed once a second vCPU runs (<see cref="Atomic"/>: the guest changes them on its
    /// own CPUs meanwhile). The caller maps guest frames and passes pointers (shim: the direct map; host
    /// tests: plain memory); it validates the frames (EventChannelOps).
    /// </summary>
    public static unsafe class EvtchnFifo
    {
        struct State
        {
            public fixed ulong Page[EvtchnFifoAbi.MaxArrayPages];   // event array pages (pointers)
            public fixed uint Tail[EvtchnFifoAbi.MaxQueues * Guest.Vcpu.Max];   // by vCPU, then queue; 0 = no tail
            public fixed ulong Control[Guest.Vcpu.Max];              // each vCPU's control block, 0 = none yet
            public fixed byte LastVcpu[Evtchn.MaxPorts];             // evtchn->fifo_lastq.last_vcpu_id
            public fixed byte Priority[Evtchn.MaxPorts];
            public fixed byte LastPriority[Evtchn.MaxPorts];         // evtchn->fifo_lastq.last_priority
            public fixed byte SavedPending[Evtchn.MaxPorts];         // evtchn->pending: raised while its array page was missing
        }
        static State s_st;

        /// <summary>True once EVTCHNOP_init_control switched the domain to the FIFO ABI.</summary>
        public static bool Active;
        /// <summary>vCPU <paramref name="vcpu"/>'s control block (guest memory), null before its EVTCHNOP_init_control.</summary>
        public static EvtchnFifoControlBlock* ControlOf(uint vcpu) { fixed (State* s = &s_st) return vcpu < Guest.Vcpu.Max ? (EvtchnFifoControlBlock*)s->Control[vcpu] : null; }

        /// <summary>vCPU 0's control block (the one-vCPU view: host tests).</summary>
        public static EvtchnFifoControlBlock* Control => ControlOf(0);

        /// <summary>Evtchn.VcpuPv is set once a second vCPU runs: then the guest's CPUs change these words concurrently.</summary>
        static bool Atomic => Evtchn.VcpuPv != null;

        /// <summary>evtchn_fifo_init_control for a later vCPU (map_control_block): its control block, its queues empty.</summary>
        public static void AddControl(uint vcpu, EvtchnFifoControlBlock* control)
        {
            fixed (State* s = &s_st)
            {
                for (int q = 0; q < EvtchnFifoAbi.MaxQueues; q++) s->Tail[vcpu * EvtchnFifoAbi.MaxQueues + q] = 0;
                s->Control[vcpu] = (ulong)control;
            }
        }
        /// <summary>Ports covered by the event array pages added so far (num_evtchns).</summary>
        public static uint NumEvtchns;

        /// <summary>
        /// evtchn_fifo_init_control for the first vCPU: installs the control block, an empty event
        /// array, and for every bound port its 2-level pending bit (saved, raised when its array
        /// page arrives) and the default priority (setup_ports).
        /// </summary>
        public static void Enable(EvtchnFifoControlBlock* control) => Enable(0, control);

        /// <summary>As <see cref="Enable(EvtchnFifoControlBlock*)"/>, the first control block being vCPU <paramref name="vcpu"/>'s.</summary>
        public static void Enable(uint vcpu, EvtchnFifoControlBlock* control)
        {
            fixed (State* s = &s_st)
            {
                for (int i = 0; i < EvtchnFifoAbi.MaxArrayPages; i++) s->Page[i] = 0;
                for (int q = 0; q < EvtchnFifoAbi.MaxQueues * Guest.Vcpu.Max; q++) s->Tail[q] = 0;
                for (int v = 0; v < Guest.Vcpu.Max; v++) s->Control[v] = 0;
                SharedInfo* sh = Vcpu.Shared;
                for (uint p = 0; p < Evtchn.MaxPorts; p++)
                {
                    s->Priority[p] = (byte)EvtchnFifoAbi.PriorityDefault;
                    s->LastPriority[p] = 0;
                    s->LastVcpu[p] = 0;
                    s->SavedPending[p] = (byte)(p != 0 && Evtchn.State(p) != Evtchn.PortState.Free
                        && (sh->EvtchnPending[p >> 6] & (1UL << (int)(p & 63))) != 0 ? 1 : 0);
                }
            }
            NumEvtchns = 0;
            AddControl(vcpu, control);
            Active = true;
        }

        /// <summary>evtchn_fifo_destroy (EVTCHNOP_reset): back to the 2-level ABI.</summary>
        public static void Disable()
        {
            Active = false;
            fixed (State* s = &s_st) for (int v = 0; v < Guest.Vcpu.Max; v++) s->Control[v] = 0;
            NumEvtchns = 0;
        }

        /// <summary>Array pages added so far.</summary>
        public static int Pages => (int)(NumEvtchns / EvtchnFifoAbi.WordsPerPage);

        /// <summary>
        /// add_page_to_event_array: <paramref name="page"/> becomes the next array page; ports it
        /// covers that were raised while it was missing are raised now. -ENOSPC when all
        /// EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES are there.
        /// </summary>
        public static long AddPage(uint* page)
        {
            int slot = Pages;
            if (slot >= EvtchnFifoAbi.MaxArrayPages) return -XenErrno.ENOSPC;
            uint first = NumEvtchns;
            fixed (State* s = &s_st) s->Page[slot] = (ulong)page;
            NumEvtchns += EvtchnFifoAbi.WordsPerPage;
            for (uint p = first; p < NumEvtchns && p < Evtchn.MaxPorts; p++)
            {
                bool saved;
                fixed (State* s = &s_st) { saved = s->SavedPending[p] != 0; s->SavedPending[p] = 0; }
                if (saved && Evtchn.State(p) != Evtchn.PortState.Free) SetPending(p);
            }
            return 0;
        }

        /// <summary>The event word of <paramref name="port"/>, null when its array page is missing.</summary>
        public static uint* Word(uint port)
        {
            if (port >= NumEvtchns) return null;
            ulong page;
            fixed (State* s = &s_st) page = s->Page[port / EvtchnFifoAbi.WordsPerPage];
            return (uint*)page + port % EvtchnFifoAbi.WordsPerPage;
        }

        static bool Test(uint* w, int bit) => (*w & (1u << bit)) != 0;

        static bool TestAndSet(uint* w, int bit)
        {
            if (Atomic) return (Update(w, 1u << bit, ~0u) & (1u << bit)) != 0;
            bool old = Test(w, bit);
            *w |= 1u << bit;
            return old;
        }

        /// <summary>*w = (*w | set) &amp; keep, as one locked cmpxchg on its aligned qword (the guest's lock-prefixed bit ops meanwhile); the old word.</summary>
        static uint Update(uint* w, uint set, uint keep)
        {
            ulong* q = (ulong*)((ulong)w & ~7UL);
            int shift = ((ulong)w & 4) != 0 ? 32 : 0;
            ulong mask = 0xffffffffUL << shift;
            for (;;)
            {
                ulong old = *q;
                uint word = (uint)(old >> shift);
                ulong nw = (old & ~mask) | ((ulong)((word | set) & keep) << shift);
                if (Cpu.CmpXchg(q, old, nw) == old) return word;
            }
        }

        static void Clear(uint* w, int bit)
        {
            if (Atomic) Update(w, 0, ~(1u << bit));
            else *w &= ~(1u << bit);
        }

        /// <summary>The port's priority (queue), EVTCHN_FIFO_PRIORITY_DEFAULT until set_priority.</summary>
        public static uint Priority(uint port) { fixed (State* s = &s_st) return port < Evtchn.MaxPorts ? s->Priority[port] : EvtchnFifoAbi.PriorityDefault; }

        /// <summary>The tail port of queue <paramref name="q"/>, 0 for none.</summary>
        public static uint Tail(uint q) { fixed (State* s = &s_st) return s->Tail[q]; }

        /// <summary>evtchn_fifo_init: a newly bound port starts at the default priority.</summary>
        public static void InitPort(uint port) { fixed (State* s = &s_st) if (port < Evtchn.MaxPorts) { s->Priority[port] = (byte)EvtchnFifoAbi.PriorityDefault; s->SavedPending[port] = 0; } }

        /// <summary>evtchn_fifo_set_priority: -EINVAL above EVTCHN_FIFO_PRIORITY_MIN; applies to the port's next event.</summary>
        public static long SetPriority(uint port, uint priority)
        {
            if (priority > EvtchnFifoAbi.PriorityMin) return -XenErrno.EINVAL;
            fixed (State* s = &s_st) s->Priority[port] = (byte)priority;
            return 0;
        }

        /// <summary>
        /// evtchn_fifo_set_pending: sets PENDING; an unmasked port that is not LINKED is linked at
        /// the tail of its priority's queue (the old tail's LINK if the tail is still LINKED,
        /// otherwise the queue's head in the control block), and if the queue was empty its ready
        /// bit is set and, when that bit was new, evtchn_upcall_pending. A port whose array page
        /// is missing is remembered and raised when the page arrives.
        /// </summary>
        public static void SetPending(uint port)
        {
            uint* word = Word(port);
            if (word == null)
            {
                fixed (State* s = &s_st) if (port < Evtchn.MaxPorts) s->SavedPending[port] = 1;
                return;
            }
            TestAndSet(word, EvtchnFifoAbi.Pending);
            uint n = Evtchn.VcpuOf(port);
            EvtchnFifoControlBlock* cb = ControlOf(n);
            if (cb == null) return;   // Xen: the vCPU has no control block yet, the event stays pending unlinked
            if (Test(word, EvtchnFifoAbi.Masked) || TestAndSet(word, EvtchnFifoAbi.Linked)) return;

            uint q;
            bool linked = false;
            fixed (State* s = &s_st)
            {
                q = s->Priority[port];
                uint oldAt = (uint)s->LastVcpu[port] * EvtchnFifoAbi.MaxQueues + s->LastPriority[port];
                if (s->Tail[oldAt] == port) s->Tail[oldAt] = 0;   // it was the old queue's tail: that queue is empty now
                s->LastPriority[port] = (byte)q;
                s->LastVcpu[port] = (byte)n;
                uint at = n * EvtchnFifoAbi.MaxQueues + q;
                uint tail = s->Tail[at];
                if (tail != 0) linked = SetLink(Word(tail), port);
                if (!linked) cb->Head[q] = port;
                s->Tail[at] = port;
            }
            if (linked) return;
            if (TestAndSet(&cb->Ready, (int)q)) return;
            Evtchn.MarkVcpuPending(n);               // vcpu_mark_events_pending
        }

        /// <summary>
        /// evtchn_fifo_set_link: the tail's LINK becomes <paramref name="port"/> (and BUSY is cleared)
        /// only while the tail is still LINKED; false when the guest already unlinked it.
        /// </summary>
        static bool SetLink(uint* tail, uint port)
        {
            if (tail == null) return false;
            if (Atomic)
            {
                // evtchn_fifo_set_link: cmpxchg while LINKED holds (the guest unlinks with cmpxchg too).
                ulong* q = (ulong*)((ulong)tail & ~7UL);
                int shift = ((ulong)tail & 4) != 0 ? 32 : 0;
                for (;;)
                {
                    ulong old = *q;
                    uint w = (uint)(old >> shift);
                    if ((w & (1u << EvtchnFifoAbi.Linked)) == 0) return false;
                    uint nw = (w & ~((1u << EvtchnFifoAbi.Busy) | EvtchnFifoAbi.LinkMask)) | port;
                    if (Cpu.CmpXchg(q, old, (old & ~(0xffffffffUL << shift)) | ((ulong)nw << shift)) == old) return true;
                }
            }
            if (!Test(tail, EvtchnFifoAbi.Linked)) return false;
            *tail = (*tail & ~((1u << EvtchnFifoAbi.Busy) | EvtchnFifoAbi.LinkMask)) | port;
            return true;
        }

        /// <summary>evtchn_fifo_clear_pending: clears PENDING only (the guest unlinks non-pending events itself).</summary>
        public static void ClearPending(uint port)
        {
            uint* word = Word(port);
            if (word != null) Clear(word, EvtchnFifoAbi.Pending);
        }

        /// <summary>evtchn_fifo_unmask: clears MASKED; a PENDING port is then linked as by <see cref="SetPending"/>.</summary>
        public static void Unmask(uint port)
        {
            uint* word = Word(port);
            if (word == null) return;
            Clear(word, EvtchnFifoAbi.Masked);
            if (Test(word, EvtchnFifoAbi.Pending)) SetPending(port);
        }

        /// <summary>evtchn_fifo_is_pending.</summary>
        public static bool IsPending(uint port)
        {
            uint* word = Word(port);
            return word != null && Test(word, EvtchnFifoAbi.Pending);
        }

        /// <summary>evtchn_fifo_is_busy: still LINKED on a queue, so the port is not reused yet.</summary>
        public static bool IsBusy(uint port)
        {
            uint* word = Word(port);
            return word != null && Test(word, EvtchnFifoAbi.Linked);
        }
    }
}
