using Microxen.Events;
using Microxen.Xen;

namespace Microxen.Irq
{
    /// <summary>
    /// PHYSDEVOP_map_pirq / unmap_pirq / eoi and EVTCHNOP_bind_pirq for dom0 as Xen 4.17 does them
    /// (arch/x86/physdev.c physdev_map_pirq, irq.c allocate_and_map_gsi_pirq, allocate_pirq,
    /// map_domain_pirq, unmap_domain_pirq, pirq_guest_bind; common/event_channel.c
    /// evtchn_bind_pirq). dom0 may use IRQs 1 .. nr_irqs_gsi-1 (dom0_setup_permissions): IRQ 0
    /// (Xen's timer) -EPERM; IRQ 4 (the console UART's) maps but its bind -EBUSY (in use by the
    /// hypervisor). MSI and MSI-X IRQs: <see cref="Msi"/>; multi-MSI with more than one vector
    /// needs interrupt remapping, which Xen without an IOMMU refuses (-EOPNOTSUPP), as the shim does.
    /// </summary>
    public static unsafe class PirqOps
    {
        /// <summary>physdev_map_pirq's layout (public/physdev.h, 40 bytes): domid u16, type, index, pirq, bus, devfn, entry_nr (int32 from 4), table_base u64 at 32.</summary>
        public const int MapPirqSize = 40;

        static bool OwnDomain(ushort domid) => domid == 0 || domid == XenMemOp.DOMID_SELF;

        /// <summary>Xen's irq_access_permitted for dom0: IRQs 1 .. nr_irqs_gsi-1 (MSI IRQs once mapped).</summary>
        static bool IrqPermitted(int irq) => irq > 0 && (irq < (int)IoApics.GsiCount || Msi.IsCreated(irq));

        /// <summary>
        /// PHYSDEVOP_map_pirq. MULTI_MSI with a table_base -EINVAL (the structure is not written
        /// back); a domain other than dom0 -ESRCH; a type other than GSI/MSI/MSI_SEG/MULTI_MSI
        /// -EINVAL. GSI: index outside [0, nr_irqs_gsi) -EINVAL; the IRQ is the index (or the IRQ
        /// pirq #index already maps); pirq &lt; 0 asks for the IRQ's current pirq or a free one
        /// (get_free_pirq: -ENOSPC; an IRQ already mapped while pirq &lt; 0: the requested pirq
        /// itself is the answer, as Xen's allocate_pirq returns it); a pirq other than the IRQ's
        /// current one -EEXIST; IRQ 0 -EPERM; pirq out of range -EINVAL; a pirq or IRQ mapped
        /// elsewhere: 0, nothing done. Written back with the pirq.
        /// </summary>
        public static long MapPirq(int* m, ulong arg)
        {
            ushort domid = *(ushort*)m;
            int type = m[1], index = m[2], pirq = m[3];
            ulong tableBase = *(ulong*)(m + 8);
            if (type == PhysdevOp.MAP_PIRQ_TYPE_MULTI_MSI && tableBase != 0) return -XenErrno.EINVAL;
            long rc;
            if (!OwnDomain(domid)) rc = -XenErrno.ESRCH;
            else if (type == PhysdevOp.MAP_PIRQ_TYPE_GSI) rc = MapGsi(index, ref pirq);
            else if (type == PhysdevOp.MAP_PIRQ_TYPE_MSI || type == PhysdevOp.MAP_PIRQ_TYPE_MSI_SEG || type == PhysdevOp.MAP_PIRQ_TYPE_MULTI_MSI)
            {
                uint seg = type == PhysdevOp.MAP_PIRQ_TYPE_MSI ? 0 : (uint)m[4] >> 16;
                uint bdf = ((uint)m[4] & 0xff) << 8 | ((uint)m[5] & 0xff);
                rc = MapMsi(type == PhysdevOp.MAP_PIRQ_TYPE_MULTI_MSI, index, ref pirq, seg, bdf, m[6], tableBase);
            }
            else rc = -XenErrno.EINVAL;
            if (type == PhysdevOp.MAP_PIRQ_TYPE_MSI_SEG) m[1] = PhysdevOp.MAP_PIRQ_TYPE_MSI;
            m[3] = pirq;
            return rc;
        }

        /// <summary>
        /// MSI / MSI-X (allocate_and_map_msi_pirq): index -1 (always for MULTI_MSI) creates an
        /// IRQ; an IRQ outside [nr_irqs_gsi, nr_irqs) -EINVAL; MULTI_MSI: entry_nr outside 1..32
        /// -EDOM, above 1 -EOPNOTSUPP (no interrupt remapping); pirq as for a GSI (free ones from
        /// the top); an IRQ dom0 was not given -EPERM; a device dom0 did not add -ENODEV; then
        /// <see cref="Msi.Program"/>. A created IRQ is destroyed again on failure.
        /// </summary>
        static long MapMsi(bool multi, int index, ref int pirq, uint seg, uint bdf, int entryNr, ulong tableBase)
        {
            int irq = multi || index == -1 ? Msi.CreateIrq() : index;
            bool created = multi || index == -1;
            if (irq < (int)IoApics.GsiCount || irq >= (int)IrqLimits.IrqCount(IoApics.GsiCount, 1))
                return created && irq > 0 ? Destroyed(irq, -XenErrno.EINVAL) : -XenErrno.EINVAL;
            int current = Pirqs.FromIrq(irq), want = pirq;
            long rc = 0;
            if (want < 0)
            {
                if (current != 0) rc = want;
                else if (multi && (entryNr <= 0 || entryNr > Msi.MaxMsiIrqs)) rc = -XenErrno.EDOM;
                else if (multi && entryNr != 1) rc = -XenErrno.EOPNOTSUPP;
                else { want = Pirqs.AllocateFree(PhysdevOp.MAP_PIRQ_TYPE_MSI); if (want < 0) rc = want; }
            }
            else if (current != 0 && want != current) rc = -XenErrno.EEXIST;
            if (rc == 0 && !IrqPermitted(irq)) rc = -XenErrno.EPERM;
            if (rc == 0 && want >= (int)IoApics.Dom0Pirqs) rc = -XenErrno.EINVAL;
            if (rc == 0)
            {
                int oldIrq = Pirqs.ToIrq(want), oldPirq = Pirqs.FromIrq(irq);
                if ((oldIrq > 0 && oldIrq != irq) || (oldPirq != 0 && oldPirq != want)) { pirq = want; return 0; }
                if (seg != 0 || !PciDevices.Known(bdf)) rc = -XenErrno.ENODEV;
                else rc = Msi.Program(irq, bdf, tableBase != 0, tableBase != 0 ? (uint)entryNr : 0);
            }
            if (rc != 0) return created ? Destroyed(irq, rc) : rc;
            Pirqs.Map(want, irq);
            pirq = want;
            return 0;
        }

        static long Destroyed(int irq, long rc) { Msi.DestroyIrq(irq); return rc; }

        static long MapGsi(int index, ref int pirq)
        {
            if (index < 0 || index >= (int)IoApics.GsiCount) return -XenErrno.EINVAL;
            int irq = Pirqs.ToIrq(index);
            if (irq <= 0) irq = index;
            int current = Pirqs.FromIrq(irq);
            int want = pirq;
            if (want < 0)
            {
                if (current != 0) return want;   // allocate_pirq hands the negative request back
                want = Pirqs.AllocateFree(PhysdevOp.MAP_PIRQ_TYPE_GSI);
                if (want < 0) return want;
            }
            else if (current != 0 && want != current) return -XenErrno.EEXIST;
            if (!IrqPermitted(irq)) return -XenErrno.EPERM;
            if (want >= (int)IoApics.Dom0Pirqs || irq >= (int)IrqLimits.IrqCount(IoApics.GsiCount, 1)) return -XenErrno.EINVAL;
            int oldIrq = Pirqs.ToIrq(want), oldPirq = Pirqs.FromIrq(irq);
            if ((oldIrq > 0 && oldIrq != irq) || (oldPirq != 0 && oldPirq != want)) { pirq = want; return 0; }
            Pirqs.Map(want, irq);
            pirq = want;
            return 0;
        }

        /// <summary>
        /// PHYSDEVOP_unmap_pirq after its domain check (unmap_domain_pirq): -EINVAL out of range or
        /// with no IRQ mapped; else the line is masked, the pirq unbound from its IRQ, 0. A port
        /// still bound to it stays a pirq port that no interrupt reaches (Xen's forced unbind).
        /// </summary>
        public static long Unmap(int pirq)
        {
            if (pirq < 0 || pirq >= (int)IoApics.Dom0Pirqs) return -XenErrno.EINVAL;
            int irq = Pirqs.ToIrq(pirq);
            if (irq <= 0) return -XenErrno.EINVAL;
            if (irq < (int)IoApics.GsiCount) IrqDelivery.MaskGsi(irq, true);
            Pirqs.Unmap(pirq);
            if (Msi.IsCreated(irq)) Msi.DestroyIrq(irq);
            return 0;
        }

        /// <summary>The port bound to <paramref name="pirq"/> if it still is one (closed ports are noticed here).</summary>
        public static uint BoundPort(int pirq)
        {
            uint port = Pirqs.Port(pirq);
            return port != 0 && Evtchn.State(port) == Evtchn.PortState.Pirq && Evtchn.Arg(port) == (uint)pirq ? port : 0;
        }

        /// <summary>
        /// EVTCHNOP_bind_pirq(evtchn_bind_pirq {pirq, flags, port (out)}): pirq at/above nr_pirqs
        /// -EINVAL; a pirq with no permitted IRQ (none mapped: IRQ 0) -EPERM; already bound -EEXIST;
        /// no free port -ENOSPC; the console UART's IRQ -EBUSY (the hypervisor's, as Xen's serial
        /// driver holds it); no vector or IO-APIC pin -EINVAL (pirq_guest_bind without a descriptor).
        /// Else the GSI is routed (trigger and polarity: <see cref="Gsis.Mode"/>) and unmasked, the port written back.
        /// </summary>
        public static long BindPirq(uint* b)
        {
            uint p = b[0];
            if (p >= IoApics.Dom0Pirqs) return -XenErrno.EINVAL;
            int pirq = (int)p, irq = Pirqs.ToIrq(pirq);
            if (!IrqPermitted(irq)) return -XenErrno.EPERM;
            if (BoundPort(pirq) != 0) return -XenErrno.EEXIST;
            if (irq == Gsis.ConsoleIrq) return -XenErrno.EBUSY;
            bool msi = Msi.IsCreated(irq);
            if (!msi && IoApics.ForGsi((uint)irq) < 0) return -XenErrno.EINVAL;
            int port = Evtchn.Alloc(Evtchn.PortState.Pirq, p);
            if (port < 0) return -XenErrno.ENOSPC;
            Pirqs.SetPort(pirq, (uint)port);
            if (msi)
            {
                Msi.Mask(irq, false);
                b[2] = (uint)port;
                return 0;
            }
            Gsis.Mode(irq, out bool level, out bool low);
            if (!IrqDelivery.RouteGsi(irq, level, low))
            {
                Evtchn.Close((uint)port);
                Pirqs.SetPort(pirq, 0);
                return -XenErrno.EINVAL;
            }
            b[2] = (uint)port;
            return 0;
        }
    }
}
