namespace Microxen.Xen
{
    /// <summary>
    /// start_info_t, x86_64 ABI: 1168 bytes. Built by the domain builder and passed to the guest in
    /// RSI at entry. "Machine" addresses are byte addresses, "mfn"/"pfn" values are 4 KiB frame
    /// numbers, "virtual" addresses are guest virtual addresses. The console union of Xen
    /// (console.domU / console.dom0) is given as separate fields at the same offsets.
    /// Source: xen/include/public/xen.h (struct start_info).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 1168)]
    public unsafe struct StartInfo
    {
        /// <summary>"xen-&lt;version&gt;-&lt;platform&gt;", NUL-terminated, e.g. "xen-3.0-x86_64".</summary>
        [FieldOffset(0)] public fixed byte Magic[32];
        /// <summary>Total pages allocated to the domain.</summary>
        [FieldOffset(32)] public ulong NrPages;
        /// <summary>Machine (byte) address of the shared_info page.</summary>
        [FieldOffset(40)] public ulong SharedInfo;
        /// <summary>SIF_* flags (<see cref="StartInfoFlags"/>).</summary>
        [FieldOffset(48)] public uint Flags;
        /// <summary>Machine frame number of the xenstore page.</summary>
        [FieldOffset(56)] public ulong StoreMfn;
        /// <summary>Event channel for xenstore.</summary>
        [FieldOffset(64)] public uint StoreEvtchn;

        /// <summary>console.domU.mfn: machine frame of the console ring page (domU).</summary>
        [FieldOffset(72)] public ulong ConsoleDomUMfn;
        /// <summary>console.domU.evtchn: event channel of the console ring (domU).</summary>
        [FieldOffset(80)] public uint ConsoleDomUEvtchn;
        /// <summary>console.dom0.info_off: byte offset of the dom0_vga_console_info in this page (dom0).</summary>
        [FieldOffset(72)] public uint ConsoleDom0InfoOff;
        /// <summary>console.dom0.info_size: size in bytes of that dom0_vga_console_info (dom0).</summary>
        [FieldOffset(76)] public uint ConsoleDom0InfoSize;

        /// <summary>Virtual address of the top-level page table (L4).</summary>
        [FieldOffset(88)] public ulong PtBase;
        /// <summary>Number of bootstrap page-table frames.</summary>
        [FieldOffset(96)] public ulong NrPtFrames;
        /// <summary>Virtual address of the p2m list (pfn -> mfn, 8 bytes per entry).</summary>
        [FieldOffset(104)] public ulong MfnList;
        /// <summary>Virtual address of the initial module, or its pfn if SIF_MOD_START_PFN.</summary>
        [FieldOffset(112)] public ulong ModStart;
        /// <summary>Size in bytes of the initial module.</summary>
        [FieldOffset(120)] public ulong ModLen;
        /// <summary>Guest command line, NUL-terminated (MAX_GUEST_CMDLINE = 1024 bytes).</summary>
        [FieldOffset(128)] public fixed sbyte CmdLine[1024];
        /// <summary>First pfn of the initial p2m table frames (page tables + p2m).</summary>
        [FieldOffset(1152)] public ulong FirstP2mPfn;
        /// <summary>Number of pfns forming the initial p2m table.</summary>
        [FieldOffset(1160)] public ulong NrP2mFrames;

        /// <summary>MAX_GUEST_CMDLINE: size of <see cref="CmdLine"/> in bytes.</summary>
        public const int MaxGuestCmdline = 1024;
        /// <summary>Size of <see cref="Magic"/> in bytes.</summary>
        public const int MagicLength = 32;
    }
}
