using System.Runtime.InteropServices;

namespace Microxen.Xen
{
    /// <summary>
    /// struct xen_memory_exchange, 72 bytes: argument of XENMEM_exchange. <see cref="In"/> lists
    /// the frames given up (machine frames for a PV guest), <see cref="Out"/> the gpfns of the
    /// new extents (overwritten with their first machine frames); <see cref="NrExchanged"/> counts
    /// input extents done (in, out: a restart resumes there). Source: xen/include/public/memory.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 72)]
    public struct XenMemoryExchange
    {
        [FieldOffset(0)] public XenMemoryReservation In;
        [FieldOffset(32)] public XenMemoryReservation Out;
        [FieldOffset(64)] public ulong NrExchanged;

        /// <summary>XENMEMF_get_address_bits: bits 0-7 of mem_flags (0 = no limit).</summary>
        public const uint AddressBitsMask = 0xff;
        /// <summary>XENMEMF_get_node(x) = ((x &gt;&gt; 8) - 1) &amp; 0xff; 0xff (NUMA_NO_NODE) = any node.</summary>
        public const int NodeShift = 8;
        public const uint NoNode = 0xff;
        /// <summary>XENMEMF_exact_node_request (bit 17).</summary>
        public const uint ExactNode = 1u << 17;
    }
}
