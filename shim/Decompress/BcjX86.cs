namespace Microxen.Decompress
{
    /// <summary>
    /// The x86 branch converter's decoder (xz file format section 5.3.3, filter 0x04): the encoder
    /// turned the relative targets of E8/E9 (call/jmp rel32) into absolute ones; this turns them back.
    /// Applied to a whole block at once (the same as streaming: the filter's state only runs forward).
    /// The last 4 bytes are never converted (no room for a rel32 after them).
    /// </summary>
    public static unsafe class BcjX86
    {
        static bool MsByte(byte b) => b == 0 || b == 0xFF;
        /// <summary>Masks of recent E8/E9 bytes after which a conversion is allowed: 0, 1, 2, 4.</summary>
        static bool Allowed(uint mask) => ((0x17u >> (int)mask) & 1) != 0;
        /// <summary>Which byte of the rel32 the newest remembered E8/E9 lands on: 0,1,2,2,3,3,3,3.</summary>
        static int BitNum(uint mask) => mask == 0 ? 0 : mask == 1 ? 1 : mask < 4 ? 2 : 3;

        public static void Decode(byte* buf, ulong size, uint startPos)
        {
            if (size <= 4) return;
            ulong limit = size - 4;
            ulong prevPos = ulong.MaxValue;       // "-1": no E8/E9 seen yet
            uint prevMask = 0;
            for (ulong i = 0; i < limit; i++)
            {
                if ((buf[i] & 0xFE) != 0xE8) continue;
                ulong gap = i - prevPos;
                if (gap > 3) prevMask = 0;
                else
                {
                    prevMask = (prevMask << (int)(gap - 1)) & 7;
                    if (prevMask != 0)
                    {
                        byte b = buf[i + 4 - (ulong)BitNum(prevMask)];
                        if (!Allowed(prevMask) || MsByte(b))
                        {
                            prevPos = i;
                            prevMask = (prevMask << 1) | 1;
                            continue;
                        }
                    }
                }
                prevPos = i;
                if (!MsByte(buf[i + 4]))
                {
                    prevMask = (prevMask << 1) | 1;
                    continue;
                }
                uint src = *(uint*)(buf + i + 1), dest;
                while (true)
                {
                    dest = src - (startPos + (uint)i + 5);
                    if (prevMask == 0) break;
                    int j = BitNum(prevMask) * 8;
                    if (!MsByte((byte)(dest >> (24 - j)))) break;
                    src = dest ^ ((1u << (32 - j)) - 1);
                }
                dest &= 0x01FFFFFF;
                dest |= 0u - (dest & 0x01000000);
                *(uint*)(buf + i + 1) = dest;
                i += 4;
            }
        }
    }
}
