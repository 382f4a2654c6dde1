namespace Microxen.Events
{
    /// <summary>
    /// Event channels (public/event_channel.h): the port table, VIRQ bindings, and marking a port
    /// pending: 2-level in shared_info (xen/common/event_2l.c) until the guest switches to the FIFO
    /// ABI with EVTCHNOP_init_control (<see cref="EvtchnFifo"/>, xen/common/event_fifo.c).
    /// A port the shim itself serves (a console or xenstore ring's) is allocated here like any other
    /// (<see cref="Alloc"/> with its own <see cref="PortState"/>) and raised with <see cref="SetPending"/>.
    /// </summary>
    public static unsafe class Evtchn
    {
        public const int MaxPorts = 1024;
        public const int NrVirqs = 24;
        public enum PortState : byte { Free = 0, Virq = 1, Ipi = 2, Unbound = 3, Pirq = 4, Interdomain = 5 }   // Interdomain: to DOMID 0, served by DomUBackend

        struct Table { public fixed byte State[MaxPorts]; public fixed uint Arg[MaxPorts]; public fixed uint VirqPort[NrVirqs]; }
        static Table s_t;

        public static PortState State(uint port) { fixed (Table* t = &s_t) return port < MaxPorts ? (PortState)t->State[port] : PortState.Free; }
        public static uint Arg(uint port) { fixed (Table* t = &s_t) return t->Arg[port]; }

        /// <summary>
        /// EVTCHNS_PER_BUCKET (Xen allocates port structures in buckets of 64): ports below the bucket
        /// of the highest port ever allocated are "valid" (port_is_valid) even when free.
        /// </summary>
        public const uint Bucket = 64;
        static uint s_valid = Bucket;

        /// <summary>port_is_valid: below the allocated buckets (set_priority: -EINVAL beyond, -EACCES on a free valid port).</summary>
        public static bool Valid(uint port) => port < s_valid;

        /// <summary>Allocates the lowest free port above 0, or -1.</summary>
        public static int Alloc(PortState state, uint arg)
        {
            fixed (Table* t = &s_t)
                for (int p = 1; p < MaxPorts; p++)
                    if (t->State[p] == (byte)PortState.Free && !EvtchnFifo.IsBusy((uint)p))   // get_free_port skips -EBUSY ports
                    {
                        if ((uint)p >= s_valid) s_valid = ((uint)p / Bucket + 1) * Bucket;
                        EvtchnFifo.InitPort((uint)p);
                        t->State[p] = (byte)state;
                        t->Arg[p] = arg;
                        if (state == PortState.Virq && arg < NrVirqs) t->VirqPort[arg] = (uint)p;
                        return p;
                    }
            return -1;
        }

        /// <summary>Port bound to <paramref name="virq"/>, 0 if none.</summary>
        public static uint VirqPort(uint virq) { fixed (Table* t = &s_t) return virq < NrVirqs ? t->VirqPort[virq] : 0; }

        public static void Close(uint port)
        {
            fixed (Table* t = &s_t)
            {
                if (t->State[port] == (byte)PortState.Virq && t->Arg[port] < NrVirqs) t->VirqPort[t->Arg[port]] = 0;
                t->State[port] = (byte)PortState.Free;
            }
            if (EvtchnFifo.Active) { EvtchnFifo.ClearPending(port); return; }
            SharedInfo* s = Vcpu.Shared;
            s->EvtchnPending[port >> 6] &= ~(1UL << (int)(port & 63));
        }

        /// <summary>Raises <paramref name="virq"/> if the guest bound it. True when a port was marked.</summary>
        public static bool RaiseVirq(uint virq)
        {
            uint port = VirqPort(virq);
            if (port == 0) return false;
            SetPending(port);
            return true;
        }

        /// <summary>
        /// evtchn_2l_set_pending: sets the pending bit; if the port is not masked and the bit was
        /// new, sets its selector bit in evtchn_pending_sel and evtchn_upcall_pending.
        /// </summary>
        public static void SetPending(uint port)
        {
            if (EvtchnFifo.Active) { EvtchnFifo.SetPending(port); return; }
            SharedInfo* s = Vcpu.Shared;
            ulong bit = 1UL << (int)(port & 63);
            ulong word = port >> 6;
            if ((s->EvtchnPending[word] & bit) != 0) return;
            s->EvtchnPending[word] |= bit;
            if ((s->EvtchnMask[word] & bit) != 0) return;
            MarkUpcall(word);
        }

        /// <summary>evtchn_2l_unmask: clears the mask bit; a pending port then raises the upcall.</summary>
        public static void Unmask(uint port)
        {
            if (EvtchnFifo.Active) { EvtchnFifo.Unmask(port); return; }
            SharedInfo* s = Vcpu.Shared;
            ulong bit = 1UL << (int)(port & 63);
            ulong word = port >> 6;
            s->EvtchnMask[word] &= ~bit;
            if ((s->EvtchnPending[word] & bit) != 0) MarkUpcall(word);
        }

        /// <summary>evtchn_port_is_pending: the 2-level pending bit or the FIFO event word's PENDING.</summary>
        public static bool IsPending(uint port)
        {
            if (EvtchnFifo.Active) return EvtchnFifo.IsPending(port);
            return (Vcpu.Shared->EvtchnPending[port >> 6] & (1UL << (int)(port & 63))) != 0;
        }

        static void MarkUpcall(ulong word)
        {
            VcpuInfo* v = Vcpu.Info;
            ulong selBit = 1UL << (int)word;
            if ((v->EvtchnPendingSel & selBit) == 0) v->EvtchnPendingSel |= selBit;
            v->EvtchnUpcallPending = 1;
        }

        /// <summary>True when an upcall is pending and the guest has events enabled.</summary>
        public static bool UpcallDeliverable() =>
            Vcpu.Info->EvtchnUpcallPending != 0 && Vcpu.Info->EvtchnUpcallMask == 0 && Vcpu.EventCallback != 0;
    }
}
