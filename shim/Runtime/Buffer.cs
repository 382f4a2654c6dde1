namespace System
{
    // ilc routes block copies and fills (cpblk/initblk, struct copies) here.
    public static unsafe class Buffer
    {
        // No GC: a copy that contains references needs no barrier.
        internal static void BulkMoveWithWriteBarrier(ref byte destination, ref byte source, nuint byteCount)
        {
            fixed (byte* d = &destination) fixed (byte* s = &source) Memmove(d, s, byteCount);
        }

        public static void Memmove(byte* dest, byte* src, nuint len)
        {
            if (dest < src || dest >= src + len)
                for (nuint i = 0; i < len; i++) dest[i] = src[i];
            else
                for (nuint i = len; i > 0; i--) dest[i - 1] = src[i - 1];
        }
    }
}
