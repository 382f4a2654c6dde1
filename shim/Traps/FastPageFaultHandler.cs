using Microxen.Checked;

namespace Microxen.Traps
{
    /// <summary>
    /// What the native user-mode #PF delivery (Traps/FastPageFault.asm.cs, fast_pf_entry) sends
    /// faults to: the guest's vector-14 trap-table entry (set_trap_table), published on every
    /// change. Fast mode only: checked mode, and debug logging (which logs each guest exception),
    /// keep every fault on the C# path (TrapDispatch).
    /// </summary>
    public static unsafe class FastPageFaultHandler
    {
        [DllImport("*", EntryPoint = "fast_pf_publish"), SuppressGCTransition]
        static extern void NativePublish(ulong handler, ulong cs, ulong flags);

        [DllImport("*", EntryPoint = "fast_pf_count"), SuppressGCTransition]
        static extern ulong NativeCount();

        /// <summary>Page faults delivered natively so far.</summary>
        public static ulong Delivered => NativeCount();

        /// <summary>The #PF entry (handler address, selector, TI_* flags) now registered; handler 0 for none.</summary>
        public static void Publish(ulong handler, ushort cs, byte flags)
        {
            if (CheckedMode.On || Log.On(LogLevel.Debug)) handler = 0;
            NativePublish(handler, cs, flags);
        }
    }
}
