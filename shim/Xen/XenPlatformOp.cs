using System.Runtime.InteropServices;

namespace Microxen.Xen
{
    /// <summary>
    /// struct xen_platform_op (public/platform.h), 136 bytes: cmd, interface_version, then a
    /// 128-byte union. The fields are the union members the shim reads or writes, named
    /// member_field (settime32/64, platform_quirk, firmware_info with its efi_info union,
    /// enter_acpi_sleep, set_pminfo, pcpu_info, pcpu_version, cpu_ol). The one definition for the
    /// shim's PlatformOps and EfiInfo and for kernel-test.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 136)]
    public struct XenPlatformOp
    {
        /// <summary>XENPF_INTERFACE_VERSION: any other interface_version is -EACCES.</summary>
        public const uint InterfaceVersion = 0x03000001;

        [FieldOffset(0)] public uint Cmd;
        [FieldOffset(4)] public uint Version;
        [FieldOffset(8)] public uint Settime32Secs;
        [FieldOffset(12)] public uint Settime32Nsecs;
        [FieldOffset(16)] public ulong Settime32SystemTime;
        [FieldOffset(8)] public ulong Settime64Secs;
        [FieldOffset(16)] public uint Settime64Nsecs;
        [FieldOffset(20)] public uint Settime64Mbz;
        [FieldOffset(24)] public ulong Settime64SystemTime;
        [FieldOffset(8)] public uint QuirkId;
        [FieldOffset(8)] public uint FwType;
        [FieldOffset(12)] public uint FwIndex;
        [FieldOffset(16)] public byte FwKbdShiftFlags;
        /// <summary>firmware_info.u.efi_info.version: the EFI revision (system table header), or the runtime services'.</summary>
        [FieldOffset(16)] public uint EfiVersion;
        /// <summary>efi_info.cfg.addr: physical address of the EFI_CONFIGURATION_TABLE array.</summary>
        [FieldOffset(16)] public ulong CfgAddr;
        /// <summary>efi_info.cfg.nent: its number of entries.</summary>
        [FieldOffset(24)] public uint CfgNent;
        /// <summary>efi_info.vendor.revision: the firmware revision.</summary>
        [FieldOffset(16)] public uint VendorRevision;
        /// <summary>efi_info.vendor.bufsz: the guest buffer's size in bytes (input).</summary>
        [FieldOffset(20)] public uint VendorBufsz;
        /// <summary>efi_info.vendor.name: guest handle of a UCS-2 buffer.</summary>
        [FieldOffset(24)] public ulong VendorName;
        /// <summary>efi_info.mem.addr (input): a physical address.</summary>
        [FieldOffset(16)] public ulong MemAddr;
        /// <summary>efi_info.mem.size: in: bytes asked about; out: trimmed to the descriptor's end.</summary>
        [FieldOffset(24)] public ulong MemSize;
        /// <summary>efi_info.mem.attr: the descriptor's EFI attributes.</summary>
        [FieldOffset(32)] public ulong MemAttr;
        /// <summary>efi_info.mem.type: the descriptor's EFI memory type.</summary>
        [FieldOffset(40)] public uint MemType;
        [FieldOffset(8)] public ushort SleepValA;
        [FieldOffset(10)] public ushort SleepValB;
        [FieldOffset(12)] public uint SleepState;
        [FieldOffset(16)] public uint SleepFlags;
        [FieldOffset(8)] public uint PminfoId;
        [FieldOffset(12)] public uint PminfoType;
        [FieldOffset(16)] public ulong PminfoPdc;
        [FieldOffset(8)] public uint PcpuXenCpuid;
        [FieldOffset(12)] public uint PcpuMaxPresent;
        [FieldOffset(16)] public uint PcpuFlags;
        [FieldOffset(20)] public uint PcpuApicId;
        [FieldOffset(24)] public uint PcpuAcpiId;
        [FieldOffset(8)] public uint VerXenCpuid;
        [FieldOffset(12)] public uint VerMaxPresent;
        /// <summary>First of the 12 bytes of vendor_id (CPUID leaf 0's EBX, EDX, ECX).</summary>
        [FieldOffset(16)] public byte VerVendor;
        [FieldOffset(28)] public uint VerFamily;
        [FieldOffset(32)] public uint VerModel;
        [FieldOffset(36)] public uint VerStepping;
        [FieldOffset(8)] public uint CpuOlCpuid;
    }

    /// <summary>platform_op commands and their constants (public/platform.h).</summary>
    public static class XenPlatformOpCmd
    {
        public const uint XENPF_settime32 = 17, XENPF_add_memtype = 31, XENPF_del_memtype = 32, XENPF_read_memtype = 33;
        public const uint XENPF_microcode_update = 35, XENPF_platform_quirk = 39, XENPF_get_cpu_version = 48;
        public const uint XENPF_efi_runtime_call = 49, XENPF_firmware_info = 50, XENPF_enter_acpi_sleep = 51;
        public const uint XENPF_change_freq = 52, XENPF_getidletime = 53, XENPF_set_processor_pminfo = 54;
        public const uint XENPF_get_cpuinfo = 55, XENPF_cpu_online = 56, XENPF_cpu_offline = 57;
        public const uint XENPF_cpu_hotadd = 58, XENPF_mem_hotadd = 59, XENPF_core_parking = 60;
        public const uint XENPF_resource_op = 61, XENPF_settime64 = 62, XENPF_get_symbol = 63;
        public const uint QUIRK_NOIRQBALANCING = 1, QUIRK_IOAPIC_BAD_REGSEL = 2, QUIRK_IOAPIC_GOOD_REGSEL = 3;
        public const uint XEN_FW_DISK_INFO = 1, XEN_FW_DISK_MBR_SIGNATURE = 2, XEN_FW_VBEDDC_INFO = 3;
        public const uint XEN_FW_EFI_INFO = 4, XEN_FW_KBD_SHIFT_FLAGS = 5;
        /// <summary>firmware_info.index for XEN_FW_EFI_INFO.</summary>
        public const uint XEN_FW_EFI_VERSION = 0, XEN_FW_EFI_CONFIG_TABLE = 1, XEN_FW_EFI_VENDOR = 2, XEN_FW_EFI_MEM_INFO = 3;
        public const uint XEN_FW_EFI_RT_VERSION = 4, XEN_FW_EFI_PCI_ROM = 5, XEN_FW_EFI_APPLE_PROPERTIES = 6;
        public const uint XEN_PM_CX = 0, XEN_PM_PX = 1, XEN_PM_TX = 2, XEN_PM_PDC = 3;
        public const uint XEN_PCPU_FLAGS_ONLINE = 1, XEN_PCPU_FLAGS_INVALID = 2;
        public const uint XENPF_ACPI_SLEEP_EXTENDED = 1;
    }
}
