namespace Microxen.Boot
{
    /// <summary>
    /// The shim's own address space, replacing the boot tables: L4 slot 262 on, the direct map of
    /// machine memory (2 MiB pages) at <see cref="Host.DirectMapVirt"/>; slot 261, the image
    /// window (2 MiB pages) at SHIM_VIRT (linker.ld). Nothing is mapped in the lower half, so a
    /// null pointer faults. Every guest L4 gets these slots (<see cref="Host.FillShimSlots"/>).
    /// </summary>
    public static unsafe class ShimPageTables
    {
        public const ulong ImageVirt = 0xffff82d080000000;
        const ulong Table = PageTables.Present | PageTables.Rw | PageTables.Accessed | PageTables.Dirty;
        const ulong Large = Table | PageTables.Pse;

        /// <summary>Builds the tables in frames from the allocator; returns the L4's frame.</summary>
        public static ulong Build(ref PhysMem mem, ref FrameAllocator frames, ulong directMapBytes, ulong imageEndPhys)
        {
            ulong l4 = NewTable(ref mem, ref frames);
            Map2M(ref mem, ref frames, l4, Host.DirectMapVirt, 0, directMapBytes);
            Map2M(ref mem, ref frames, l4, ImageVirt, 0, imageEndPhys);
            return l4;
        }

        /// <summary>Maps [va, va+bytes) to [pa, ...) with 2 MiB pages (bytes rounded up to 2 MiB).</summary>
        static void Map2M(ref PhysMem mem, ref FrameAllocator frames, ulong l4, ulong va, ulong pa, ulong bytes)
        {
            for (ulong off = 0; off < bytes; off += 1UL << 21)
            {
                ulong v = va + off;
                ulong* t4 = PageTables.Table(mem, l4);
                ulong l3 = Next(ref mem, ref frames, t4, PageTables.Index(v, 4));
                ulong* t3 = PageTables.Table(mem, l3);
                ulong l2 = Next(ref mem, ref frames, t3, PageTables.Index(v, 3));
                PageTables.Table(mem, l2)[PageTables.Index(v, 2)] = (pa + off) | Large;
            }
        }

        static ulong Next(ref PhysMem mem, ref FrameAllocator frames, ulong* table, int index)
        {
            if ((table[index] & PageTables.Present) == 0)
                table[index] = (NewTable(ref mem, ref frames) << 12) | Table;
            return PageTables.EntryMfn(table[index]);
        }

        static ulong NewTable(ref PhysMem mem, ref FrameAllocator frames)
        {
            // Lowest free frame: these tables are written through the boot direct map, which
            // covers only the first GiB.
            ulong f = frames.Alloc();
            if (f == FrameAllocator.None || f >= (1UL << 18)) Panic.Stop("no memory below 1 GiB for the shim's page tables");
            mem.ZeroFrame(f);
            return f;
        }

        /// <summary>
        /// Maps the M2P table (frames [firstMfn, firstMfn+count)) read-only at
        /// HYPERVISOR_VIRT_START (L4 slot 256), where the guest reads machine_to_phys_mapping.
        /// </summary>
        public static void MapM2p(ref PhysMem mem, ref FrameAllocator frames, ulong l4, ulong firstMfn, ulong count)
        {
            for (ulong i = 0; i < count; i++)
            {
                ulong created;
                var err = PageTables.Map4K(ref mem, l4, Xen.Layout.MACH2PHYS_VIRT_START + i * 4096, firstMfn + i,
                    PageTables.Present | PageTables.Accessed | PageTables.Nx, Table, ref frames, out created);
                if (err != PageTableError.Ok) Panic.Stop("cannot map the M2P table");
            }
        }
    }
}
