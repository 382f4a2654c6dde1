using Microxen.Irq;

namespace Microxen.Hypercalls
{
    /// <summary>
    /// HYPERVISOR_physdev_op (public/physdev.h; Xen 4.17 xen/arch/x86/physdev.c do_physdev_op):
    /// dom0's physical-device operations. Every structure is read whole before anything is done
    /// (a pointer the shim cannot read: -EFAULT, as copy_from_guest) and written back whole where
    /// Xen writes it back. Sub-operations still missing are logged once with their arguments and
    /// answered -ENOSYS (shim/README.md lists each one's status).
    /// </summary>
    public static unsafe class PhysdevOps
    {
        const int PHYSDEVOP_pirq_eoi_gmfn_v1 = Xen.PhysdevOp.PHYSDEVOP_pirq_eoi_gmfn_v1;

        /// <summary>
        /// PHYSDEVOP_unmap_pirq(physdev_unmap_pirq {domid (uint16), pirq (int32 at 4)})
        /// (arch/x86/physdev.c): the structure is copied in (-EFAULT); a domain other than dom0
        /// (id 0 or DOMID_SELF) -ESRCH; a pirq out of range or with no interrupt mapped -EINVAL
        /// (unmap_domain_pirq).
        /// </summary>
        static long UnmapPirq(ushort* a)
        {
            s_last = ((int*)a)[1];   // the whole structure is read first (-EFAULT)
            if (a[0] != 0 && a[0] != XenMemOp.DOMID_SELF) return -XenErrno.ESRCH;
            return PirqOps.Unmap((int)s_last);
        }

        /// <summary>
        /// PHYSDEVOP_set_iobitmap(physdev_set_iobitmap {bitmap (pointer), nr_ports (uint32 at 8)}):
        /// -EINVAL when guest_handle_okay(bitmap, IOBMP_BYTES) fails (an address in the canonical
        /// hole or Xen's range: __addr_ok) or nr_ports exceeds 65536; else 0. The guest kernel in
        /// ring 0 has every port already; its user mode keeps the shim's IOPL 0 with no bitmap.
        /// </summary>
        static long SetIobitmap(ulong* a)
        {
            ulong bitmap = a[0];
            uint nrPorts = ((uint*)a)[2];
            bool addrOk = bitmap < (1UL << 47) || bitmap >= Layout.HYPERVISOR_VIRT_END;
            return !addrOk || nrPorts > 65536 ? -XenErrno.EINVAL : 0;
        }

        /// <summary>The last word read from a structure (read so a short structure faults).</summary>
        static long s_last;

        /// <summary>
        /// PHYSDEVOP_irq_status_query(physdev_irq_status_query {irq (uint32), flags (uint32, out)}):
        /// -EINVAL for irq (as int) negative or at/above dom0's nr_pirqs; else flags =
        /// XENIRQSTAT_needs_eoi (Xen always sets it for a PV domain; XENIRQSTAT_shared only for a
        /// pirq shared between domains, which one domain cannot have), written back.
        /// </summary>
        static long IrqStatusQuery(uint* a)
        {
            int irq = (int)a[0];
            s_last = a[1];
            if (irq < 0 || irq >= (int)IoApics.Dom0Pirqs) return -XenErrno.EINVAL;
            a[1] = Xen.PhysdevOp.XENIRQSTAT_needs_eoi;
            return 0;
        }

        /// <summary>
        /// PHYSDEVOP_eoi(physdev_eoi {irq (uint32)}): -EINVAL at/above nr_pirqs or for a pirq Xen
        /// never created (no struct pirq); else 0: with pirq_eoi_gmfn_v1 the pirq's port is unmasked
        /// (auto_unmask), and a mapped pirq's level line masked since its interrupt is unmasked.
        /// </summary>
        static long Eoi(uint* a)
        {
            uint irq = a[0];
            if (irq >= IoApics.Dom0Pirqs || !Pirqs.HasInfo((int)irq)) return -XenErrno.EINVAL;
            uint port = PirqOps.BoundPort((int)irq);
            if (AutoUnmask && port != 0) Events.Evtchn.Unmask(port);
            IrqDelivery.GuestEoi((int)irq);
            return 0;
        }

        /// <summary>
        /// PHYSDEVOP_get_free_pirq(physdev_get_free_pirq {type (int32), pirq (uint32, out)}):
        /// Xen's get_free_pirq (<see cref="Pirqs.AllocateFree"/>); -ENOSPC when none is free.
        /// </summary>
        static long GetFreePirq(int* a)
        {
            int type = a[0];
            s_last = a[1];
            int pirq = Pirqs.AllocateFree(type);
            if (pirq < 0) return pirq;
            a[1] = pirq;
            return 0;
        }

        /// <summary>
        /// PHYSDEVOP_apic_read(physdev_apic {apic_physbase (uint64), reg (uint32), value (uint32,
        /// out)}): ioapic_guest_read: -EINVAL unless apic_physbase is an IO-APIC's MADT address;
        /// else the register (any index) read through IOREGSEL/IOWIN and written back.
        /// </summary>
        static long ApicRead(ulong* a)
        {
            ulong physbase = a[0];
            uint reg = ((uint*)a)[2];
            s_last = ((uint*)a)[3];
            int apic = IoApics.FromPhysbase(physbase);
            if (apic < 0) return -XenErrno.EINVAL;
            ((uint*)a)[3] = IoApics.Read(apic, reg);
            return 0;
        }

        /// <summary>
        /// PHYSDEVOP_apic_write: ioapic_guest_write: -EINVAL for an unknown IO-APIC; writes to
        /// registers below 0x10 or to a redirection entry's upper half do nothing (0); a lower half
        /// with delivery mode above lowest-priority -EINVAL. Binding a pin through an RTE write is
        /// not implemented yet: logged once, -ENOSYS.
        /// </summary>
        static long ApicWrite(ulong* a, ulong arg)
        {
            ulong physbase = a[0];
            uint reg = ((uint*)a)[2], val = ((uint*)a)[3];
            if (IoApics.FromPhysbase(physbase) < 0) return -XenErrno.EINVAL;
            if (reg < 0x10 || (reg & 1) != 0) return 0;
            if (((val >> 8) & 7) > 1) return -XenErrno.EINVAL;
            return HypercallStats.Unimplemented("physdev_op", Hypercall.PhysdevOp, Xen.PhysdevOp.PHYSDEVOP_apic_write, arg, physbase, reg, val);
        }

        /// <summary>
        /// PHYSDEVOP_pirq_eoi_gmfn_v1/v2(physdev_pirq_eoi_gmfn {gmfn (xen_pfn_t)}): -EINVAL unless
        /// gmfn is a guest frame that can take the writable type; -EBUSY once a page is registered
        /// (Xen never unregisters it); v1 also sets auto-unmask (PHYSDEVOP_eoi unmasks the port).
        /// The shim sets a pirq's bit while its level line waits for the guest's EOI (IrqDelivery).
        /// </summary>
        static long PirqEoiGmfn(ulong* a, ulong cmd)
        {
            ulong gmfn = a[0];
            bool ok = Checked.CheckedMode.On ? Checked.PageTypes.GetPageAndType(gmfn, Checked.PageType.Writable) == 0
                : Host.IsGuestFrame(gmfn) && !Host.PtFrames.IsMarked(gmfn);
            if (!ok) return -XenErrno.EINVAL;
            if (s_eoiMapMfn != 0) return -XenErrno.EBUSY;
            s_eoiMapMfn = gmfn;
            IrqDelivery.EoiMap = (byte*)Host.Mem.Frame(gmfn);
            AutoUnmask = cmd == PHYSDEVOP_pirq_eoi_gmfn_v1;
            return 0;
        }

        /// <summary>The frame dom0 registered for the pirq EOI bitmap, 0 = none.</summary>
        static ulong s_eoiMapMfn;
        /// <summary>Registered with v1: PHYSDEVOP_eoi also unmasks the pirq's port (Xen's auto_unmask).</summary>
        public static bool AutoUnmask;

        public static long Op(ulong cmd, ulong arg)
        {
            switch (cmd)
            {
                // Legacy PHYSDEVOP_IRQ_UNMASK_NOTIFY: pirq_guest_unmask, always 0.
                case Xen.PhysdevOp.PHYSDEVOP_IRQ_UNMASK_NOTIFY: return 0;
                // physdev_set_iopl {iopl (uint32)}: -EINVAL above 3. The guest kernel runs in ring
                // 0: its I/O privilege needs no change.
                case Xen.PhysdevOp.PHYSDEVOP_set_iopl: return *(uint*)arg > 3 ? -XenErrno.EINVAL : 0;
                case Xen.PhysdevOp.PHYSDEVOP_set_iobitmap: return SetIobitmap((ulong*)arg);
                case Xen.PhysdevOp.PHYSDEVOP_irq_status_query: return IrqStatusQuery((uint*)arg);
                case Xen.PhysdevOp.PHYSDEVOP_eoi: return Eoi((uint*)arg);
                case Xen.PhysdevOp.PHYSDEVOP_unmap_pirq: return UnmapPirq((ushort*)arg);
                case Xen.PhysdevOp.PHYSDEVOP_get_free_pirq: return GetFreePirq((int*)arg);
                case Xen.PhysdevOp.PHYSDEVOP_apic_read: return ApicRead((ulong*)arg);
                case Xen.PhysdevOp.PHYSDEVOP_apic_write: return ApicWrite((ulong*)arg, arg);
                case Xen.PhysdevOp.PHYSDEVOP_pirq_eoi_gmfn_v1:
                case Xen.PhysdevOp.PHYSDEVOP_pirq_eoi_gmfn_v2: return PirqEoiGmfn((ulong*)arg, cmd);
                case Xen.PhysdevOp.PHYSDEVOP_alloc_irq_vector:
                    // physdev_irq {irq, vector}: a dummy in Xen, vector = irq.
                    ((uint*)arg)[1] = ((uint*)arg)[0];
                    return 0;
                case Xen.PhysdevOp.PHYSDEVOP_map_pirq: return PirqOps.MapPirq((int*)arg, arg);
                case Xen.PhysdevOp.PHYSDEVOP_setup_gsi: return Gsis.SetupGsi((int*)arg);
                case Xen.PhysdevOp.PHYSDEVOP_dbgp_op:
                    // physdev_dbgp_op {op, bus (uint8), u.pci (seg, bus, devfn)} (6 bytes): Xen
                    // without an EHCI debug port (no dbgp= option) answers 0 to every request.
                    s_last = *(uint*)arg + ((ushort*)arg)[2];
                    return 0;
            }
            long pci = PciDevices.Op(cmd, (byte*)arg);
            if (pci != 1) return pci;
            return HypercallStats.Unimplemented("physdev_op", Hypercall.PhysdevOp, cmd, arg, 0, 0, 0);
        }
    }
}
