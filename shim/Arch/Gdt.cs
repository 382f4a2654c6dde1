using Microxen.Console;
using Microxen.Memory;

namespace Microxen.Arch
{
    /// <summary>
    /// The GDT, laid out as Xen's per-vCPU GDT: 16 pages (8192 entries, limit 0xffff) at
    /// <see cref="Virt"/> in the shim's L4 slot 261. Pages 0-13 (entries 0-7167) show the guest's
    /// own GDT frames (HYPERVISOR_set_gdt), pages 14-15 are the shim's: the TSS at entry 7168
    /// and the flat selectors at Xen's indices (FLAT_RING3_* in public/arch-x86/xen-x86_64.h)
    /// with DPL 0, since the guest kernel runs in ring 0: 0xe030 code64 (the shim's and the
    /// guest kernel's CS), 0xe028 data (SS), 0xe038 data (SS after syscall = STAR CS + 8).
    /// </summary>
    public static unsafe class Gdt
    {
        public const ulong Virt = 0xffff82c000000000;
        public const int Pages = 16;
        public const int GuestPages = 14;           // FIRST_RESERVED_GDT_PAGE
        public const int GuestEntries = GuestPages * 512;

        public const ushort TssSelector = 7168 * 8;  // 0xe000
        public const ushort KernelSs = 7173 * 8;     // 0xe028
        public const ushort KernelCs = 7174 * 8;     // 0xe030
        public const ushort SyscallSs = 7175 * 8;    // 0xe038

        const ulong Code64 = 0x00af9b000000ffff;     // present, DPL 0, execute/read, L, accessed
        const ulong Data = 0x00cf93000000ffff;       // present, DPL 0, read/write, accessed

        static ulong s_zeroFrame;
        static ulong s_reservedFrame0;
        static ulong s_l4;
        static PhysMem s_mem;

        /// <summary>Maps the 16 GDT pages into the shim's tables (<paramref name="l4Mfn"/>) and loads the GDT and TR.</summary>
        public static void Init(ref PhysMem mem, ulong l4Mfn, ref FrameAllocator frames, Tss* tss)
        {
            s_mem = mem;
            s_l4 = l4Mfn;
            s_zeroFrame = frames.AllocHigh();
            s_reservedFrame0 = frames.AllocHigh();
            ulong reserved1 = frames.AllocHigh();
            if (reserved1 == FrameAllocator.None) Boot.Panic.Stop("no memory for the GDT");
            mem.ZeroFrame(s_zeroFrame);
            mem.ZeroFrame(s_reservedFrame0);
            mem.ZeroFrame(reserved1);
            for (int i = 0; i < Pages; i++)
            {
                ulong mfn = i < GuestPages ? s_zeroFrame : (i == GuestPages ? s_reservedFrame0 : reserved1);
                Map(i, mfn, ref frames);
            }
            ulong* e = (ulong*)mem.Frame(s_reservedFrame0);   // entry 7168 + k is e[k]
            ulong tb = (ulong)tss;
            e[0] = 103 | ((tb & 0xffffff) << 16) | (0x89UL << 40) | (((tb >> 24) & 0xff) << 56);
            e[1] = tb >> 32;
            e[5] = Data;
            e[6] = Code64;
            e[7] = Data;
            Load();
            Cpu.LoadSegments(KernelCs, KernelSs);
            Cpu.Ltr(TssSelector);
        }

        static void Map(int page, ulong mfn, ref FrameAllocator frames)
        {
            var mem = s_mem;
            ulong created;
            var err = PageTables.Map4K(ref mem, s_l4, Virt + (ulong)page * 4096, mfn,
                PageTables.Present | PageTables.Rw | PageTables.Accessed | PageTables.Dirty,
                PageTables.Present | PageTables.Rw | PageTables.Accessed | PageTables.Dirty, ref frames, out created);
            if (err != PageTableError.Ok) Boot.Panic.Stop("cannot map the GDT");
        }

        public static void Load()
        {
            DescriptorPointer p;
            p.Limit = 0xffff;
            p.Base = Virt;
            Cpu.Lgdt(&p);
        }

        /// <summary>
        /// Shows the guest's GDT frames in pages 0..n-1 (HYPERVISOR_set_gdt) and the zero frame in
        /// the rest of the guest part. The L1 table already exists (Init made it), so no frames
        /// are needed: the entries are rewritten in place.
        /// </summary>
        public static void SetGuestFrames(ulong* mfns, int count)
        {
            for (int i = 0; i < GuestPages; i++)
            {
                ulong va = Virt + (ulong)i * 4096;
                ulong pte; int level;
                if (!PageTables.Walk(s_mem, s_l4, va, out pte, out level) || level != 1)
                    Boot.Panic.Stop("GDT mapping lost");
                ulong* l1 = L1EntryFor(va);
                ulong mfn = i < count ? mfns[i] : s_zeroFrame;
                *l1 = (mfn << 12) | PageTables.Present | PageTables.Rw | PageTables.Accessed | PageTables.Dirty;
                Cpu.Invlpg(va);
            }
        }

        static ulong* L1EntryFor(ulong va)
        {
            ulong t = s_l4;
            for (int level = 4; level > 1; level--)
                t = PageTables.EntryMfn(PageTables.Table(s_mem, t)[PageTables.Index(va, level)]);
            return PageTables.Table(s_mem, t) + PageTables.Index(va, 1);
        }
    }
}
