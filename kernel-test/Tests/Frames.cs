namespace KernelTest.Tests
{
    /// <summary>Free frames with known contents, for the page-table tests.</summary>
    public static unsafe class Frames
    {
        /// <summary>
        /// A cleared free frame whose first word is <paramref name="pattern"/> and last word its
        /// complement (written through the scratch mapping, which is removed again); 0 on failure.
        /// </summary>
        public static ulong WithPattern(ulong pattern)
        {
            ulong mfn = Window.ClearedFrame();
            if (mfn == 0) return 0;
            ulong* p = Window.Scratch(mfn);
            if (p == null) return 0;
            p[0] = pattern;
            p[511] = ~pattern;
            if (Window.EndScratch() != 0) return 0;
            return mfn;
        }

        /// <summary>Reads the first word at window slot <paramref name="slot"/>.</summary>
        public static ulong First(int slot) => *(ulong*)Window.Va(slot);
    }
}
