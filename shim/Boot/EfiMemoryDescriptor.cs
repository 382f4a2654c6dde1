using System.Runtime.InteropServices;

namespace Microxen.Boot
{
    /// <summary>EFI_MEMORY_DESCRIPTOR (UEFI 2.9 §7.2, GetMemoryMap), 40 bytes; the map's stride is its own descriptor size.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public struct EfiMemoryDescriptor
    {
        [FieldOffset(0)] public uint Type;
        [FieldOffset(8)] public ulong PhysicalStart;
        [FieldOffset(16)] public ulong VirtualStart;
        [FieldOffset(24)] public ulong NumberOfPages;   // 4 KiB pages
        [FieldOffset(32)] public ulong Attribute;

        public const uint MinSize = 40;
        /// <summary>EFI_MEMORY_TYPE values (UEFI 2.9 §7.2 table 7-5).</summary>
        public const uint LoaderCode = 1, LoaderData = 2, BootServicesCode = 3, BootServicesData = 4,
            ConventionalMemory = 7, UnusableMemory = 8, AcpiReclaimMemory = 9, AcpiMemoryNvs = 10;
        /// <summary>EFI_MEMORY_WB: write-back cacheable.</summary>
        public const ulong AttrWb = 0x8;
        /// <summary>EFI_MEMORY_RUNTIME: the firmware's runtime services use the range.</summary>
        public const ulong AttrRuntime = 0x8000000000000000;
    }

    /// <summary>EFI_SYSTEM_TABLE (UEFI 2.9 §4.3), x86-64 offsets of the fields XENPF_firmware_info reports.</summary>
    public static class EfiSystemTable
    {
        /// <summary>Hdr.Revision (u32): the EFI specification revision, (major &lt;&lt; 16) | minor.</summary>
        public const int HdrRevision = 8;
        /// <summary>FirmwareVendor (CHAR16*, physical).</summary>
        public const int FirmwareVendor = 24;
        /// <summary>FirmwareRevision (u32).</summary>
        public const int FirmwareRevision = 32;
        /// <summary>NumberOfTableEntries (UINTN).</summary>
        public const int NumberOfTableEntries = 104;
        /// <summary>ConfigurationTable (EFI_CONFIGURATION_TABLE*, physical).</summary>
        public const int ConfigurationTable = 112;
        /// <summary>Bytes read of the table.</summary>
        public const int Size = 120;
    }
}
