namespace Microxen.Xen
{
    /// <summary>
    /// physdev_op commands (PHYSDEVOP_*) and related constants.
    /// Source: xen/include/public/physdev.h.
    /// </summary>
    public static class PhysdevOp
    {
        public const int PHYSDEVOP_IRQ_UNMASK_NOTIFY = 4;
        public const int PHYSDEVOP_irq_status_query = 5;
        public const int PHYSDEVOP_set_iopl = 6;
        public const int PHYSDEVOP_set_iobitmap = 7;
        public const int PHYSDEVOP_apic_read = 8;
        public const int PHYSDEVOP_apic_write = 9;
        public const int PHYSDEVOP_alloc_irq_vector = 10;
        public const int PHYSDEVOP_free_irq_vector = 11;
        public const int PHYSDEVOP_eoi = 12;
        public const int PHYSDEVOP_map_pirq = 13;
        public const int PHYSDEVOP_unmap_pirq = 14;
        public const int PHYSDEVOP_manage_pci_add = 15;
        public const int PHYSDEVOP_manage_pci_remove = 16;
        public const int PHYSDEVOP_pirq_eoi_gmfn_v1 = 17;
        public const int PHYSDEVOP_restore_msi = 19;
        public const int PHYSDEVOP_manage_pci_add_ext = 20;
        public const int PHYSDEVOP_setup_gsi = 21;
        public const int PHYSDEVOP_get_free_pirq = 23;
        public const int PHYSDEVOP_pci_mmcfg_reserved = 24;
        public const int PHYSDEVOP_pci_device_add = 25;
        public const int PHYSDEVOP_pci_device_remove = 26;
        public const int PHYSDEVOP_restore_msi_ext = 27;
        public const int PHYSDEVOP_pirq_eoi_gmfn_v2 = 28;
        public const int PHYSDEVOP_dbgp_op = 29;
        public const int PHYSDEVOP_prepare_msix = 30;
        public const int PHYSDEVOP_release_msix = 31;

        public const uint XENIRQSTAT_needs_eoi = 1u << 0;
        public const uint XENIRQSTAT_shared = 1u << 1;

        public const int MAP_PIRQ_TYPE_MSI = 0x0;
        public const int MAP_PIRQ_TYPE_GSI = 0x1;
        public const int MAP_PIRQ_TYPE_UNKNOWN = 0x2;
        public const int MAP_PIRQ_TYPE_MSI_SEG = 0x3;
        public const int MAP_PIRQ_TYPE_MULTI_MSI = 0x4;
    }
}
