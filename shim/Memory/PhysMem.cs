namespace Microxen.Memory
{
    /// <summary>
    /// Access to machine (physical) memory through one linear window: machine address <c>ma</c>
    /// is at <c>Base + ma</c>. In the shim, Base is the start of the shim's direct map
    /// (0xffff830000000000, Xen's DIRECTMAP_VIRT_START); in host tests it is a buffer that
    /// stands for the machine's RAM. Addresses are bytes; frames are 4 KiB.
    /// </summary>
    public unsafe struct PhysMem
    {
        public const int PageShift = 12;
        public const ulong PageSize = 4096;

        /// <summary>Virtual address at which machine address 0 is visible.</summary>
        public byte* Base;

        public PhysMem(byte* @base) { Base = @base; }

        /// <summary>Pointer to machine address <paramref name="ma"/> (bytes).</summary>
        public byte* At(ulong ma) => Base + ma;

        /// <summary>Pointer to the first byte of machine frame <paramref name="mfn"/>.</summary>
        public byte* Frame(ulong mfn) => Base + (mfn << PageShift);

        /// <summary>Fills machine frame <paramref name="mfn"/> (4096 bytes) with zeroes.</summary>
        public void ZeroFrame(ulong mfn)
        {
            ulong* p = (ulong*)Frame(mfn);
            for (int i = 0; i < 512; i++) p[i] = 0;
        }
    }
}
