using Microxen.Arch;
using Microxen.Memory;

namespace Microxen.Checked
{
    /// <summary>
    /// The I/O memory dom0 may map (Xen 4.17 iomem_access_permitted over dom0's iomem_caps, as
    /// xen/arch/x86/dom0_build.c dom0_setup_permissions fills them): every frame below
    /// 2^(paddr_bits-12), less the local APIC page, the I/O APIC page, the MSI window
    /// (0xfee00000 + MSI_ADDR_DEST_ID_MASK) and E820_UNUSABLE ranges above 1 MiB. Frame numbers,
    /// 4 KiB each. The I/O APIC is taken at its architectural default address (the MADT is not
    /// read here); HPET's read-only treatment (mmio_ro_ranges) is not modelled.
    /// </summary>
    public static unsafe class IomemPermissions
    {
        /// <summary>MSI_ADDR_BASE_LO (xen/include/asm-x86/msi.h) as a frame, and the frames its destination-id field spans (MSI_ADDR_DEST_ID_MASK 0x000ff000).</summary>
        const ulong MsiFirstFrame = 0xfee00, MsiFrames = 0x100;
        /// <summary>The I/O APIC's default physical address (Intel 82093AA datasheet, 3.0) as a frame.</summary>
        const ulong IoApicFrame = 0xfec00;
        /// <summary>CPUID leaf 0x80000008: EAX[7:0] the physical address width (SDM vol. 2A, CPUID).</summary>
        const uint AddressSizesLeaf = 0x80000008;
        /// <summary>IA32_APIC_BASE bits 12 and up: the local APIC's base address (SDM vol. 3A, 11.4.4).</summary>
        const ulong ApicBaseMask = ~0xFFFUL & ((1UL << 52) - 1);

        /// <summary>The first frame past the machine's physical address width (Xen's paddr_bits); 0 before <see cref="Init"/> (host tests): no limit.</summary>
        public static ulong FrameLimit;
        static ulong s_lapicFrame;
        static E820Entry* s_map;
        static int s_count;

        /// <summary>Reads the address width and the local APIC base; <paramref name="map"/> is the machine's e820 map.</summary>
        public static void Init(E820Entry* map, int count)
        {
            uint* r = stackalloc uint[4];
            Cpu.Cpuid(0x80000000, 0, r);
            uint bits = 36;   // Xen's default when the leaf is absent (arch/x86/cpu/common.c)
            if (r[0] >= AddressSizesLeaf) { Cpu.Cpuid(AddressSizesLeaf, 0, r); bits = r[0] & 0xff; }
            FrameLimit = 1UL << (int)(bits - 12);
            s_lapicFrame = (Cpu.Rdmsr(X86.Msr.IA32_APIC_BASE) & ApicBaseMask) >> 12;
            s_map = map;
            s_count = count;
        }

        /// <summary>iomem_access_permitted(dom0, mfn, mfn).</summary>
        public static bool Permitted(ulong mfn)
        {
            if (FrameLimit != 0 && mfn >= FrameLimit) return false;
            if ((s_lapicFrame != 0 && mfn == s_lapicFrame) || mfn == IoApicFrame) return false;
            if (mfn >= MsiFirstFrame && mfn < MsiFirstFrame + MsiFrames) return false;
            if (mfn < PageTypes.LowIoFrames) return true;
            for (int i = 0; i < s_count; i++)
            {
                E820Entry* e = s_map + i;
                if (e->Type == E820Entry.Unusable && e->Size != 0 && mfn >= e->Addr >> 12 && mfn <= (e->Addr + e->Size - 1) >> 12) return false;
            }
            return true;
        }
    }
}
