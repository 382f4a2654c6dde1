namespace Microxen.Xen
{
    /// <summary>
    /// MMUEXT_* commands (<see cref="MmuextOp.Cmd"/>). Source: xen/include/public/xen.h.
    /// </summary>
    public static class MmuextCmd
    {
        public const uint MMUEXT_PIN_L1_TABLE = 0;
        public const uint MMUEXT_PIN_L2_TABLE = 1;
        public const uint MMUEXT_PIN_L3_TABLE = 2;
        public const uint MMUEXT_PIN_L4_TABLE = 3;
        public const uint MMUEXT_UNPIN_TABLE = 4;
        public const uint MMUEXT_NEW_BASEPTR = 5;
        public const uint MMUEXT_TLB_FLUSH_LOCAL = 6;
        public const uint MMUEXT_INVLPG_LOCAL = 7;
        public const uint MMUEXT_TLB_FLUSH_MULTI = 8;
        public const uint MMUEXT_INVLPG_MULTI = 9;
        public const uint MMUEXT_TLB_FLUSH_ALL = 10;
        public const uint MMUEXT_INVLPG_ALL = 11;
        public const uint MMUEXT_FLUSH_CACHE = 12;
        public const uint MMUEXT_SET_LDT = 13;
        // 14 is unused.
        public const uint MMUEXT_NEW_USER_BASEPTR = 15;
        public const uint MMUEXT_CLEAR_PAGE = 16;
        public const uint MMUEXT_COPY_PAGE = 17;
        public const uint MMUEXT_FLUSH_CACHE_GLOBAL = 18;
        public const uint MMUEXT_MARK_SUPER = 19;
        public const uint MMUEXT_UNMARK_SUPER = 20;
    }
}
