using Microxen.Arch;
using Microxen.Xen;

namespace Microxen.Irq
{
    /// <summary>
    /// The PCI devices Xen 4.17 knows (drivers/passthrough/pci.c pdevs) and the physdev
    /// sub-operations on them (arch/x86/physdev.c, drivers/pci/physdev.c, arch/x86/msi.c
    /// pci_prepare_msix, x86_64/mmconfig-shared.c pci_mmcfg_reserved). Xen scans the buses at
    /// boot only to set up an IOMMU (iommu_hardware_setup); without one, as under the shim (which
    /// drives none), its pdevs are those dom0 added and did not remove (checked on QEMU: Xen 4.17
    /// answers restore_msi of the host bridge -ENODEV). The shim tracks segment 0. Config reads
    /// (mechanism #1, ports 0xcf8/0xcfc) happen inside a hypercall, so never between the guest's
    /// own 0xcf8 write and 0xcfc access; 0xcf8 is restored anyway.
    /// </summary>
    public static unsafe class PciDevices
    {
        public const ushort ConfigAddress = 0xcf8, ConfigData = 0xcfc;
        public const int Bdfs = 65536;
        /// <summary>PCI status bit 4 (capability list), capability pointer 0x34, MSI-X id 0x11 (PCI 3.0 6.7, 6.8.2).</summary>
        public const int StatusReg = 0x06, CapPtr = 0x34, CapIdMsix = 0x11;
        /// <summary>XEN_PCI_DEV_EXTFN 1, VIRTFN 2, PXM 4 (physdev_pci_device_add.flags); XEN_PCI_MMCFG_RESERVED 1.</summary>
        public const uint DevPxm = 4, MmcfgReservedFlag = 1;
        public const uint Mcfg = 0x4746434d; // "MCFG"

        /// <summary>Bit per segment-0 bus/devfn: Xen has a pdev for it.</summary>
        struct Table { public fixed byte Added[Bdfs / 8]; }
        static Table s_t;

        /// <summary>A 32-bit configuration read of segment 0's bus/devfn at <paramref name="reg"/> (dword aligned).</summary>
        public static uint Read32(uint bdf, int reg)
        {
            uint saved = Cpu.Inl(ConfigAddress);
            Cpu.Outl(ConfigAddress, 0x80000000u | (bdf << 8) | ((uint)reg & 0xfc));
            uint v = Cpu.Inl(ConfigData);
            Cpu.Outl(ConfigAddress, saved);
            return v;
        }

        /// <summary>A 32-bit configuration write (see <see cref="Read32"/>).</summary>
        public static void Write32(uint bdf, int reg, uint value)
        {
            uint saved = Cpu.Inl(ConfigAddress);
            Cpu.Outl(ConfigAddress, 0x80000000u | (bdf << 8) | ((uint)reg & 0xfc));
            Cpu.Outl(ConfigData, value);
            Cpu.Outl(ConfigAddress, saved);
        }

        /// <summary>Whether Xen has a pdev for segment 0's <paramref name="bdf"/> (bus &lt;&lt; 8 | devfn).</summary>
        public static bool Known(uint bdf) { fixed (Table* t = &s_t) return (t->Added[bdf >> 3] & (1 << (int)(bdf & 7))) != 0; }

        static void Set(uint bdf, bool added)
        {
            fixed (Table* t = &s_t)
                t->Added[bdf >> 3] = (byte)(added ? t->Added[bdf >> 3] | (1 << (int)(bdf & 7)) : t->Added[bdf >> 3] & ~(1 << (int)(bdf & 7)));
        }

        /// <summary>pci_add_device: segment 0 recorded; other segments get a pdev in Xen too (0).</summary>
        static long Add(uint seg, uint bdf) { if (seg == 0) Set(bdf, true); return 0; }

        /// <summary>pci_remove_device: -ENODEV unless Xen has the pdev (the shim tracks segment 0 only).</summary>
        static long Remove(uint seg, uint bdf)
        {
            if (seg != 0 || !Known(bdf)) return -XenErrno.ENODEV;
            Set(bdf, false);
            return 0;
        }

        /// <summary>The MSI-X capability's offset in the device's configuration space, 0 if none.</summary>
        public static int MsixCap(uint bdf) => FindCap(bdf, CapIdMsix);

        /// <summary>The offset of capability <paramref name="id"/> in the device's configuration space, 0 if none.</summary>
        public static int FindCap(uint bdf, int id)
        {
            if (((Read32(bdf, 4) >> 16) & (1 << 4)) == 0) return 0;
            int p = (int)(Read32(bdf, CapPtr) & 0xfc);
            for (int n = 0; p >= 0x40 && n < 48; n++)
            {
                uint c = Read32(bdf, p);
                if ((c & 0xff) == (uint)id) return p;
                p = (int)((c >> 8) & 0xfc);
            }
            return 0;
        }

        /// <summary>
        /// pci_prepare_msix (Xen 4.17.7): no pdev -ENODEV; the MSI-X entries in use must be 0 to
        /// prepare and 1 to release (-EBUSY otherwise: the shim counts none, so release is always
        /// -EBUSY); prepare maps the table: 0. A known device without MSI-X makes Xen 4.17.7
        /// dereference a NULL pdev->msix (a hypervisor crash); the shim answers -ENODEV.
        /// </summary>
        static long PrepareMsix(uint seg, uint bdf, bool release)
        {
            if (seg != 0 || !Known(bdf) || MsixCap(bdf) == 0) return -XenErrno.ENODEV;
            return release ? -XenErrno.EBUSY : 0;
        }

        /// <summary>
        /// pci_mmcfg_reserved: flags other than XEN_PCI_MMCFG_RESERVED -EINVAL; no MCFG entry for
        /// (segment, start bus, end bus) -ENODEV; a different base address -EIO; else 0.
        /// </summary>
        static long MmcfgReserved(ulong address, uint seg, uint start, uint end, uint flags)
        {
            if ((flags & ~MmcfgReservedFlag) != 0) return -XenErrno.EINVAL;
            ulong map = Boot.Host.DirectMapVirt;
            ulong mcfg = Acpi.AcpiTables.FindTable(map, Acpi.AcpiTables.FindRsdp(map), Mcfg);
            if (mcfg == 0) return -XenErrno.ENODEV;
            byte* t = (byte*)(map + mcfg);
            uint len = *(uint*)(t + 4);
            for (uint off = Acpi.AcpiTables.HeaderSize + 8; off + 16 <= len; off += 16)
            {
                byte* e = t + off;
                if (*(ushort*)(e + 8) != seg || e[10] != start || e[11] != end) continue;
                return *(ulong*)e == address ? 0 : -XenErrno.EIO;
            }
            return -XenErrno.ENODEV;
        }

        /// <summary>
        /// The PCI sub-operations of physdev_op, or 1 when <paramref name="cmd"/> is not one. Layouts
        /// (public/physdev.h): manage_pci {bus, devfn}; manage_pci_ext {bus, devfn, is_extfn (u32 at
        /// 4), is_virtfn (8), physfn {bus, devfn} (12)}; pci_device_add {seg (u16), bus, devfn,
        /// flags (u32 at 4), physfn (8), optarr[] (12)}; pci_device {seg (u16), bus, devfn};
        /// restore_msi {bus, devfn}; pci_mmcfg_reserved {address (u64), segment (u16 at 8),
        /// start_bus, end_bus, flags (u32 at 12)}. restore_msi(_ext) is 0 for a known device (Xen
        /// restores no MSI state: the shim maps none), else -ENODEV.
        /// </summary>
        public static long Op(ulong cmd, byte* a)
        {
            switch (cmd)
            {
                case PhysdevOp.PHYSDEVOP_manage_pci_add: return Add(0, (uint)a[0] << 8 | a[1]);
                case PhysdevOp.PHYSDEVOP_manage_pci_remove: return Remove(0, (uint)a[0] << 8 | a[1]);
                case PhysdevOp.PHYSDEVOP_manage_pci_add_ext:
                {
                    uint ext = *(uint*)(a + 4), virt = *(uint*)(a + 8), pbdf = (uint)a[12] << 8 | a[13];
                    if (ext > 1 || virt > 1) return -XenErrno.EINVAL;
                    if (virt != 0 && !Known(pbdf)) Add(0, pbdf);
                    return Add(0, (uint)a[0] << 8 | a[1]);
                }
                case PhysdevOp.PHYSDEVOP_pci_device_add:
                {
                    uint flags = *(uint*)(a + 4), seg = *(ushort*)a;
                    if ((flags & DevPxm) != 0) s_last = *(uint*)(a + 12);   // optarr[0]: -EFAULT if unreadable
                    return Add(seg, (uint)a[2] << 8 | a[3]);
                }
                case PhysdevOp.PHYSDEVOP_pci_device_remove: return Remove(*(ushort*)a, (uint)a[2] << 8 | a[3]);
                case PhysdevOp.PHYSDEVOP_restore_msi: return Known((uint)a[0] << 8 | a[1]) ? 0 : -XenErrno.ENODEV;
                case PhysdevOp.PHYSDEVOP_restore_msi_ext:
                    return *(ushort*)a == 0 && Known((uint)a[2] << 8 | a[3]) ? 0 : -XenErrno.ENODEV;
                case PhysdevOp.PHYSDEVOP_prepare_msix:
                case PhysdevOp.PHYSDEVOP_release_msix:
                    return PrepareMsix(*(ushort*)a, (uint)a[2] << 8 | a[3], cmd == PhysdevOp.PHYSDEVOP_release_msix);
                case PhysdevOp.PHYSDEVOP_pci_mmcfg_reserved:
                    return MmcfgReserved(*(ulong*)a, *(ushort*)(a + 8), a[10], a[11], *(uint*)(a + 12));
            }
            return 1;
        }

        static uint s_last;
    }
}
