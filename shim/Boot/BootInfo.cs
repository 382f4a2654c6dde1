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
