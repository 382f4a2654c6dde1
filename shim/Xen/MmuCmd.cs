namespace Microxen.Xen
{
    /// <summary>
    /// mmu_update commands, carried in bits 0-1 of <see cref="MmuUpdate.Ptr"/>.
    /// Source: xen/include/public/xen.h.
    /// </summary>
    public static class MmuCmd
    {
        /// <summary>Checked *ptr = val; ptr is a machine address.</summary>
        public const int MMU_NORMAL_PT_UPDATE = 0;
        /// <summary>M2P[ptr &gt;&gt; 12] = val.</summary>
        public const int MMU_MACHPHYS_UPDATE = 1;
        /// <summary>Atomically *ptr = val | (*ptr &amp; (A|D)).</summary>
        public const int MMU_PT_UPDATE_PRESERVE_AD = 2;
        /// <summary>Checked *ptr = val, val never translated.</summary>
        public const int MMU_PT_UPDATE_NO_TRANSLATE = 3;
        /// <summary>Mask of the command bits in ptr.</summary>
        public const ulong CmdMask = 3;
        /// <summary>
        /// MMU_UPDATE_PREEMPTED, bit 31 of the count of mmu_update and mmuext_op: set by Xen in the
        /// continuation of a preempted call. Xen-internal, not in the public headers:
        /// xen/include/asm-x86/hypercall.h, <c>(~(~0U &gt;&gt; 1))</c>.
        /// </summary>
        public const uint MMU_UPDATE_PREEMPTED = 0x80000000;
    }
}
