namespace Microxen.Memory
{
    /// <summary>
    /// Bitmap allocator of 4 KiB machine frames. One bit per frame, 1 = free, 0 = reserved (or
    /// not RAM at all). The bitmap storage (ceil(frameCount / 64) ulongs) belongs to the caller.
    /// After <see cref="Init"/> every frame is reserved; the caller then adds the RAM regions of
    /// the memory map with <see cref="AddFree"/> and takes away what is in use with
    /// <see cref="Reserve"/> (page 0, the shim image, boot modules, ...).
    /// Frames at or beyond <see cref="FrameCount"/> are always reported reserved.
    /// </summary>
    public unsafe struct FrameAllocator
    {
        /// <summary>Returned by the allocation functions when no frame is free.</summary>
        public const ulong None = ulong.MaxValue;

        /// <summary>Bitmap storage: bit (f &amp; 63) of word (f &gt;&gt; 6) is set when frame f is free.</summary>
        public ulong* Bits;
        /// <summary>Number of frames the bitmap covers (frames 0 .. FrameCount-1).</summary>
        public ulong FrameCount;
        /// <summary>Number of free frames.</summary>
        public ulong FreeCount;
        // Scan hints (bitmap word indices): no free frame in words below _low or above _high.
        // They make runs of Alloc()/AllocHigh() amortised O(1) instead of rescanning used words.
        private ulong _low;
        private ulong _high;

        /// <summary>Number of ulongs of bitmap storage needed for <paramref name="frameCount"/> frames.</summary>
        public static ulong WordsFor(ulong frameCount) => (frameCount + 63) >> 6;

        /// <summary>An allocator over caller storage (WordsFor(frameCount) ulongs); every frame starts reserved.</summary>
        public FrameAllocator(ulong* bits, ulong frameCount)
        {
            Bits = null; FrameCount = 0; FreeCount = 0; _low = 0; _high = 0;
            Init(bits, frameCount);
        }

        /// <summary>Sets up the allocator over caller storage; every frame starts reserved.</summary>
        public void Init(ulong* bits, ulong frameCount)
        {
            Bits = bits;
            FrameCount = frameCount;
            FreeCount = 0;
            ulong words = WordsFor(frameCount);
            _low = words;     // nothing free yet
            _high = 0;
            for (ulong i = 0; i < words; i++) bits[i] = 0;
        }

        /// <summary>Marks [firstFrame, firstFrame+count) free (clipped to FrameCount). Returns the number of frames that changed.</summary>
        public ulong AddFree(ulong firstFrame, ulong count) => SetRange(firstFrame, count, true);

        /// <summary>Marks [firstFrame, firstFrame+count) reserved (clipped to FrameCount). Returns the number of frames that changed.</summary>
        public ulong Reserve(ulong firstFrame, ulong count) => SetRange(firstFrame, count, false);

        /// <summary>True when frame <paramref name="f"/> is free.</summary>
        public bool IsFree(ulong f)
        {
            if (f >= FrameCount) return false;
            return (Bits[f >> 6] & (1UL << (int)(f & 63))) != 0;
        }

        /// <summary>Reserves frame <paramref name="f"/> if it is free; false when it was not free.</summary>
        public bool TryReserve(ulong f)
        {
            if (!IsFree(f)) return false;
            Bits[f >> 6] &= ~(1UL << (int)(f & 63));
            FreeCount--;
            return true;
        }

        /// <summary>Returns a reserved frame to the free pool. False when out of range or already free.</summary>
        public bool Free(ulong f)
        {
            if (f >= FrameCount) return false;
            ulong bit = 1UL << (int)(f & 63);
            if ((Bits[f >> 6] & bit) != 0) return false;
            Bits[f >> 6] |= bit;
            FreeCount++;
            NoteFree(f >> 6, f >> 6);
            return true;
        }

        /// <summary>Allocates the lowest free frame, or <see cref="None"/>.</summary>
        public ulong Alloc()
        {
            if (FreeCount == 0) return None;
            ulong words = WordsFor(FrameCount);
            for (ulong w = _low; w < words; w++)
            {
                ulong v = Bits[w];
                if (v == 0) continue;
                _low = w;
                ulong f = (w << 6) + (ulong)LowestBit(v);
                if (f >= FrameCount) return None;
                TryReserve(f);
                return f;
            }
            _low = words;
            return None;
        }

        /// <summary>Allocates the highest free frame, or <see cref="None"/>.</summary>
        public ulong AllocHigh()
        {
            if (FreeCount == 0) return None;
            ulong words = WordsFor(FrameCount);
            ulong w = _high + 1;
            if (w > words) w = words;
            while (w > 0)
            {
                w--;
                ulong v = Bits[w];
                if (v == 0) continue;
                _high = w;
                ulong f = (w << 6) + (ulong)HighestBit(v);
                TryReserve(f);
                return f;
            }
            _high = 0;
            return None;
        }

        /// <summary>
        /// Lowest free frame at or above <paramref name="from"/> (not reserved), or <see cref="None"/>.
        /// </summary>
        public ulong FindFree(ulong from)
        {
            if (from >= FrameCount) return None;
            ulong words = WordsFor(FrameCount);
            ulong w = from >> 6;
            ulong v = Bits[w] & (~0UL << (int)(from & 63));
            while (true)
            {
                if (v != 0)
                {
                    ulong f = (w << 6) + (ulong)LowestBit(v);
                    return f < FrameCount ? f : None;
                }
                w++;
                if (w >= words) return None;
                v = Bits[w];
            }
        }

        private ulong SetRange(ulong first, ulong count, bool free)
        {
            if (first >= FrameCount) return 0;
            if (count > FrameCount - first) count = FrameCount - first;
            ulong end = first + count;
            ulong changed = 0;
            ulong f = first;
            while (f < end)
            {
                ulong w = f >> 6;
                int lo = (int)(f & 63);
                ulong span = 64 - (ulong)lo;
                if (span > end - f) span = end - f;
                ulong mask = span == 64 ? ~0UL : (((1UL << (int)span) - 1) << lo);
                ulong old = Bits[w];
                ulong n = free ? (old | mask) : (old & ~mask);
                changed += (ulong)PopCount(old ^ n);
                Bits[w] = n;
                f += span;
            }
            if (free) { FreeCount += changed; if (changed != 0) NoteFree(first >> 6, (end - 1) >> 6); }
            else FreeCount -= changed;
            return changed;
        }

        private void NoteFree(ulong lowWord, ulong highWord)
        {
            if (lowWord < _low) _low = lowWord;
            if (highWord > _high) _high = highWord;
        }

        private static int LowestBit(ulong v)
        {
            int n = 0;
            if ((v & 0xFFFFFFFFUL) == 0) { n += 32; v >>= 32; }
            if ((v & 0xFFFFUL) == 0) { n += 16; v >>= 16; }
            if ((v & 0xFFUL) == 0) { n += 8; v >>= 8; }
            if ((v & 0xFUL) == 0) { n += 4; v >>= 4; }
            if ((v & 0x3UL) == 0) { n += 2; v >>= 2; }
            if ((v & 0x1UL) == 0) { n += 1; }
            return n;
        }

        private static int HighestBit(ulong v)
        {
            int n = 0;
            if ((v >> 32) != 0) { n += 32; v >>= 32; }
            if ((v >> 16) != 0) { n += 16; v >>= 16; }
            if ((v >> 8) != 0) { n += 8; v >>= 8; }
            if ((v >> 4) != 0) { n += 4; v >>= 4; }
            if ((v >> 2) != 0) { n += 2; v >>= 2; }
            if ((v >> 1) != 0) { n += 1; }
            return n;
        }

        private static int PopCount(ulong v)
        {
            v = v - ((v >> 1) & 0x5555555555555555UL);
            v = (v & 0x3333333333333333UL) + ((v >> 2) & 0x3333333333333333UL);
            v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0FUL;
            return (int)((v * 0x0101010101010101UL) >> 56);
        }
    }
}
