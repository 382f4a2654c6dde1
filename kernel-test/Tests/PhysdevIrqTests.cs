using KernelTest.Arch;
using KernelTest.Console;
using KernelTest.Time;
using KernelTest.Hypervisor;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// dom0's physical-IRQ operations (issue 10; Xen 4.17 xen/arch/x86/physdev.c, irq.c): pirq
    /// limits found through PHYSDEVOP_get_free_pirq (the highest free pirq is nr_pirqs - 1),
    /// irq_status_query, eoi, unmap of an allocated pirq, alloc_irq_vector, set_iopl, setup_gsi's
    /// range and repeat checks, apic_read of the first IO-APIC, dbgp_op without a debug port.
    /// </summary>
    public static unsafe class PhysdevIrqTests
    {
        /// <summary>The machine's first IO-APIC on QEMU's pc and q35 boards (their MADT).</summary>
        const ulong IoApicBase = 0xfec00000;

        static long Op(int cmd, void* a) => Hv.Call(Hypercall.PhysdevOp, (ulong)cmd, (ulong)a);

        /// <summary>get_free_pirq(type): the pirq, or a negative errno.</summary>
        static long FreePirq(int type)
        {
            int* f = stackalloc int[2];
            f[0] = type; f[1] = -1;
            long rc = Op(PhysdevOp.PHYSDEVOP_get_free_pirq, f);
            return rc == 0 ? f[1] : rc;
        }

        static long Query(int irq, uint* flags)
        {
            uint* q = stackalloc uint[2];
            q[0] = (uint)irq; q[1] = 0xdead;
            long rc = Op(PhysdevOp.PHYSDEVOP_irq_status_query, q);
            *flags = q[1];
            return rc;
        }

        static long Eoi(int irq)
        {
            uint e = (uint)irq;
            return Op(PhysdevOp.PHYSDEVOP_eoi, &e);
        }

        /// <summary>
        /// An MSI pirq from get_free_pirq is the highest free one: nr_pirqs - 1 the first time, one
        /// less the next; irq_status_query answers XENIRQSTAT_needs_eoi below nr_pirqs and -EINVAL
        /// at it and for -1; PHYSDEVOP_eoi takes an allocated pirq (0) but not nr_pirqs or a pirq
        /// never allocated (-EINVAL); unmap_pirq of an allocated, unmapped pirq -EINVAL; a GSI
        /// pirq is the lowest free one from 16.
        /// </summary>
        public static bool PirqLimits()
        {
            long p = FreePirq(PhysdevOp.MAP_PIRQ_TYPE_MSI);
            if (!Check.True(p >= 16, "get_free_pirq(MSI) gives a pirq at or above 16")) return false;
            Out.Str("  nr_pirqs "); Out.Dec((ulong)p + 1); Out.End();
            uint flags;
            if (!Check.Rc("irq_status_query(nr_pirqs - 1)", Query((int)p, &flags))) return false;
            if (!Check.Eq("flags", flags, PhysdevOp.XENIRQSTAT_needs_eoi)) return false;
            if (!Validation.Rc("irq_status_query(nr_pirqs)", Query((int)p + 1, &flags), XenErrno.EINVAL)) return false;
            if (!Validation.Rc("irq_status_query(-1)", Query(-1, &flags), XenErrno.EINVAL)) return false;
            if (!Check.Rc("irq_status_query(0)", Query(0, &flags))) return false;
            if (!Check.Eq("next get_free_pirq(MSI)", (ulong)FreePirq(PhysdevOp.MAP_PIRQ_TYPE_MSI), (ulong)p - 1)) return false;
            if (!Check.Rc("eoi(allocated pirq)", Eoi((int)p))) return false;
            if (!Validation.Rc("eoi(nr_pirqs)", Eoi((int)p + 1), XenErrno.EINVAL)) return false;
            if (!Validation.Rc("eoi(pirq never allocated)", Eoi(7), XenErrno.EINVAL)) return false;
            int* u = stackalloc int[2];
            u[0] = Hv.DomidSelf; u[1] = (int)p;
            if (!Validation.Rc("unmap_pirq(allocated)", Op(PhysdevOp.PHYSDEVOP_unmap_pirq, u), XenErrno.EINVAL)) return false;
            long g = FreePirq(PhysdevOp.MAP_PIRQ_TYPE_GSI);
            Out.Str("  get_free_pirq(GSI) "); Out.SDec(g); Out.End();
            return Check.True(g >= 16 && g < p, "get_free_pirq(GSI) in [16, nr_pirqs)");
        }

        /// <summary>
        /// alloc_irq_vector answers vector = irq; set_iopl(4) -EINVAL; setup_gsi(-1) and a GSI past
        /// every IO-APIC -EINVAL, IRQs 0 and 4 -EEXIST (the hypervisor's), a PCI GSI 0 the first
        /// time and -EEXIST the second; apic_read of
        /// the IO-APIC's version register (entries field: at least 16 pins), of an address with
        /// no IO-APIC -EINVAL; dbgp_op 0 (no debug port).
        /// </summary>
        public static bool OpEdges()
        {
            uint* v = stackalloc uint[2];
            v[0] = 33; v[1] = 0;
            if (!Check.Rc("alloc_irq_vector", Op(PhysdevOp.PHYSDEVOP_alloc_irq_vector, v))) return false;
            if (!Check.Eq("vector", v[1], 33)) return false;
            uint iopl = 4;
            if (!Validation.Rc("set_iopl(4)", Op(PhysdevOp.PHYSDEVOP_set_iopl, &iopl), XenErrno.EINVAL)) return false;
            int* s = stackalloc int[2];
            s[0] = -1; s[1] = 0x0101;
            if (!Validation.Rc("setup_gsi(-1)", Op(PhysdevOp.PHYSDEVOP_setup_gsi, s), XenErrno.EINVAL)) return false;
            s[0] = 5000;
            if (!Validation.Rc("setup_gsi(5000)", Op(PhysdevOp.PHYSDEVOP_setup_gsi, s), XenErrno.EINVAL)) return false;
            // Xen keeps IRQ 0 (its timer) and 4 (COM1, its console): -EEXIST.
            s[0] = 0; s[1] = 0;
            if (!Validation.Rc("setup_gsi(0)", Op(PhysdevOp.PHYSDEVOP_setup_gsi, s), XenErrno.EEXIST)) return false;
            s[0] = 4;
            if (!Validation.Rc("setup_gsi(4)", Op(PhysdevOp.PHYSDEVOP_setup_gsi, s), XenErrno.EEXIST)) return false;
            s[0] = 23; s[1] = 0x0101;   // a PCI GSI (level, active low) no driver of this kernel uses
            if (!Check.Rc("setup_gsi(23)", Op(PhysdevOp.PHYSDEVOP_setup_gsi, s))) return false;
            if (!Validation.Rc("setup_gsi(23) again", Op(PhysdevOp.PHYSDEVOP_setup_gsi, s), XenErrno.EEXIST)) return false;
            ulong* ap = stackalloc ulong[2];
            ap[0] = IoApicBase; ap[1] = 1;
            if (!Check.Rc("apic_read(version)", Op(PhysdevOp.PHYSDEVOP_apic_read, ap))) return false;
            uint ver = (uint)(ap[1] >> 32);
            Out.Str("  IO-APIC version "); Out.Hex(ver); Out.End();
            if (!Check.True(((ver >> 16) & 0xff) >= 15, "IO-APIC has 16 pins or more")) return false;
            ap[0] = IoApicBase + 0x1000;
            if (!Validation.Rc("apic_read(no IO-APIC)", Op(PhysdevOp.PHYSDEVOP_apic_read, ap), XenErrno.EINVAL)) return false;
            ulong dbgp = 0;
            return Check.Rc("dbgp_op", Op(PhysdevOp.PHYSDEVOP_dbgp_op, &dbgp));
        }

        /// <summary>The CMOS RTC's ISA IRQ (GSI 8 on QEMU's boards: no override) and its ports.</summary>
        const int RtcIrq = 8;
        const ulong CmosIndex = 0x70, CmosData = 0x71;
        const byte RegA = 0x0a, RegB = 0x0b, RegC = 0x0c, NmiOff = 0x80, PeriodicEnable = 0x40;

        static byte Cmos(byte reg) { Native.Outb(CmosIndex, (ulong)(NmiOff | reg)); return (byte)Native.Inb(CmosData); }
        static void SetCmos(byte reg, byte v) { Native.Outb(CmosIndex, (ulong)(NmiOff | reg)); Native.Outb(CmosData, v); }

        static long MapGsi(int gsi, int pirq, int* got)
        {
            int* m = stackalloc int[10];
            for (int i = 0; i < 10; i++) m[i] = 0;
            m[0] = Hv.DomidSelf; m[1] = PhysdevOp.MAP_PIRQ_TYPE_GSI; m[2] = gsi; m[3] = pirq;
            long rc = Op(PhysdevOp.PHYSDEVOP_map_pirq, m);
            *got = m[3];
            return rc;
        }

        /// <summary>
        /// A pirq round trip on the RTC (IRQ 8, edge): map_pirq(GSI 8, pirq 8) gives pirq 8;
        /// map_pirq(GSI 0) -EPERM (Xen's timer); bind_pirq gives a port (a second bind -EEXIST),
        /// EVTCHNOP_status says pirq 8; the RTC's periodic interrupt (1024 Hz) arrives on the
        /// port within 1 s; PHYSDEVOP_eoi 0; after the port is closed unmap_pirq 0, then -EINVAL.
        /// </summary>
        public static bool RtcPirqRoundTrip()
        {
            uint iopl = 1;
            if (!Check.Rc("set_iopl(1)", Op(PhysdevOp.PHYSDEVOP_set_iopl, &iopl))) return false;
            int pirq;
            if (!Validation.Rc("map_pirq(GSI 0)", MapGsi(0, 0, &pirq), XenErrno.EPERM)) return false;
            if (!Check.Rc("map_pirq(GSI 8)", MapGsi(RtcIrq, RtcIrq, &pirq))) return false;
            if (!Check.Eq("pirq", (ulong)pirq, RtcIrq)) return false;
            EvtchnBindPirq b;
            b.Pirq = RtcIrq; b.Flags = 0; b.Port = 0;
            if (!Check.Rc("bind_pirq(8)", Hv.EventChannelOp(EvtchnOp.EVTCHNOP_bind_pirq, &b))) return false;
            uint port = b.Port;
            EvtchnBindPirq b2 = b;
            bool ok = Validation.Rc("bind_pirq(8) again", Hv.EventChannelOp(EvtchnOp.EVTCHNOP_bind_pirq, &b2), XenErrno.EEXIST);
            EvtchnStatus st;
            st.Dom = Hv.DomidSelf; st.Port = port;
            ok = ok && Check.Rc("EVTCHNOP_status", Hv.EventChannelOp(EvtchnOp.EVTCHNOP_status, &st))
                 && Check.Eq("status", st.Status, EvtchnStatus.EVTCHNSTAT_pirq) && Check.Eq("u.pirq", st.UPirq, RtcIrq);
            EvtchnTests.Prepare(port);
            byte regB = Cmos(RegB);
            Cmos(RegC);
            SetCmos(RegA, (byte)((Cmos(RegA) & 0xf0) | 6));      // rate 6: 1024 Hz
            SetCmos(RegB, (byte)(regB | PeriodicEnable));
            ulong giveUp = Pvclock.Now() + 1000000000UL;
            while (Ev.Hits(port) == 0 && Pvclock.Now() < giveUp)
                Hv.SchedOpCall(SchedOp.SCHEDOP_block, null);
            Ev.Mask();
            SetCmos(RegB, (byte)(regB & ~PeriodicEnable));
            Cmos(RegC);
            uint hits = Ev.Hits(port);
            uint e = RtcIrq;
            ok = ok && Check.True(hits != 0, "no RTC interrupt on the pirq's port within 1 s")
                 && Check.Rc("eoi(8)", Op(PhysdevOp.PHYSDEVOP_eoi, &e));
            EvtchnTests.Close(port);
            int* u = stackalloc int[2];
            u[0] = Hv.DomidSelf; u[1] = RtcIrq;
            ok = ok && Check.Rc("unmap_pirq(8)", Op(PhysdevOp.PHYSDEVOP_unmap_pirq, u))
                 && Validation.Rc("unmap_pirq(8) again", Op(PhysdevOp.PHYSDEVOP_unmap_pirq, u), XenErrno.EINVAL);
            Out.Str("  RTC upcalls on the pirq port: "); Out.Dec(hits); Out.End();
            return ok;
        }

        /// <summary>
        /// PCI sub-operations on devices Xen does not know (without an IOMMU Xen scans no bus: it
        /// knows only what dom0 added; bus 0xfe has no device; the host bridge 00:00.0 has no
        /// MSI-X): pci_device_remove, restore_msi and prepare_msix -ENODEV; after
        /// pci_device_add(00:00.0) restore_msi is 0 (no MSI state) (prepare_msix of that added
        /// device without MSI-X crashes Debian's Xen 4.17: a NULL pdev->msix in pci_prepare_msix); manage_pci_add_ext with is_extfn 2
        /// -EINVAL, pci_mmcfg_reserved with an unknown flag -EINVAL.
        /// </summary>
        public static bool PciEdges()
        {
            byte* d = stackalloc byte[16];
            for (int i = 0; i < 16; i++) d[i] = 0;
            d[2] = 0xfe; d[3] = 0x08;   // pci_device {seg 0, bus 0xfe, devfn 1.0}
            if (!Validation.Rc("pci_device_remove(absent)", Op(PhysdevOp.PHYSDEVOP_pci_device_remove, d), XenErrno.ENODEV)) return false;
            if (!Validation.Rc("prepare_msix(absent)", Op(PhysdevOp.PHYSDEVOP_prepare_msix, d), XenErrno.ENODEV)) return false;
            d[2] = 0; d[3] = 0;
            if (!Validation.Rc("prepare_msix(00:00.0, no MSI-X)", Op(PhysdevOp.PHYSDEVOP_prepare_msix, d), XenErrno.ENODEV)) return false;
            d[0] = 0xfe; d[1] = 0x08;   // restore_msi {bus, devfn}
            if (!Validation.Rc("restore_msi(absent)", Op(PhysdevOp.PHYSDEVOP_restore_msi, d), XenErrno.ENODEV)) return false;
            d[0] = 0; d[1] = 0;
            if (!Validation.Rc("restore_msi(00:00.0 not added)", Op(PhysdevOp.PHYSDEVOP_restore_msi, d), XenErrno.ENODEV)) return false;
            if (!Check.Rc("pci_device_add(00:00.0)", Op(PhysdevOp.PHYSDEVOP_pci_device_add, d))) return false;
            if (!Check.Rc("restore_msi(00:00.0)", Op(PhysdevOp.PHYSDEVOP_restore_msi, d))) return false;
            *(uint*)(d + 4) = 2;        // manage_pci_ext.is_extfn
            if (!Validation.Rc("manage_pci_add_ext(is_extfn 2)", Op(PhysdevOp.PHYSDEVOP_manage_pci_add_ext, d), XenErrno.EINVAL)) return false;
            for (int i = 0; i < 16; i++) d[i] = 0;
            *(uint*)(d + 12) = 2;       // pci_mmcfg_reserved.flags
            return Validation.Rc("pci_mmcfg_reserved(flags 2)", Op(PhysdevOp.PHYSDEVOP_pci_mmcfg_reserved, d), XenErrno.EINVAL);
        }
    }
}
