namespace Microxen.Arch
{
    /// <summary>The shim's per-CPU state: the TSS (RSP0 for entries from ring 3, IST stacks).</summary>
    public static unsafe class ShimCpu
    {
        static Tss s_tss;

        public static Tss* Tss { get { fixed (Tss* t = &s_tss) return t; } }

        public static void SetRsp0(ulong sp) { Tss->Rsp0 = sp; }
    }
}
