namespace Microxen.Xen
{
    /// <summary>
    /// UVMF_* flags of update_va_mapping (64-bit). With UVMF_MULTI the upper bits are a pointer
    /// to a vCPU bitmap. Source: xen/include/public/xen.h.
    /// </summary>
    public static class UvmFlags
    {
        public const ulong UVMF_NONE = 0;
        public const ulong UVMF_TLB_FLUSH = 1;
        public const ulong UVMF_INVLPG = 2;
        public const ulong UVMF_FLUSHTYPE_MASK = 3;
        public const ulong UVMF_MULTI = 0;
        public const ulong UVMF_LOCAL = 0;
        public const ulong UVMF_ALL = 1ul << 2;
    }
}
