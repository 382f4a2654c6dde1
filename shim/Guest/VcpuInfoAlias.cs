using Microxen.Boot;
using Microxen.Memory;

namespace Microxen.Guest
{
    /// <summary>
    /// The shim's own mapping of each vCPU's registered vcpu_info page (VCPUOP_register_vcpu_info),
    /// at an address whose low page-number bits differ from the frame's. QEMU TCG indexes its TLB
    /// by virtual page number: through the shim's direct map (<see cref="Host.DirectMapVirt"/>,
    /// the frame's own low bits) and the guest's (Linux's direct map, 2 MiB-aligned: the same low
    /// bits) the two aliases of the page took the same entry and evicted each other on every
    /// user system call (the shim writes the event mask, the guest reads it). Slot:
    /// <see cref="Window"/> + vcpu * 2 MiB + ((mfn + 1) mod 512) pages, whose low 9 page bits are
    /// never the frame's. A performance matter under TCG only; the page is the same.
    /// </summary>
    public static unsafe class VcpuInfoAlias
    {
        /// <summary>Start of the windows, one 2 MiB window per vCPU, in the shim's L4 slot of <see cref="ShimPageTables.ImageVirt"/>.</summary>
        public const ulong Window = 0xffff82b000000000;
        const ulong Span = 2ul << 20;
        const ulong Flags = PageTables.Present | PageTables.Rw | PageTables.Accessed | PageTables.Dirty;

        /// <summary>Maps machine frame <paramref name="mfn"/> for <paramref name="vcpu"/>; its address, or 0 when no page-table frame was left (the caller keeps the direct map).</summary>
        public static ulong Map(int vcpu, ulong mfn)
        {
            ulong va = Window + (ulong)vcpu * Span + (((mfn + 1) & 511) << 12);
            ulong created;
            if (PageTables.Map4K(ref Host.Mem, Host.ShimL4, va, mfn, Flags, Flags, ref Host.Frames, out created) != PageTableError.Ok) return 0;
            Arch.Cpu.Invlpg(va);
            return va;
        }
    }
}
