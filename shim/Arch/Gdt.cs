namespace Microxen.Arch
{
    /// <summary>
    /// The GDT, laid out as Xen's per-vCPU GDT: 16 pages (8192 entries, limit 0xffff) at
    /// <see cref="Virt"/> in the shim's L4 slot 261. Pages 0-13 (entries 0-7167) show the guest's
    /// own GDT frames (HYPERVISOR_set_gdt; in checked mode shadow copies of them, Checked/ShadowGdt.cs),
    /// pages 14-15 are the shim's: the TSS at entry 7168
    /// and Xen's flat selectors at Xen's indices (FLAT_RING3_* in public/arch-x86/xen-x86_64.h):
    /// <list type="bullet">
    /// <item>0xe028 (FLAT_RING3_DS32/SS32/SS64 = 0xe02b): flat data, <b>DPL 3</b>, so that both
    /// the ring-0 guest kernel and guest user mode load 0xe02b into DS/ES/FS/GS as under Xen, and
    /// user mode into SS. The kernel (CPL 0) cannot have it in SS: its <c>mov</c> to SS and
    /// the SS of its iret frames become <see cref="KernelSs"/> (Traps/SegmentEmulation.cs).</item>
    /// <item>0xe030 (FLAT_RING3_CS64 = FLAT_KERNEL_CS64 = 0xe033): 64-bit code, DPL 0: the
    /// guest kernel's CS, the shim's CS (IDT gates, STAR). DPL 0 keeps a raw <c>iretq</c>/<c>lretq</c>
    /// of the ring-0 kernel to 0xe033 faulting (#GP 0xe030), which the shim completes as Xen's
    /// ring-3 kernel experiences it, in kernel mode (Traps/SegmentEmulation.cs); with DPL 3 the
    /// CPU would drop the kernel to ring 3.</item>
    /// <item>0xe020 (FLAT_RING3_CS32 = 0xe023): 32-bit code, DPL 0, the ring-0 form of a kernel
    /// transfer to 0xe023, for the same reason.</item>
    /// <item>0xe038: data, DPL 0: the guest kernel's SS (and SS after syscall = STAR CS + 8).</item>
    /// <item>0xe043, 0xe04b: 64-bit and 32-bit code, DPL 3: what guest user mode runs on when it
    /// names 0xe033 / 0xe023 (<see cref="UserHardwareCs"/>, applied when the shim's iretq
    /// refuses the flat one; frames given to the guest show
    /// Xen's selector again, <see cref="GuestViewCs"/>). Reading CS in user mode gives the alias.</item>
    /// </list>
    /// </summary>
    public static unsafe class Gdt
    {
        public const ulong Virt = Inline.SmpEntry.GdtVirt;   // the transfer page's per-CPU base (sgdt) relies on it
        public const int Pages = 16;
        public const int GuestPages = 14;           // FIRST_RESERVED_GDT_PAGE
        public const int GuestEntries = GuestPages * 512;

        public const ushort TssSelector = 7168 * 8;  // 0xe000
        public const ushort FlatCs32 = 7172 * 8;     // 0xe020: FLAT_RING3_CS32 with RPL 0
        public const ushort FlatDs = 7173 * 8;       // 0xe028: FLAT_RING3_DS32/SS32/SS64 with RPL 0
        public const ushort KernelCs = 7174 * 8;     // 0xe030: FLAT_RING3_CS64 / FLAT_KERNEL_CS64 with RPL 0
        public const ushort KernelSs = 7175 * 8;     // 0xe038: the kernel's SS, also SS after syscall (STAR CS + 8)
        public const ushort UserFlatCs64 = 7176 * 8 + 3;   // 0xe043: what user mode runs on for FLAT_RING3_CS64
        public const ushort UserFlatCs32 = 7177 * 8 + 3;   // 0xe04b: what user mode runs on for FLAT_RING3_CS32
        /// <summary>0xe050: the LDT descriptor (16 bytes, entries 7178-7179) describing <see cref="LdtVirt"/> (Xen's LDT_ENTRY).</summary>
        public const ushort LdtSelector = 7178 * 8;
        /// <summary>The per-vCPU LDT area after the GDT pages (Xen's LDT_VIRT_START): 16 pages, 8192 entries, not present until used.</summary>
        public const ulong LdtVirt = Virt + Pages * 4096;
        public const int LdtPages = 16;

        const ulong Code64 = 0x00af9b000000ffff;     // present, DPL 0, execute/read, L, accessed
        const ulong Code32 = 0x00cf9b000000ffff;     // present, DPL 0, execute/read, D (32-bit), accessed
        const ulong Data = 0x00cf93000000ffff;       // present, DPL 0, read/write, accessed
        const ulong Dpl3 = 3UL << 45;
        const ulong DataDpl3 = Data | Dpl3;

        /// <summary>Whether <paramref name="sel"/> (any RPL) names one of Xen's flat code selectors, 0xe023 or 0xe033.</summary>
        public static bool IsFlatCode(ulong sel) => (sel & ~X86.Selector.RplMask) == KernelCs || (sel & ~X86.Selector.RplMask) == FlatCs32;

        /// <summary>The CS user mode runs on for user CS <paramref name="cs"/>: the DPL-3 alias for 0xe033 / 0xe023, else itself.</summary>
        public static ulong UserHardwareCs(ulong cs) =>
            cs == (KernelCs | X86.Selector.RplMask) ? UserFlatCs64 : cs == (FlatCs32 | X86.Selector.RplMask) ? UserFlatCs32 : cs;

        /// <summary>The CS a frame given to the guest shows for hardware CS <paramref name="cs"/>: Xen's 0xe033 / 0xe023 for the aliases.</summary>
        public static ulong GuestViewCs(ulong cs) =>
            cs == UserFlatCs64 ? (ulong)(KernelCs | X86.Selector.RplMask) : cs == UserFlatCs32 ? (ulong)(FlatCs32 | X86.Selector.RplMask) : cs;

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
            for (int i = 0; i < LdtPages; i++)
            {
                Map(Pages + i, s_zeroFrame, ref frames);
                SetLdtPage(i, 0);
            }
            FillReserved((ulong*)mem.Frame(s_reservedFrame0), tss);
            Load();
            Cpu.LoadSegments(KernelCs, KernelSs);
            Cpu.Ltr(TssSelector);
        }

        /// <summary>The shim's descriptors in reserved page 0 (entry 7168 + k is e[k]): the TSS <paramref name="tss"/> and the flat selectors.</summary>
        static void FillReserved(ulong* e, Tss* tss)
        {
            ulong tb = (ulong)tss;
            e[0] = 103 | ((tb & 0xffffff) << 16) | (0x89UL << 40) | (((tb >> 24) & 0xff) << 56);
            e[1] = tb >> 32;
            e[4] = Code32;
            e[5] = DataDpl3;
            e[6] = Code64;
            e[7] = Data;
            e[8] = Code64 | Dpl3;
            e[9] = Code32 | Dpl3;
        }

        /// <summary>Bytes of virtual space per CPU: its GDT (16 pages) and LDT window (16 pages), as Xen's per-vCPU GDT_LDT area.</summary>
        public const ulong CpuStride = (ulong)(Pages + LdtPages) * 4096;

        /// <summary>
        /// An application processor's GDT at <see cref="Virt"/> + cpu * <see cref="CpuStride"/>
        /// (Gdt.Init must have run): the guest pages show the zero frame, reserved page 0 is the
        /// CPU's own (its TSS descriptor: TR's busy bit is per descriptor), reserved page 1 is
        /// shared. Runs on the BSP (it allocates); <see cref="LoadCpu"/> runs on the AP.
        /// </summary>
        public static bool InitCpu(int cpu, Tss* tss, ref FrameAllocator frames)
        {
            ulong own = frames.AllocHigh();
            if (own == FrameAllocator.None) return false;
            s_mem.ZeroFrame(own);
            FillReserved((ulong*)s_mem.Frame(own), tss);
            ulong shared = PageTables.EntryMfn(*L1EntryFor(Virt + (GuestPages + 1) * 4096UL));
            ulong at = Virt + (ulong)cpu * CpuStride;
            for (int i = 0; i < Pages + LdtPages; i++)
            {
                ulong mfn = i < GuestPages || i >= Pages ? s_zeroFrame : (i == GuestPages ? own : shared);
                if (!MapAt(at + (ulong)i * 4096, mfn, ref frames)) return false;
            }
            for (int i = 0; i < LdtPages; i++) SetLdtPage(cpu, i, 0);   // the LDT area not present until used (as CPU 0's, Init): Ldt.TryFault maps it
            return true;
        }

        /// <summary>On CPU <paramref name="cpu"/>: lgdt its GDT, the shim's flat selectors, ltr its TSS.</summary>
        public static void LoadCpu(int cpu)
        {
            DescriptorPointer p;
            p.Limit = 0xffff;
            p.Base = Virt + (ulong)cpu * CpuStride;
            Cpu.Lgdt(&p);
            Cpu.LoadSegments(KernelCs, KernelSs);
            Cpu.Ltr(TssSelector);
        }

        static bool MapAt(ulong va, ulong mfn, ref FrameAllocator frames)
        {
            var mem = s_mem;
            ulong created;
            return PageTables.Map4K(ref mem, s_l4, va, mfn,
                PageTables.Present | PageTables.Rw | PageTables.Accessed | PageTables.Dirty,
                PageTables.Present | PageTables.Rw | PageTables.Accessed | PageTables.Dirty, ref frames, out created) == PageTableError.Ok;
        }

        static void Map(int page, ulong mfn, ref FrameAllocator frames)
        {
            if (!MapAt(Virt + (ulong)page * 4096, mfn, ref frames)) Boot.Panic.Stop("cannot map the GDT");
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
        public static void SetGuestFrames(ulong* mfns, int count) => SetGuestFrames(Microxen.Smp.Cpus.Current(), mfns, count);

        /// <summary>As <see cref="SetGuestFrames(ulong*, int)"/> in CPU <paramref name="cpu"/>'s GDT (its invlpg only on that CPU: call it there).</summary>
        public static void SetGuestFrames(int cpu, ulong* mfns, int count)
        {
            for (int i = 0; i < GuestPages; i++)
            {
                ulong va = Virt + (ulong)cpu * CpuStride + (ulong)i * 4096;
                ulong pte; int level;
                if (!PageTables.Walk(s_mem, s_l4, va, out pte, out level) || level != 1)
                    Boot.Panic.Stop("GDT mapping lost");
                ulong* l1 = L1EntryFor(va);
                ulong mfn = i < count ? mfns[i] : s_zeroFrame;
                *l1 = (mfn << 12) | PageTables.Present | PageTables.Rw | PageTables.Accessed | PageTables.Dirty;
                Cpu.Invlpg(va);
            }
        }

        /// <summary>Maps guest frame <paramref name="mfn"/> at LDT page <paramref name="page"/> (0: not present), invlpg'd.</summary>
        public static void SetLdtPage(int page, ulong mfn) => SetLdtPage(Microxen.Smp.Cpus.Current(), page, mfn);

        /// <summary>CPU <paramref name="cpu"/>'s LDT area (<see cref="LdtVirt"/> in its GDT_LDT stride).</summary>
        public static ulong CpuLdtVirt(int cpu) => LdtVirt + (ulong)cpu * CpuStride;

        /// <summary>As <see cref="SetLdtPage(int, ulong)"/> in CPU <paramref name="cpu"/>'s LDT area (invlpg'd on the calling CPU).</summary>
        public static void SetLdtPage(int cpu, int page, ulong mfn)
        {
            ulong va = CpuLdtVirt(cpu) + (ulong)page * 4096;
            *L1EntryFor(va) = mfn == 0 ? 0 : (mfn << 12) | PageTables.Present | PageTables.Rw | PageTables.Accessed | PageTables.Dirty;
            Cpu.Invlpg(va);
        }

        /// <summary>load_LDT: <paramref name="entries"/> = 0 loads the null LDT, else the LDT descriptor over the first <paramref name="entries"/> entries of <see cref="LdtVirt"/> and lldt.</summary>
        public static void LoadLdt(uint entries)
        {
            if (entries == 0) { Cpu.Lldt(0); return; }
            int cpu = Microxen.Smp.Cpus.Current();
            ulong ldt = CpuLdtVirt(cpu);
            ulong* e = (ulong*)(Virt + (ulong)cpu * CpuStride + GuestPages * 4096UL) + (LdtSelector / 8 - TssSelector / 8);   // this CPU's reserved page 0
            ulong limit = entries * 8UL - 1;
            e[0] = (limit & 0xffff) | ((ldt & 0xffffff) << 16) | (0x82UL << 40) | (((limit >> 16) & 0xf) << 48) | (((ldt >> 24) & 0xff) << 56);
            e[1] = ldt >> 32;
            Cpu.Lldt(LdtSelector);
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
