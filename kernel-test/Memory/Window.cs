namespace KernelTest.Memory
{
    /// <summary>
    /// A 2 MiB window of kernel virtual addresses whose L1 table kernel-test owns: L2 slot 511 of
    /// the table mapping VIRT_BASE (VA 0xffffffffbfe00000; 0x3fe00000 in the build linked at
    /// 1 MiB), empty in the bootstrap layout. The L1
    /// is a free frame cleared with MMUEXT_CLEAR_PAGE and hooked in with mmu_update. Slot 0
    /// maps shared_info, slot 1 is the scratch mapping used to fill free frames before they
    /// become page tables or descriptor tables; tests use the others.
    /// </summary>
    public static unsafe class Window
    {
        public static ulong Base => Mm.VirtBase + 511UL * 0x200000;
        public const int SharedInfoSlot = 0;
        public const int ScratchSlot = 1;

        /// <summary>Machine frame of the window's L1 table.</summary>
        public static ulong L1Mfn;

        public static ulong Va(int slot) => Base + (ulong)slot * Mm.PageSize;

        /// <summary>Machine address of the L1 entry of <paramref name="slot"/> (for mmu_update).</summary>
        public static ulong PteMa(int slot) => (L1Mfn << 12) + (ulong)slot * 8;

        public static bool Init(out string why)
        {
            why = null;
            ulong* l4 = (ulong*)Mm.Start->PtBase;
            ulong e4 = l4[Mm.Index(Base, 4)];
            if ((e4 & PageFlags.Present) == 0) { why = "no L3 for VIRT_BASE"; return false; }
            ulong* l3 = Mm.VaOfMfn(Mm.EntryMfn(e4));
            ulong e3 = l3[Mm.Index(Base, 3)];
            if ((e3 & PageFlags.Present) == 0 || (e3 & PageFlags.PSE) != 0) { why = "no L2 for VIRT_BASE"; return false; }
            ulong l2Mfn = Mm.EntryMfn(e3);
            ulong* l2 = Mm.VaOfMfn(l2Mfn);
            int i2 = Mm.Index(Base, 2);
            if ((l2[i2] & PageFlags.Present) != 0) { why = "the window's L2 slot is in use"; return false; }
            L1Mfn = Mm.AllocFrame();
            long rc = Hv.Mmuext(MmuextCmd.MMUEXT_CLEAR_PAGE, L1Mfn);
            if (rc != 0) { why = "MMUEXT_CLEAR_PAGE failed"; return false; }
            rc = Hv.WritePte((l2Mfn << 12) + (ulong)i2 * 8, (L1Mfn << 12) | Mm.KernelRw);
            if (rc != 0) { why = "mmu_update of the L2 entry failed"; return false; }
            rc = Hv.UpdateVaMapping(Va(SharedInfoSlot), Mm.Start->SharedInfo | Mm.KernelRw, UvmFlags.UVMF_INVLPG);
            if (rc != 0) { why = "cannot map shared_info"; return false; }
            return true;
        }

        /// <summary>Maps <paramref name="mfn"/> at <paramref name="slot"/> with <paramref name="flags"/> (update_va_mapping, UVMF_INVLPG).</summary>
        public static long Map(int slot, ulong mfn, ulong flags = Mm.KernelRw) =>
            Hv.UpdateVaMapping(Va(slot), (mfn << 12) | flags, UvmFlags.UVMF_INVLPG);

        public static long Unmap(int slot) => Hv.UpdateVaMapping(Va(slot), 0, UvmFlags.UVMF_INVLPG);

        /// <summary>Maps a frame writable at the scratch slot and returns its address; call <see cref="EndScratch"/> after writing.</summary>
        public static ulong* Scratch(ulong mfn)
        {
            if (Map(ScratchSlot, mfn) != 0) return null;
            return (ulong*)Va(ScratchSlot);
        }

        public static long EndScratch() => Unmap(ScratchSlot);

        /// <summary>A free frame, cleared (MMUEXT_CLEAR_PAGE); 0 on failure.</summary>
        public static ulong ClearedFrame()
        {
            ulong mfn = Mm.AllocFrame();
            if (mfn == 0 || Hv.Mmuext(MmuextCmd.MMUEXT_CLEAR_PAGE, mfn) != 0) return 0;
            return mfn;
        }

        public static SharedInfo* Shared => (SharedInfo*)Va(SharedInfoSlot);
        public static VcpuInfo* Vcpu0 => SharedInfo.Vcpu(Shared, 0);
    }
}
