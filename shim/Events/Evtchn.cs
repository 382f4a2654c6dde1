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
        /// <summary>vCPUs a port can notify (the 64-bit vCPU masks' width; Smp/Vcpus.cs bounds dom0's count by it).</summary>
        public const int MaxVcpus = 64;
        public enum PortState : byte { Free = 0, Virq = 1, Ipi = 2, Unbound = 3, Pirq = 4, Interdomain = 5, Loopback = 6 }   // Interdomain: to DOMID 0, served by DomUBackend; Loopback: interdomain to this domain, Arg = the other end's port

        /// <summary>Vcpu: the vCPU each port notifies (EVTCHNOP_bind_* vcpu, bind_vcpu); VcpuVirqPort: per-vCPU VIRQs of vCPUs 1.. (Smp/Vcpus.cs).</summary>
        struct Table { public fixed byte State[MaxPorts]; public fixed uint Arg[MaxPorts]; public fixed uint VirqPort[NrVirqs]; public fixed byte Vcpu[MaxPorts]; public fixed uint VcpuVirqPort[MaxVcpus * NrVirqs]; }
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
        public static int Alloc(PortState state, uint arg) => Alloc(state, arg, 0);

        /// <summary>A free port in <paramref name="state"/> notifying vCPU <paramref name="vcpu"/> (&lt; Smp.Vcpus.Count); -1 when none is free.</summary>
        public static int Alloc(PortState state, uint arg, uint vcpu)
        {
            fixed (Table* t = &s_t)
                for (int p = 1; p < MaxPorts; p++)
                    if (t->State[p] == (byte)PortState.Free && !EvtchnFifo.IsBusy((uint)p))   // get_free_port skips -EBUSY ports
                    {
                        if ((uint)p >= s_valid) s_valid = ((uint)p / Bucket + 1) * Bucket;
                        EvtchnFifo.InitPort((uint)p);
                        t->State[p] = (byte)state;
                        t->Arg[p] = arg;
                        t->Vcpu[p] = (byte)vcpu;
                        if (state == PortState.Virq && arg < NrVirqs)
                        {
                            if (vcpu == 0) t->VirqPort[arg] = (uint)p;
                            else t->VcpuVirqPort[vcpu * NrVirqs + arg] = (uint)p;
                        }
                        return p;
                    }
            return -1;
        }

        /// <summary>
        /// evtchn_bind_interdomain to this domain: <paramref name="local"/> (just allocated) and
        /// <paramref name="remote"/> (unbound for this domain) become a loopback pair, each naming the other.
        /// </summary>
        public static void Pair(uint local, uint remote)
        {
            fixed (Table* t = &s_t)
            {
                t->State[local] = (byte)PortState.Loopback; t->Arg[local] = remote;
                t->State[remote] = (byte)PortState.Loopback; t->Arg[remote] = local;
            }
        }

        /// <summary>Port bound to <paramref name="virq"/>, 0 if none.</summary>
        public static uint VirqPort(uint virq) { fixed (Table* t = &s_t) return virq < NrVirqs ? t->VirqPort[virq] : 0; }

        /// <summary>The port of per-vCPU <paramref name="virq"/> on vCPU <paramref name="vcpu"/>, 0 when unbound.</summary>
        public static uint VirqPort(uint virq, uint vcpu)
        {
            if (vcpu == 0) return VirqPort(virq);
            fixed (Table* t = &s_t) return virq < NrVirqs && vcpu < MaxVcpus ? t->VcpuVirqPort[vcpu * NrVirqs + virq] : 0;
        }

        /// <summary>The vCPU <paramref name="port"/> notifies.</summary>
        public static uint VcpuOf(uint port) { fixed (Table* t = &s_t) return port < MaxPorts ? t->Vcpu[port] : 0u; }

        /// <summary>EVTCHNOP_bind_vcpu: <paramref name="port"/> notifies <paramref name="vcpu"/> from now on.</summary>
        public static void SetVcpu(uint port, uint vcpu) { fixed (Table* t = &s_t) t->Vcpu[port] = (byte)vcpu; }

        public static void Close(uint port)
        {
            fixed (Table* t = &s_t)
            {
                if (t->State[port] == (byte)PortState.Virq && t->Arg[port] < NrVirqs)
                {
                    if (t->Vcpu[port] == 0) t->VirqPort[t->Arg[port]] = 0;
                    else t->VcpuVirqPort[t->Vcpu[port] * NrVirqs + t->Arg[port]] = 0;
                }
                // evtchn_close of an interdomain port: the other end becomes unbound for this domain.
                if (t->State[port] == (byte)PortState.Loopback) { t->State[t->Arg[port]] = (byte)PortState.Unbound; t->Arg[t->Arg[port]] = 0; }
                t->Vcpu[port] = 0;
                t->State[port] = (byte)PortState.Free;
            }
            if (EvtchnFifo.Active) { EvtchnFifo.ClearPending(port); return; }
            SharedInfo* s = Vcpu.Shared;
            And(&s->EvtchnPending[port >> 6], ~(1UL << (int)(port & 63)));
        }

        /// <summary>*p |= bits, lock-prefixed once a second vCPU runs (the guest's CPUs use lock bts/btr on these words meanwhile); the old value.</summary>
        static ulong Or(ulong* p, ulong bits)
        {
            if (VcpuPv == null) { ulong o = *p; *p = o | bits; return o; }
            for (;;) { ulong o = *p; if (Cpu.CmpXchg(p, o, o | bits) == o) return o; }
        }

        /// <summary>*p &amp;= keep, lock-prefixed once a second vCPU runs.</summary>
        static void And(ulong* p, ulong keep)
        {
            if (VcpuPv == null) { *p &= keep; return; }
            for (;;) { ulong o = *p; if (Cpu.CmpXchg(p, o, o & keep) == o) return; }
        }

        /// <summary>Raises <paramref name="virq"/> if the guest bound it. True when a port was marked.</summary>
        public static bool RaiseVirq(uint virq) => RaiseVirq(virq, 0);

        /// <summary>Raises per-vCPU <paramref name="virq"/> of vCPU <paramref name="vcpu"/> (VIRQ_TIMER of the CPU whose timer fired).</summary>
        public static bool RaiseVirq(uint virq, uint vcpu)
        {
            uint port = VirqPort(virq, vcpu);
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
            Kicks |= Pollers;   // evtchn_check_pollers: a vCPU in SCHEDOP_poll re-checks its ports (masked ones too)
            if (EvtchnFifo.Active) { EvtchnFifo.SetPending(port); return; }
            SharedInfo* s = Vcpu.Shared;
            ulong bit = 1UL << (int)(port & 63);
            ulong word = port >> 6;
            if ((Or(&s->EvtchnPending[word], bit) & bit) != 0) return;
            if ((s->EvtchnMask[word] & bit) != 0) return;
            MarkUpcall(word, port);
        }

        /// <summary>evtchn_2l_unmask: clears the mask bit; a pending port then raises the upcall.</summary>
        public static void Unmask(uint port)
        {
            if (EvtchnFifo.Active) { EvtchnFifo.Unmask(port); return; }
            SharedInfo* s = Vcpu.Shared;
            ulong bit = 1UL << (int)(port & 63);
            ulong word = port >> 6;
            And(&s->EvtchnMask[word], ~bit);
            if ((s->EvtchnPending[word] & bit) != 0) MarkUpcall(word, port);
        }

        /// <summary>evtchn_port_is_pending: the 2-level pending bit or the FIFO event word's PENDING.</summary>
        public static bool IsPending(uint port)
        {
            if (EvtchnFifo.Active) return EvtchnFifo.IsPending(port);
            return (Vcpu.Shared->EvtchnPending[port >> 6] & (1UL << (int)(port & 63))) != 0;
        }

        /// <summary>
        /// The selector and upcall-pending bits in the vcpu_info of the vCPU <paramref name="port"/>
        /// notifies; its CPU is woken with the shim's IPI when the lock is dropped (<see cref="Kicks"/>).
        /// The guest clears these bits on its own CPU while another CPU may set them: lock-prefixed
        /// read-modify-writes on both sides.
        /// </summary>
        /// <summary>
        /// Set by Smp/Vcpus.cs when a second vCPU starts: vCPU n's PvState address is VcpuPv[n]
        /// (its VcpuInfo field names its vcpu_info); null with one vCPU (Vcpu.Info is vCPU 0's).
        /// </summary>
        public static ulong* VcpuPv;
        /// <summary>vCPUs waiting in SCHEDOP_poll without the lock (bit n = vCPU n; Hypercalls/SchedOps.cs): any port made pending wakes them.</summary>
        public static ulong Pollers;
        /// <summary>vCPUs whose vcpu_info got an event since the last <see cref="TakeKicks"/> (bit n = vCPU n).</summary>
        public static ulong Kicks;

        /// <summary>The vCPUs to wake (and clears the set): the caller sends their CPUs the shim's IPI.</summary>
        public static ulong TakeKicks() { ulong k = Kicks; Kicks = 0; return k; }

        static void MarkUpcall(ulong word, uint port)
        {
            uint n = VcpuOf(port);
            Or(&VcpuInfoOf(n)->EvtchnPendingSel, 1UL << (int)word);
            MarkVcpuPending(n);
        }

        /// <summary>vCPU <paramref name="n"/>'s vcpu_info (where it registered it).</summary>
        public static VcpuInfo* VcpuInfoOf(uint n)
        {
            if (VcpuPv == null) return Guest.Vcpu.Info;
            PvState* pv = (PvState*)VcpuPv[n];
            if (pv->VcpuInfo == 0) pv->VcpuInfo = (ulong)SharedInfo.Vcpu(Vcpu.Shared, (int)n);   // shared_info's slot until it registers one
            return (VcpuInfo*)pv->VcpuInfo;
        }

        /// <summary>vcpu_mark_events_pending: evtchn_upcall_pending of vCPU <paramref name="n"/>, whose CPU gets the shim's IPI when the lock is dropped.</summary>
        public static void MarkVcpuPending(uint n)
        {
            VcpuInfoOf(n)->EvtchnUpcallPending = 1;
            Kicks |= 1UL << (int)n;
        }

        /// <summary>True when an upcall is pending and the guest has events enabled.</summary>
        public static bool UpcallDeliverable() =>
            Vcpu.Info->EvtchnUpcallPending != 0 && Vcpu.Info->EvtchnUpcallMask == 0 && Vcpu.EventCallback != 0;
    }
}
