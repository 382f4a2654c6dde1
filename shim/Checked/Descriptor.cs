using Microxen.Xen;

namespace Microxen.Checked
{
    /// <summary>What Xen's check_descriptor decides about one 8-byte descriptor (<see cref="Descriptor.Check"/>).</summary>
    public enum DescriptorVerdict : byte
    {
        /// <summary>Not present (P clear): always faults, so it is safe; kept unchanged.</summary>
        NotPresent = 0,
        /// <summary>A code or data segment (S set): accepted, its DPL raised to the guest kernel's RPL (3).</summary>
        Segment = 1,
        /// <summary>System type 0: harmless, it is the upper half of a 64-bit call gate; kept unchanged.</summary>
        GateUpperHalf = 2,
        /// <summary>A 64-bit call gate to a guest selector: accepted, DPL forced to 0 (Xen emulates gates).</summary>
        CallGate = 3,
        /// <summary>Refused: a present system descriptor other than a call gate (LDT, TSS, interrupt/trap/task gate, ...).</summary>
        BadSystemType = 4,
        /// <summary>Refused: a call gate whose target selector is one of Xen's (reserved GDT entries other than FLAT_KERNEL_CS).</summary>
        BadGateSelector = 5,
        /// <summary>Refused: a call gate with bits 32-39 (reserved in a 64-bit gate) set.</summary>
        GateReservedBits = 6,
    }

    /// <summary>
    /// Xen 4.17's check_descriptor for a 64-bit PV guest (xen/arch/x86/pv/descriptor-tables.c,
    /// with __fixup_guest_selector and guest_gate_selector_okay from xen/arch/x86/include/asm/desc.h),
    /// as pure logic: set_gdt (validate_segdesc_page, every descriptor of each frame) and
    /// update_descriptor apply it. Descriptors are raw 64-bit values (Xen's seg_desc_t: a = bits
    /// 0-31, b = bits 32-63).
    /// </summary>
    public static unsafe class Descriptor
    {
        // Bits of the descriptor's high word b (Xen's _SEGMENT_*, asm/desc.h), as bits of the 64-bit value.
        /// <summary>_SEGMENT_TYPE: the 4-bit type field (bits 40-43).</summary>
        public const ulong TypeMask = 0xfUL << 40;
        /// <summary>_SEGMENT_S: code/data (set) or system (clear) descriptor (bit 44).</summary>
        public const ulong S = 1UL << 44;
        /// <summary>_SEGMENT_DPL (bits 45-46).</summary>
        public const ulong DplMask = 3UL << 45;
        public const int DplShift = 45;
        /// <summary>_SEGMENT_P: present (bit 47).</summary>
        public const ulong P = 1UL << 47;
        /// <summary>SYS_DESC_call_gate (12): the 64-bit call gate's type.</summary>
        public const ulong CallGateType = 12UL << 40;
        /// <summary>Bits 32-39: reserved in a 64-bit call gate (Xen: <c>b &amp; 0xff</c> must be 0).</summary>
        public const ulong GateReservedMask = 0xffUL << 32;
        /// <summary>GUEST_KERNEL_RPL for a 64-bit PV guest: its kernel runs in ring 3 under Xen.</summary>
        public const uint GuestKernelRpl = 3;

        /// <summary>__fixup_guest_selector: an RPL (or DPL) below the guest kernel's (3) becomes 3.</summary>
        public static uint FixupRpl(uint sel) => (sel & 3) >= GuestKernelRpl ? sel : (sel & ~3u) | GuestKernelRpl;

        /// <summary>
        /// guest_gate_selector_okay (64-bit): a gate may target a guest GDT selector (index below
        /// FIRST_RESERVED_GDT_ENTRY), exactly FLAT_KERNEL_CS (0xe033), or any LDT selector (TI set).
        /// </summary>
        public static bool GateSelectorOkay(uint sel) =>
            (sel >> 3) < Layout.FIRST_RESERVED_GDT_ENTRY || sel == Layout.FLAT_KERNEL_CS || (sel & 4) != 0;

        /// <summary>
        /// check_descriptor(d): the verdict on <paramref name="desc"/>, and in <paramref name="fixedUp"/>
        /// the value Xen stores for it (DPL raised for segments, DPL 0 and the original DPL in the
        /// target's RPL for call gates; unchanged when not present, for type 0, and when refused).
        /// </summary>
        public static DescriptorVerdict Check(ulong desc, out ulong fixedUp)
        {
            fixedUp = desc;
            if ((desc & P) == 0) return DescriptorVerdict.NotPresent;
            uint dpl = FixupRpl((uint)((desc & DplMask) >> DplShift));
            ulong d = (desc & ~DplMask) | ((ulong)dpl << DplShift);
            if ((d & S) != 0) { fixedUp = d; return DescriptorVerdict.Segment; }
            if ((d & TypeMask) == 0) return DescriptorVerdict.GateUpperHalf;
            if ((d & TypeMask) != CallGateType) return DescriptorVerdict.BadSystemType;
            uint cs = (uint)(d >> 16) & 0xffff;
            if (!GateSelectorOkay(cs)) return DescriptorVerdict.BadGateSelector;
            d &= ~DplMask;
            cs = (cs & ~3u) | dpl;
            d = (d & ~(0xffffUL << 16)) | ((ulong)cs << 16);
            if ((d & GateReservedMask) != 0) return DescriptorVerdict.GateReservedBits;
            fixedUp = d;
            return DescriptorVerdict.CallGate;
        }

        /// <summary>Whether check_descriptor accepts a descriptor with this verdict.</summary>
        public static bool Accepted(DescriptorVerdict v) => v <= DescriptorVerdict.CallGate;

        /// <summary>Entries in one descriptor-table frame.</summary>
        public const int PerPage = 512;

        /// <summary>
        /// validate_segdesc_page: the index of the first of the frame's 512 descriptors that
        /// check_descriptor refuses (its verdict in <paramref name="verdict"/>), or -1 when all pass.
        /// Xen's version also rewrites the accepted ones in place; the shim does so in
        /// <see cref="ShadowGdt.Merge"/>, keeping their ring-0 view in the shadow its kernel runs on.
        /// </summary>
        public static int FirstRefused(ulong* page, out DescriptorVerdict verdict)
        {
            for (int i = 0; i < PerPage; i++)
            {
                verdict = Check(page[i], out _);
                if (!Accepted(verdict)) return i;
            }
            verdict = DescriptorVerdict.NotPresent;
            return -1;
        }

        /// <summary>The CheckLog site naming a refusing verdict (Xen's check and reason).</summary>
        public static string Site(DescriptorVerdict v)
        {
            if (v == DescriptorVerdict.BadSystemType) return "check_descriptor: system descriptor other than a call gate";
            if (v == DescriptorVerdict.BadGateSelector) return "check_descriptor: call gate to a Xen selector";
            return "check_descriptor: call gate reserved bits";
        }
    }
}
