using Microxen.Xen;

namespace Microxen.Boot
{
    /// <summary>
    /// platform_op's EFI answers for dom0 (Xen 4.17 common/efi/runtime.c efi_get_info, efi_runtime_call;
    /// arch/x86/platform_hypercall.c): what Linux's xen_efi_init reads to find the EFI configuration
    /// tables, hence the ACPI RSDP on UEFI machines. The values are read once at boot from the EFI
    /// system table GRUB names (multiboot2 tag 12) and the EFI memory map copy (tag 17).
    /// GRUB has already exited boot services (the shim's header asks for no EFI_BS tag), so no EFI
    /// runtime services are offered: XEN_FW_EFI_RT_VERSION and XENPF_efi_runtime_call are -EOPNOTSUPP,
    /// as Xen answers when its runtime services are disabled.
    /// </summary>
    public static unsafe class EfiInfo
    {
        static bool s_present;
        static uint s_version, s_fwRevision, s_tableCount;
        static ulong s_configTable, s_vendor;
        static BootInfo* s_boot;

        /// <summary>Reads the EFI system table (through <paramref name="directMap"/>) when GRUB named one.</summary>
        public static void Init(BootInfo* bi, byte* directMap)
        {
            s_boot = bi;
            if (bi->EfiSystemTable == 0) return;
            byte* st = directMap + bi->EfiSystemTable;
            s_version = *(uint*)(st + EfiSystemTable.HdrRevision);
            s_vendor = *(ulong*)(st + EfiSystemTable.FirmwareVendor);
            s_fwRevision = *(uint*)(st + EfiSystemTable.FirmwareRevision);
            s_tableCount = (uint)*(ulong*)(st + EfiSystemTable.NumberOfTableEntries);
            s_configTable = *(ulong*)(st + EfiSystemTable.ConfigurationTable);
            s_present = true;
        }

        /// <summary>
        /// XENPF_firmware_info with type XEN_FW_EFI_INFO (Xen 4.17 common/efi/runtime.c
        /// efi_get_info), the interface version already checked: not booted by EFI -ENOSYS;
        /// RT_VERSION -EOPNOTSUPP (no runtime services); unknown index -EINVAL; MEM_INFO outside
        /// the map -ESRCH; no vendor string -EOPNOTSUPP.
        /// </summary>
        public static long FirmwareInfo(XenPlatformOp* op) => s_present ? GetInfo(op) : -XenErrno.ENOSYS;

        /// <summary>
        /// XENPF_efi_runtime_call (runtime.c efi_runtime_call): not booted by EFI -ENOSYS, else
        /// -EOPNOTSUPP (GRUB exited boot services and the shim offers no runtime services, as Xen
        /// without EFI_RS).
        /// </summary>
        public static long RuntimeCall() => s_present ? -XenErrno.EOPNOTSUPP : -XenErrno.ENOSYS;

        static long GetInfo(XenPlatformOp* op)
        {
            switch (op->FwIndex)
            {
                case XenPlatformOpCmd.XEN_FW_EFI_VERSION: op->EfiVersion = s_version; return 0;
                case XenPlatformOpCmd.XEN_FW_EFI_RT_VERSION: return -XenErrno.EOPNOTSUPP;
                case XenPlatformOpCmd.XEN_FW_EFI_CONFIG_TABLE: op->CfgAddr = s_configTable; op->CfgNent = s_tableCount; return 0;
                case XenPlatformOpCmd.XEN_FW_EFI_VENDOR: return Vendor(op);
                case XenPlatformOpCmd.XEN_FW_EFI_MEM_INFO: return MemInfo(op);
                case XenPlatformOpCmd.XEN_FW_EFI_PCI_ROM: return -XenErrno.ESRCH;        // no option ROMs collected
                case XenPlatformOpCmd.XEN_FW_EFI_APPLE_PROPERTIES: return -XenErrno.ENODATA;
                default: return -XenErrno.EINVAL;
            }
        }

        /// <summary>Copies the vendor string (UCS-2, up to bufsz/2 units, stopping after its NUL) as Xen.</summary>
        static long Vendor(XenPlatformOp* op)
        {
            if (s_vendor == 0) return -XenErrno.EOPNOTSUPP;
            op->VendorRevision = s_fwRevision;
            uint n = op->VendorBufsz / 2;
            ushort* src = (ushort*)(Host.DirectMapVirt + s_vendor);
            ushort* dst = (ushort*)op->VendorName;
            for (uint i = 0; i < n; i++)
            {
                dst[i] = src[i];
                if (src[i] == 0) break;
            }
            return 0;
        }

        /// <summary>The EFI descriptor holding mem.addr: its type and attributes, mem.size trimmed to its end.</summary>
        static long MemInfo(XenPlatformOp* op)
        {
            BootInfo* bi = s_boot;
            for (uint off = 0; off + bi->EfiDescSize <= bi->EfiMemoryMapBytes; off += bi->EfiDescSize)
            {
                var d = (EfiMemoryDescriptor*)(bi->EfiMemoryMap + off);
                ulong end = d->PhysicalStart + (d->NumberOfPages << 12);
                if (op->MemAddr < d->PhysicalStart || op->MemAddr >= end) continue;
                op->MemType = d->Type;
                op->MemAttr = d->Attribute;
                if (op->MemAddr + op->MemSize < op->MemAddr || op->MemAddr + op->MemSize > end) op->MemSize = end - op->MemAddr;
                return 0;
            }
            return -XenErrno.ESRCH;
        }
    }
}
