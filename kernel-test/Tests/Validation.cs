using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// Helpers of the validation group (ValidationMmuTests, ValidationDescriptorTests): requests
    /// Xen 4.17 refuses or adjusts, each checked against Xen's exact result. Tables are free
    /// frames pinned on their own (never hooked into the running tree), so a request that a host
    /// applies as given (microxen's fast mode) does no harm; every test undoes what it did.
    /// </summary>
    public static unsafe class Validation
    {
        /// <summary>What <see cref="ReadEntry"/> returns when the frame cannot be mapped read-only.</summary>
        public const ulong BadRead = 0xbad0bad0bad0bad0;
        /// <summary>Flags of a present, read-only, accessed kernel mapping.</summary>
        public const ulong KernelRo = PageFlags.Present | PageFlags.Accessed;

        /// <summary>A hypercall result that must be -<paramref name="errno"/> (0: success).</summary>
        public static bool Rc(string what, long rc, int errno) => Check.Eq(what, (ulong)rc, (ulong)(long)-errno);

        /// <summary>MMUEXT_PIN_L<paramref name="level"/>_TABLE (levels 1-4).</summary>
        public static uint PinCmd(int level) => MmuextCmd.MMUEXT_PIN_L1_TABLE + (uint)(level - 1);

        /// <summary>A cleared free frame pinned as a level-<paramref name="level"/> table; 0 on failure.</summary>
        public static ulong Pinned(int level)
        {
            ulong mfn = Window.ClearedFrame();
            if (mfn == 0 || Hv.Mmuext(PinCmd(level), mfn) != 0) return 0;
            return mfn;
        }

        public static long Unpin(ulong mfn) => Hv.Mmuext(MmuextCmd.MMUEXT_UNPIN_TABLE, mfn);

        /// <summary>Machine address of entry <paramref name="i"/> of table frame <paramref name="table"/>.</summary>
        public static ulong EntryMa(ulong table, int i) => (table << 12) + (ulong)i * 8;

        /// <summary>
        /// Entry (or descriptor) <paramref name="i"/> of frame <paramref name="mfn"/>, read through
        /// a read-only mapping at the test's slot 3 (removed again); <see cref="BadRead"/> if refused.
        /// </summary>
        public static ulong ReadEntry(ulong mfn, int i)
        {
            int s = Runner.Slot(3);
            if (Window.Map(s, mfn, KernelRo) != 0) return BadRead;
            ulong v = ((ulong*)Window.Va(s))[i];
            Window.Unmap(s);
            return v;
        }

        /// <summary>A free frame holding a copy of the running L4 (not pinned, not mapped); 0 on failure.</summary>
        public static ulong L4Copy()
        {
            ulong copy = Window.ClearedFrame();
            if (copy == 0) return 0;
            ulong* src = (ulong*)Mm.Start->PtBase;
            ulong* p = Window.Scratch(copy);
            if (p == null) return 0;
            for (int i = 0; i < PageFlags.EntriesPerTable; i++) p[i] = src[i];
            return Window.EndScratch() == 0 ? copy : 0;
        }

        public static long NewBaseptr(ulong mfn) => Hv.Mmuext(MmuextCmd.MMUEXT_NEW_BASEPTR, mfn);

        /// <summary>Back on the kernel's own L4 (whatever a test's MMUEXT_NEW_BASEPTR did).</summary>
        public static bool BackOnKernelL4() => Check.Rc("MMUEXT_NEW_BASEPTR(kernel L4)", NewBaseptr(Mm.KernelL4Mfn));

        struct Frames1 { public fixed ulong F[1]; }
        static Frames1 s_gdt;

        /// <summary>set_gdt([<paramref name="mfn"/>], <paramref name="entries"/>).</summary>
        public static long SetGdt(ulong mfn, ulong entries)
        {
            fixed (Frames1* g = &s_gdt)
            {
                g->F[0] = mfn;
                return Hv.Call(Hypercall.SetGdt, (ulong)g->F, entries);
            }
        }

        /// <summary>User space's GDT loaded again (<see cref="UserSpace.Ensure"/> made it).</summary>
        public static bool RestoreGdt() => Check.Rc("set_gdt(user space's GDT)", SetGdt(UserSpace.GdtMfn, 8));

        public static long UpdateDescriptor(ulong ma, ulong desc) => Hv.Call(Hypercall.UpdateDescriptor, ma, desc);
    }
}
