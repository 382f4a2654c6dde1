using Microxen.Config;

namespace Microxen.Boot
{
    /// <summary>
    /// What the shim knows of the machine once it has booted: machine memory through the direct
    /// map, the frame allocator, the M2P table it maintains for the guest, its own L4.
    /// </summary>
    public static unsafe class Host
    {
        /// <summary>Xen's DIRECTMAP_VIRT_START: machine address 0 is visible here (L4 slot 262 on).</summary>
        public const ulong DirectMapVirt = 0xffff830000000000;

        public static PhysMem Mem;
        public static FrameAllocator Frames;
        /// <summary>Frames 0..FrameCount-1 exist in the allocator's bitmap (the highest RAM address / 4 KiB).</summary>
        public static ulong FrameCount;
        /// <summary>machine_to_phys_mapping: M2p[mfn] = pfn, ~0 for frames that are not the guest's.</summary>
        public static ulong* M2p;
        public static ulong M2pEntries;
        /// <summary>Frames holding the M2P table, in order (XENMEM_machphys_mfn_list).</summary>
        public static ulong M2pFirstMfn;
        public static ulong M2pFrames;
        /// <summary>The shim's own L4 (machine frame); its slots 256-271 go into every guest L4.</summary>
        public static ulong ShimL4;
        public static ShimOptions Options;
        /// <summary>The guest's page-table frames (which read-only writes fast mode emulates).</summary>
        public static PageTableFrames PtFrames;
        /// <summary>Pages the guest was given (start_info.nr_pages).</summary>
        public static ulong NrPages;
        /// <summary>The e820 map the boot loader gave, for XENMEM_machine_memory_map.</summary>
        public static BootInfo* Boot;

        public const ulong InvalidM2p = ulong.MaxValue;

        /// <summary>Copies the shim's L4 slots 256..271 into the L4 table at machine frame <paramref name="l4Mfn"/>.</summary>
        public static void FillShimSlots(ulong l4Mfn)
        {
            ulong* src = (ulong*)Mem.Frame(ShimL4);
            ulong* dst = (ulong*)Mem.Frame(l4Mfn);
            for (int i = 256; i < 272; i++) dst[i] = src[i];
        }

        /// <summary>True when machine frame <paramref name="mfn"/> belongs to the guest.</summary>
        public static bool IsGuestFrame(ulong mfn) => mfn < M2pEntries && M2p[mfn] != InvalidM2p;
    }
}
