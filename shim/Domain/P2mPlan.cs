namespace Microxen.Domain
{
    /// <summary>
    /// Chooses the machine frame of each guest pfn, "identity where the memory map allows it":
    /// pfn p gets frame p when that frame is free; otherwise a substitute frame that can never be
    /// some other pfn's identity frame (a free frame at or above nr_pages, else one whose number
    /// is an initrd pfn, which never has an identity frame). The initrd's pfns get the initrd's
    /// own frames. Every choice is recorded in the M2P (m2p[mfn] = pfn).
    ///
    /// Because a substitute is never an identity candidate, the order in which pfns are assigned
    /// does not change the outcome: this is the two-pass policy (identities first, substitutes
    /// second) done in one pass, so the builder can assign pfns lazily as it lays the domain out.
    /// Requires (checked by the builder): free frames >= guest pfns that are not initrd pfns.
    /// </summary>
    public unsafe struct P2mPlan
    {
        public FrameAllocator* Frames;
        public ulong* M2p;
        public ulong M2pLength;
        public ulong NrPages;
        public ulong InitrdPfn;
        public ulong InitrdPages;
        public ulong InitrdMfn;

        public ulong IdentityCount;
        public ulong SubstituteCount;
        public ulong InitrdCount;
        /// <summary>First error met (assignment then returns FrameAllocator.None).</summary>
        public BuildError Error;

        public bool IsInitrdPfn(ulong pfn) => InitrdPages != 0 && pfn >= InitrdPfn && pfn - InitrdPfn < InitrdPages;

        /// <summary>A frame that some pfn would take as its identity frame.</summary>
        public bool IsIdentityCandidate(ulong f) => f < NrPages && !IsInitrdPfn(f);

        /// <summary>Chooses (and reserves) the frame of <paramref name="pfn"/>; records it in the M2P. Call once per pfn.</summary>
        public ulong Assign(ulong pfn)
        {
            if (Error != BuildError.Ok) return FrameAllocator.None;
            ulong mfn;
            if (IsInitrdPfn(pfn))
            {
                mfn = InitrdMfn + (pfn - InitrdPfn);
                InitrdCount++;
            }
            else if (Frames->TryReserve(pfn))
            {
                mfn = pfn;
                IdentityCount++;
            }
            else
            {
                mfn = Frames->AllocHigh();
                if (mfn != FrameAllocator.None && IsIdentityCandidate(mfn))
                {
                    // Nothing free at or above nr_pages: use a frame numbered like an initrd pfn.
                    Frames->Free(mfn);
                    mfn = InitrdPages == 0 ? FrameAllocator.None : Frames->FindFree(InitrdPfn);
                    if (mfn != FrameAllocator.None && !IsInitrdPfn(mfn)) mfn = FrameAllocator.None;
                    if (mfn != FrameAllocator.None) Frames->TryReserve(mfn);
                }
                if (mfn == FrameAllocator.None) { Error = BuildError.NotEnoughMemory; return mfn; }
                SubstituteCount++;
            }
            if (mfn >= M2pLength) { Error = BuildError.M2pTooSmall; return FrameAllocator.None; }
            M2p[mfn] = pfn;
            return mfn;
        }
    }
}
