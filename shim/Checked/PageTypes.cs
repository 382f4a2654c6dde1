namespace Microxen.Checked
{
    /// <summary>
    /// Xen's page types (xen/arch/x86/include/asm/mm.h, PGT_*): what a frame is used as while it is
    /// typed. A frame holds one type at a time, with a type count; a page-table type is validated
    /// when its count first becomes non-zero.
    /// </summary>
    public enum PageType : uint
    {
        None = 0,
        L1 = 1,
        L2 = 2,
        L3 = 3,
        L4 = 4,
        /// <summary>PGT_seg_desc_page: a GDT or LDT frame (set_gdt, SET_LDT, update_descriptor).</summary>
        SegDesc = 5,
        /// <summary>PGT_writable_page: mapped writable somewhere.</summary>
        Writable = 7,
    }

    /// <summary>
    /// Checked mode's page type and reference counts, as Xen's get_page_and_type / put_page_and_type
    /// (xen/arch/x86/mm.c). Skeleton: every request succeeds until the type system is built.
    /// </summary>
    public static unsafe class PageTypes
    {
        /// <summary>
        /// get_page_and_type(mfn, type): a general and a type reference on <paramref name="mfn"/>;
        /// 0, or Xen's negative errno (-EINVAL) when the frame is not the guest's or holds another
        /// type that cannot be dropped now.
        /// </summary>
        public static long GetPageAndType(ulong mfn, PageType type) => 0;

        /// <summary>put_page_and_type(mfn): drops the references <see cref="GetPageAndType"/> took.</summary>
        public static void PutPageAndType(ulong mfn) { }
    }
}
