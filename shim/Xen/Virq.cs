namespace Microxen.Xen
{
    /// <summary>
    /// Virtual IRQ numbers (VIRQ_*), bound with EVTCHNOP_bind_virq. NR_VIRQS = 24.
    /// Source: xen/include/public/xen.h.
    /// </summary>
    public static class Virq
    {
        public const uint VIRQ_TIMER = 0;
        public const uint VIRQ_DEBUG = 1;
        public const uint VIRQ_CONSOLE = 2;
        public const uint VIRQ_DOM_EXC = 3;
        public const uint VIRQ_TBUF = 4;
        public const uint VIRQ_DEBUGGER = 6;
        public const uint VIRQ_XENOPROF = 7;
        public const uint VIRQ_CON_RING = 8;
        public const uint VIRQ_PCPU_STATE = 9;
        public const uint VIRQ_MEM_EVENT = 10;
        public const uint VIRQ_ARGO = 11;
        public const uint VIRQ_ENOMEM = 12;
        public const uint VIRQ_XENPMU = 13;
        public const uint VIRQ_ARCH_0 = 16;
        public const uint VIRQ_ARCH_1 = 17;
        public const uint VIRQ_ARCH_2 = 18;
        public const uint VIRQ_ARCH_3 = 19;
        public const uint VIRQ_ARCH_4 = 20;
        public const uint VIRQ_ARCH_5 = 21;
        public const uint VIRQ_ARCH_6 = 22;
        public const uint VIRQ_ARCH_7 = 23;
        /// <summary>x86: VIRQ_MCA == VIRQ_ARCH_0 (arch-x86/xen-mca.h).</summary>
        public const uint VIRQ_MCA = VIRQ_ARCH_0;

        /// <summary>NR_VIRQS.</summary>
        public const uint NR_VIRQS = 24;
    }
}
