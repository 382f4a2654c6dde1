namespace Microxen.Xen
{
    /// <summary>
    /// callback_op types (CALLBACKTYPE_*), commands (CALLBACKOP_*) and flags (CALLBACKF_*).
    /// Source: xen/include/public/callback.h.
    /// </summary>
    public static class CallbackType
    {
        public const ushort CALLBACKTYPE_event = 0;
        public const ushort CALLBACKTYPE_failsafe = 1;
        /// <summary>x86_64: 64-bit syscall from user mode.</summary>
        public const ushort CALLBACKTYPE_syscall = 2;
        public const ushort CALLBACKTYPE_sysenter_deprecated = 3;
        public const ushort CALLBACKTYPE_nmi = 4;
        public const ushort CALLBACKTYPE_sysenter = 5;
        public const ushort CALLBACKTYPE_syscall32 = 7;

        public const int _CALLBACKF_mask_events = 0;
        /// <summary>Mask events (set the upcall mask) when the callback is entered.</summary>
        public const ushort CALLBACKF_mask_events = 1 << _CALLBACKF_mask_events;

        public const int CALLBACKOP_register = 0;
        public const int CALLBACKOP_unregister = 1;
    }
}
