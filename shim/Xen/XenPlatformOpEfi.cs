using System.Runtime.InteropServices;

namespace Microxen.Xen
{
    /// <summary>
    /// struct xen_platform_op (136 bytes) viewed as XENPF_firmware_info with type XEN_FW_EFI_INFO:
    /// the fields of union xenpf_efi_info each sub-op (index) answers. Source: xen/include/public/platform.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 136)]
    public struct XenPlatformOpEfi
    {
        /// <summary>cmd: XENPF_*.</summary>
        [FieldOffset(0)] public uint Cmd;
        /// <summary>interface_version: must be XENPF_INTERFACE_VERSION (else -EACCES).</summary>
        [FieldOffset(4)] public uint InterfaceVersion;
        /// <summary>u.firmware_info.type: XEN_FW_*.</summary>
        [FieldOffset(8)] public uint FwType;
        /// <summary>u.firmware_info.index: XEN_FW_EFI_* for XEN_FW_EFI_INFO.</summary>
        [FieldOffset(12)] public uint FwIndex;
        /// <summary>efi_info.version: the EFI revision (system table header), or the runtime services'.</summary>
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

        public const uint XENPF_INTERFACE_VERSION = 0x03000001;
        public const uint XENPF_efi_runtime_call = 49;
        public const uint XENPF_firmware_info = 50;
        public const uint XEN_FW_EFI_INFO = 4;
        public const uint XEN_FW_EFI_VERSION = 0;
        public const uint XEN_FW_EFI_CONFIG_TABLE = 1;
        public const uint XEN_FW_EFI_VENDOR = 2;
        public const uint XEN_FW_EFI_MEM_INFO = 3;
        public const uint XEN_FW_EFI_RT_VERSION = 4;
        public const uint XEN_FW_EFI_PCI_ROM = 5;
        public const uint XEN_FW_EFI_APPLE_PROPERTIES = 6;
    }
}
