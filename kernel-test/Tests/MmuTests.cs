namespace KernelTest.Tests
{
    /// <summary>
    /// Page-table updates through update_va_mapping and mmu_update (public/xen.h;
    /// xen/arch/x86/mm.c): new mappings of free frames and of kernel-test's own pages, remapping,
    /// unmapping and the #PF that follows, read-only mappings.
    /// </summary>
    public static unsafe class MmuTests
    {
        struct TwoPages { public fixed byte B[8192]; }
        static TwoPages s_pages;

        /// <summary>A page of kernel-test's .bss mapped a second time: a write through the new mapping is read back through the original one, and the other way round.</summary>
        public static bool MapAlias()
        {
            ulong va;
            fixed (TwoPages* p = &s_pages) va = ((ulong)p->B + 4095) & ~4095UL;
            int slot = Runner.Slot(0);
            if (!Check.Rc("update_va_mapping", Window.Map(slot, Mm.MfnOfVa(va)))) return false;
            ulong* alias = (ulong*)Window.Va(slot);
            alias[3] = 0x0123456789abcdef;
            if (!Check.Eq("original mapping after a write through the alias", ((ulong*)va)[3], 0x0123456789abcdef)) return false;
            ((ulong*)va)[4] = 0xfedcba9876543210;
            if (!Check.Eq("alias after a write through the original", ((ulong*)alias)[4], 0xfedcba9876543210)) return false;
            return Check.Rc("unmap", Window.Unmap(slot));
        }

        /// <summary>
        /// A free frame (from the p2m, above the bootstrap area) mapped at two new addresses:
        /// one with update_va_mapping, one with mmu_update (MMU_NORMAL_PT_UPDATE on the L1 entry)
        /// and MMUEXT_INVLPG_LOCAL. Both show its contents and share writes.
        /// </summary>
        public static bool MapFreeFrame()
        {
            ulong mfn = Frames.WithPattern(0x1111222233334444);
            if (!Check.True(mfn != 0, "no free frame")) return false;
            int a = Runner.Slot(0), b = Runner.Slot(1);
            if (!Check.Rc("update_va_mapping", Window.Map(a, mfn))) return false;
            if (!Check.Rc("mmu_update", Hv.WritePte(Window.PteMa(b), (mfn << 12) | Mm.KernelRw))) return false;
            if (!Check.Rc("MMUEXT_INVLPG_LOCAL", Hv.Mmuext(MmuextCmd.MMUEXT_INVLPG_LOCAL, Window.Va(b)))) return false;
            if (!Check.Eq("contents through update_va_mapping", Frames.First(a), 0x1111222233334444)) return false;
            if (!Check.Eq("contents through mmu_update", Frames.First(b), 0x1111222233334444)) return false;
            ((ulong*)Window.Va(a))[7] = 0x5555;
            if (!Check.Eq("write shared between the two mappings", ((ulong*)Window.Va(b))[7], 0x5555)) return false;
            if (!Check.Rc("unmap a", Window.Unmap(a))) return false;
            return Check.Rc("unmap b", Window.Unmap(b));
        }

        /// <summary>A mapping moved from one frame to another with update_va_mapping(UVMF_INVLPG) shows the new frame.</summary>
        public static bool Remap()
        {
            ulong f1 = Frames.WithPattern(0xaaaa0001), f2 = Frames.WithPattern(0xbbbb0002);
            if (!Check.True(f1 != 0 && f2 != 0, "no free frames")) return false;
            int s = Runner.Slot(0);
            if (!Check.Rc("map", Window.Map(s, f1))) return false;
            if (!Check.Eq("first frame", Frames.First(s), 0xaaaa0001)) return false;
            if (!Check.Rc("remap", Window.Map(s, f2))) return false;
            if (!Check.Eq("second frame after the remap", Frames.First(s), 0xbbbb0002)) return false;
            return Check.Rc("unmap", Window.Unmap(s));
        }

        /// <summary>
        /// After update_va_mapping(va, 0, UVMF_INVLPG) a read of va takes a #PF: vector 14,
        /// vcpu_info.arch.cr2 = va, error code "not present, read, supervisor" (Xen reports kernel
        /// faults without the user bit).
        /// </summary>
        public static bool UnmapFaults()
        {
            ulong f = Frames.WithPattern(0xcccc0003);
            if (!Check.True(f != 0, "no free frame")) return false;
            int s = Runner.Slot(0);
            ulong va = Window.Va(s);
            if (!Check.Rc("map", Window.Map(s, f))) return false;
            if (!Check.Eq("mapped frame", Frames.First(s), 0xcccc0003)) return false;
            if (!Check.Rc("unmap", Window.Unmap(s))) return false;
            ProbeState* p = Traps.State;
            ulong before = p->Faults;
            Native.ProbeRead(va);
            if (!Check.Eq("faults after reading an unmapped page", p->Faults - before, 1)) return false;
            if (!Check.Eq("vector", p->Vector, X86.Vector.PF)) return false;
            if (!Check.Eq("vcpu_info.arch.cr2", p->Cr2, va)) return false;
            return Check.Eq("error code (P, W/R, U/S bits)", p->ErrorCode & 7, 0);
        }

        /// <summary>
        /// A kernel write to a present read-only mapping takes a #PF with error code "present,
        /// write, supervisor" (3) and cr2 = va, and the frame is unchanged. The mapping is a
        /// supervisor one in the lower half (user space's L1, <see cref="UserSpace"/>);
        /// <see cref="ReadOnlyFaultsKernelHalf"/> does the same in the kernel half.
        /// </summary>
        public static bool ReadOnlyFaults()
        {
            if (!UserSpace.Ensure()) return false;
            ulong f = Frames.WithPattern(0xdddd0004);
            if (!Check.True(f != 0, "no free frame")) return false;
            ulong va = UserSpace.TestVa;
            if (!Check.Rc("map read-only", Hv.UpdateVaMapping(va, (f << 12) | PageFlags.Present | PageFlags.Accessed, UvmFlags.UVMF_INVLPG))) return false;
            if (!Check.Eq("read through the read-only mapping", *(ulong*)va, 0xdddd0004)) return false;
            if (!WriteFaults(va, 0xdddd0004)) return false;
            return Check.Rc("unmap", Hv.UpdateVaMapping(va, 0, UvmFlags.UVMF_INVLPG));
        }

        /// <summary>
        /// A kernel write to the read-only mapping at <paramref name="va"/> faults once: #PF with
        /// CR2 = va and error code P|W (kernel mode), and the frame still holds <paramref name="pattern"/>.
        /// </summary>
        static bool WriteFaults(ulong va, ulong pattern)
        {
            ProbeState* p = Traps.State;
            ulong before = p->Faults;
            Native.ProbeWrite(va, 1);
            if (!Check.Eq("faults after writing a read-only page", p->Faults - before, 1)) return false;
            if (!Check.Eq("vector", p->Vector, X86.Vector.PF)) return false;
            if (!Check.Eq("vcpu_info.arch.cr2", p->Cr2, va)) return false;
            if (!Check.Eq("error code (P, W/R, U/S bits)", p->ErrorCode & 7, 3)) return false;
            return Check.Eq("frame unchanged", *(ulong*)va, pattern);
        }

        /// <summary>
        /// The same in the kernel half (a window slot): a read-only data page that is not a page
        /// table must fault, as on Xen, even though the hypervisor emulates writes to read-only
        /// page tables there (Linux's xen_safe_write_ulong depends on the difference).
        /// </summary>
        public static bool ReadOnlyFaultsKernelHalf()
        {
            const int Slot = 20;
            ulong f = Frames.WithPattern(0xdddd0005);
            if (!Check.True(f != 0, "no free frame")) return false;
            if (!Check.Rc("map read-only", Window.Map(Slot, f, PageFlags.Present | PageFlags.Accessed))) return false;
            ulong va = Window.Va(Slot);
            if (!Check.Eq("read through the read-only mapping", *(ulong*)va, 0xdddd0005)) return false;
            if (!WriteFaults(va, 0xdddd0005)) return false;
            return Check.Rc("unmap", Window.Unmap(Slot));
        }

        /// <summary>
        /// update_va_mapping for an address whose L4 entry names a frame past the end of RAM:
        /// -EINVAL (no L1 maps it) and the guest goes on. Xen refuses the L4 entry itself; fast
        /// mode's mmu_update accepts it, so there the walk must not follow it.
        /// </summary>
        public static bool UpdateVaMappingTablePastRam()
        {
            const int slot = 200;
            ulong* l4 = (ulong*)Mm.Start->PtBase;
            if (!Check.Eq("kernel L4 slot 200", l4[slot], 0)) return false;
            ulong entryMa = (Mm.KernelL4Mfn << 12) + slot * 8;
            const ulong pastRam = 0xfffffffffUL;            // mfn: the last frame of a 48-bit machine address
            long written = Hv.WritePte(entryMa, (pastRam << 12) | 0x67);
            long rc = Hv.UpdateVaMapping((ulong)slot << 39, 0, UvmFlags.UVMF_INVLPG);
            if (written == 0 && !Check.Rc("clear L4 slot 200", Hv.WritePte(entryMa, 0))) return false;
            return Check.Eq("update_va_mapping under an L4 entry past RAM", (ulong)rc, unchecked((ulong)-XenErrno.EINVAL));
        }
    }
}
