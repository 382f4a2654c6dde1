namespace Microxen.Tests
{
    public unsafe class FrameAllocatorTests
    {
        private static FrameAllocator Make(ulong frames, out ulong* bits)
        {
            ulong words = FrameAllocator.WordsFor(frames);
            bits = (ulong*)NativeMemory.Alloc((nuint)(words * 8 + 8));
            // Garbage in the storage must not matter: Init clears it.
            for (ulong i = 0; i < words; i++) bits[i] = 0xDEADBEEFDEADBEEFUL;
            return new FrameAllocator(bits, frames);
        }

        [Fact]
        public void StartsReserved()
        {
            var a = Make(1000, out var bits);
            Assert.Equal(0UL, a.FreeCount);
            for (ulong f = 0; f < 1000; f++) Assert.False(a.IsFree(f));
            Assert.Equal(FrameAllocator.None, a.Alloc());
            Assert.Equal(FrameAllocator.None, a.AllocHigh());
            NativeMemory.Free(bits);
        }

        [Fact]
        public void AddFreeReserveAndCounts()
        {
            var a = Make(1000, out var bits);
            Assert.Equal(900UL, a.AddFree(100, 900));
            Assert.Equal(900UL, a.FreeCount);
            Assert.Equal(0UL, a.AddFree(200, 10)); // already free
            Assert.Equal(10UL, a.Reserve(195, 10));
            Assert.Equal(890UL, a.FreeCount);
            Assert.True(a.IsFree(194));
            Assert.False(a.IsFree(195));
            Assert.False(a.IsFree(204));
            Assert.True(a.IsFree(205));
            Assert.False(a.IsFree(99));
            Assert.True(a.IsFree(999));
            Assert.False(a.IsFree(1000));
            Assert.False(a.IsFree(ulong.MaxValue));
            NativeMemory.Free(bits);
        }

        [Fact]
        public void RangesAreClippedToFrameCount()
        {
            var a = Make(130, out var bits); // partial last word
            Assert.Equal(30UL, a.AddFree(100, 1000));
            Assert.Equal(30UL, a.FreeCount);
            Assert.Equal(0UL, a.AddFree(130, 5));
            Assert.Equal(0UL, a.AddFree(ulong.MaxValue - 3, 10));
            Assert.Equal(129UL, a.AllocHigh());
            Assert.Equal(100UL, a.Alloc());
            // Bits beyond the frame count are never set.
            Assert.Equal(0UL, bits[2] >> 2);
            NativeMemory.Free(bits);
        }

        [Fact]
        public void AllocLowestAndHighestSkipFullWords()
        {
            var a = Make(64 * 100, out var bits);
            a.AddFree(64 * 37 + 5, 3);
            a.AddFree(64 * 80 + 63, 1);
            Assert.Equal(64UL * 37 + 5, a.Alloc());
            Assert.Equal(64UL * 80 + 63, a.AllocHigh());
            Assert.Equal(64UL * 37 + 7, a.AllocHigh());
            Assert.Equal(64UL * 37 + 6, a.Alloc());
            Assert.Equal(FrameAllocator.None, a.Alloc());
            Assert.Equal(0UL, a.FreeCount);
            NativeMemory.Free(bits);
        }

        [Fact]
        public void TryReserveAndFree()
        {
            var a = Make(256, out var bits);
            a.AddFree(0, 256);
            Assert.True(a.TryReserve(0));
            Assert.False(a.TryReserve(0));
            Assert.False(a.TryReserve(256));
            Assert.Equal(255UL, a.FreeCount);
            Assert.Equal(1UL, a.Alloc());
            Assert.True(a.Free(0));
            Assert.False(a.Free(0)); // double free refused
            Assert.False(a.Free(256));
            Assert.Equal(0UL, a.Alloc());
            Assert.Equal(255UL, a.AllocHigh());
            Assert.Equal(253UL, a.FreeCount);
            NativeMemory.Free(bits);
        }

        [Fact]
        public void WholeWordRanges()
        {
            var a = Make(64 * 4, out var bits);
            Assert.Equal(128UL, a.AddFree(64, 128));
            Assert.Equal(~0UL, bits[1]);
            Assert.Equal(~0UL, bits[2]);
            Assert.Equal(0UL, bits[0]);
            Assert.Equal(0UL, bits[3]);
            Assert.Equal(64UL, a.Reserve(0, 128));
            Assert.Equal(64UL, a.FreeCount);
            Assert.Equal(128UL, a.Alloc());
            NativeMemory.Free(bits);
        }

        [Fact]
        public void FindFree()
        {
            var a = Make(300, out var bits);
            a.AddFree(10, 2);
            a.AddFree(290, 10);
            Assert.Equal(10UL, a.FindFree(0));
            Assert.Equal(11UL, a.FindFree(11));
            Assert.Equal(290UL, a.FindFree(12));
            Assert.Equal(299UL, a.FindFree(299));
            Assert.Equal(FrameAllocator.None, a.FindFree(300));
            Assert.Equal(12UL, a.FreeCount); // FindFree does not reserve
            NativeMemory.Free(bits);
        }

        [Fact]
        public void ExhaustAndRefill()
        {
            var a = Make(200, out var bits);
            a.AddFree(0, 200);
            for (ulong i = 0; i < 200; i++) Assert.Equal(i, a.Alloc());
            Assert.Equal(FrameAllocator.None, a.Alloc());
            Assert.Equal(FrameAllocator.None, a.AllocHigh());
            a.Free(77);
            Assert.Equal(77UL, a.AllocHigh());
            NativeMemory.Free(bits);
        }

        [Fact]
        public void RandomOperationsMatchAModel()
        {
            const ulong n = 64 * 37 + 11;
            var a = Make(n, out var bits);
            var model = new bool[n];
            var rng = new System.Random(1234);
            ulong Low() { for (ulong f = 0; f < n; f++) if (model[f]) return f; return FrameAllocator.None; }
            ulong High() { for (ulong f = n; f > 0; f--) if (model[f - 1]) return f - 1; return FrameAllocator.None; }
            for (int step = 0; step < 20000; step++)
            {
                ulong f = (ulong)rng.Next((int)n);
                ulong c = (ulong)rng.Next(200);
                switch (rng.Next(7))
                {
                    case 0:
                        a.AddFree(f, c);
                        for (ulong i = f; i < f + c && i < n; i++) model[i] = true;
                        break;
                    case 1:
                        a.Reserve(f, c / 4);
                        for (ulong i = f; i < f + c / 4 && i < n; i++) model[i] = false;
                        break;
                    case 2:
                    {
                        ulong want = Low();
                        Assert.Equal(want, a.Alloc());
                        if (want != FrameAllocator.None) model[want] = false;
                        break;
                    }
                    case 3:
                    {
                        ulong want = High();
                        Assert.Equal(want, a.AllocHigh());
                        if (want != FrameAllocator.None) model[want] = false;
                        break;
                    }
                    case 4:
                        Assert.Equal(!model[f], a.Free(f));
                        model[f] = true;
                        break;
                    case 5:
                        Assert.Equal(model[f], a.TryReserve(f));
                        model[f] = false;
                        break;
                    default:
                    {
                        ulong want = FrameAllocator.None;
                        for (ulong i = f; i < n; i++) if (model[i]) { want = i; break; }
                        Assert.Equal(want, a.FindFree(f));
                        break;
                    }
                }
                if (step % 500 == 0)
                {
                    ulong count = 0;
                    for (ulong i = 0; i < n; i++) { Assert.Equal(model[i], a.IsFree(i)); if (model[i]) count++; }
                    Assert.Equal(count, a.FreeCount);
                }
            }
            NativeMemory.Free(bits);
        }
    }
}