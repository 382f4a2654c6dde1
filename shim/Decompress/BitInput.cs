namespace Microxen.Decompress
{
    /// <summary>A byte stream read as bits (gzip least significant bit first, bzip2 most
    /// significant first): Buf holds Count bits not yet taken; bits past the end read as zeros
    /// and set Overrun, which the decoder checks.</summary>
    public unsafe struct BitInput
    {
        public byte* Src;
        public ulong Len, Pos, Buf;
        public int Count;
        public bool Overrun;
    }
}
