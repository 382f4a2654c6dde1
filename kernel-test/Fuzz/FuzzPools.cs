using KernelTest.Arch;
using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Fuzz
{
    /// <summary>The storm's argument pools: frames, PTE values, pointers, virtual addresses, words, domain ids (see <see cref="FuzzGroups"/>).</summary>
    public static unsafe partial class FuzzGroups
    {
        // ---- pools ----

        static ulong Frame()
        {
            if (FuzzRandom.Chance(3, 4) && !s_wildFrames) return Fuzz.PoolFrame((int)FuzzRandom.Below(Fuzz.PoolFrames));
            return WildFrame();
        }

        /// <summary>
        /// Group mem draws only frames beyond memory: the pool's machine frame numbers differ
        /// between hosts, and memory_op reads them as domids, spaces, counts and pads.
        /// </summary>
        static bool s_wildFrames;

        /// <summary>The first wild frame number: 64 GiB, far above the QEMU machine's RAM and devices.</summary>
        const ulong WildFirst = 1UL << 24;
        static ulong WildFrame() => WildFirst + FuzzRandom.Below(WildFirst);

        static ulong PteFlags()
        {
            switch (FuzzRandom.Below(12))
            {
                case 0: return Mm.KernelRw;
                case 1: return PageFlags.Present;
                case 2: return PageFlags.Present | PageFlags.RW;
                case 3: return PageFlags.Present | PageFlags.RW | PageFlags.User;
                case 4: return PageFlags.Present | PageFlags.PSE;                    // PAT at L1, PSE above
                case 5: return PageFlags.Present | PageFlags.RW | PageFlags.PCD | PageFlags.PWT;
                case 6: return PageFlags.Present | 0x100;                            // global
                case 7: return (1UL << 63) | PageFlags.Present | PageFlags.RW;       // NX
                case 8: return PageFlags.Present | PageFlags.RW | (1UL << 51);       // reserved bit
                case 9: return PageFlags.Present | 0xe00;                            // available bits
                case 10: return 0;
                default: return FuzzRandom.Next() & 0x8000000000000fff;
            }
        }

        /// <summary>A PTE naming a pool or wild frame; one in 16 with random flag and high bits (never a random frame: fast mode would map it).</summary>
        static ulong Pte() => (Frame() << 12) | (FuzzRandom.Chance(1, 16) ? FuzzRandom.Next() & 0xfff0000000000fff : PteFlags());

        static ulong Ptr(ulong buf)
        {
            ulong r = FuzzRandom.Below(HvPtrs ? 19UL : 16UL);
            if (r < 10) return buf;
            switch (r)
            {
                case 10: return 0;
                case 11: return 0x8000000000000000;
                case 12: return 0x0000800000000000;
                case 13: return Window.Va(Fuzz.SlotA + 1);
                case 14: return buf + 4092;
                case 15: return (32UL << 39) + (FuzzRandom.Below(64) << 12);          // L4 slot 32: no tables
                case 16: return Layout.MACH2PHYS_VIRT_START + (FuzzRandom.Below(64) << 12);
                case 17: return 0xffff82d080000000 + (FuzzRandom.Below(256) << 12);   // Xen's text, microxen's image
                default: return 0xffff830000000000 + (FuzzRandom.Below(64) << 20);     // the directmap
            }
        }

        static ulong SlotVa() => Window.Va(Fuzz.FirstSlot + (int)FuzzRandom.Below(Fuzz.Slots));

        static ulong Va()
        {
            ulong r = FuzzRandom.Below(HvPtrs ? 12UL : 11UL);
            if (r < 8) return SlotVa();
            switch (r)
            {
                case 8: return SlotVa() + (FuzzRandom.Next() & 0xfff);
                case 9: return 32UL << 39;                            // L4 slot 32: no tables
                case 10: return 0x0000900000000000;                   // not canonical
                default: return Layout.MACH2PHYS_VIRT_START + (FuzzRandom.Below(512) << 12);
            }
        }

        /// <summary>A word for an argument structure: small counts, frames, PTEs, pointers, DOMID_SELF, noise.</summary>
        static ulong Word()
        {
            switch (FuzzRandom.Below(10))
            {
                case 0: case 1: case 2: return FuzzRandom.Below(4);
                case 3: return Frame();
                case 4: return Pte();
                case 5: return Ptr(Fuzz.BufB);
                case 6: return Hv.DomidSelf;
                case 7: return FuzzRandom.Next();
                case 8: return FuzzRandom.Next() & 0xffffffff;
                default: return 1 + FuzzRandom.Below(64);
            }
        }

        static void Fill(ulong buf, int words)
        {
            ulong* p = (ulong*)buf;
            for (int k = 0; k < words; k++) p[k] = Word();
        }

        static ulong Domid()
        {
            switch (FuzzRandom.Below(8))
            {
                case 0: return 0;
                case 1: return 1;
                case 2: return 0x7ff1;                // DOMID_IO
                case 3: return FuzzRandom.Next() & 0xffff;
                default: return Hv.DomidSelf;
            }
        }
    }
}
