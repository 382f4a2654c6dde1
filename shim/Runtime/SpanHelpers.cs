namespace System
{
    // ilc's targets for the JIT's block-copy / block-fill helpers.
    internal static unsafe class SpanHelpers
    {
        internal static void MemCopy(ref byte dest, ref byte src, nuint len)
        {
            fixed (byte* d = &dest) fixed (byte* s = &src) Buffer.Memmove(d, s, len);
        }

        internal static void Memmove(ref byte dest, ref byte src, nuint len) => MemCopy(ref dest, ref src, len);

        internal static void ClearWithoutReferences(ref byte dest, nuint len) => MemZero(ref dest, len);

        internal static void Fill(ref byte dest, byte value, nuint len) => MemSet(ref dest, value, len);

        internal static void MemSet(ref byte dest, byte value, nuint len)
        {
            fixed (byte* d = &dest) for (nuint i = 0; i < len; i++) d[i] = value;
        }

        internal static void MemZero(ref byte dest, nuint len)
        {
            fixed (byte* d = &dest) for (nuint i = 0; i < len; i++) d[i] = 0;
        }
    }
}
