using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// The validation group, descriptor tables (xen/arch/x86/pv/descriptor-tables.c of Xen 4.17:
    /// check_descriptor, set_gdt, update_descriptor): requests Xen refuses or adjusts, checked
    /// against Xen's results. They use user space's GDT frame (<see cref="UserSpace.Ensure"/>),
    /// entry 1 of which is free; a test that loads another GDT loads that one again.
    /// </summary>
    public static unsafe class ValidationDescriptorTests
    {
        const int EINVAL = XenErrno.EINVAL;
        const int FreeEntry = 1, GateEntry = 2;
        /// <summary>64-bit code, DPL 0 / DPL 3 (present, L, G, limit 0xfffff).</summary>
        const ulong CodeDpl0 = 0x00af9a000000ffff, CodeDpl3 = 0x00affa000000ffff;
        /// <summary>Data, DPL 0 / DPL 3.</summary>
        const ulong DataDpl0 = 0x00cf92000000ffff, DataDpl3 = 0x00cff2000000ffff;
        /// <summary>An available 64-bit TSS descriptor (system type 9), present.</summary>
        const ulong Tss = 0x0000890000000067;
        /// <summary>
        /// The first half of a 64-bit call gate, present, DPL 3, to FLAT_KERNEL_CS offset
        /// 0x12345678 (check_descriptor forces its DPL to 0 and keeps the DPL in the selector's
        /// RPL, 3 already); the second half is the offset's upper 32 bits (type 0).
        /// </summary>
        const ulong GateDpl3 = 0x1234ec0000005678 | ((ulong)Layout.FLAT_KERNEL_CS << 16), GateDpl0 = GateDpl3 & ~(3UL << 45);

        static ulong EntryMa(int i) => Validation.EntryMa(UserSpace.GdtMfn, i);

        /// <summary>The GDT frame in use mapped writable: -EBUSY (get_page_from_l1e: a descriptor page is never writable).</summary>
        public static bool GdtFrameWritable()
        {
            if (!UserSpace.Ensure()) return false;
            int s = Runner.Slot(0);
            long rc = Window.Map(s, UserSpace.GdtMfn);
            Window.Unmap(s);
            return Validation.Rc("update_va_mapping(GDT frame, writable)", rc, XenErrno.EBUSY);
        }

        /// <summary>The GDT frame in use mapped read-only: accepted; it holds user space's 64-bit code descriptor.</summary>
        public static bool GdtFrameReadOnly()
        {
            if (!UserSpace.Ensure()) return false;
            return Check.Eq("GDT entry 6 read through a read-only mapping", Validation.ReadEntry(UserSpace.GdtMfn, 6), CodeDpl3);
        }

        /// <summary>
        /// update_descriptor of <paramref name="desc"/> into the free GDT entry: -<paramref name="errno"/>;
        /// when accepted the entry reads back as <paramref name="readBack"/> (check_descriptor
        /// raises a code or data segment's DPL to 3). The entry is cleared again.
        /// </summary>
        public static bool UpdateDescriptor(ulong desc, int errno, ulong readBack)
        {
            if (!UserSpace.Ensure()) return false;
            long rc = Validation.UpdateDescriptor(EntryMa(FreeEntry), desc);
            bool ok = Validation.Rc("update_descriptor", rc, errno);
            if (rc == 0) ok = Check.Eq("descriptor read back", Validation.ReadEntry(UserSpace.GdtMfn, FreeEntry), readBack) && ok;
            return Check.Rc("update_descriptor(entry, 0)", Validation.UpdateDescriptor(EntryMa(FreeEntry), 0)) && ok;
        }

        public static bool UpdateDescriptorCodeDpl0() => UpdateDescriptor(CodeDpl0, 0, CodeDpl3);
        public static bool UpdateDescriptorDataDpl0() => UpdateDescriptor(DataDpl0, 0, DataDpl3);
        public static bool UpdateDescriptorTss() => UpdateDescriptor(Tss, EINVAL, 0);
        public static bool UpdateDescriptorCallGate() => UpdateDescriptor(GateDpl3, 0, GateDpl0);

        /// <summary>update_descriptor at an address that is not 8-byte aligned: -EINVAL.</summary>
        public static bool UpdateDescriptorMisaligned()
        {
            if (!UserSpace.Ensure()) return false;
            return Validation.Rc("update_descriptor(ma + 4)", Validation.UpdateDescriptor(EntryMa(FreeEntry) + 4, 0), EINVAL);
        }

        /// <summary>update_descriptor into a pinned L1: -EINVAL (the frame is a page table).</summary>
        public static bool UpdateDescriptorPageTable()
        {
            ulong l1 = Validation.Pinned(1);
            if (!Check.True(l1 != 0, "no pinned L1")) return false;
            bool ok = Validation.Rc("update_descriptor(pinned L1)", Validation.UpdateDescriptor(Validation.EntryMa(l1, 0), 0), EINVAL);
            return Check.Rc("unpin", Validation.Unpin(l1)) && ok;
        }

        /// <summary>update_descriptor into a free frame (no type yet): accepted, the frame holds the descriptor.</summary>
        public static bool UpdateDescriptorDataFrame()
        {
            ulong f = Window.ClearedFrame();
            if (!Check.True(f != 0, "no free frame")) return false;
            if (!Check.Rc("update_descriptor(free frame)", Validation.UpdateDescriptor(Validation.EntryMa(f, 3), DataDpl3))) return false;
            return Check.Eq("frame word 3", Validation.ReadEntry(f, 3), DataDpl3);
        }

        /// <summary>
        /// A fresh frame with user space's two descriptors and <paramref name="e2"/>,
        /// <paramref name="e3"/> at entries 2-3, given to set_gdt (8 entries):
        /// -<paramref name="errno"/>; when accepted, entry 2 reads back as <paramref name="readBack"/>.
        /// User space's GDT is loaded again after.
        /// </summary>
        public static bool SetGdt(ulong e2, ulong e3, int errno, ulong readBack)
        {
            if (!UserSpace.Ensure()) return false;
            ulong g = Window.ClearedFrame();
            if (!Check.True(g != 0, "no free frame")) return false;
            ulong* p = Window.Scratch(g);
            if (!Check.True(p != null, "scratch map failed")) return false;
            p[GateEntry] = e2;
            p[GateEntry + 1] = e3;
            p[6] = CodeDpl3;
            Window.EndScratch();
            long rc = Validation.SetGdt(g, 8);
            bool ok = Validation.Rc("set_gdt", rc, errno);
            if (rc == 0) ok = Check.Eq("entry 2 read back", Validation.ReadEntry(g, GateEntry), readBack) && ok;
            return Validation.RestoreGdt() && ok;
        }

        public static bool SetGdtCallGate() => SetGdt(GateDpl3, 0x00000000ffffffff, 0, GateDpl0);
        public static bool SetGdtTss() => SetGdt(Tss, 0, EINVAL, 0);
        public static bool SetGdtCodeDpl0() => SetGdt(CodeDpl0, 0, 0, CodeDpl3);

        /// <summary>set_gdt with more entries than the guest's part of the GDT (14 frames, 7168 entries): -EINVAL.</summary>
        public static bool SetGdtTooMany()
        {
            if (!UserSpace.Ensure()) return false;
            bool ok = Validation.Rc("set_gdt(7169 entries)", Validation.SetGdt(UserSpace.GdtMfn, 14 * 512 + 1), EINVAL);
            return Validation.RestoreGdt() && ok;
        }

        /// <summary>set_gdt of a pinned L1: -EINVAL (the frame is a page table).</summary>
        public static bool SetGdtPageTable()
        {
            if (!UserSpace.Ensure()) return false;
            ulong l1 = Validation.Pinned(1);
            if (!Check.True(l1 != 0, "no pinned L1")) return false;
            bool ok = Validation.Rc("set_gdt(pinned L1)", Validation.SetGdt(l1, 8), EINVAL);
            ok = Validation.RestoreGdt() && ok;
            return Check.Rc("unpin", Validation.Unpin(l1)) && ok;
        }

        /// <summary>set_gdt of a frame mapped writable: -EINVAL.</summary>
        public static bool SetGdtWritableFrame()
        {
            if (!UserSpace.Ensure()) return false;
            ulong g = Window.ClearedFrame();
            if (!Check.True(g != 0, "no free frame")) return false;
            int s = Runner.Slot(0);
            if (!Check.Rc("map writable", Window.Map(s, g))) return false;
            bool ok = Validation.Rc("set_gdt(frame mapped writable)", Validation.SetGdt(g, 8), EINVAL);
            ok = Validation.RestoreGdt() && ok;
            return Check.Rc("unmap", Window.Unmap(s)) && ok;
        }
    }
}
