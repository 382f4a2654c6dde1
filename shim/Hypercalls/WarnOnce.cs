namespace Microxen.Hypercalls
{
    /// <summary>
    /// Which (hypercall, sub-operation) pairs the log has reported already, so each is reported
    /// once and a guest cannot flood the log: one flag per number 0-63 and command 0-63 (larger
    /// commands share the flag of 63), and one flag for every number from 64 on.
    /// </summary>
    public unsafe struct WarnOnce
    {
        const int Calls = HypercallTable.Size, SubOps = 64;
        fixed byte m_seen[Calls * SubOps + 1];

        /// <summary>True the first time for (<paramref name="nr"/>, <paramref name="sub"/>) as keyed above, false after.</summary>
        public bool First(ulong nr, ulong sub)
        {
            int key = nr < Calls ? (int)nr * SubOps + (int)(sub < SubOps ? sub : SubOps - 1) : Calls * SubOps;
            fixed (byte* seen = m_seen)
            {
                if (seen[key] != 0) return false;
                seen[key] = 1;
                return true;
            }
        }
    }
}
