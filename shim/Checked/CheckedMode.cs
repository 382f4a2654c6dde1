namespace Microxen.Checked
{
    /// <summary>
    /// mode=checked (DESIGN.md 1): every request is validated by Xen 4.17's rules and gets Xen's
    /// result and error code. The guest still runs in ring 0, so this is behavioural parity, not
    /// isolation: a guest could bypass any check. Checked mode sends every hypercall through the C#
    /// dispatcher (no native fast paths, the dispatcher entry in all 128 transfer-page entries).
    /// </summary>
    public static class CheckedMode
    {
        /// <summary>True under mode=checked, set once at boot before the domain is built.</summary>
        public static bool On;
    }
}
