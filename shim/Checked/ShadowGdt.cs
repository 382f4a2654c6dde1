using Microxen.Xen;

namespace Microxen.Checked
{
    /// <summary>
    /// Checked mode's two views of the guest's GDT (pure logic; DescriptorOps holds the frames).
    /// Xen 4.17's check_descriptor rewrites every accepted descriptor in the guest's GDT frame
    /// (validate_segdesc_page, do_update_descriptor): code/data DPL raised to 3, call-gate DPL 0,
    /// because Xen's PV kernel runs in ring 3, and the guest reads those values back. The shim's
    /// guest kernel runs in ring 0 on its own DPL-0 segments, so the hardware GDT's guest pages
    /// (0-13) map 14 shim-owned shadow frames, one per GDT page position, holding the ring-0 view:
    /// the descriptors as the guest gave them (<see cref="RingZero"/>), while the guest's frames
    /// get Xen's fixed-up values. The guest cannot write its GDT frames (PGT_seg_desc_page: no
    /// writable mapping), so set_gdt and update_descriptor are the only writers.
    /// <para>
    /// A shadow entry is kept per GDT position, not per guest frame: a guest that copies its
    /// (already fixed-up) GDT into a new frame and installs that (Linux's per-CPU GDT after
    /// setup_per_cpu_areas) keeps its ring-0 view, because Xen's view of the position did not
    /// change (<see cref="Merge"/>).
    /// </para>
    /// </summary>
    public static unsafe class ShadowGdt
    {
        /// <summary>Shadow frames: one per guest GDT page position (FIRST_RESERVED_GDT_PAGE).</summary>
        public const int Pages = Layout.FIRST_RESERVED_GDT_PAGE;
        /// <summary>Bit 40: a segment's accessed bit, which the CPU sets in the shadow on a segment load.</summary>
        public const ulong Accessed = 1UL << 40;

        /// <summary>
        /// The ring-0 view of an accepted descriptor: as given, except that a call gate's DPL is
        /// 0 (Xen's too): the ring-0 kernel still calls through it natively, and a user-mode far
        /// call through it faults into the shim (#GP) instead of entering ring 0 behind it.
        /// </summary>
        public static ulong RingZero(ulong desc) =>
            Descriptor.Check(desc, out _) == DescriptorVerdict.CallGate ? desc & ~Descriptor.DplMask : desc;

        /// <summary>Xen's stored value for an accepted descriptor (check_descriptor's rewrite).</summary>
        public static ulong XenView(ulong desc)
        {
            Descriptor.Check(desc, out ulong f);
            return f;
        }

        /// <summary>
        /// set_gdt for one page position, after check_descriptor accepted all 512 descriptors of
        /// <paramref name="guest"/>: the guest frame gets Xen's fixed-up values (validate_segdesc_page's
        /// in-place rewrite; idempotent, so a frame Xen had already rewritten stays the same). Each
        /// shadow entry keeps its ring-0 value when Xen's view of it equals the guest's entry's
        /// (the accessed bit aside: the CPU sets it in the shadow), else takes the guest entry's
        /// ring-0 view.
        /// </summary>
        public static void Merge(ulong* guest, ulong* shadow)
        {
            for (int i = 0; i < Descriptor.PerPage; i++)
            {
                ulong f = XenView(guest[i]);
                if ((XenView(shadow[i]) | Accessed) != (f | Accessed)) shadow[i] = RingZero(guest[i]);
                guest[i] = f;
            }
        }

        /// <summary>
        /// update_descriptor's write of an accepted <paramref name="desc"/>: Xen's fixed-up value to
        /// the guest's entry, its ring-0 view to the shadow entry (null when the frame is not in
        /// the installed GDT).
        /// </summary>
        public static void Write(ulong* guestEntry, ulong* shadowEntry, ulong desc)
        {
            *guestEntry = XenView(desc);
            if (shadowEntry != null) *shadowEntry = RingZero(desc);
        }
    }
}
