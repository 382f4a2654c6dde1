namespace Microxen.Domain
{
    /// <summary>
    /// Turns the start_info <see cref="StartInfoWriter"/> wrote for dom0 into what Xen's toolstack
    /// (libxenguest's xc_dom_x86.c) gives a PV domU: no SIF_PRIVILEGED, SIF_INITDOMAIN or
    /// SIF_PM_MASK bits (SIF_MOD_START_PFN kept), magic "xen-3.0-x86_64" (Xen appends "p" for
    /// dom0 only), console.domU.mfn/evtchn naming the console ring, store_mfn/store_evtchn the
    /// xenstore page. The two pages are guest pages of the bootstrap area, just after the boot
    /// stack (inside the slack of at least 512 KiB that [v_start, v_end) keeps): Linux reserves
    /// them itself (xen_reserve_special_pages), as it does for the toolstack's pages.
    /// </summary>
    public static unsafe class DomUStartInfo
    {
        /// <summary>Guest pfn of the console ring page.</summary>
        public static ulong ConsolePfn(in DomainLayout lay) => lay.StackPfn + 1;

        /// <summary>Guest pfn of the xenstore page.</summary>
        public static ulong StorePfn(in DomainLayout lay) => lay.StackPfn + 2;

        /// <summary>Rewrites <paramref name="si"/> as a domU's (frame numbers are machine frames, ports event channels).</summary>
        public static void Apply(StartInfo* si, ulong consoleMfn, uint consolePort, ulong storeMfn, uint storePort)
        {
            si->Flags &= ~(StartInfoFlags.Privileged | StartInfoFlags.InitDomain | StartInfoFlags.PmMask);
            int end = 0;
            while (end < StartInfo.MagicLength && si->Magic[end] != 0) end++;
            if (end > 0 && si->Magic[end - 1] == (byte)'p') si->Magic[end - 1] = 0;
            si->ConsoleDomUMfn = consoleMfn;      // overlays console.dom0.info_off/info_size
            si->ConsoleDomUEvtchn = consolePort;
            si->StoreMfn = storeMfn;
            si->StoreEvtchn = storePort;
        }
    }
}
