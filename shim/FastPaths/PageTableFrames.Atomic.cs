using Microxen.Arch;

namespace Microxen.Memory
{
    /// <summary>
    /// The shim's half of <see cref="PageTableFrames.Mark"/>: the bit set with lock cmpxchg, as
    /// the native fast paths set theirs with lock bts (several CPUs run them without the C#
    /// lock). Kept out of shim/Memory, which host builds compile without the CPU primitives.
    /// </summary>
    public unsafe partial struct PageTableFrames
    {
        static partial void SetAtomic(ulong* w, ulong bit, ref bool done)
        {
            ulong old = *w;
            while ((old & bit) == 0)
            {
                ulong seen = Cpu.CmpXchg(w, old, old | bit);
                if (seen == old) break;
                old = seen;
            }
            done = true;
        }
    }
}
