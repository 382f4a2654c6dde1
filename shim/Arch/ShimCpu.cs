namespace Microxen.Arch
{
    /// <summary>The shim's per-CPU state: <see cref="PvState"/> in the native blob (TSS included).</summary>
    public static unsafe class ShimCpu
    {
        /// <summary>Set first thing at boot from the native symbols.</summary>
        public static PvState* Pv;

        public static Tss* Tss => &Pv->Tss;

        public static void SetRsp0(ulong sp) { Pv->Tss.Rsp0 = sp; }
    }
}
