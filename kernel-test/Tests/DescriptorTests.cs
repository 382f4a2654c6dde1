using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// set_gdt and update_descriptor as Xen 4.17 checks them (xen/arch/x86/pv/descriptor-tables.c:
    /// pv_set_gdt, do_update_descriptor, check_descriptor). Descriptors are raw values: a present
    /// 64-bit call gate is type 12 (SYS_DESC_call_gate) with its target selector in bits 16-31.
    /// The GDT is UserSpace's again after every test.
    /// </summary>
    public static unsafe class DescriptorTests
    {
        const long EINVAL = -22;
        const ulong Code64Dpl0 = 0x00af9a000000ffff;          // present, S, execute/read, L, DPL 0
        const ulong Tss64 = 0x0000890000000067;               // available 64-bit TSS: a system descriptor
        const ulong Ldt = 0x0000820000000fff;
        const ulong InterruptGate = 0x00008e0000101000;
        const int GateIndex = 8;                              // past UserSpace's entries (0x2b, 0x33)

        /// <summary>A present 64-bit call gate (DPL 3) to <paramref name="sel"/>; its upper half is a type-0 entry.</summary>
        static ulong CallGate(ulong sel) => 0x0000ec0000001000UL | (sel << 16);

        struct FrameList { public fixed ulong F[2]; }

        /// <summary>
        /// A GDT frame holding UserSpace's user descriptors, <paramref name="extra"/> at
        /// <paramref name="index"/> (and a zero upper half after it); not mapped afterwards.
        /// </summary>
        static ulong GdtFrame(int index, ulong extra)
        {
            ulong f = Window.ClearedFrame();
            if (f == 0) return 0;
            ulong* q = Window.Scratch(f);
            if (q == null) return 0;
            q[Microxen.Arch.X86.LinuxSelector.UserDs >> 3] = 0x00cff2000000ffff;
            q[Microxen.Arch.X86.LinuxSelector.UserCs >> 3] = 0x00affa000000ffff;
            q[index] = extra;
            if (Window.EndScratch() != 0) return 0;
            return f;
        }

        static long SetGdt(ulong mfn, ulong entries)
        {
            FrameList l;
            l.F[0] = mfn;
            return Hv.Call(Hypercall.SetGdt, (ulong)l.F, entries);
        }

        /// <summary>Back to UserSpace's GDT (the one the user-mode tests need).</summary>
        static bool Restore() => Check.Rc("set_gdt(UserSpace's frame)", SetGdt(UserSpace.GdtMfn, UserSpace.GdtEntries));

        /// <summary>set_gdt of a frame whose call gate targets one of Xen's selectors (0xe008): -EINVAL, the old GDT stays.</summary>
        public static bool SetGdtCallGateToXenSelector()
        {
            if (!UserSpace.Ensure()) return false;
            ulong f = GdtFrame(GateIndex, CallGate(0xe008));
            if (!Check.True(f != 0, "no GDT frame")) return false;
            return Check.Eq("set_gdt with a call gate to 0xe008", (ulong)SetGdt(f, 16), unchecked((ulong)EINVAL)) && Restore();
        }

        /// <summary>set_gdt whose frame holds a TSS descriptor in its last entry, past the entry count: -EINVAL (Xen checks all 512).</summary>
        public static bool SetGdtSystemDescriptorAnywhere()
        {
            if (!UserSpace.Ensure()) return false;
            ulong f = GdtFrame(511, Tss64);
            if (!Check.True(f != 0, "no GDT frame")) return false;
            return Check.Eq("set_gdt with a TSS descriptor in entry 511", (ulong)SetGdt(f, 16), unchecked((ulong)EINVAL)) && Restore();
        }

        /// <summary>
        /// Accepted: a call gate to a guest selector (0x33), a DPL-0 code segment, and FLAT_KERNEL_CS
        /// (0xe033) as a gate target; more than FIRST_RESERVED_GDT_ENTRY (7168) entries: -EINVAL.
        /// </summary>
        public static bool SetGdtAccepted()
        {
            if (!UserSpace.Ensure()) return false;
            ulong f = GdtFrame(GateIndex, CallGate(Microxen.Arch.X86.LinuxSelector.UserCs));
            if (!Check.True(f != 0, "no GDT frame")) return false;
            if (!Check.Rc("set_gdt with a call gate to 0x33", SetGdt(f, 16))) return false;
            if (!Restore()) return false;
            f = GdtFrame(GateIndex, Code64Dpl0);
            if (!Check.True(f != 0, "no GDT frame")) return false;
            if (!Check.Rc("set_gdt with a DPL-0 code segment", SetGdt(f, 16))) return false;
            if (!Restore()) return false;
            f = GdtFrame(GateIndex, CallGate(Layout.FLAT_KERNEL_CS));
            if (!Check.True(f != 0, "no GDT frame")) return false;
            if (!Check.Rc("set_gdt with a call gate to FLAT_KERNEL_CS", SetGdt(f, 16))) return false;
            if (!Restore()) return false;
            return Check.Eq("set_gdt of 7169 entries", (ulong)SetGdt(UserSpace.GdtMfn, Layout.FIRST_RESERVED_GDT_ENTRY + 1), unchecked((ulong)EINVAL));
        }

        static long Update(ulong ma, ulong desc) => Hv.Call(Hypercall.UpdateDescriptor, ma, desc);

        /// <summary>
        /// update_descriptor into a free frame: a DPL-0 code segment, a call gate to a guest
        /// selector and a not-present TSS are accepted; an address not 8-byte aligned and a frame
        /// past RAM are -EINVAL.
        /// </summary>
        public static bool UpdateAccepted()
        {
            ulong f = Window.ClearedFrame();
            if (!Check.True(f != 0, "no free frame")) return false;
            ulong ma = f << 12;
            if (!Check.Rc("update_descriptor(DPL-0 code)", Update(ma + 16, Code64Dpl0))) return false;
            if (!Check.Rc("update_descriptor(call gate to 0x33)", Update(ma + 24, CallGate(Microxen.Arch.X86.LinuxSelector.UserCs)))) return false;
            if (!Check.Rc("update_descriptor(not-present TSS)", Update(ma + 40, Tss64 & ~(1UL << 47)))) return false;
            if (!Check.Eq("update_descriptor at ma+4", (ulong)Update(ma + 4, Code64Dpl0), unchecked((ulong)EINVAL))) return false;
            return Check.Eq("update_descriptor past RAM", (ulong)Update(0x7ffffffff000UL, 0), unchecked((ulong)EINVAL));
        }

        /// <summary>
        /// update_descriptor with what check_descriptor refuses: a TSS, an LDT, an interrupt gate,
        /// a call gate to Xen's 0xe000, a call gate with reserved bits 32-39 set: -EINVAL each.
        /// </summary>
        public static bool UpdateRefused()
        {
            ulong f = Window.ClearedFrame();
            if (!Check.True(f != 0, "no free frame")) return false;
            ulong ma = (f << 12) + 64;
            ulong einval = unchecked((ulong)EINVAL);
            return Check.Eq("update_descriptor(TSS)", (ulong)Update(ma, Tss64), einval)
                && Check.Eq("update_descriptor(LDT)", (ulong)Update(ma, Ldt), einval)
                && Check.Eq("update_descriptor(interrupt gate)", (ulong)Update(ma, InterruptGate), einval)
                && Check.Eq("update_descriptor(call gate to 0xe000)", (ulong)Update(ma, CallGate(0xe000)), einval)
                && Check.Eq("update_descriptor(call gate, bit 32 set)", (ulong)Update(ma, CallGate(0x33) | (1UL << 32)), einval);
        }
    }
}
