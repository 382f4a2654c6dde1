namespace Microxen.Xen
{
    /// <summary>
    /// struct callback_register, 16 bytes: argument of callback_op(CALLBACKOP_register).
    /// Source: xen/include/public/callback.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct CallbackRegister
    {
        /// <summary>CALLBACKTYPE_* (<see cref="CallbackType"/>).</summary>
        [FieldOffset(0)] public ushort Type;
        /// <summary>CALLBACKF_* flags.</summary>
        [FieldOffset(2)] public ushort Flags;
        /// <summary>xen_callback_t: handler virtual address (x86_64: a plain unsigned long).</summary>
        [FieldOffset(8)] public ulong Address;
    }

    /// <summary>
    /// struct callback_unregister, 4 bytes: argument of callback_op(CALLBACKOP_unregister).
    /// Source: xen/include/public/callback.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct CallbackUnregister
    {
        /// <summary>CALLBACKTYPE_*.</summary>
        [FieldOffset(0)] public ushort Type;
        [FieldOffset(2)] public ushort Unused;
    }
}
