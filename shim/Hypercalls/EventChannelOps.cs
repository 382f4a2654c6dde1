namespace Microxen.Hypercalls
{
    /// <summary>
    /// HYPERVISOR_event_channel_op (public/event_channel.h, xen/common/event_channel.c): the
    /// 2-level ABI, and the FIFO ABI once the guest calls EVTCHNOP_init_control (event_fifo.c:
    /// init_control, expand_array, set_priority; EVTCHNOP_reset goes back to 2-level). One
    /// domain: send on an IPI or unbound port marks it pending locally.
    /// </summary>
    public static unsafe class EventChannelOps
    {
        /// <summary>
        /// Argument sizes (event_channel.h) of the sub-operations Xen serves, by command: Xen
        /// copies the argument in first, so an unreadable one is -EFAULT before anything else.
        /// </summary>
        static uint ArgSize(ulong cmd) => cmd switch
        {
            0 or 1 or 2 => 12u, 3 or 4 or 9 => 4u, 5 or 11 => 24u, 6 or 7 or 8 or 12 or 13 => 8u, 10 or 14 => 2u, _ => 0u,
        };

        public static long Op(ulong cmd, ulong arg)
        {
            uint size = ArgSize(cmd);
            if (size != 0) Guest.GuestPointer.Touch(arg, size);   // copy_from_guest: Xen's range or a fault, -EFAULT
            switch (cmd)
            {
                case EvtchnOp.EVTCHNOP_bind_virq:
                {
                    // evtchn_bind_virq: virq out of range -EINVAL; a global VIRQ on a vCPU other than 0
                    // -EINVAL; no such vCPU -ENOENT; already bound -EEXIST.
                    var b = (EvtchnBindVirq*)arg;
                    if (b->Virq >= Evtchn.NrVirqs) return -XenErrno.EINVAL;
                    if (b->Vcpu != 0 && VirqIsGlobal(b->Virq)) return -XenErrno.EINVAL;
                    if (b->Vcpu >= (uint)Smp.Vcpus.Count) return -XenErrno.ENOENT;
                    if (Evtchn.VirqPort(b->Virq, b->Vcpu) != 0) return -XenErrno.EEXIST;
                    return Bound(Evtchn.Alloc(Evtchn.PortState.Virq, b->Virq, b->Vcpu), &b->Port);
                }
                case EvtchnOp.EVTCHNOP_bind_ipi:
                {
                    var b = (EvtchnBindIpi*)arg;
                    if (b->Vcpu >= (uint)Smp.Vcpus.Count) return -XenErrno.ENOENT;
                    return Bound(Evtchn.Alloc(Evtchn.PortState.Ipi, 0, b->Vcpu), &b->Port);
                }
                case EvtchnOp.EVTCHNOP_alloc_unbound:
                {
                    // evtchn_alloc_unbound: dom not this domain -ESRCH; remote_dom DOMID_SELF is recorded as this domain's id.
                    var b = (EvtchnAllocUnbound*)arg;
                    if (b->Dom != XenMemOp.DOMID_SELF && b->Dom != 0) return -XenErrno.ESRCH;
                    return Bound(Evtchn.Alloc(Evtchn.PortState.Unbound, b->RemoteDom == XenMemOp.DOMID_SELF ? 0u : b->RemoteDom), &b->Port);
                }
                case EvtchnOp.EVTCHNOP_close:
                {
                    uint port = ((EvtchnClose*)arg)->Port;
                    if (port == 0 || port >= Evtchn.MaxPorts || Evtchn.State(port) == Evtchn.PortState.Free) return -XenErrno.EINVAL;
                    Evtchn.Close(port);
                    return 0;
                }
                case EvtchnOp.EVTCHNOP_send:
                {
                    uint port = ((EvtchnSend*)arg)->Port;
                    if (port == 0 || port >= Evtchn.MaxPorts || Evtchn.State(port) == Evtchn.PortState.Free) return -XenErrno.EINVAL;
                    // An unbound port has no other end: Xen drops the notification (evtchn_send, ECS_UNBOUND).
                    if (Evtchn.State(port) == Evtchn.PortState.Unbound) return 0;
                    if (Evtchn.State(port) == Evtchn.PortState.Interdomain) { DomUBackend.Send(port); return 0; }
                    // evtchn_send on an interdomain port: the other end is made pending (on its own vCPU).
                    if (Evtchn.State(port) == Evtchn.PortState.Loopback) { Evtchn.SetPending(Evtchn.Arg(port)); return 0; }
                    // evtchn_send: an IPI port is marked pending; a VIRQ or PIRQ port cannot be sent on: -EINVAL.
                    if (Evtchn.State(port) != Evtchn.PortState.Ipi) return -XenErrno.EINVAL;
                    Evtchn.SetPending(port);
                    return 0;
                }
                case EvtchnOp.EVTCHNOP_unmask:
                {
                    uint port = ((EvtchnUnmask*)arg)->Port;
                    if (!Evtchn.Valid(port)) return -XenErrno.EINVAL;   // port_is_valid: below the allocated buckets
                    // evtchn_port_unmask acts on a usable (bound) port only: a free port's FIFO word is never linked.
                    if (Evtchn.State(port) != Evtchn.PortState.Free) Evtchn.Unmask(port);
                    return 0;
                }
                case EvtchnOp.EVTCHNOP_bind_vcpu:
                {
                    // evtchn_bind_vcpu: vCPU other than 0 -ENOENT; port not valid -EINVAL; a global VIRQ,
                    // unbound, interdomain or PIRQ port rebinds (to vCPU 0: nothing to do); a per-vCPU
                    // VIRQ, IPI, free or reserved (0) port -EINVAL.
                    var b = (EvtchnBindVcpu*)arg;
                    if (b->Vcpu >= (uint)Smp.Vcpus.Count) return -XenErrno.ENOENT;
                    if (!Evtchn.Valid(b->Port) || b->Port == 0) return -XenErrno.EINVAL;
                    switch (Evtchn.State(b->Port))
                    {
                        case Evtchn.PortState.Virq:
                            if (!VirqIsGlobal(Evtchn.Arg(b->Port))) return -XenErrno.EINVAL;
                            Evtchn.SetVcpu(b->Port, b->Vcpu);
                            return 0;
                        case Evtchn.PortState.Unbound: case Evtchn.PortState.Interdomain: case Evtchn.PortState.Loopback: case Evtchn.PortState.Pirq:
                            Evtchn.SetVcpu(b->Port, b->Vcpu);
                            return 0;
                        default: return -XenErrno.EINVAL;
                    }
                }
                case EvtchnOp.EVTCHNOP_status:
                {
                    var st = (EvtchnStatus*)arg;
                    if (st->Dom != XenMemOp.DOMID_SELF && st->Dom != 0) return -XenErrno.ESRCH;   // rcu_lock_domain_by_any_id
                    if (!Evtchn.Valid(st->Port)) return -XenErrno.EINVAL;   // port_is_valid
                    var s = Evtchn.State(st->Port);
                    // EVTCHNSTAT_closed 0, unbound 1, interdomain 2, pirq 3, virq 4, ipi 5
                    st->Status = s == Evtchn.PortState.Free ? 0u : s == Evtchn.PortState.Unbound ? 1u
                        : s == Evtchn.PortState.Virq ? 4u : s == Evtchn.PortState.Ipi ? 5u : 3u;
                    st->Vcpu = Evtchn.VcpuOf(st->Port);
                    if (s == Evtchn.PortState.Virq || s == Evtchn.PortState.Pirq) st->UVirq = Evtchn.Arg(st->Port);   // u.virq / u.pirq
                    if (s == Evtchn.PortState.Unbound) st->UDom = (ushort)Evtchn.Arg(st->Port);
                    if (s == Evtchn.PortState.Interdomain) { st->Status = EvtchnStatus.EVTCHNSTAT_interdomain; st->UDom = 0; st->UPort = st->Port; }
                    if (s == Evtchn.PortState.Loopback) { st->Status = EvtchnStatus.EVTCHNSTAT_interdomain; st->UDom = 0; st->UPort = Evtchn.Arg(st->Port); }
                    return 0;
                }
                case EvtchnOp.EVTCHNOP_init_control:
                    return InitControl((EvtchnInitControl*)arg);
                case EvtchnOp.EVTCHNOP_expand_array:
                {
                    // -EOPNOTSUPP before init_control; a frame that is not the guest's: -EINVAL (map_guest_page).
                    if (!EvtchnFifo.Active) return -XenErrno.EOPNOTSUPP;
                    if (EvtchnFifo.Pages >= EvtchnFifoAbi.MaxArrayPages) return -XenErrno.ENOSPC;
                    ulong gfn = ((EvtchnExpandArray*)arg)->ArrayGfn;
                    if (!WritableGuestFrame(gfn)) return -XenErrno.EINVAL;
                    Hold(1 + EvtchnFifo.Pages, gfn);
                    return EvtchnFifo.AddPage((uint*)Host.Mem.Frame(gfn));
                }
                case EvtchnOp.EVTCHNOP_set_priority:
                {
                    // evtchn_set_priority: invalid port -EINVAL, 2-level -ENOSYS, unbound (free) port -EACCES, priority > 15 -EINVAL.
                    var sp = (EvtchnSetPriority*)arg;
                    if (!Evtchn.Valid(sp->Port)) return -XenErrno.EINVAL;
                    if (!EvtchnFifo.Active) return -XenErrno.ENOSYS;
                    if (sp->Port == 0 || Evtchn.State(sp->Port) == Evtchn.PortState.Free) return -XenErrno.EACCES;
                    return EvtchnFifo.SetPriority(sp->Port, sp->Priority);
                }
                case EvtchnOp.EVTCHNOP_reset:
                {
                    // evtchn_reset(DOMID_SELF): every port closed, the FIFO ABI torn down (back to 2-level).
                    ushort dom = ((EvtchnReset*)arg)->Dom;
                    if (dom != XenMemOp.DOMID_SELF && dom != 0) return -XenErrno.ESRCH;
                    for (uint p = 1; p < Evtchn.MaxPorts; p++) if (Evtchn.State(p) != Evtchn.PortState.Free) Evtchn.Close(p);
                    ReleaseFifoFrames();
                    EvtchnFifo.Disable();
                    return 0;
                }
                case EvtchnOp.EVTCHNOP_bind_pirq: return Irq.PirqOps.BindPirq((uint*)arg);   // shim/Irq/PirqOps.cs
                case EvtchnOp.EVTCHNOP_reset_cont:
                {
                    // evtchn_reset(d, resuming): no reset in progress (the shim's resets finish at once) -EBUSY.
                    ushort dom = ((EvtchnReset*)arg)->Dom;
                    if (dom != XenMemOp.DOMID_SELF && dom != 0) return -XenErrno.ESRCH;
                    return -XenErrno.EBUSY;
                }
                case EvtchnOp.EVTCHNOP_bind_interdomain:
                {
                    // evtchn_bind_interdomain: remote_dom not this domain -ESRCH (rcu_lock_domain_by_any_id);
                    // no free local port -ENOSPC (allocated first); a remote port not valid, or not
                    // unbound for this domain, -EINVAL. The one domain binds to itself: a loopback
                    // pair, both ends interdomain; the new local port is made pending (Xen's
                    // conservative notification for sends lost while the remote end was unbound).
                    var b = (EvtchnBindInterdomain*)arg;
                    if (b->RemoteDom != XenMemOp.DOMID_SELF && b->RemoteDom != 0) return -XenErrno.ESRCH;
                    int local = Evtchn.Alloc(Evtchn.PortState.Ipi, 0);
                    if (local < 0) return -XenErrno.ENOSPC;
                    if (!Evtchn.Valid(b->RemotePort) || Evtchn.State(b->RemotePort) != Evtchn.PortState.Unbound
                        || Evtchn.Arg(b->RemotePort) != 0) { Evtchn.Close((uint)local); return -XenErrno.EINVAL; }
                    Evtchn.Pair((uint)local, b->RemotePort);
                    Evtchn.SetPending((uint)local);
                    b->LocalPort = (uint)local;
                    return 0;
                }
                default:
                    return HypercallStats.Unimplemented("event_channel_op", Hypercall.EventChannelOp, cmd, arg, 0, 0, 0);
            }
        }

        /// <summary>
        /// EVTCHNOP_init_control (evtchn_fifo_init_control): a vCPU the domain does not have
        /// -ENOENT; an offset that lets the 72-byte control block cross its page, or not 8-byte
        /// aligned, -EINVAL; a second control block for the vCPU -EINVAL; a frame that is not the
        /// guest's writable memory -EINVAL. The first control block (any vCPU's) switches the
        /// domain to the FIFO ABI; later ones are that vCPU's own queues. On success link_bits =
        /// EVTCHN_FIFO_LINK_BITS is written back.
        /// </summary>
        static long InitControl(EvtchnInitControl* ic)
        {
            if (ic->Vcpu >= (uint)Smp.Vcpus.Count) return -XenErrno.ENOENT;
            if (ic->Offset > 4096 - (uint)sizeof(EvtchnFifoControlBlock)) return -XenErrno.EINVAL;
            if ((ic->Offset & 7) != 0) return -XenErrno.EINVAL;
            if (EvtchnFifo.Active && EvtchnFifo.ControlOf(ic->Vcpu) != null) return -XenErrno.EINVAL;
            if (!WritableGuestFrame(ic->ControlGfn)) return -XenErrno.EINVAL;
            var cb = (EvtchnFifoControlBlock*)(Host.Mem.Frame(ic->ControlGfn) + ic->Offset);
            if (EvtchnFifo.Active)
            {
                HoldControl(ic->Vcpu, ic->ControlGfn);
                EvtchnFifo.AddControl(ic->Vcpu, cb);
                ic->LinkBits = EvtchnFifoAbi.LinkBits;
                return 0;
            }
            Hold(0, ic->ControlGfn);
            HoldControl(ic->Vcpu, ic->ControlGfn);
            s_firstVcpu = ic->Vcpu;
            EvtchnFifo.Enable(ic->Vcpu, cb);
            ic->LinkBits = EvtchnFifoAbi.LinkBits;
            return 0;
        }

        /// <summary>The frames the FIFO ABI maps: [0] the control block's, then the event array pages in order.</summary>
        struct HeldFrames { public fixed ulong Mfn[1 + EvtchnFifoAbi.MaxArrayPages]; }
        static HeldFrames s_held;
        static void Hold(int i, ulong mfn) { fixed (HeldFrames* h = &s_held) h->Mfn[i] = mfn; }
        /// <summary>Each vCPU's control block frame (checked mode releases vCPUs 1.. beside the array's frames).</summary>
        struct ControlFrames { public fixed ulong Mfn[Guest.Vcpu.Max]; }
        static ControlFrames s_controls;
        /// <summary>The vCPU whose control block came first (its frame is s_held's [0]).</summary>
        static uint s_firstVcpu;
        static void HoldControl(uint vcpu, ulong mfn) { fixed (ControlFrames* c = &s_controls) c->Mfn[vcpu] = mfn; }

        /// <summary>
        /// evtchn_fifo_destroy's unmap_guest_page of the control block and every array page: in
        /// checked mode each drops the PGT_writable_page reference map_guest_page took.
        /// </summary>
        static void ReleaseFifoFrames()
        {
            if (!EvtchnFifo.Active || !Checked.CheckedMode.On) return;
            int pages = EvtchnFifo.Pages;
            fixed (HeldFrames* h = &s_held)
                for (int i = 0; i <= pages; i++) Checked.PageTypes.PutPageAndType(h->Mfn[i]);
            fixed (ControlFrames* c = &s_controls)
                for (uint v = 0; v < Guest.Vcpu.Max; v++)
                    if (v != s_firstVcpu && EvtchnFifo.ControlOf(v) != null) Checked.PageTypes.PutPageAndType(c->Mfn[v]);
        }

        /// <summary>
        /// map_guest_page's test for a PV guest (gfn = mfn): the frame is the guest's and can take a
        /// writable type (it is not one of its page tables).
        /// </summary>
        static bool WritableGuestFrame(ulong mfn)
        {
            // Checked mode: map_guest_page's references, held while the page is in use (for good here).
            if (Checked.CheckedMode.On) return Checked.PageTypes.GetPageAndType(mfn, Checked.PageType.Writable) == 0;
            return Host.IsGuestFrame(mfn) && !Host.PtFrames.IsMarked(mfn);
        }

        /// <summary>virq_is_global: all but VIRQ_TIMER, VIRQ_DEBUG, VIRQ_XENOPROF, VIRQ_XENPMU (x86: the arch VIRQs are global).</summary>
        static bool VirqIsGlobal(uint virq) =>
            virq != Virq.VIRQ_TIMER && virq != Virq.VIRQ_DEBUG && virq != Virq.VIRQ_XENOPROF && virq != Virq.VIRQ_XENPMU;

        static long Bound(int port, uint* outPort)
        {
            if (port < 0) return -XenErrno.ENOSPC;
            *outPort = (uint)port;
            return 0;
        }
    }
}
