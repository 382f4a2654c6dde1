namespace Microxen.Tests
{
    public unsafe class ElfImageTests(ITestOutputHelper log)
    {
        static ElfError Open(byte[] f, long length, out ElfImage img)
        {
            using var g = new GuardedBuffer(f, length);
            return ElfImage.Open(g.Data, g.Length, out img);
        }

        static ElfError Open(byte[] f) => Open(f, f.Length, out _);

        /// <summary>ElfImage reads a program header and a section header whole: the structs are Elf64_Phdr and Elf64_Shdr's first 40 bytes.</summary>
        [Fact]
        public void HeaderStructsHaveTheElfLayout()
        {
            Assert.Equal(56, sizeof(ElfProgramHeader));
            Assert.Equal(4, (int)Marshal.OffsetOf<ElfProgramHeader>(nameof(ElfProgramHeader.Flags)));
            Assert.Equal(8, (int)Marshal.OffsetOf<ElfProgramHeader>(nameof(ElfProgramHeader.Offset)));
            Assert.Equal(32, (int)Marshal.OffsetOf<ElfProgramHeader>(nameof(ElfProgramHeader.FileSize)));
            Assert.Equal(48, (int)Marshal.OffsetOf<ElfProgramHeader>(nameof(ElfProgramHeader.Align)));
            Assert.Equal(40, sizeof(ElfSection));
            Assert.Equal(8, (int)Marshal.OffsetOf<ElfSection>(nameof(ElfSection.Flags)));
            Assert.Equal(32, (int)Marshal.OffsetOf<ElfSection>(nameof(ElfSection.Size)));
        }

        [Fact]
        public void SyntheticImageOpensAndListsItsLoadSegment()
        {
            var b = new TestElf();
            byte[] f = b.Build();
            fixed (byte* p = f)
            {
                Assert.Equal(ElfError.None, ElfImage.Open(p, (ulong)f.Length, out ElfImage img));
                Assert.Equal(1, img.LoadSegmentCount);
                Assert.Equal(TestElf.TextPaddr, img.Entry);
                Assert.True(img.GetLoadSegment(0, out ElfProgramHeader s));
                Assert.Equal(TestElf.TextVaddr, s.VAddr);
                Assert.Equal(TestElf.TextPaddr, s.PAddr);
                Assert.Equal((ulong)b.TextOff, s.Offset);
                Assert.Equal((ulong)TestElf.TextSize, s.FileSize);
                Assert.Equal(TestElf.TextMemSize, s.MemSize);
                Assert.Equal(5UL, s.Flags);
                Assert.True(img.SegmentData(s) == p + b.TextOff);
                Assert.False(img.GetLoadSegment(1, out _));
                Assert.False(img.GetLoadSegment(-1, out _));
                Assert.Equal(4, img.SectionCount);
                Assert.True(img.SectionNameIs(2, ".notes"));
                Assert.False(img.SectionNameIs(2, ".note"));
                Assert.False(img.SectionNameIs(2, ".notes2"));
            }
        }

        [Fact]
        public void EveryTruncationOfTheSyntheticImageIsAnErrorWithoutReadingPastTheEnd()
        {
            byte[] f = new TestElf().Build();
            Assert.Equal(ElfError.None, Open(f, f.Length, out _));
            for (int len = 0; len < f.Length; len++)
            {
                ElfError e = Open(f, len, out ElfImage img);
                Assert.True(e != ElfError.None, $"length {len} accepted");
                Assert.Equal(0, img.LoadSegmentCount);
            }
        }

        [Fact]
        public void TruncatedHeaderGivesTooSmall()
        {
            byte[] f = new TestElf().Build();
            Assert.Equal(ElfError.TooSmall, Open(f, 0, out _));
            Assert.Equal(ElfError.TooSmall, Open(f, 15, out _));
            Assert.Equal(ElfError.TooSmall, Open(f, 63, out _));
            Assert.Equal(ElfError.BadProgramHeaders, Open(f, 64, out _));
            Assert.Equal(ElfError.BadProgramHeaders, Open(f, 64 + 2 * 56 - 1, out _));
            Assert.Equal(ElfError.TooSmall, ElfImage.Open(null, 100, out _));
        }

        [Fact]
        public void MalformedHeadersAreRejectedWithTheirOwnError()
        {
            byte[] Mut(Action<byte[]> m) { var f = new TestElf().Build(); m(f); return f; }
            Assert.Equal(ElfError.BadMagic, Open(Mut(f => f[1] = (byte)'X')));
            Assert.Equal(ElfError.NotElf64, Open(Mut(f => f[4] = 1)));          // ELFCLASS32
            Assert.Equal(ElfError.NotLittleEndian, Open(Mut(f => f[5] = 2)));   // ELFDATA2MSB
            Assert.Equal(ElfError.NotX86_64, Open(Mut(f => TestElf.W16(f, 18, 3))));   // EM_386
            Assert.Equal(ElfError.NotX86_64, Open(Mut(f => TestElf.W16(f, 18, 183)))); // EM_AARCH64
            Assert.Equal(ElfError.BadProgramHeaders, Open(Mut(f => TestElf.W16(f, 54, 32))));
            Assert.Equal(ElfError.BadProgramHeaders, Open(Mut(f => TestElf.W64(f, 32, ulong.MaxValue - 8))));
            Assert.Equal(ElfError.BadProgramHeaders, Open(Mut(f => TestElf.W16(f, 56, 0xffff))));
            Assert.Equal(ElfError.NoLoadSegments, Open(Mut(f => TestElf.W16(f, 56, 0))));
            Assert.Equal(ElfError.BadSectionHeaders, Open(Mut(f => TestElf.W64(f, 40, ulong.MaxValue))));
            Assert.Equal(ElfError.BadSectionHeaders, Open(Mut(f => TestElf.W16(f, 58, 40))));
            // PT_LOAD offset / size beyond the file, with and without overflow
            Assert.Equal(ElfError.SegmentOutOfFile, Open(Mut(f => TestElf.W64(f, 64 + 8, (ulong)f.Length))));
            Assert.Equal(ElfError.SegmentOutOfFile, Open(Mut(f => TestElf.W64(f, 64 + 32, ulong.MaxValue))));
            Assert.Equal(ElfError.SegmentOutOfFile, Open(Mut(f => TestElf.W64(f, 64 + 8, ulong.MaxValue - 0x10))));
            // filesz > memsz
            Assert.Equal(ElfError.SegmentOutOfFile, Open(Mut(f => TestElf.W64(f, 64 + 40, 1))));
            // PT_NOTE outside the file
            Assert.Equal(ElfError.SegmentOutOfFile, Open(Mut(f => TestElf.W64(f, 64 + 56 + 32, (ulong)f.Length))));
            // PT_LOAD turned into PT_NULL: nothing to load
            Assert.Equal(ElfError.NoLoadSegments, Open(Mut(f => TestElf.W32(f, 64, 0))));
        }

        /// <summary>Xen's libelf and dom0 builder look at neither e_type nor the ELF versions nor e_ehsize.</summary>
        [Fact]
        public void TypeVersionAndHeaderSizeAreNotCheckedAsInXen()
        {
            byte[] Mut(Action<byte[]> m) { var f = new TestElf().Build(); m(f); return f; }
            Assert.Equal(ElfError.None, Open(Mut(f => TestElf.W16(f, 16, 3))));   // ET_DYN
            Assert.Equal(ElfError.None, Open(Mut(f => TestElf.W16(f, 16, 1))));   // ET_REL
            Assert.Equal(ElfError.None, Open(Mut(f => f[6] = 0)));                // EI_VERSION
            Assert.Equal(ElfError.None, Open(Mut(f => TestElf.W32(f, 20, 7))));   // e_version
            Assert.Equal(ElfError.None, Open(Mut(f => TestElf.W16(f, 52, 0))));   // e_ehsize
        }

        [Fact]
        public void EveryErrorHasADescription()
        {
            foreach (ElfError e in Enum.GetValues(typeof(ElfError)))
            {
                string d = ElfErrors.Describe(e);
                Assert.False(string.IsNullOrEmpty(d));
                Assert.NotEqual("unknown ELF error", d);
            }
            Assert.Equal("unknown ELF error", ElfErrors.Describe((ElfError)9999));
        }

        // ---- Debian's real kernel ----

        [Fact]
        public void DebianVmlinuxOpensWithItsFourLoadSegments()
        {
            byte[] f = DebianKernel.Vmlinux;
            fixed (byte* p = f)
            {
                Assert.Equal(ElfError.None, ElfImage.Open(p, (ulong)f.Length, out ElfImage img));
                log.WriteLine($"vmlinux: {f.Length} bytes, e_entry 0x{img.Entry:x}, {img.LoadSegmentCount} PT_LOAD");
                Assert.Equal(4, img.LoadSegmentCount);
                Assert.Equal(0x1000000UL, img.Entry); // startup_64's physical address
                for (int i = 0; i < img.LoadSegmentCount; i++)
                {
                    Assert.True(img.GetLoadSegment(i, out ElfProgramHeader s));
                    log.WriteLine($"  LOAD off 0x{s.Offset:x} vaddr 0x{s.VAddr:x} paddr 0x{s.PAddr:x} filesz 0x{s.FileSize:x} memsz 0x{s.MemSize:x} flags {s.Flags}");
                    Assert.True(s.Offset + s.FileSize <= (ulong)f.Length);
                    Assert.True(s.FileSize <= s.MemSize);
                    // Every segment but .data..percpu (vaddr 0) lives at paddr + 0xffffffff80000000.
                    if (s.VAddr != 0) Assert.Equal(s.PAddr + 0xffffffff80000000UL, s.VAddr);
                }
                Assert.True(img.GetLoadSegment(0, out ElfProgramHeader text));
                Assert.Equal(0xffffffff81000000UL, text.VAddr);
                Assert.Equal(0x1000000UL, text.PAddr);
                Assert.Equal(ElfImage.PF_R | ElfImage.PF_X, (uint)text.Flags);
            }
        }

        [Fact]
        public void TruncationsOfDebianVmlinuxAreErrorsWithoutReadingPastTheEnd()
        {
            byte[] f = DebianKernel.Vmlinux;
            ulong phoff = TestElf.R64(f, 32);
            int phnum = TestElf.R16(f, 56);
            int headerEnd = (int)phoff + phnum * 56;
            // Every length of the header region.
            for (int len = 0; len <= headerEnd + 8; len++)
                Assert.NotEqual(ElfError.None, Open(f, len, out _));
            // Around the end of each segment, each section and the section header table. (The
            // bytes after the ELF's last structure are the relocations the kernel build appends
            // to vmlinux.bin before compressing it: not part of the ELF, so cutting them is fine.)
            ulong shoff = TestElf.R64(f, 40);
            int shnum = TestElf.R16(f, 60);
            long elfEnd = (long)shoff + shnum * 64;
            var lengths = new System.Collections.Generic.List<long> { elfEnd - 1, (long)shoff, (long)shoff - 1 };
            for (int i = 0; i < phnum; i++)
            {
                long end = (long)(TestElf.R64(f, (long)phoff + i * 56 + 8) + TestElf.R64(f, (long)phoff + i * 56 + 32));
                lengths.Add(end - 1);
                elfEnd = Math.Max(elfEnd, end);
            }
            for (int i = 1; i < shnum; i++)
            {
                long sh = (long)shoff + i * 64;
                if (TestElf.R32(f, sh + 4) == 8) continue; // SHT_NOBITS
                long end = (long)(TestElf.R64(f, sh + 24) + TestElf.R64(f, sh + 32));
                if (end > (long)TestElf.R64(f, sh + 24)) lengths.Add(end - 1);
                elfEnd = Math.Max(elfEnd, end);
            }
            log.WriteLine($"ELF structures end at 0x{elfEnd:x}; {f.Length - elfEnd} trailing bytes (relocations)");
            Assert.Equal(ElfError.None, Open(f, elfEnd, out _));
            foreach (long len in lengths)
                Assert.NotEqual(ElfError.None, Open(f, len, out _));
            Assert.Equal(ElfError.None, Open(f, f.Length, out _));
        }
    }
}
