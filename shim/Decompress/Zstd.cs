namespace Microxen.Decompress
{
    /// <summary>The zstd decoder's state and tables, in caller work memory (<see cref="Zstd.WorkBytes"/>).</summary>
    public unsafe struct ZstdWork
    {
        public byte* Literals, Weights;
        public ushort* Huffman;
        public short* Norm;
        public FseCell* WeightTable, Ll, Of, Ml;
        /// <summary>The Huffman table's bit count; 0 while the frame has none (a treeless block is corrupt then).</summary>
        public int HuffmanBits;
        public int LlLog, OfLog, MlLog;
        public bool HasLl, HasOf, HasMl;
        public uint Rep1, Rep2, Rep3;
        public fixed uint LlBase[36], MlBase[53];
        public fixed byte LlBits[36], MlBits[53];
    }

    /// <summary>
    /// Zstandard frames (RFC 8878; Linux builds kernels with `zstd -22 --ultra`): frame header,
    /// raw, RLE and compressed blocks, the content size and the XXH64 content checksum checked;
    /// skippable frames skipped; several frames decode one after another. Frames needing a
    /// dictionary are refused (UnsupportedFormat). The whole output is the window.
    /// </summary>
    public static unsafe class Zstd
    {
        public const uint Magic = 0xFD2FB528, SkippableMagic = 0x184D2A50, SkippableMask = 0xFFFFFFF0;
        const int MaxLlLog = 9, MaxMlLog = 9, MaxOfLog = 8, MaxLlCode = 35, MaxMlCode = 52, MaxOfCode = 31;
        const int StateAt = 0, LitAt = 1024, HufAt = LitAt + ZstdLiterals.MaxBlock, WeightsAt = HufAt + 2 * ZstdLiterals.HuffmanCells;
        const int NormAt = WeightsAt + Fse.MaxSymbols, WeightTableAt = NormAt + 2 * Fse.MaxSymbols;
        const int LlAt = WeightTableAt + 4 * (1 << 6), OfAt = LlAt + 4 * (1 << MaxLlLog), MlAt = OfAt + 4 * (1 << MaxOfLog);
        public const int WorkBytes = MlAt + 4 * (1 << MaxMlLog);
        /// <summary>Room for <see cref="ZstdWork"/> at the start of work memory (a host test checks it fits).</summary>
        public const int StateBytes = LitAt - StateAt;

        // RFC 8878 3.1.1.3.2.2: the predefined distributions (probability + 1 per char; 0 is "less than 1").
        const string LlDefault = "\x05\x04\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x02\x02\x02\x03\x03\x03\x03\x03\x03\x03\x03\x03\x04\x03\x02\x02\x02\x02\x02\x00\x00\x00\x00";
        const string MlDefault = "\x02\x05\x04\x03\x03\x03\x03\x03\x03\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x00\x00\x00\x00\x00\x00\x00";
        const string OfDefault = "\x02\x02\x02\x02\x02\x02\x03\x03\x03\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x00\x00\x00\x00\x00";
        // Extra bits of literal-length codes 16..35 and match-length codes 32..52 (3.1.1.3.2.1.1);
        // each code's base is the previous base plus 2^(previous extra bits).
        const string LlExtra = "\x01\x01\x01\x01\x02\x02\x03\x03\x04\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10";
        const string MlExtra = "\x01\x01\x01\x01\x02\x02\x03\x03\x04\x04\x05\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10";

        /// <summary>Decodes src[0..srcLen) (frames, nothing else) into dst[0..dstCap). Ok with the
        /// output size; Corrupt, InputTruncated, OutputTooLarge, or UnsupportedFormat (a dictionary).</summary>
        public static DecompressError Decode(byte* src, ulong srcLen, byte* dst, ulong dstCap, byte* work, out ulong outLen)
        {
            outLen = 0;
            ZstdWork* w = (ZstdWork*)(work + StateAt);
            w->Literals = work + LitAt; w->Huffman = (ushort*)(work + HufAt); w->Weights = work + WeightsAt;
            w->Norm = (short*)(work + NormAt); w->WeightTable = (FseCell*)(work + WeightTableAt);
            w->Ll = (FseCell*)(work + LlAt); w->Of = (FseCell*)(work + OfAt); w->Ml = (FseCell*)(work + MlAt);
            Lengths(w->LlBase, w->LlBits, MaxLlCode + 1, 16, 16, LlExtra);
            Lengths(w->MlBase, w->MlBits, MaxMlCode + 1, 32, 35, MlExtra);
            ulong ip = 0, op = 0;
            if (srcLen == 0) return DecompressError.InputTruncated;
            while (ip < srcLen)
            {
                if (srcLen - ip < 4) return DecompressError.InputTruncated;
                uint magic = *(uint*)(src + ip);
                ip += 4;
                if ((magic & SkippableMask) == SkippableMagic)
                {
                    if (srcLen - ip < 4) return DecompressError.InputTruncated;
                    ulong skip = *(uint*)(src + ip);
                    ip += 4;
                    if (skip > srcLen - ip) return DecompressError.InputTruncated;
                    ip += skip;
                    continue;
                }
                if (magic != Magic) return DecompressError.Corrupt;
                DecompressError e = Frame(w, src, srcLen, ref ip, dst, dstCap, ref op);
                if (e != DecompressError.Ok) return e;
            }
            outLen = op;
            return DecompressError.Ok;
        }

        static DecompressError Frame(ZstdWork* w, byte* src, ulong srcLen, ref ulong ip, byte* dst, ulong dstCap, ref ulong op)
        {
            if (ip >= srcLen) return DecompressError.InputTruncated;
            byte fhd = src[ip++];
            int fcsFlag = fhd >> 6, didFlag = fhd & 3;
            bool single = (fhd & 0x20) != 0, checksum = (fhd & 4) != 0;
            if ((fhd & 8) != 0) return DecompressError.Corrupt;
            int didBytes = didFlag == 3 ? 4 : didFlag, fcsBytes = fcsFlag == 0 ? (single ? 1 : 0) : 1 << fcsFlag;
            ulong hdr = (single ? 0UL : 1UL) + (ulong)didBytes + (ulong)fcsBytes;
            if (hdr > srcLen - ip) return DecompressError.InputTruncated;
            ip += single ? 0UL : 1UL;
            ulong did = 0, fcs = 0;
            for (int i = 0; i < didBytes; i++) did |= (ulong)src[ip++] << (8 * i);
            for (int i = 0; i < fcsBytes; i++) fcs |= (ulong)src[ip++] << (8 * i);
            if (fcsBytes == 2) fcs += 256;
            if (did != 0) return DecompressError.UnsupportedFormat;
            ulong start = op;
            if (fcsBytes != 0 && fcs > dstCap - op) return DecompressError.OutputTooLarge;
            w->HuffmanBits = 0; w->HasLl = w->HasOf = w->HasMl = false;
            w->Rep1 = 1; w->Rep2 = 4; w->Rep3 = 8;
            bool last;
            do
            {
                if (srcLen - ip < 3) return DecompressError.InputTruncated;
                uint bh = (uint)(src[ip] | src[ip + 1] << 8 | src[ip + 2] << 16);
                ip += 3;
                last = (bh & 1) != 0;
                uint type = (bh >> 1) & 3;
                ulong size = bh >> 3;
                if (type == 3 || size > ZstdLiterals.MaxBlock) return DecompressError.Corrupt;
                ulong inSize = type == 1 ? 1 : size;
                if (inSize > srcLen - ip) return DecompressError.InputTruncated;
                if (type < 2)
                {
                    if (size > dstCap - op) return DecompressError.OutputTooLarge;
                    if (type == 0) Lz4Legacy.Copy(dst + op, src + ip, size);
                    else for (ulong i = 0; i < size; i++) dst[op + i] = src[ip];
                    op += size;
                }
                else
                {
                    DecompressError e = Block(w, src + ip, size, dst, dstCap, start, ref op);
                    if (e != DecompressError.Ok) return e;
                }
                ip += inSize;
            } while (!last);
            if (fcsBytes != 0 && op - start != fcs) return DecompressError.Corrupt;
            if (checksum)
            {
                if (srcLen - ip < 4) return DecompressError.InputTruncated;
                if ((uint)XxHash64.Hash(dst + start, op - start, 0) != *(uint*)(src + ip)) return DecompressError.Corrupt;
                ip += 4;
            }
            return DecompressError.Ok;
        }

        /// <summary>A compressed block: literals, then sequences executed against the output since the frame's start.</summary>
        static DecompressError Block(ZstdWork* w, byte* p, ulong n, byte* dst, ulong dstCap, ulong frameStart, ref ulong op)
        {
            byte* lit;
            ulong litLen;
            long used = ZstdLiterals.Decode(w, p, n, out lit, out litLen);
            if (used < 0) return DecompressError.Corrupt;
            p += used; n -= (ulong)used;
            if (n == 0) return DecompressError.Corrupt;
            ulong nbSeq = p[0], i = 1;
            if (nbSeq >= 128)
            {
                if (nbSeq < 255) { if (n < 2) return DecompressError.Corrupt; nbSeq = ((nbSeq - 128) << 8) + p[1]; i = 2; }
                else { if (n < 3) return DecompressError.Corrupt; nbSeq = p[1] + ((ulong)p[2] << 8) + 0x7F00; i = 3; }
            }
            ulong litPos = 0;
            if (nbSeq != 0)
            {
                if (i >= n) return DecompressError.Corrupt;
                byte modes = p[i++];
                if ((modes & 3) != 0) return DecompressError.Corrupt;
                if (!Table(w, p, n, ref i, modes >> 6, w->Ll, ref w->LlLog, ref w->HasLl, MaxLlCode, MaxLlLog, LlDefault, 6) ||
                    !Table(w, p, n, ref i, (modes >> 4) & 3, w->Of, ref w->OfLog, ref w->HasOf, MaxOfCode, MaxOfLog, OfDefault, 5) ||
                    !Table(w, p, n, ref i, (modes >> 2) & 3, w->Ml, ref w->MlLog, ref w->HasMl, MaxMlCode, MaxMlLog, MlDefault, 6))
                    return DecompressError.Corrupt;
                DecompressError e = Sequences(w, p + i, n - i, nbSeq, lit, litLen, ref litPos, dst, dstCap, frameStart, ref op);
                if (e != DecompressError.Ok) return e;
            }
            else if (i != n) return DecompressError.Corrupt;
            ulong rest = litLen - litPos;
            if (rest > dstCap - op) return DecompressError.OutputTooLarge;
            Lz4Legacy.Copy(dst + op, lit + litPos, rest);
            op += rest;
            return DecompressError.Ok;
        }

        /// <summary>One of the three sequence tables by its mode: predefined, RLE, FSE-described, or repeated.</summary>
        static bool Table(ZstdWork* w, byte* p, ulong n, ref ulong i, int mode, FseCell* t, ref int log, ref bool has,
                          int maxCode, int maxLog, string defaults, int defaultLog)
        {
            if (mode == 3) return has;
            has = true;
            if (mode == 1)
            {
                if (i >= n || p[i] > maxCode) return false;
                Fse.Rle(t, p[i++]);
                log = 0;
                return true;
            }
            int symbols;
            if (mode == 0)
            {
                symbols = defaults.Length;
                for (int s = 0; s < symbols; s++) w->Norm[s] = (short)(defaults[s] - 1);
                log = defaultLog;
            }
            else
            {
                int used = Fse.ReadCounts(p + i, n - i, w->Norm, maxCode, maxLog, out log, out symbols);
                if (used < 0) return false;
                i += (ulong)used;
            }
            return Fse.Build(t, w->Norm, symbols, log);
        }

        /// <summary>Base values and extra bits of every length code: codes below firstCoded are
        /// their value plus firstBase - firstCoded with no extra bits.</summary>
        static void Lengths(uint* bases, byte* bits, int codes, int firstCoded, uint firstBase, string extra)
        {
            uint b = firstBase - (uint)firstCoded;
            for (int c = 0; c < codes; c++)
            {
                bits[c] = c < firstCoded ? (byte)0 : (byte)extra[c - firstCoded];
                bases[c] = c < firstCoded ? (uint)c + b : b;
                if (c >= firstCoded) b += 1u << bits[c];
                else if (c == firstCoded - 1) b = firstBase;
            }
        }

        static DecompressError Sequences(ZstdWork* w, byte* p, ulong n, ulong nbSeq, byte* lit, ulong litLen, ref ulong litPos,
                                         byte* dst, ulong dstCap, ulong frameStart, ref ulong op)
        {
            BackBits b;
            if (!BackBits.Init(out b, p, n)) return DecompressError.Corrupt;
            uint sLl = (uint)b.Read(w->LlLog), sOf = (uint)b.Read(w->OfLog), sMl = (uint)b.Read(w->MlLog);
            for (ulong k = 0; k < nbSeq; k++)
            {
                int ofCode = w->Of[sOf].Symbol, mlCode = w->Ml[sMl].Symbol, llCode = w->Ll[sLl].Symbol;
                ulong ofv = (1UL << ofCode) + b.Read(ofCode);
                ulong ml = w->MlBase[mlCode] + b.Read(w->MlBits[mlCode]);
                ulong ll = w->LlBase[llCode] + b.Read(w->LlBits[llCode]);
                ulong offset;
                if (ofv > 3) { offset = ofv - 3; w->Rep3 = w->Rep2; w->Rep2 = w->Rep1; w->Rep1 = (uint)offset; }
                else
                {
                    ulong idx = ofv - 1 + (ll == 0 ? 1UL : 0UL);
                    if (idx == 0) offset = w->Rep1;
                    else
                    {
                        offset = idx == 1 ? w->Rep2 : idx == 2 ? w->Rep3 : (ulong)w->Rep1 - 1;
                        if (offset == 0) return DecompressError.Corrupt;
                        if (idx != 1) w->Rep3 = w->Rep2;
                        w->Rep2 = w->Rep1; w->Rep1 = (uint)offset;
                    }
                }
                if (k + 1 < nbSeq)
                {
                    sLl = w->Ll[sLl].Base + (uint)b.Read(w->Ll[sLl].Bits);
                    sMl = w->Ml[sMl].Base + (uint)b.Read(w->Ml[sMl].Bits);
                    sOf = w->Of[sOf].Base + (uint)b.Read(w->Of[sOf].Bits);
                }
                if (b.Left < 0) return DecompressError.Corrupt;
                if (ll > litLen - litPos) return DecompressError.Corrupt;
                if (ll > dstCap - op || ml > dstCap - op - ll) return DecompressError.OutputTooLarge;
                Lz4Legacy.Copy(dst + op, lit + litPos, ll);
                op += ll; litPos += ll;
                if (offset > op - frameStart) return DecompressError.Corrupt;
                Lz4Legacy.LzCopy(dst, op, offset, ml);
                op += ml;
            }
            return b.Left == 0 ? DecompressError.Ok : DecompressError.Corrupt;
        }
    }
}
