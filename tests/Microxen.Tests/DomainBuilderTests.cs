namespace Microxen.Tests
{
    /// <summary>Builds a small PV kernel ELF64 in memory: PT_LOAD segments + a PT_NOTE of Xen notes.</summary>
    internal sealed unsafe class SyntheticKernel
    {
        public const ulong VirtBase = 0xffffffff80000000UL;
        public const ulong TextPaddr = 0x1000000, TextSize = 0x3000;
        public const ulong PercpuPaddr = 0x1003000, PercpuFile = 0x800, PercpuMem = 0x1000;   // vaddr 0, as Linux's
        public const ulong DataPaddr = 0x1004000, DataFile = 0x1800, DataMem = 0x5000;        // bss after the file bytes
        public const ulong Entry = VirtBase + TextPaddr + 0x100;
        public const ulong HypercallPage = VirtBase + TextPaddr + 0x2000;

        /// <summary>The ELF, pinned: <see cref="Data"/> (and an ElfImage opened on it) stays valid.</summary>
        public byte[] Bytes;
        public byte* Data => (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(Bytes, 0);
        public int TextOff, PercpuOff, DataOff;

        public SyntheticKernel(bool initP2m, bool modStartPfn, bool hypercallPage)
        {
            var notes = new List<byte>();
            void Note(uint type, byte[] desc)
            {
                notes.AddRange(BitConverter.GetBytes(4u));
                notes.AddRange(BitConverter.GetBytes((uint)desc.Length));
                notes.AddRange(BitConverter.GetBytes(type));
                notes.AddRange(new byte[] { (byte)'X', (byte)'e', (byte)'n', 0 });
                notes.AddRange(desc);
                while (notes.Count % 4 != 0) notes.Add(0);
            }
            byte[] Str(string s) { var b = new byte[s.Length + 1]; for (int i = 0; i < s.Length; i++) b[i] = (byte)s[i]; return b; }
            byte[] U64(ulong v) => BitConverter.GetBytes(v);
            Note(6, Str("linux"));
            Note(5, Str("xen-3.0"));
            Note(3, U64(VirtBase));
            Note(4, U64(0));
            Note(1, U64(Entry));
            if (hypercallPage) Note(2, U64(HypercallPage));
            Note(10, Str("!writable_page_tables|pae_pgdir_above_4gb"));
            Note(9, Str("yes"));
            Note(8, Str("generic"));
            if (initP2m) Note(15, U64(0x8000000000UL));
            if (modStartPfn) Note(16, BitConverter.GetBytes(1u));
            Note(12, U64(0xffff800000000000UL));

            const int phnum = 4;
            int noteOff = 64 + 56 * phnum;
            TextOff = 0x1000;
            PercpuOff = TextOff + (int)TextSize;
            DataOff = 0x5000;
            Bytes = GC.AllocateArray<byte>(DataOff + (int)DataFile, pinned: true);
            for (int i = 0; i < (int)TextSize; i++) Bytes[TextOff + i] = (byte)(i * 7 + 1);
            for (int i = 0; i < (int)PercpuFile; i++) Bytes[PercpuOff + i] = (byte)(0xA0 ^ i);
            for (int i = 0; i < (int)DataFile; i++) Bytes[DataOff + i] = (byte)(i * 13 + 5);
            notes.CopyTo(Bytes, noteOff);

            // ELF header
            Bytes[0] = 0x7f; Bytes[1] = (byte)'E'; Bytes[2] = (byte)'L'; Bytes[3] = (byte)'F';
            Bytes[4] = 2; Bytes[5] = 1; Bytes[6] = 1;
            W16(16, 2); W16(18, 62); W32(20, 1); W64(24, Entry); W64(32, 64); W64(40, 0);
            W16(52, 64); W16(54, 56); W16(56, phnum); W16(58, 64); W16(60, 0); W16(62, 0);
            Phdr(0, 1, 5, (ulong)TextOff, VirtBase + TextPaddr, TextPaddr, TextSize, TextSize);
            Phdr(1, 1, 6, (ulong)PercpuOff, 0, PercpuPaddr, PercpuFile, PercpuMem);
            Phdr(2, 1, 6, (ulong)DataOff, VirtBase + DataPaddr, DataPaddr, DataFile, DataMem);
            Phdr(3, 4, 4, (ulong)noteOff, 0, 0, (ulong)notes.Count, (ulong)notes.Count);
        }

        void Phdr(int i, uint type, uint flags, ulong off, ulong va, ulong pa, ulong filesz, ulong memsz)
        {
            int p = 64 + 56 * i;
            W32(p, type); W32(p + 4, flags); W64(p + 8, off); W64(p + 16, va); W64(p + 24, pa);
            W64(p + 32, filesz); W64(p + 40, memsz); W64(p + 48, 0x1000);
        }
        void W16(int o, ushort v) { BitConverter.GetBytes(v).CopyTo(Bytes, o); }
        void W32(int o, uint v) { BitConverter.GetBytes(v).CopyTo(Bytes, o); }
        void W64(int o, ulong v) { BitConverter.GetBytes(v).CopyTo(Bytes, o); }
    }

    /// <summary>A machine: RAM buffer, frame allocator, M2P, shim L4 slots, shared_info frame.</summary>
    internal sealed unsafe class Machine : IDisposable
    {
        public readonly ulong Frames;
        public byte* Ram;
        public ulong* Bits;
        public ulong* M2p;
        public ulong* ShimSlots;
        public PhysMem Mem;
        public FrameAllocator Alloc;
        public ulong SharedInfoMfn;
        public bool[] FreeBefore;
        /// <summary>Where <see cref="PlaceInitrd"/> put the initrd (0, 0: none).</summary>
        public ulong InitrdMfn, InitrdLength;

        public Machine(ulong megabytes)
        {
            Frames = megabytes << 8;
            Ram = (byte*)NativeMemory.AllocZeroed((nuint)(Frames << 12));
            Bits = (ulong*)NativeMemory.Alloc((nuint)(FrameAllocator.WordsFor(Frames) * 8));
            M2p = (ulong*)NativeMemory.Alloc((nuint)(Frames * 8));
            for (ulong i = 0; i < Frames; i++) M2p[i] = ulong.MaxValue;
            ShimSlots = (ulong*)NativeMemory.Alloc(16 * 8);
            for (int i = 0; i < 16; i++) ShimSlots[i] = ((0x7000UL + (ulong)i) << 12) | 0x63;
            Mem = new PhysMem(Ram);
            Alloc = new FrameAllocator(Bits, Frames);
            // A PC-like memory map: page 0, the 640K-1M hole and the "shim image" reserved.
            Alloc.AddFree(1, 0x9F);
            Alloc.AddFree(0x100, Frames - 0x100);
            Alloc.Reserve(0x100, 0x80);
        }

        /// <summary>
        /// Writes a patterned initrd of <paramref name="len"/> bytes at frame <paramref name="mfn"/>,
        /// reserved in the allocator or not, and records it for the build input.
        /// </summary>
        public void PlaceInitrd(ulong mfn, ulong len, bool reserve)
        {
            for (ulong b = 0; b < len; b++) *Mem.At((mfn << 12) + b) = (byte)(b * 31 + 3);
            if (reserve) Alloc.Reserve(mfn, (len + 4095) >> 12);
            InitrdMfn = mfn;
            InitrdLength = len;
        }

        /// <summary>Takes the shared_info frame from the top and snapshots the free frames.</summary>
        public void Ready()
        {
            SharedInfoMfn = Alloc.AllocHigh();
            FreeBefore = new bool[Frames];
            for (ulong f = 0; f < Frames; f++) FreeBefore[f] = Alloc.IsFree(f);
        }

        public void Dispose()
        {
            NativeMemory.Free(Ram); NativeMemory.Free(Bits); NativeMemory.Free(M2p); NativeMemory.Free(ShimSlots);
        }
    }

    public unsafe class DomainBuilderTests(ITestOutputHelper log)
    {
        static ElfDomainParams Parse(byte* data, ulong size, out ElfImage img)
        {
            Assert.Equal(ElfError.None, ElfImage.Open(data, size, out img));
            Assert.Equal(ElfError.None, XenNotes.Parse(img, out ElfDomainParams p));
            return p;
        }

        static ElfDomainParams Parse(SyntheticKernel sk, out ElfImage img) => Parse(sk.Data, (ulong)sk.Bytes.Length, out img);

        /// <summary>
        /// Readies the machine (<see cref="Machine.Ready"/>: after any reservations and the
        /// initrd) and returns the build input for it and the parsed kernel.
        /// </summary>
        static DomainBuildInput ReadyInput(Machine m, ElfImage img, ElfDomainParams p)
        {
            m.Ready();
            var input = default(DomainBuildInput);
            input.Parms = p;
            input.Kernel = img;
            input.SharedInfoMa = m.SharedInfoMfn << 12;
            input.ShimL4Slots = m.ShimSlots;
            input.M2p = m.M2p;
            input.M2pLength = m.Frames;
            input.Mem = m.Mem;
            input.InitrdMfn = m.InitrdMfn; input.InitrdLength = m.InitrdLength;   // none: 0, 0
            return input;
        }

        static byte[] CmdLine = System.Text.Encoding.ASCII.GetBytes("console=hvc0 earlyprintk=xen root=/dev/ram0");

        // ---- verification of everything Xen's layout promises ----

        static ulong ReadGuest64(Machine m, ulong l4, ulong va)
        {
            Assert.True(PageTables.Translate(m.Mem, l4, va, out ulong ma), $"va {va:x} not mapped");
            return *(ulong*)m.Mem.At(ma);
        }

        static byte ReadGuest8(Machine m, ulong l4, ulong va)
        {
            Assert.True(PageTables.Translate(m.Mem, l4, va, out ulong ma), $"va {va:x} not mapped");
            return *m.Mem.At(ma);
        }

        void Verify(Machine m, in DomainBuildInput input, in DomainBuildResult r, byte[] elf, SyntheticKernel sk)
        {
            var lay = r.Layout;
            ulong nr = r.NrPages;
            ulong l4 = r.Cr3 >> 12;
            Assert.Equal(0UL, r.Cr3 & 0xFFF);

            // Xen's layout arithmetic.
            Assert.Equal(input.Parms.VirtBase, lay.VStart);
            Assert.Equal(0UL, lay.VEnd & ((1UL << 22) - 1));
            Assert.True(lay.VEnd - lay.VStackEnd >= (512UL << 10));
            Assert.True(lay.VEnd - lay.VStackEnd < (512UL << 10) + (4UL << 20));
            Assert.Equal(lay.VStackStart + 4096, lay.VStackEnd);
            Assert.Equal(lay.VPtStart + lay.NrPtPages * 4096, lay.VStackStart);
            Assert.Equal((lay.VStartInfoStart + 1168 + 4095) & ~4095UL, lay.VPtStart);
            Assert.Equal(lay.VStartInfoStart + 1168 + 40, lay.VStartInfoEnd);
            ulong need = 1 + DomainLayout.Regions(lay.VStart, lay.VEnd, 39) + DomainLayout.Regions(lay.VStart, lay.VEnd, 30)
                         + DomainLayout.Regions(lay.VStart, lay.VEnd, 21);
            Assert.Equal(need, lay.NrPtPages);
            Assert.Equal(input.Parms.VirtEntry, r.EntryRip);
            Assert.Equal(lay.VStackEnd, r.StackPointer);
            Assert.Equal(lay.VStartInfoStart, r.StartInfoVa);
            if (lay.P2mSeparate)
            {
                Assert.Equal(input.Parms.P2mBase, lay.VPhysmapStart);
                Assert.Equal((lay.VKernEnd + 4095 + (lay.InitrdMapped ? ((lay.InitrdLength + 4095) & ~4095UL) : 0)) & ~4095UL, lay.VStartInfoStart);
            }
            else
            {
                Assert.Equal((lay.VPhysmapStart + nr * 8 + 4095) & ~4095UL, lay.VStartInfoStart);
            }
            Assert.Equal(lay.VPhysmapStart + nr * 8, lay.VPhysmapEnd);

            // The p2m list, read through the guest's own mapping of it.
            var p2m = new ulong[nr];
            var owner = new Dictionary<ulong, ulong>();
            for (ulong pfn = 0; pfn < nr; pfn++)
            {
                ulong mfn = ReadGuest64(m, l4, lay.VPhysmapStart + pfn * 8);
                p2m[pfn] = mfn;
                Assert.True(mfn < m.Frames, $"p2m[{pfn:x}] = {mfn:x} out of RAM");
                Assert.True(owner.TryAdd(mfn, pfn), $"mfn {mfn:x} used by pfn {owner.GetValueOrDefault(mfn):x} and {pfn:x}");
                Assert.Equal(pfn, m.M2p[mfn]);                       // M2P is the inverse
                Assert.False(m.Alloc.IsFree(mfn));                    // every guest frame is taken
            }
            for (ulong f = 0; f < m.Frames; f++)
                if (!owner.ContainsKey(f)) Assert.Equal(ulong.MaxValue, m.M2p[f]);   // untouched M2P entries
            Assert.False(owner.ContainsKey(m.SharedInfoMfn));

            // Identity where the frame was free, substitutes (never another pfn's identity frame) elsewhere.
            ulong ip = lay.InitrdPages;
            ulong identity = 0, subst = 0;
            for (ulong pfn = 0; pfn < nr; pfn++)
            {
                bool isInitrd = ip != 0 && pfn >= lay.InitrdPfn && pfn < lay.InitrdPfn + ip;
                if (isInitrd) { Assert.Equal(input.InitrdMfn + (pfn - lay.InitrdPfn), p2m[pfn]); continue; }
                if (m.FreeBefore[pfn]) { Assert.Equal(pfn, p2m[pfn]); identity++; }
                else
                {
                    ulong s = p2m[pfn];
                    Assert.NotEqual(pfn, s);
                    Assert.True(m.FreeBefore[s]);
                    bool sInitrdPfn = ip != 0 && s >= lay.InitrdPfn && s < lay.InitrdPfn + ip;
                    Assert.True(s >= nr || sInitrdPfn, $"substitute {s:x} for pfn {pfn:x} is an identity candidate");
                    subst++;
                }
            }
            Assert.Equal(identity, r.IdentityFrames);
            Assert.Equal(subst, r.SubstituteFrames);
            Assert.Equal(ip, r.InitrdFrames);

            // Every page of [v_start, v_end) maps to p2m[pfn] with Xen's L1_PROT (dom0_build.c:
            // PRESENT|RW|ACCESSED|USER = 0x27 and _PAGE_GUEST_KERNEL, PTE bit 52); page tables read-only (0x25).
            var ptFrames = new HashSet<ulong>();
            for (ulong k = 0; k < lay.NrPtPages; k++) ptFrames.Add(p2m[lay.PtPfn + k]);
            Assert.Equal(p2m[lay.PtPfn], l4);                       // pt_base is the L4
            for (ulong pfn = 0; pfn < lay.BootstrapPages; pfn++)
            {
                ulong va = lay.VStart + (pfn << 12);
                Assert.True(PageTables.Walk(m.Mem, l4, va, out ulong pte, out int level, out ulong eff), $"va {va:x}");
                Assert.Equal(1, level);
                Assert.Equal(p2m[pfn], PageTables.EntryMfn(pte));
                bool isPt = pfn >= lay.PtPfn && pfn < lay.PtPfn + lay.NrPtPages;
                Assert.Equal(isPt ? 0x25UL : 0x27UL, pte & 0xFFF);
                Assert.Equal(1UL << 52, pte & 0xFFF0000000000000UL);
                Assert.Equal(PageFlags.User, eff & PageFlags.User);     // user-accessible at every level, as on Xen
            }
            // Every table reachable from the L4 (outside the shim slots) is one of the vpt pages or a p2m table;
            // every intermediate entry has Xen's L4/L3/L2_PROT (USER included).
            var reached = new HashSet<ulong> { l4 };
            ulong* l4t = (ulong*)m.Mem.Frame(l4);
            for (int i = 0; i < 512; i++)
            {
                if (i >= 256 && i < 272) { Assert.Equal(m.ShimSlots[i - 256], l4t[i]); continue; }
                if ((l4t[i] & 1) == 0) { Assert.Equal(0UL, l4t[i]); continue; }
                Assert.Equal(0x67UL, l4t[i] & 0xFFF);
                Collect(m, PageTables.EntryMfn(l4t[i]), 3, reached);
            }
            var p2mTables = new HashSet<ulong>(reached);
            p2mTables.ExceptWith(ptFrames);
            Assert.True(ptFrames.IsSubsetOf(reached));
            // The bootstrap tables are exactly the vpt pages, in Xen's order: [L4] [L1] [L2] [L3] [L1] ...
            Assert.True(PageTables.Walk(m.Mem, l4, lay.VStart, out _, out _));
            ulong l3f = PageTables.EntryMfn(l4t[PageTables.Index(lay.VStart, 4)]);
            ulong l2f = PageTables.EntryMfn(((ulong*)m.Mem.Frame(l3f))[PageTables.Index(lay.VStart, 3)]);
            ulong l1f = PageTables.EntryMfn(((ulong*)m.Mem.Frame(l2f))[PageTables.Index(lay.VStart, 2)]);
            Assert.Equal(p2m[lay.PtPfn + 1], l1f);
            Assert.Equal(p2m[lay.PtPfn + 2], l2f);
            Assert.Equal(p2m[lay.PtPfn + 3], l3f);

            if (lay.P2mSeparate)
            {
                // p2m pages and their tables are the pfns [first_p2m_pfn, +nr_p2m_frames), mapped RW at INIT_P2M.
                var p2mPfns = new HashSet<ulong>();
                for (ulong j = 0; j < lay.P2mDataPages; j++)
                {
                    ulong va = lay.VPhysmapStart + (j << 12);
                    Assert.True(PageTables.Walk(m.Mem, l4, va, out ulong pte, out int level, out ulong eff));
                    Assert.Equal(1, level);
                    Assert.Equal(PageFlags.RW | PageFlags.User, eff & (PageFlags.RW | PageFlags.User));
                    Assert.Equal(0x67UL | (1UL << 52), pte & 0xFFF0000000000FFFUL);   // L1_PROT|_PAGE_DIRTY
                    p2mPfns.Add(m.M2p[PageTables.EntryMfn(pte)]);
                }
                foreach (ulong t in p2mTables) p2mPfns.Add(m.M2p[t]);
                Assert.Equal(r.P2mFrames, (ulong)p2mPfns.Count);
                foreach (ulong pfn in p2mPfns) Assert.InRange(pfn, lay.FirstP2mPfn, lay.FirstP2mPfn + r.P2mFrames - 1);
                // One past the list is unmapped (4 KiB pages only, nothing more).
                Assert.False(PageTables.Translate(m.Mem, l4, lay.VPhysmapStart + (lay.P2mDataPages << 12) + (4UL << 20), out _));
            }
            else
            {
                Assert.Empty(p2mTables);
                Assert.Equal(0UL, r.P2mFrames);
            }

            // start_info.
            Assert.True(PageTables.Translate(m.Mem, l4, lay.VStartInfoStart, out ulong siMa));
            Assert.Equal(r.StartInfoMfn, siMa >> 12);
            StartInfo* si = (StartInfo*)m.Mem.At(siMa);
            string magic = "";
            for (int i = 0; i < 32 && si->Magic[i] != 0; i++) magic += (char)si->Magic[i];
            Assert.Equal(input.Parms.PaeYes ? "xen-3.0-x86_64p" : "xen-3.0-x86_64", magic);
            Assert.Equal(nr, si->NrPages);
            Assert.Equal(input.SharedInfoMa, si->SharedInfo);
            // Xen 4.17's dom0 flags as measured (SIF_PRIVILEGED|SIF_INITDOMAIN, xen-pm byte CX|PX),
            // plus SIF_MOD_START_PFN (8) for an unmapped initrd.
            uint flags = 0x303;
            if (!lay.InitrdMapped && lay.InitrdLength != 0) flags |= 8;
            Assert.Equal(flags, si->Flags);
            Assert.Equal(lay.VPtStart, si->PtBase);
            Assert.Equal(lay.NrPtPages, si->NrPtFrames);
            Assert.Equal(lay.VPhysmapStart, si->MfnList);
            Assert.Equal(0UL, si->StoreMfn);
            Assert.Equal(0u, si->StoreEvtchn);
            Assert.Equal(0u, si->ConsoleDom0InfoOff);
            Assert.Equal(0u, si->ConsoleDom0InfoSize);
            if (lay.InitrdLength != 0)
            {
                Assert.Equal(lay.InitrdMapped ? lay.VInitrdStart : lay.InitrdPfn, si->ModStart);
                Assert.Equal(input.InitrdLength, si->ModLen);
            }
            else { Assert.Equal(0UL, si->ModStart); Assert.Equal(0UL, si->ModLen); }
            Assert.Equal(lay.FirstP2mPfn, si->FirstP2mPfn);
            Assert.Equal(r.P2mFrames, si->NrP2mFrames);
            for (int i = 0; i < 1024; i++)
            {
                byte expect = i < (int)input.CmdLineLength ? input.CmdLine[i] : (byte)0;
                Assert.Equal(expect, (byte)si->CmdLine[i]);
            }
            for (ulong b = 1168; b < 4096; b++) Assert.Equal(0, *m.Mem.At(siMa + b));

            // Boot stack zero.
            Assert.True(PageTables.Translate(m.Mem, l4, lay.VStackStart, out ulong stMa));
            for (ulong b = 0; b < 4096; b++) Assert.Equal(0, *m.Mem.At(stMa + b));

            // Kernel bytes (by physical address), bss zero.
            if (sk != null)
            {
                for (int i = 0; i < (int)SyntheticKernel.TextSize; i++)
                    Assert.Equal(elf[sk.TextOff + i], ReadGuest8(m, l4, SyntheticKernel.VirtBase + SyntheticKernel.TextPaddr + (ulong)i));
                ulong pc = SyntheticKernel.VirtBase + SyntheticKernel.PercpuPaddr;
                for (int i = 0; i < (int)SyntheticKernel.PercpuMem; i++)
                    Assert.Equal(i < (int)SyntheticKernel.PercpuFile ? elf[sk.PercpuOff + i] : 0, ReadGuest8(m, l4, pc + (ulong)i));
                ulong d = SyntheticKernel.VirtBase + SyntheticKernel.DataPaddr;
                for (int i = 0; i < (int)SyntheticKernel.DataMem; i++)
                    Assert.Equal(i < (int)SyntheticKernel.DataFile ? elf[sk.DataOff + i] : 0, ReadGuest8(m, l4, d + (ulong)i));
            }

            // Initrd contents visible at its pfns (and, when mapped, at vinitrd_start).
            if (lay.InitrdLength != 0)
            {
                for (ulong k = 0; k < ip; k++) Assert.Equal(input.InitrdMfn + k, p2m[lay.InitrdPfn + k]);
                if (lay.InitrdMapped)
                    for (ulong b = 0; b < lay.InitrdLength; b += 997)
                        Assert.Equal(*m.Mem.At((input.InitrdMfn << 12) + b), ReadGuest8(m, l4, lay.VInitrdStart + b));
                else
                {
                    // Right after the initial allocation and the p2m pages, and below 4 GiB of
                    // pfn space (Linux keeps the initrd's address in a 32-bit field).
                    ulong after = lay.FirstP2mPfn + (lay.P2mSeparate ? lay.P2mDataPages + lay.P2mTablesMax : 0);
                    Assert.Equal(after, lay.InitrdPfn);
                    Assert.True(lay.InitrdPfn + ip <= 0x100000, $"initrd at pfn {lay.InitrdPfn:x} reaches beyond 4 GiB");
                }
            }

            // Transfer page left for the caller.
            if (input.Parms.VirtHypercall != ElfDomainParams.Unset)
            {
                Assert.Equal(input.Parms.VirtHypercall, r.HypercallPageVa);
                Assert.Equal(p2m[(r.HypercallPageVa - lay.VStart) >> 12], r.HypercallPageMfn);
            }
            else
            {
                Assert.Equal(ElfDomainParams.Unset, r.HypercallPageVa);
            }
        }

        static void Collect(Machine m, ulong table, int level, HashSet<ulong> reached)
        {
            Assert.True(reached.Add(table), $"table {table:x} reached twice");
            if (level == 1) return;
            ulong* t = (ulong*)m.Mem.Frame(table);
            for (int i = 0; i < 512; i++)
            {
                if ((t[i] & 1) == 0) { Assert.Equal(0UL, t[i]); continue; }
                Assert.Equal(0UL, t[i] & PageFlags.PSE);
                Assert.Equal(0x67UL, t[i] & 0xFFF);     // Xen's L3/L2_PROT: PRESENT|RW|USER|ACCESSED|DIRTY
                Collect(m, PageTables.EntryMfn(t[i]), level - 1, reached);
            }
        }

        void Log(in DomainBuildResult r)
        {
            var l = r.Layout;
            log.WriteLine($"nr_pages {r.NrPages:x} identity {r.IdentityFrames:x} substitute {r.SubstituteFrames:x} initrd {r.InitrdFrames:x} p2m frames {r.P2mFrames:x}");
            log.WriteLine($" kernel     {l.VKernStart:x16}->{l.VKernEnd:x16}");
            if (l.InitrdMapped) log.WriteLine($" initrd     {l.VInitrdStart:x16}->{l.VInitrdEnd:x16}");
            log.WriteLine($" phys-mach  {l.VPhysmapStart:x16}->{l.VPhysmapEnd:x16}");
            log.WriteLine($" start info {l.VStartInfoStart:x16}->{l.VStartInfoEnd:x16}");
            log.WriteLine($" page tbls  {l.VPtStart:x16}->{l.VPtEnd:x16} ({l.NrPtPages} pages)");
            log.WriteLine($" boot stack {l.VStackStart:x16}->{l.VStackEnd:x16}");
            log.WriteLine($" TOTAL      {l.VStart:x16}->{l.VEnd:x16}");
            log.WriteLine($" ENTRY      {r.EntryRip:x16}  CR3 {r.Cr3:x}  first_p2m_pfn {l.FirstP2mPfn:x}");
        }

        /// <summary>Builds dom0, asserts that it built (naming the error if not) and logs the layout.</summary>
        DomainBuildResult BuildOk(Machine m, ref DomainBuildInput input)
        {
            var err = DomainBuilder.Build(ref input, ref m.Alloc, out var r);
            Assert.True(err == BuildError.Ok, DomainBuilder.Describe(err));
            Log(r);
            return r;
        }

        // ---- the cases ----

        [Fact]
        public void Dom0WithInitP2mAndModStartPfn_AllMemory()
        {
            using var m = new Machine(64);
            var sk = new SyntheticKernel(initP2m: true, modStartPfn: true, hypercallPage: true);
            fixed (byte* cl = CmdLine)
            {
                var p = Parse(sk, out var img);
                Assert.True(p.ModStartPfn);
                Assert.Equal(0x8000000000UL, p.P2mBase);
                m.PlaceInitrd(0x2345, 0x10234, reserve: true);
                var input = ReadyInput(m, img, p);
                input.CmdLine = cl; input.CmdLineLength = (ulong)CmdLine.Length;
                var r = BuildOk(m, ref input);
                Assert.Equal(0UL, m.Alloc.FreeCount);                 // nr_pages = 0: everything
                Assert.True(r.Layout.P2mSeparate);
                Assert.False(r.Layout.InitrdMapped);
                Assert.True(r.SubstituteFrames > 0);                  // frames 0, 0xa0.., 0x100.. are not free
                Verify(m, input, r, sk.Bytes, sk);
            }
        }

        [Fact]
        public void Dom0WithP2mInBootstrapAndMappedInitrd_LimitedPages()
        {
            using var m = new Machine(64);
            var sk = new SyntheticKernel(initP2m: false, modStartPfn: false, hypercallPage: false);
            var p = Parse(sk, out var img);
            m.PlaceInitrd(0x3000, 0x5001, reserve: false);      // the builder reserves it
            var input = ReadyInput(m, img, p);
            input.NrPages = 0x2800;                               // 40 MiB of 64
            var r = BuildOk(m, ref input);
            Assert.False(r.Layout.P2mSeparate);
            Assert.True(r.Layout.InitrdMapped);
            Assert.Equal((r.Layout.VKernEnd + 4095) & ~4095UL, r.Layout.VInitrdStart);
            Assert.True(m.Alloc.FreeCount > 0);
            // FreeBefore counted the initrd as free: fix the snapshot for the check.
            for (ulong f = 0x3000; f < 0x3006; f++) m.FreeBefore[f] = false;
            Verify(m, input, r, sk.Bytes, sk);
        }

        /// <summary>
        /// Kernels linked low (issue 8: at 0 and at 1 MiB, no VIRT_BASE/ENTRY/PAE_MODE notes) get
        /// Xen's domain: v_start = 0, the entry is e_entry, the text at its link address, the
        /// transfer page inside the bootstrap area, everything mapped from L4 slot 0, USER at
        /// every level.
        /// </summary>
        [Theory]
        [InlineData(0UL)]
        [InlineData(0x100000UL)]
        public void KernelLinkedLowIsBuiltAtItsLinkAddress(ulong at)
        {
            using var m = new Machine(64);
            var b = TestElf.LowLinked(at);
            byte[] built = b.Build();
            byte[] elf = GC.AllocateArray<byte>(built.Length, pinned: true);
            built.CopyTo(elf, 0);
            fixed (byte* d = elf)
            {
                var p = Parse(d, (ulong)elf.Length, out var img);
                var input = ReadyInput(m, img, p);
                input.NrPages = 0x1000;
                var r = BuildOk(m, ref input);
                ulong l4 = r.Cr3 >> 12;
                Assert.Equal(0UL, r.Layout.VStart);
                Assert.Equal(at, r.EntryRip);
                Assert.Equal(at + 0x1000, r.HypercallPageVa);
                Assert.Equal((byte)0x90, ReadGuest8(m, l4, at));                  // the text, at its link address
                Assert.True(PageTables.Walk(m.Mem, l4, at, out ulong pte, out _, out ulong eff));
                Assert.Equal(PageFlags.User | PageFlags.RW, eff & (PageFlags.User | PageFlags.RW));
                Assert.NotEqual(0UL, ((ulong*)m.Mem.Frame(l4))[0] & PageFlags.Present);
                Assert.True(r.Layout.VEnd <= (1UL << 39));                       // all in slot 0
                StartInfo* si = (StartInfo*)m.Mem.At(r.StartInfoMfn << 12);
                Assert.Equal(0x303u, si->Flags);
                string magic = "";
                for (int i = 0; i < 32 && si->Magic[i] != 0; i++) magic += (char)si->Magic[i];
                Assert.Equal("xen-3.0-x86_64", magic);                           // no PAE_MODE note: no "p"
            }
        }

        [Fact]
        public void SubstitutesWhereLowFramesAreReserved()
        {
            using var m = new Machine(64);
            var sk = new SyntheticKernel(initP2m: true, modStartPfn: true, hypercallPage: false);
            var p = Parse(sk, out var img);
            // Holes inside the kernel's pfns, the page tables' pfns and ordinary pfns.
            m.Alloc.Reserve(0x1000, 0x10);
            m.Alloc.Reserve(0x1400, 0x3);
            m.Alloc.Reserve(0x2000, 0x200);
            m.Alloc.Reserve(0x3ff0, 0x40);
            var input = ReadyInput(m, img, p);
            input.NrPages = 0x3000;                              // substitutes must come from >= 0x3000
            var r = BuildOk(m, ref input);
            Verify(m, input, r, sk.Bytes, sk);
            Assert.NotEqual(0x1000UL, ReadGuestP2m(m, r, 0x1000));
            Assert.Equal(0x1010UL, ReadGuestP2m(m, r, 0x1010));
            Assert.True(r.SubstituteFrames >= 0x10 + 3 + 0x200 + 0xa0 + 1);
        }

        [Fact]
        public void SubstitutesFallBackToInitrdNumberedFrames()
        {
            // Every free frame >= nr_pages used up: the substitutes must come from frames whose
            // numbers are initrd pfns (never from another pfn's identity frame).
            using var m = new Machine(64);
            var sk = new SyntheticKernel(initP2m: true, modStartPfn: true, hypercallPage: false);
            var p = Parse(sk, out var img);
            m.PlaceInitrd(0x3f00, 0x40000, reserve: true);       // 64 pages high up
            var input = ReadyInput(m, img, p);
            var r = BuildOk(m, ref input);
            Verify(m, input, r, sk.Bytes, sk);
            Assert.Equal(0UL, m.Alloc.FreeCount);
        }

        static ulong ReadGuestP2m(Machine m, in DomainBuildResult r, ulong pfn) =>
            ReadGuest64(m, r.Cr3 >> 12, r.Layout.VPhysmapStart + pfn * 8);

        [Fact]
        public void VgaInfoIsCopiedAfterStartInfo()
        {
            using var m = new Machine(64);
            var sk = new SyntheticKernel(true, true, false);
            var p = Parse(sk, out var img);
            var input = ReadyInput(m, img, p);
            var vga = default(Dom0VgaConsoleInfo);
            vga.VideoType = Dom0VgaConsoleInfo.XEN_VGATYPE_TEXT_MODE_3; vga.TextRows = 25; vga.TextColumns = 80;
            input.VgaInfo = (byte*)&vga; input.VgaInfoSize = 40;
            Assert.Equal(BuildError.Ok, DomainBuilder.Build(ref input, ref m.Alloc, out var r));
            Assert.True(PageTables.Translate(m.Mem, r.Cr3 >> 12, r.StartInfoVa, out ulong ma));
            StartInfo* si = (StartInfo*)m.Mem.At(ma);
            Assert.Equal(1168u, si->ConsoleDom0InfoOff);
            Assert.Equal(40u, si->ConsoleDom0InfoSize);
            var got = (Dom0VgaConsoleInfo*)(m.Mem.At(ma) + 1168);
            Assert.Equal(80, got->TextColumns);
            Assert.Equal(Dom0VgaConsoleInfo.XEN_VGATYPE_TEXT_MODE_3, got->VideoType);
        }

        [Fact]
        public void Errors()
        {
            var sk = new SyntheticKernel(true, true, true);
            var p = Parse(sk, out var img);
            BuildError Try(Action<Machine, DomainBuildInput[]> tweak, ulong mb = 64)
            {
                using var m = new Machine(mb);
                var arr = new[] { ReadyInput(m, img, p) };
                tweak(m, arr);
                var input = arr[0];
                return DomainBuilder.Build(ref input, ref m.Alloc, out _);
            }
            var longLine = new byte[1024];
            for (int i = 0; i < longLine.Length; i++) longLine[i] = (byte)'a';
            fixed (byte* ll = longLine)
            {
                byte* llp = ll;
                Assert.Equal(BuildError.CommandLineTooLong, Try((m, a) => { a[0].CmdLine = llp; a[0].CmdLineLength = 1024; }));
                Assert.Equal(BuildError.Ok, Try((m, a) => { a[0].CmdLine = llp; a[0].CmdLineLength = 1023; }));
            }
            // The bootstrap area is 20 MiB (kernel at 16 MiB): Xen's initial allocation is 2^13 pages.
            Assert.Equal(BuildError.KernelDoesNotFit, Try((m, a) => a[0].NrPages = 0x1fff));
            Assert.Equal(BuildError.P2mDoesNotFit, Try((m, a) => a[0].NrPages = 0x2000 + 2));
            Assert.Equal(BuildError.NotEnoughMemory, Try((m, a) => a[0].NrPages = m.Alloc.FreeCount + 1));
            Assert.Equal(BuildError.M2pTooSmall, Try((m, a) => a[0].M2pLength = 0x3000));
            Assert.Equal(BuildError.BadSharedInfo, Try((m, a) => a[0].SharedInfoMa = 0x5000));   // a free frame
            Assert.Equal(BuildError.BadSharedInfo, Try((m, a) => a[0].SharedInfoMa = (m.SharedInfoMfn << 12) + 8));
            Assert.Equal(BuildError.MissingInput, Try((m, a) => a[0].ShimL4Slots = null));
            Assert.Equal(BuildError.BadHypercallPage, Try((m, a) => a[0].Parms.VirtHypercall = 0xffffffff70000000UL));
            Assert.Equal(BuildError.SegmentOutsideLayout, Try((m, a) => a[0].Parms.VirtKEnd -= 0x2000));
            Assert.Equal(BuildError.P2mOverlapsBootstrap, Try((m, a) => a[0].Parms.P2mBase = 0xffffffff80000000UL - 0x1000));
            Assert.Equal(BuildError.OverlapsHypervisorArea, Try((m, a) => a[0].Parms.P2mBase = 0xffff800000001000UL));
            Assert.Equal(BuildError.NonCanonicalLayout, Try((m, a) => a[0].Parms.P2mBase = 0x00007ffffffff000UL));
            Assert.Equal(BuildError.InitrdOverlapsKernel, Try((m, a) => { a[0].InitrdMfn = PageTables.MaxMfn; a[0].InitrdLength = 0x3000; }));
            Assert.Equal(BuildError.BadConsoleInfo, Try((m, a) => { a[0].VgaInfo = (byte*)1; a[0].VgaInfoSize = 41; }));
            Assert.Equal(BuildError.BadKernelParams, Try((m, a) => a[0].Parms.VirtKStart = ElfDomainParams.Unset));
            // The ELF placed in free machine frames would be overwritten.
            using (var m = new Machine(64))
            {
                byte* copy = m.Mem.At(0x800000);
                for (int i = 0; i < sk.Bytes.Length; i++) copy[i] = sk.Bytes[i];
                var p2 = Parse(copy, (ulong)sk.Bytes.Length, out var img2);
                var input = ReadyInput(m, img2, p2);
                Assert.Equal(BuildError.KernelImageNotReserved, DomainBuilder.Build(ref input, ref m.Alloc, out _));
                m.Alloc.Reserve(0x800, 8);
                input.InitrdMfn = 0x804; input.InitrdLength = 0x1000;
                Assert.Equal(BuildError.InitrdOverlapsKernel, DomainBuilder.Build(ref input, ref m.Alloc, out _));
                input.InitrdLength = 0;
                Assert.Equal(BuildError.Ok, DomainBuilder.Build(ref input, ref m.Alloc, out var r));
                Assert.NotEqual(0x800UL, ReadGuestP2m(m, r, 0x800));
            }
            for (int i = 0; i <= (int)BuildError.BadConsoleInfo; i++)
                Assert.False(string.IsNullOrEmpty(DomainBuilder.Describe((BuildError)i)));
        }

        [Fact]
        public void LayoutMatchesXenArithmetic()
        {
            // Hand-made parameters: a 40 MiB kernel at 16 MiB, INIT_P2M, 1 GiB of pages.
            var p = default(ElfDomainParams);
            p.VirtBase = 0xffffffff80000000UL;
            p.VirtKStart = 0xffffffff81000000UL;
            p.VirtKEnd = 0xffffffff83800000UL + 0x1234;
            p.P2mBase = 0x8000000000UL;
            p.VirtHypercall = ElfDomainParams.Unset;
            Assert.Equal(BuildError.Ok, DomainLayout.Compute(p, 0x40000, 0, out var l));
            Assert.Equal(0xffffffff83802000UL, l.VStartInfoStart);
            Assert.Equal(0xffffffff83803000UL, l.VPtStart);
            // [v_start, v_end) = 60 MiB + ...: 1 L4 + 1 L3 + 1 L2 + 30 L1 = 33 tables.
            Assert.Equal(0xffffffff83c00000UL, l.VEnd);
            Assert.Equal(33UL, l.NrPtPages);
            Assert.Equal(0x8000000000UL + 0x40000 * 8, l.VPhysmapEnd);
            Assert.Equal(512UL, l.P2mDataPages);
            Assert.Equal(14, l.AllocOrder);                          // 60 MiB -> 64 MiB
            Assert.Equal(1UL << 14, l.FirstP2mPfn);
            // Without INIT_P2M the list sits after the kernel and makes the area bigger.
            p.P2mBase = ElfDomainParams.Unset;
            Assert.Equal(BuildError.Ok, DomainLayout.Compute(p, 0x40000, 0, out l));
            Assert.Equal(0xffffffff83802000UL, l.VPhysmapStart);
            Assert.Equal(0xffffffff83802000UL + 0x200000, l.VStartInfoStart);
        }

        static string FindRepoFile(string rel)
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null)
            {
                if (File.Exists(Path.Combine(dir.FullName, "shim", "README.md"))) return Path.Combine(dir.FullName, rel);
                dir = dir.Parent;
            }
            // Tests built with --artifacts-path outside the tree: fall back to the source location.
            string here = Path.GetDirectoryName(ThisFile()) ?? ".";
            return Path.GetFullPath(Path.Combine(here, "..", "..", rel));
        }

        static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

        [Fact]
        public void DebianKernel()
        {
            string env = Environment.GetEnvironmentVariable("MICROXEN_VMLINUX");
            string path = !string.IsNullOrEmpty(env) ? env : FindRepoFile(Path.Combine("build", "debian", "vmlinux"));
            if (!File.Exists(path))
            {
                log.WriteLine($"SKIPPED: {path} does not exist (run tools/fetch-kernel.sh)");
                return;
            }
            byte[] bytes = File.ReadAllBytes(path);
            using var m = new Machine(512);
            fixed (byte* elf = bytes)
            fixed (byte* cl = CmdLine)
            {
                var p = Parse(elf, (ulong)bytes.Length, out var img);
                log.WriteLine($"{path}: virt_base {p.VirtBase:x} kstart {p.VirtKStart:x} kend {p.VirtKEnd:x} entry {p.VirtEntry:x} p2m_base {p.P2mBase:x} mod_start_pfn {p.ModStartPfn} hypercall {p.VirtHypercall:x}");
                m.PlaceInitrd(0x8000, 0x123456, reserve: true);
                var input = ReadyInput(m, img, p);
                input.CmdLine = cl; input.CmdLineLength = (ulong)CmdLine.Length;
                var r = BuildOk(m, ref input);
                Verify(m, input, r, bytes, null);
                // Kernel bytes of every loadable segment, by physical address.
                ulong l4 = r.Cr3 >> 12;
                for (int i = 0; i < img.LoadSegmentCount; i++)
                {
                    Assert.True(img.GetLoadSegment(i, out var seg));
                    ulong va = KernelLoader.LoadAddress(p, seg);
                    for (ulong b = 0; b < seg.MemSize; b += 4093)
                        Assert.Equal(b < seg.FileSize ? bytes[seg.Offset + b] : (byte)0, ReadGuest8(m, l4, va + b));
                    if (seg.FileSize > 0)
                        Assert.Equal(bytes[seg.Offset + seg.FileSize - 1], ReadGuest8(m, l4, va + seg.FileSize - 1));
                }
            }
        }
    }
}
