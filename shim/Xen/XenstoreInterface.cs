namespace Microxen.Xen
{
    /// <summary>
    /// struct xenstore_domain_interface, 2076 bytes: a domU's xenstore page (start_info.store_mfn).
    /// The guest writes requests into <see cref="Req"/> (advancing <see cref="ReqProd"/>) and reads
    /// replies and watch events from <see cref="Rsp"/> (advancing <see cref="RspCons"/>); the store
    /// does the opposite. Each message is an <see cref="XsdSockmsg"/> header followed by
    /// <c>len</c> payload bytes, possibly wrapping around the ring. Indices run freely
    /// (MASK_XENSTORE_IDX: index &amp; (RingSize - 1)). Source: public/io/xs_wire.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 2076)]
    public unsafe struct XenstoreDomainInterface
    {
        [FieldOffset(0)] public fixed byte Req[1024];
        [FieldOffset(1024)] public fixed byte Rsp[1024];
        [FieldOffset(2048)] public uint ReqCons;
        [FieldOffset(2052)] public uint ReqProd;
        [FieldOffset(2056)] public uint RspCons;
        [FieldOffset(2060)] public uint RspProd;
        /// <summary>XENSTORE_SERVER_FEATURE_* bits the server offers (0: none).</summary>
        [FieldOffset(2064)] public uint ServerFeatures;
        /// <summary>XENSTORE_CONNECTED (0) or XENSTORE_RECONNECT (1).</summary>
        [FieldOffset(2068)] public uint Connection;
        /// <summary>XENSTORE_ERROR_* (0: none).</summary>
        [FieldOffset(2072)] public uint Error;

        /// <summary>XENSTORE_RING_SIZE: bytes in each ring.</summary>
        public const int RingSize = 1024;
        /// <summary>XENSTORE_PAYLOAD_MAX: largest payload of one message.</summary>
        public const int PayloadMax = 4096;
    }

    /// <summary>struct xsd_sockmsg, 16 bytes: the header of every xenstore message. Source: public/io/xs_wire.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct XsdSockmsg
    {
        /// <summary>XS_* (<see cref="XsType"/>).</summary>
        [FieldOffset(0)] public uint Type;
        /// <summary>Request id, echoed in the reply (0 in watch events).</summary>
        [FieldOffset(4)] public uint ReqId;
        /// <summary>Transaction id (0: none), echoed in the reply.</summary>
        [FieldOffset(8)] public uint TxId;
        /// <summary>Payload bytes that follow the header.</summary>
        [FieldOffset(12)] public uint Len;
    }

    /// <summary>enum xsd_sockmsg_type: the xenstore message types. Source: public/io/xs_wire.h.</summary>
    public static class XsType
    {
        public const uint XS_CONTROL = 0;
        public const uint XS_DIRECTORY = 1;
        public const uint XS_READ = 2;
        public const uint XS_GET_PERMS = 3;
        public const uint XS_WATCH = 4;
        public const uint XS_UNWATCH = 5;
        public const uint XS_TRANSACTION_START = 6;
        public const uint XS_TRANSACTION_END = 7;
        public const uint XS_INTRODUCE = 8;
        public const uint XS_RELEASE = 9;
        public const uint XS_GET_DOMAIN_PATH = 10;
        public const uint XS_WRITE = 11;
        public const uint XS_MKDIR = 12;
        public const uint XS_RM = 13;
        public const uint XS_SET_PERMS = 14;
        public const uint XS_WATCH_EVENT = 15;
        public const uint XS_ERROR = 16;
        public const uint XS_IS_DOMAIN_INTRODUCED = 17;
        public const uint XS_RESUME = 18;
        public const uint XS_SET_TARGET = 19;
        public const uint XS_RESET_WATCHES = 21;
        public const uint XS_DIRECTORY_PART = 22;
    }
}
