namespace Microxen.Boot
{
    /// <summary>One module the boot loader loaded: machine addresses [Start, End), its command line.</summary>
    public unsafe struct BootModule
    {
        public ulong Start;
        public ulong End;
        public byte* CmdLine;     // NUL-terminated, in the direct map; the file name already stripped
    }

    /// <summary>What the boot loader told the shim, in one shape for multiboot v1 and v2.</summary>
    public unsafe struct BootInfo
    {
        public const int MaxMemoryRegions = 128;
        public const int MaxModules = 8;

        public fixed byte MemoryMapBytes[MaxMemoryRegions * 20];
        public int MemoryRegionCount;
        public fixed ulong ModuleStart[MaxModules];
        public fixed ulong ModuleEnd[MaxModules];
        public fixed ulong ModuleCmdLine[MaxModules];
        public int ModuleCount;
        public byte* CmdLine;     // the shim's own command line (file name stripped), never null
        public byte* LoaderName;  // may be null
        public bool Multiboot2;

        /// <summary>
        /// Copies of every string the loader gave (command lines, loader name), NUL-terminated: the
        /// loader's memory is free RAM to the shim (GRUB EFI puts its information at the top of RAM,
        /// where the shim's first allocations go), so nothing may point into it after Parse.
        /// </summary>
        public const int StringBytes = 4096;
        public fixed byte Strings[StringBytes];
        public int StringsUsed;

        /// <summary>Multiboot2 tags 14/15 (ACPI old/new): a copy of the RSDP (ACPI 6.4 §5.2.5.3: 20 or 36 bytes).</summary>
        public const int RsdpMaxBytes = 36;
        public fixed byte Rsdp[RsdpMaxBytes];
        public int RsdpLength;

        /// <summary>Multiboot2 tag 12: the physical address of the EFI system table (64-bit); 0 when not booted by UEFI.</summary>
        public ulong EfiSystemTable;

        /// <summary>Multiboot2 tag 17: a copy of the EFI memory map (UEFI 2.9 §7.2 GetMemoryMap: descriptors of EfiDescSize bytes).</summary>
        public const int EfiMapMaxBytes = 16384;
        public fixed byte EfiMemoryMap[EfiMapMaxBytes];
        public uint EfiMemoryMapBytes;
        public uint EfiDescSize;
        public uint EfiDescVersion;

        /// <summary>Multiboot2 tag 8 (framebuffer), as Xen's dom0_vga_console_info; VideoType 0 when none.</summary>
        public Microxen.Xen.Dom0VgaConsoleInfo Vga;

        public E820Entry* Region(int i)
        {
            fixed (byte* p = MemoryMapBytes) return (E820Entry*)(p + i * 20);
        }

        public BootModule Module(int i)
        {
            BootModule m;
            m.Start = ModuleStart[i];
            m.End = ModuleEnd[i];
            m.CmdLine = (byte*)ModuleCmdLine[i];
            return m;
        }
    }
}
