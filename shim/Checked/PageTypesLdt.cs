namespace Microxen.Checked
{
    public static unsafe partial class PageTypes
    {
        /// <summary>invalidate_shadow_ldt (xen/arch/x86/mm.c): pv_destroy_ldt, then a TLB flush.</summary>
        static partial void InvalidateShadowLdt()
        {
            Guest.Ldt.Destroy();
            Arch.Cpu.FlushTlb();
        }
    }
}
