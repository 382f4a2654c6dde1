using System.Runtime.CompilerServices;

namespace Microxen.Decompress
{
    /// <summary>
    /// LZMA decoder state for LZMA2 (xz file format 1.1.0 section 5.3.1; the LZMA SDK's lzma.txt):
    /// the probabilities (11-bit, start at 1024), the state machine and the four rep distances.
    /// Lives in caller memory (<see cref="Lzma.StateBytes"/>); the output buffer is the dictionary
    /// (the whole kernel is decoded in one call, as Linux's XZ_SINGLE mode).
    /// </summary>
    public unsafe struct LzmaState
    {
        public uint State, Rep0, Rep1, Rep2, Rep3;
        public int Lc, Lp, Pb;
        public bool PropsSet;
    }

    /// <summary>The LZMA decoder proper: range decoder, literal/match/rep decoding, into an output
    /// buffer that is also the dictionary.</summary>
    public static unsafe class Lzma
    {
        const int ProbBits = 11, ProbInit = 1 << (ProbBits - 1), MoveBits = 5;
        const uint TopValue = 1u << 24;
        const int States = 12, PosStatesMax = 16, LitStates = 7;
        const int DistSlots = 64, DistModelStart = 4, DistModelEnd = 14, FullDistances = 128, AlignBits = 4;
        const int LenLowBits = 3, LenMidBits = 3, LenHighBits = 8, MatchLenMin = 2;

        // Offsets (in probabilities) of each table in the probability array.
        const int IsMatch = 0;
        const int IsRep = IsMatch + States * PosStatesMax;
        const int IsRep0 = IsRep + States;
        const int IsRep1 = IsRep0 + States;
        const int IsRep2 = IsRep1 + States;
        const int IsRep0Long = IsRep2 + States;
        const int DistSlot = IsRep0Long + States * PosStatesMax;
        const int DistSpecial = DistSlot + 4 * DistSlots;
        const int DistAlign = DistSpecial + FullDistances - DistModelEnd;
        // A length coder: choice, choice2, low[16][8], mid[16][8], high[256].
        const int LenChoice = 0, LenChoice2 = 1, LenLow = 2;
        const int LenMid = LenLow + PosStatesMax * (1 << LenLowBits);
        const int LenHigh = LenMid + PosStatesMax * (1 << LenMidBits);
        const int LenCoderSize = LenHigh + (1 << LenHighBits);
        const int MatchLen = DistAlign + (1 << AlignBits);
        const int RepLen = MatchLen + LenCoderSize;
        const int Literal = RepLen + LenCoderSize;
        /// <summary>lc + lp may be at most 4 in LZMA2: 0x300 probabilities per literal coder, 16 coders.</summary>
        public const int LiteralCoderSize = 0x300, MaxLcLp = 4;
        public const int ProbCount = Literal + (LiteralCoderSize << MaxLcLp);
        /// <summary>Bytes of caller memory the probabilities need.</summary>
        public const int ProbBytes = ProbCount * 2;
        /// <summary>The most LZMA-alone needs: lc + lp up to 12 (lc 8, lp 4).</summary>
        public const int MaxProbBytes = (Literal + (LiteralCoderSize << 12)) * 2;

        /// <summary>Sets lc/lp/pb from an LZMA properties byte ((pb*5+lp)*9+lc); false if invalid for LZMA2.</summary>
        public static bool SetProps(ref LzmaState s, byte props)
        {
            if (props >= 9 * 5 * 5) return false;
            s.Lc = props % 9; props /= 9;
            s.Lp = props % 5; s.Pb = props / 5;
            if (s.Lc + s.Lp > MaxLcLp) return false;
            s.PropsSet = true;
            return true;
        }

        /// <summary>Sets lc/lp/pb from an LZMA-alone properties byte: any lc (0..8), lp (0..4), pb (0..4),
        /// as Linux's and Xen's unlzma take; the probabilities need <see cref="ProbBytesFor"/>.</summary>
        public static bool SetPropsAny(ref LzmaState s, byte props)
        {
            if (props >= 9 * 5 * 5) return false;
            s.Lc = props % 9; props /= 9;
            s.Lp = props % 5; s.Pb = props / 5;
            s.PropsSet = true;
            return true;
        }

        /// <summary>Bytes of probabilities for lc + lp = <paramref name="lcLp"/> (0..12).</summary>
        public static int ProbBytesFor(int lcLp) => (Literal + (LiteralCoderSize << lcLp)) * 2;

        /// <summary>State reset: every probability to 1/2, state 0, reps 0.</summary>
        public static void Reset(ref LzmaState s, ushort* probs)
        {
            s.State = 0; s.Rep0 = s.Rep1 = s.Rep2 = s.Rep3 = 0;
            int n = Literal + (LiteralCoderSize << (s.Lc + s.Lp));
            for (int i = 0; i < n; i++) probs[i] = ProbInit;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static uint Bit(ushort* p, ref uint range, ref uint code, ref byte* ip, byte* inEnd)
        {
            if (range < TopValue) { range <<= 8; code = (code << 8) | (ip < inEnd ? *ip : 0u); ip++; }
            uint prob = *p;
            uint bound = (range >> ProbBits) * prob;
            if (code < bound)
            {
                range = bound;
                *p = (ushort)(prob + (((1u << ProbBits) - prob) >> MoveBits));
                return 0;
            }
            range -= bound; code -= bound;
            *p = (ushort)(prob - (prob >> MoveBits));
            return 1;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static uint Tree(ushort* p, uint limit, ref uint range, ref uint code, ref byte* ip, byte* inEnd)
        {
            uint sym = 1;
            do sym = (sym << 1) | Bit(p + sym, ref range, ref code, ref ip, inEnd); while (sym < limit);
            return sym - limit;
        }

        static uint ReverseTree(ushort* p, int bits, ref uint range, ref uint code, ref byte* ip, byte* inEnd)
        {
            uint sym = 1, r = 0;
            for (int i = 0; i < bits; i++)
            {
                uint b = Bit(p + sym, ref range, ref code, ref ip, inEnd);
                sym = (sym << 1) | b;
                r |= b << i;
            }
            return r;
        }

        static uint Len(ushort* l, uint posState, ref uint range, ref uint code, ref byte* ip, byte* inEnd)
        {
            if (Bit(l + LenChoice, ref range, ref code, ref ip, inEnd) == 0)
                return MatchLenMin + Tree(l + LenLow + (posState << LenLowBits), 1 << LenLowBits, ref range, ref code, ref ip, inEnd);
            if (Bit(l + LenChoice2, ref range, ref code, ref ip, inEnd) == 0)
                return MatchLenMin + (1 << LenLowBits) + Tree(l + LenMid + (posState << LenMidBits), 1 << LenMidBits, ref range, ref code, ref ip, inEnd);
            return MatchLenMin + (1 << LenLowBits) + (1 << LenMidBits) + Tree(l + LenHigh, 1 << LenHighBits, ref range, ref code, ref ip, inEnd);
        }

        /// <summary>
        /// Decodes one LZMA2 LZMA chunk: the range coder over in[0..inLen) (5 init bytes, the first 0),
        /// output from out[pos] to out[end). The dictionary starts at out[dictStart] (a dictionary reset
        /// moves it). Ok when exactly end is reached with every input byte used and the coder finished
        /// (code 0); Corrupt or InputTruncated otherwise.
        /// </summary>
        public static DecompressError DecodeChunk(ref LzmaState s, ushort* probs, byte* input, ulong inLen,
                                                  byte* outBuf, ulong dictStart, ulong pos, ulong end)
        {
            ulong used;
            uint code;
            DecompressError e = Decode(ref s, probs, input, inLen, outBuf, dictStart, ref pos, end, false, out used, out code);
            if (e != DecompressError.Ok) return e;
            if (used != inLen || code != 0) return DecompressError.Corrupt;
            return DecompressError.Ok;
        }

        /// <summary>
        /// The decoder proper over in[0..inLen) (5 init bytes, the first 0), from out[pos]. Without
        /// <paramref name="endMarker"/> it stops at end (a distance of 0xFFFFFFFF is corrupt); with it,
        /// it stops at the end marker only (LZMA-alone of unknown size) and end is the room there is:
        /// going past it is OutputTooLarge. Gives the input bytes used and the final range-coder code.
        /// </summary>
        public static DecompressError Decode(ref LzmaState s, ushort* probs, byte* input, ulong inLen, byte* outBuf, ulong dictStart,
                                             ref ulong pos, ulong end, bool endMarker, out ulong used, out uint finalCode)
        {
            used = 0; finalCode = 0;
            if (inLen < 5 || input[0] != 0) return DecompressError.Corrupt;
            byte* ip = input + 1;
            // Every normalisation reads at most one byte per bit; a read past the chunk is caught at its end.
            byte* inEnd = input + inLen;
            uint code = (uint)(ip[0] << 24 | ip[1] << 16 | ip[2] << 8 | ip[3]);
            ip += 4;
            uint range = 0xFFFFFFFF;
            uint state = s.State, rep0 = s.Rep0, rep1 = s.Rep1, rep2 = s.Rep2, rep3 = s.Rep3;
            uint pbMask = (1u << s.Pb) - 1, lpMask = (1u << s.Lp) - 1;
            int lc = s.Lc;
            byte* o = outBuf;
            DecompressError over = endMarker ? DecompressError.OutputTooLarge : DecompressError.Corrupt;
            while (pos < end || endMarker)
            {
                if (ip > inEnd) return DecompressError.InputTruncated;
                uint posState = (uint)pos & pbMask;
                if (Bit(probs + IsMatch + state * PosStatesMax + posState, ref range, ref code, ref ip, inEnd) == 0)
                {
                    if (pos >= end) return over;
                    uint prev = pos > dictStart ? o[pos - 1] : 0u;
                    ushort* lp = probs + Literal + LiteralCoderSize * (int)((((uint)pos & lpMask) << lc) + (prev >> (8 - lc)));
                    uint sym = 1;
                    if (state < LitStates)
                    {
                        do sym = (sym << 1) | Bit(lp + sym, ref range, ref code, ref ip, inEnd); while (sym < 0x100);
                    }
                    else
                    {
                        if (rep0 >= pos - dictStart) return DecompressError.Corrupt;
                        uint match = (uint)o[pos - rep0 - 1] << 1, offset = 0x100;
                        do
                        {
                            uint mbit = match & offset;
                            match <<= 1;
                            uint b = Bit(lp + offset + mbit + sym, ref range, ref code, ref ip, inEnd);
                            sym = (sym << 1) | b;
                            offset &= b != 0 ? mbit : ~mbit;
                        } while (sym < 0x100);
                    }
                    o[pos++] = (byte)sym;
                    state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
                    continue;
                }
                uint len;
                if (Bit(probs + IsRep + state, ref range, ref code, ref ip, inEnd) == 0)
                {
                    rep3 = rep2; rep2 = rep1; rep1 = rep0;
                    len = Len(probs + MatchLen, posState, ref range, ref code, ref ip, inEnd);
                    state = state < LitStates ? 7u : 10u;
                    uint lenState = len - MatchLenMin < 3 ? len - MatchLenMin : 3;
                    uint slot = Tree(probs + DistSlot + (int)(lenState * DistSlots), DistSlots, ref range, ref code, ref ip, inEnd);
                    if (slot < DistModelStart) rep0 = slot;
                    else
                    {
                        int limit = (int)(slot >> 1) - 1;
                        rep0 = (2 | (slot & 1)) << limit;
                        if (slot < DistModelEnd)
                            rep0 += ReverseTree(probs + DistSpecial + rep0 - slot - 1, limit, ref range, ref code, ref ip, inEnd);
                        else
                        {
                            uint direct = 0;
                            for (int i = 0; i < limit - AlignBits; i++)
                            {
                                if (range < TopValue) { range <<= 8; code = (code << 8) | (ip < inEnd ? *ip : 0u); ip++; }
                                range >>= 1;
                                code -= range;
                                uint mask = 0u - (code >> 31);
                                code += range & mask;
                                direct = (direct << 1) + (mask + 1);
                            }
                            rep0 += direct << AlignBits;
                            rep0 += ReverseTree(probs + DistAlign, AlignBits, ref range, ref code, ref ip, inEnd);
                            if (rep0 == 0xFFFFFFFF && endMarker) break;
                        }
                    }
                }
                else
                {
                    if (Bit(probs + IsRep0 + state, ref range, ref code, ref ip, inEnd) == 0)
                    {
                        if (Bit(probs + IsRep0Long + state * PosStatesMax + posState, ref range, ref code, ref ip, inEnd) == 0)
                        {
                            if (rep0 >= pos - dictStart) return DecompressError.Corrupt;
                            if (pos >= end) return over;
                            state = state < LitStates ? 9u : 11u;
                            o[pos] = o[pos - rep0 - 1];
                            pos++;
                            continue;
                        }
                    }
                    else
                    {
                        uint t;
                        if (Bit(probs + IsRep1 + state, ref range, ref code, ref ip, inEnd) == 0) t = rep1;
                        else
                        {
                            if (Bit(probs + IsRep2 + state, ref range, ref code, ref ip, inEnd) == 0) t = rep2;
                            else { t = rep3; rep3 = rep2; }
                            rep2 = rep1;
                        }
                        rep1 = rep0; rep0 = t;
                    }
                    len = Len(probs + RepLen, posState, ref range, ref code, ref ip, inEnd);
                    state = state < LitStates ? 8u : 11u;
                }
                // rep0 == 0xFFFFFFFF is the end marker, which LZMA2 chunks never carry: caught here too.
                if (rep0 >= pos - dictStart) return DecompressError.Corrupt;
                if (len > end - pos) return over;
                Lz4Legacy.LzCopy(o, pos, (ulong)rep0 + 1, len);
                pos += len;
            }
            if (range < TopValue) { range <<= 8; code = (code << 8) | (ip < inEnd ? *ip : 0u); ip++; }
            if (ip > inEnd) return DecompressError.InputTruncated;
            used = (ulong)(ip - input); finalCode = code;
            s.State = state; s.Rep0 = rep0; s.Rep1 = rep1; s.Rep2 = rep2; s.Rep3 = rep3;
            return DecompressError.Ok;
        }
    }
}
