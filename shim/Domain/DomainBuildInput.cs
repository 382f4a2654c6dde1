namespace Microxen.Domain
{
    /// <summary>What <see cref="DomainBuilder.Build"/> needs to build the PV initial domain (dom0).</summary>
    public unsafe struct DomainBuildInput
    {
        /// <summary>The kernel's Xen ELF notes and extent (<see cref="XenNotes.Parse"/>).</summary>
        public ElfDomainParams Parms;
        /// <summary>The kernel ELF (segment bytes are read from it).</summary>
        public ElfImage Kernel;

        /// <summary>First machine frame of the initrd (it stays where it is: no copy).</summary>
        public ulong InitrdMfn;
        /// <summary>Initrd length in bytes; 0 = no initrd.</summary>
        public ulong InitrdLength;

        /// <summary>Guest command line (copied into start_info.cmd_line; at most 1023 bytes, may be null when length is 0).</summary>
        public byte* CmdLine;
        public ulong CmdLineLength;

        /// <summary>Machine address of the shared_info page (a frame the shim owns, not a guest page).</summary>
        public ulong SharedInfoMa;

        /// <summary>The shim's 16 L4 entries for slots 256..271, copied into the guest L4.</summary>
        public ulong* ShimL4Slots;

        /// <summary>Guest pages wanted; 0 = every free frame (plus the initrd's frames).</summary>
        public ulong NrPages;

        /// <summary>The shim's M2P table (machine_to_phys_mapping), written as m2p[mfn] = pfn for every guest frame.</summary>
        public ulong* M2p;
        /// <summary>Entries in <see cref="M2p"/>.</summary>
        public ulong M2pLength;

        /// <summary>Machine memory.</summary>
        public PhysMem Mem;

        /// <summary>Optional dom0_vga_console_info bytes put after start_info (null/0 = none, as Xen without VGA).</summary>
        public byte* VgaInfo;
        public uint VgaInfoSize;
    }
}
