using System.Text;

namespace Microxen.Tests
{
    public unsafe class XenNotesTests(ITestOutputHelper log)
    {
        const uint Bit0 = 1u << Microxen.Xen.XenFeature.WritablePageTables;
        const uint Bit4 = 1u << Microxen.Xen.XenFeature.PaePgdirAbove4gb;
        const uint Dom0 = 1u << Microxen.Xen.XenFeature.Dom0;

        static ElfError Parse(byte[] f, out ElfDomainParams p)
        {
            using var g = new GuardedBuffer(f, f.Length);
            ElfError e = ElfImage.Open(g.Data, g.Length, out ElfImage img);
            if (e != ElfError.None) { p = default; return e; }
            return XenNotes.Parse(img, out p);
        }

        static ElfError Parse(TestElf b, out ElfDomainParams p) => Parse(b.Build(), out p);

        /// <summary>
        /// What Linux's notes give, in the synthetic kernel as in Debian's: no HYPERCALL_PAGE note,
        /// PADDR_OFFSET 0, Xen's HV_START_LOW and INIT_P2M base, every yes/no note set, and
        /// writable_page_tables as the one required feature.
        /// </summary>
        static void AssertLinuxLikeNotes(ElfDomainParams p)
        {
            Assert.True(p.HasXenNotes);
            Assert.Equal(0UL, p.ElfPaddrOffset);
            Assert.Equal(ElfDomainParams.Unset, p.VirtHypercall);
            Assert.Equal(0xffff800000000000UL, p.VirtHvStartLow);
            Assert.Equal(0x8000000000UL, p.P2mBase);
            Assert.True(p.L1MfnValid);
            Assert.True(p.ModStartPfn);
            Assert.True(p.SuspendCancel);
            Assert.True(p.PaeYes);
            Assert.True(p.GuestOsLinux);
            Assert.True(p.XenVersion30);
            Assert.True(p.LoaderGeneric);
            Assert.Equal(Bit0, p.FeaturesRequired);
        }

        static TestElf Without(uint type)
        {
            var b = new TestElf();
            b.Notes.RemoveAll(n => n.Name == "Xen" && n.Type == type);
            return b;
        }

        static TestElf With(Note note)
        {
            var b = new TestElf();
            b.Notes.RemoveAll(n => n.Name == "Xen" && n.Type == note.Type);
            b.Notes.Add(note);
            return b;
        }

        [Fact]
        public void SyntheticLinuxLikeNotesAreAllRead()
        {
            Assert.Equal(ElfError.None, Parse(new TestElf(), out ElfDomainParams p));
            AssertLinuxLikeNotes(p);
            Assert.Equal(TestElf.VirtBase, p.VirtBase);
            Assert.Equal(TestElf.EntryVaddr, p.VirtEntry);
            Assert.Equal(TestElf.TextVaddr, p.VirtKStart);
            Assert.Equal(TestElf.TextVaddr + TestElf.TextMemSize, p.VirtKEnd);
            Assert.Equal(Bit0 | Bit4 | 0x8801u, p.FeaturesSupported);
            Assert.True(p.HasSupportedFeaturesNote);
        }

        [Fact]
        public void AbsentNotesKeepTheirDefaults()
        {
            var b = new TestElf();
            b.Notes.RemoveAll(n => n.Name == "Xen" && n.Type != ElfNote.GuestOs && n.Type != ElfNote.XenVersion);
            b.EEntry = TestElf.TextPaddr + 8;   // no VIRT_BASE: virtual = physical
            Assert.Equal(ElfError.None, Parse(b, out ElfDomainParams p));
            Assert.Equal(0UL, p.VirtBase);                      // VIRT_BASE unset: 0
            Assert.Equal(0UL, p.ElfPaddrOffset);                // notes interface: 0
            Assert.Equal(TestElf.TextPaddr + 8, p.VirtEntry);   // e_entry
            Assert.Equal(TestElf.TextPaddr, p.VirtKStart);      // paddr + (0 - 0)
            Assert.Equal(ElfDomainParams.Unset, p.P2mBase);
            Assert.Equal(ElfDomainParams.Unset, p.VirtHvStartLow);
            Assert.False(p.L1MfnValid || p.ModStartPfn || p.SuspendCancel || p.PaeYes || p.LoaderGeneric);
            Assert.Equal(0u, p.FeaturesSupported);
            Assert.Equal(0u, p.FeaturesRequired);
            Assert.False(p.HasSupportedFeaturesNote);          // Xen then does not ask for XENFEAT_dom0
        }

        [Fact]
        public void EntryFallsBackToEEntry()
        {
            var b = Without(ElfNote.Entry);
            b.EEntry = TestElf.TextVaddr + 0x10;
            Assert.Equal(ElfError.None, Parse(b, out ElfDomainParams p));
            Assert.Equal(TestElf.TextVaddr + 0x10, p.VirtEntry);
        }

        [Fact]
        public void EntryZeroOutsideTheKernelIsOutOfBounds()
        {
            // No ENTRY note and e_entry 0: libelf takes 0 as the entry, below virt_kstart.
            var b = Without(ElfNote.Entry);
            b.EEntry = 0;
            Assert.Equal(ElfError.AddressesOutOfBounds, Parse(b, out _));
        }

        /// <summary>
        /// The kernel of issue 8, linked at address 0 with GUEST_OS, LOADER "generic",
        /// HYPERCALL_PAGE and XEN_VERSION only, loads as under Xen 4.17: VIRT_BASE 0, PADDR_OFFSET 0,
        /// entry = e_entry = 0, no PAE.
        /// </summary>
        [Fact]
        public void KernelLinkedAtZeroGetsLibelfDefaults()
        {
            Assert.Equal(ElfError.None, Parse(TestElf.LowLinked(0), out ElfDomainParams p));
            // VIRT_BASE, PADDR_OFFSET, entry, kstart, kend, hypercall page.
            Assert.Equal((0UL, 0UL, 0UL, 0UL, TestElf.TextMemSize, 0x1000UL),
                (p.VirtBase, p.ElfPaddrOffset, p.VirtEntry, p.VirtKStart, p.VirtKEnd, p.VirtHypercall));
            // PAE, LOADER generic, GUEST_OS linux, legacy section, SUPPORTED_FEATURES note.
            Assert.Equal((false, true, false, false, false),
                (p.PaeYes, p.LoaderGeneric, p.GuestOsLinux, p.LegacyGuestInfo, p.HasSupportedFeaturesNote));

            Assert.Equal(ElfError.None, Parse(TestElf.LowLinked(0x100000), out p));
            Assert.Equal(0x100000UL, p.VirtEntry);
            Assert.Equal(0x100000UL, p.VirtKStart);
            Assert.Equal(0UL, p.VirtBase);
        }

        [Fact]
        public void EntryOutsideTheKernelIsAnError()
        {
            Assert.Equal(ElfError.AddressesOutOfBounds, Parse(With(Note.U64(ElfNote.Entry, TestElf.VirtBase + 0x10)), out _));
        }

        [Fact]
        public void HypercallPageAndPaddrOffsetAreRead()
        {
            var b = With(Note.U64(ElfNote.HypercallPage, TestElf.TextVaddr + 0x1000));
            Assert.Equal(ElfError.None, Parse(b, out ElfDomainParams p));
            Assert.Equal(TestElf.TextVaddr + 0x1000, p.VirtHypercall);

            // PADDR_OFFSET moves kstart/kend: virt = paddr + VIRT_BASE - PADDR_OFFSET.
            b = With(Note.U64(ElfNote.PaddrOffset, 0x100000));
            b.Notes.RemoveAll(n => n.Type == ElfNote.Entry);
            b.EEntry = TestElf.TextVaddr - 0x100000 + 8;
            Assert.Equal(ElfError.None, Parse(b, out p));
            Assert.Equal(TestElf.TextVaddr - 0x100000, p.VirtKStart);
            Assert.Equal(TestElf.TextVaddr - 0x100000 + TestElf.TextMemSize, p.VirtKEnd);
        }

        [Fact]
        public void PaddrOffsetWithoutVirtBaseIsAnError()
        {
            Assert.Equal(ElfError.PaddrOffsetWithoutVirtBase, Parse(Without(ElfNote.VirtBase), out _));
        }

        [Fact]
        public void P2mInsideTheKernelIsAnError()
        {
            Assert.Equal(ElfError.P2mInsideKernel, Parse(With(Note.U64(ElfNote.InitP2m, TestElf.TextVaddr + 0x100)), out _));
        }

        [Fact]
        public void GuestOsLoaderAndXenVersionAreChecked()
        {
            var b = With(Note.Str(ElfNote.GuestOs, "NetBSD"));
            Assert.Equal(ElfError.None, Parse(b, out ElfDomainParams p)); // LOADER "generic" suffices
            Assert.False(p.GuestOsLinux);
            b.Notes.RemoveAll(n => n.Type == ElfNote.Loader);
            Assert.Equal(ElfError.NotLinuxOrGeneric, Parse(b, out _));
            Assert.Equal(ElfError.NotXen30, Parse(With(Note.Str(ElfNote.XenVersion, "xen-2.0")), out _));
            Assert.Equal(ElfError.NotXen30, Parse(Without(ElfNote.XenVersion), out _));
        }

        [Theory]
        [InlineData("writable_page_tables", Bit0, 0u)]
        [InlineData("!writable_page_tables|pae_pgdir_above_4gb", Bit0 | Bit4, Bit0)]
        [InlineData("dom0|!pae_pgdir_above_4gb|", Dom0 | Bit4, Bit4)]
        [InlineData("no_such_feature|dom0", Dom0, 0u)]
        [InlineData("||supervisor_mode_kernel", 1u << 3, 0u)]
        [InlineData("hvm_callback_vector|auto_translated_physmap|writable_descriptor_tables", (1u << 8) | (1u << 2) | (1u << 1), 0u)]
        [InlineData("", 0u, 0u)]
        public void FeatureStringsAreParsedLikeLibelf(string features, uint supported, uint required)
        {
            byte[] s = Encoding.ASCII.GetBytes(features);
            uint sup = 0, req = 0;
            fixed (byte* p = s)
                Assert.Equal(ElfError.None, XenNotes.ParseFeatures(p, (ulong)s.Length, ref sup, ref req));
            Assert.Equal(supported, sup);
            Assert.Equal(required, req);
        }

        [Fact]
        public void UnknownRequiredFeatureIsAnError()
        {
            Assert.Equal(ElfError.UnknownRequiredFeature,
                Parse(With(Note.Str(ElfNote.Features, "writable_page_tables|!teleport")), out _));
        }

        [Fact]
        public void PaeModeValues()
        {
            Assert.Equal(ElfError.None, Parse(With(Note.Str(ElfNote.PaeMode, "bimodal")), out ElfDomainParams p));
            Assert.True(p.PaeYes);
            Assert.Equal(ElfError.None, Parse(With(Note.Str(ElfNote.PaeMode, "no")), out p));
            Assert.False(p.PaeYes);
            // In a note libelf compares with strcmp("yes"): the legacy "yes[extended-cr3]" is not PAE there.
            Assert.Equal(ElfError.None, Parse(With(Note.Str(ElfNote.PaeMode, "yes[extended-cr3]")), out p));
            Assert.False(p.PaeYes);
            Assert.Equal(ElfError.None, Parse(With(Note.Str(ElfNote.PaeMode, "yes")), out p));
            Assert.True(p.PaeYes);
        }

        /// <summary>
        /// dom0_construct_pv's own rules on top of libelf: !supervisor_mode_kernel is refused
        /// (Xen panics), other required features a PV dom0 does not get are ignored (the shim
        /// warns), PAE_MODE is not needed by a 64-bit kernel, and a SUPPORTED_FEATURES note without
        /// XENFEAT_dom0 marks a kernel Xen will not build as dom0.
        /// </summary>
        [Fact]
        public void Dom0RulesAreDom0BuildCs()
        {
            Assert.Equal(ElfError.None, Parse(With(Note.Str(ElfNote.Features, "!supervisor_mode_kernel")), out ElfDomainParams p));
            Assert.True(Microxen.Boot.KernelChecks.RefusedAsDom0(p));
            Assert.Equal(0u, Microxen.Boot.KernelChecks.IgnoredRequiredFeatures(p));

            Assert.Equal(ElfError.None, Parse(With(Note.Str(ElfNote.Features, "!auto_translated_physmap|!writable_page_tables")), out p));
            Assert.False(Microxen.Boot.KernelChecks.RefusedAsDom0(p));
            Assert.Equal(1u << Microxen.Xen.XenFeature.AutoTranslatedPhysmap, Microxen.Boot.KernelChecks.IgnoredRequiredFeatures(p));

            Assert.Equal(ElfError.None, Parse(TestElf.LowLinked(0), out p));
            Assert.False(Microxen.Boot.KernelChecks.RefusedAsDom0(p));          // no PAE_MODE: fine for 64-bit
            Assert.True(Microxen.Boot.KernelChecks.SupportsDom0(p));         // no SUPPORTED_FEATURES note

            Assert.Equal(ElfError.None, Parse(With(Note.U32(ElfNote.SupportedFeatures, 0x1)), out p));
            Assert.False(Microxen.Boot.KernelChecks.SupportsDom0(p));        // note without XENFEAT_dom0
            Assert.Equal(ElfError.None, Parse(new TestElf(), out p));
            Assert.True(Microxen.Boot.KernelChecks.SupportsDom0(p));         // 0x8801 has dom0

            Assert.Equal(Microxen.Boot.ExitCode.NoEntry, Microxen.Boot.KernelChecks.ForElfError(ElfError.AddressesOutOfBounds));
        }

        [Fact]
        public void SupportedFeaturesNoteIsRecorded()
        {
            Assert.Equal(ElfError.None, Parse(new TestElf(), out ElfDomainParams p));
            Assert.True(p.HasSupportedFeaturesNote);
            Assert.Equal(ElfError.None, Parse(Without(ElfNote.SupportedFeatures), out p));
            Assert.False(p.HasSupportedFeaturesNote);
        }

        /// <summary>
        /// The legacy __xen_guest section (no Xen note at all): strings, numbers in any C base,
        /// HYPERCALL_PAGE as a page number relative to VIRT_BASE, PADDR_OFFSET defaulting to
        /// VIRT_BASE (so the kernel sits at its virtual addresses), FEATURES parsed as the note's.
        /// </summary>
        [Fact]
        public void LegacyXenGuestSectionIsParsedLikeLibelf()
        {
            const ulong Base = 0xffffffff80000000UL;
            var b = new TestElf
            {
                TextPa = TestElf.TextVaddr, EEntry = TestElf.TextVaddr + 0x20,
                XenGuest = "GUEST_OS=linux,GUEST_VER=2.6,XEN_VER=xen-3.0,VIRT_BASE=0xffffffff80000000," +
                           "HYPERCALL_PAGE=0x1001,LOADER=generic,PAE=yes[extended-cr3],FEATURES=!writable_page_tables|dom0",
            };
            Assert.Equal(ElfError.None, Parse(b, out ElfDomainParams p));
            Assert.True(p.LegacyGuestInfo);
            Assert.True(p.HasXenNotes);
            Assert.True(p.GuestOsLinux && p.LoaderGeneric && p.XenVersion30 && p.PaeYes);
            Assert.Equal(Base, p.VirtBase);
            Assert.Equal(Base, p.ElfPaddrOffset);                   // legacy default: VIRT_BASE
            Assert.Equal(TestElf.TextVaddr, p.VirtKStart);          // paddr + (VIRT_BASE - PADDR_OFFSET)
            Assert.Equal(TestElf.TextVaddr + 0x20, p.VirtEntry);    // e_entry
            Assert.Equal(Base + 0x1001000UL, p.VirtHypercall);      // pfn << 12, + VIRT_BASE
            Assert.Equal(Bit0 | Dom0, p.FeaturesSupported);
            Assert.Equal(Bit0, p.FeaturesRequired);

            // VIRT_ENTRY and ELF_PADDR_OFFSET given, decimal and octal numbers.
            b.XenGuest = "XEN_VER=xen-3.0,LOADER=generic,VIRT_BASE=0xffffffff80000000,ELF_PADDR_OFFSET=0," +
                         "VIRT_ENTRY=" + (TestElf.TextVaddr + 0x40).ToString() + ",PAE=no";
            b.TextPa = TestElf.TextPaddr;
            Assert.Equal(ElfError.None, Parse(b, out p));
            Assert.Equal(0UL, p.ElfPaddrOffset);
            Assert.Equal(TestElf.TextVaddr + 0x40, p.VirtEntry);
            Assert.False(p.PaeYes);
            Assert.Equal(ElfDomainParams.Unset, p.VirtHypercall);

            // What libelf refuses there, it refuses here.
            b.XenGuest = "XEN_VER=xen-3.0,LOADER=generic,FEATURES=!teleport";
            Assert.Equal(ElfError.UnknownRequiredFeature, Parse(b, out _));
            b.XenGuest = "LOADER=generic,XEN_VER=xen-2.0";
            Assert.Equal(ElfError.NotXen30, Parse(b, out _));
            b.XenGuest = "GUEST_OS=netbsd,XEN_VER=xen-3.0";
            Assert.Equal(ElfError.NotLinuxOrGeneric, Parse(b, out _));
            b.XenGuest = "XEN_VER=xen-3.0,LOADER=generic,ELF_PADDR_OFFSET=0";
            Assert.Equal(ElfError.PaddrOffsetWithoutVirtBase, Parse(b, out _));
        }

        [Theory]
        [InlineData("0x1f", 0x1fUL)]
        [InlineData("017", 15UL)]
        [InlineData("  42z", 42UL)]
        [InlineData("0x", 0UL)]
        [InlineData("", 0UL)]
        [InlineData("0xffffffffffffffffff", ulong.MaxValue)]
        public void StrToULongIsStrtoullBaseZero(string text, ulong expected)
        {
            byte[] b = Encoding.ASCII.GetBytes(text);
            fixed (byte* s = b) Assert.Equal(expected, XenNotes.StrToULong(s, (ulong)b.Length));
        }

        [Fact]
        public void ModStartPfnZeroMeansNo()
        {
            Assert.Equal(ElfError.None, Parse(With(Note.U32(ElfNote.ModStartPfn, 0)), out ElfDomainParams p));
            Assert.False(p.ModStartPfn);
        }

        [Fact]
        public void NotesAreFoundInShtNoteSectionsWhenThereIsNoPtNote()
        {
            var b = new TestElf();
            byte[] f = b.Build();
            TestElf.W32(f, b.PhdrOff + 56, 0); // PT_NOTE -> PT_NULL
            Assert.Equal(ElfError.None, Parse(f, out ElfDomainParams p));
            Assert.Equal(TestElf.EntryVaddr, p.VirtEntry);
            Assert.Equal(0x8000000000UL, p.P2mBase);
        }

        [Fact]
        public void StrippedNotesGiveNoXenNotes()
        {
            var b = new TestElf();
            byte[] f = b.Build();
            TestElf.W32(f, b.PhdrOff + 56, 0);          // PT_NOTE -> PT_NULL
            TestElf.W32(f, b.ShdrOff + 2 * 64 + 4, 1);  // SHT_NOTE -> SHT_PROGBITS
            Assert.Equal(ElfError.NoXenNotes, Parse(f, out ElfDomainParams p));
            Assert.False(p.HasXenNotes);

            b = new TestElf();
            b.Notes.RemoveAll(n => n.Name == "Xen");
            Assert.Equal(ElfError.NoXenNotes, Parse(b, out _));

            b = new TestElf();
            foreach (var n in b.Notes) if (n.Name == "Xen") n.Name = "Xem";
            Assert.Equal(ElfError.NoXenNotes, Parse(b, out _));
        }

        [Fact]
        public void NoteRunningPastItsSegmentIsAnError()
        {
            var b = new TestElf();
            byte[] f = b.Build();
            // First note is GNU's: make its descsz huge.
            TestElf.W32(f, b.NotesOff + 4, 0xfffffff0);
            Assert.Equal(ElfError.BadNote, Parse(f, out _));
            f = b.Build();
            TestElf.W32(f, b.NotesOff, 0xffffffff); // namesz
            Assert.Equal(ElfError.BadNote, Parse(f, out _));
        }

        [Fact]
        public void ParseOfAnUnopenedImageIsAnError()
        {
            ElfImage img = default;
            Assert.Equal(ElfError.TooSmall, XenNotes.Parse(img, out _));
        }

        // ---- Debian's real kernel ----

        static ElfError ParseVmlinux(byte[] f, out ElfDomainParams p, out ElfImage img)
        {
            fixed (byte* d = f)
            {
                ElfError e = ElfImage.Open(d, (ulong)f.Length, out img);
                if (e != ElfError.None) { p = default; return e; }
                return XenNotes.Parse(img, out p);
            }
        }

        [Fact]
        public void DebianKernelNotesHaveTheValuesOfDesignSection4()
        {
            byte[] f = DebianKernel.Vmlinux;
            Assert.Equal(ElfError.None, ParseVmlinux(f, out ElfDomainParams p, out ElfImage img));
            log.WriteLine($"VirtBase 0x{p.VirtBase:x} PaddrOffset 0x{p.ElfPaddrOffset:x} VirtEntry 0x{p.VirtEntry:x}");
            log.WriteLine($"VirtHypercall 0x{p.VirtHypercall:x} HvStartLow 0x{p.VirtHvStartLow:x} P2mBase 0x{p.P2mBase:x}");
            log.WriteLine($"VirtKStart 0x{p.VirtKStart:x} VirtKEnd 0x{p.VirtKEnd:x}");
            log.WriteLine($"Features supported 0x{p.FeaturesSupported:x} required 0x{p.FeaturesRequired:x}");
            log.WriteLine($"L1MfnValid {p.L1MfnValid} ModStartPfn {p.ModStartPfn} SuspendCancel {p.SuspendCancel} PaeYes {p.PaeYes} " +
                           $"GuestOsLinux {p.GuestOsLinux} XenVersion30 {p.XenVersion30} LoaderGeneric {p.LoaderGeneric}");

            AssertLinuxLikeNotes(p);
            Assert.Equal(0xffffffff80000000UL, p.VirtBase);
            // FEATURES "!writable_page_tables|pae_pgdir_above_4gb" (required: Bit0, checked above);
            // SUPPORTED_FEATURES has writable_page_tables and dom0 (and linux_rsdp_unrestricted).
            Assert.Equal(Bit0 | Bit4 | Dom0, p.FeaturesSupported & (Bit0 | Bit4 | Dom0));
            Assert.Equal(0u, p.FeaturesSupported & (1u << Microxen.Xen.XenFeature.SupervisorModeKernel));

            // kstart/kend: the PT_LOAD segments' physical extent shifted by VIRT_BASE.
            ulong low = ulong.MaxValue, high = 0;
            for (int i = 0; i < img.LoadSegmentCount; i++)
            {
                Assert.True(img.GetLoadSegment(i, out ElfProgramHeader s));
                low = Math.Min(low, s.PAddr);
                high = Math.Max(high, s.PAddr + s.MemSize);
            }
            Assert.Equal(0xffffffff81000000UL, p.VirtKStart);
            Assert.Equal(low + 0xffffffff80000000UL, p.VirtKStart);
            Assert.Equal(high + 0xffffffff80000000UL, p.VirtKEnd);

            // The entry is startup_xen. The ELF inside a bzImage is stripped (and Debian's
            // System.map is a stub), so check where it is and what it does instead: it lies at
            // the start of .init.text, in an executable segment, and begins
            // "cld; mov initial_stack(%rip),%rsp; mov $MSR_GS_BASE,%ecx".
            Assert.NotEqual(img.Entry, p.VirtEntry);     // not e_entry (startup_64, physical)
            int initText = -1;
            for (int i = 1; i < img.SectionCount; i++) if (img.SectionNameIs(i, ".init.text")) initText = i;
            Assert.True(initText > 0, "no .init.text section");
            Assert.True(img.GetSection(initText, out ElfSection sec));
            Assert.InRange(p.VirtEntry, sec.Addr, sec.Addr + sec.Size - 1);
            bool inExecSegment = false;
            ulong fileOff = 0;
            for (int i = 0; i < img.LoadSegmentCount; i++)
            {
                img.GetLoadSegment(i, out ElfProgramHeader s);
                if ((s.Flags & ElfImage.PF_X) != 0 && p.VirtEntry >= s.VAddr && p.VirtEntry < s.VAddr + s.FileSize)
                {
                    inExecSegment = true;
                    fileOff = s.Offset + (p.VirtEntry - s.VAddr);
                }
            }
            Assert.True(inExecSegment);
            var code = new ReadOnlySpan<byte>(f, (int)fileOff, 16);
            log.WriteLine("entry bytes: " + Convert.ToHexString(code));
            Assert.Equal(new byte[] { 0xfc, 0x48, 0x8b, 0x25 }, code.Slice(0, 4).ToArray());          // cld; mov ...(%rip),%rsp
            Assert.Equal(new byte[] { 0xb9, 0x01, 0x01, 0x00, 0xc0 }, code.Slice(8, 5).ToArray());   // mov $0xc0000101,%ecx
        }

        [Fact]
        public void DebianKernelWithStrippedNotesGivesNoXenNotes()
        {
            byte[] f = (byte[])DebianKernel.Vmlinux.Clone();
            ulong phoff = TestElf.R64(f, 32), shoff = TestElf.R64(f, 40);
            int phnum = TestElf.R16(f, 56), shnum = TestElf.R16(f, 60);
            for (int i = 0; i < phnum; i++)
                if (TestElf.R32(f, (long)phoff + i * 56) == ElfImage.PT_NOTE) TestElf.W32(f, (int)phoff + i * 56, 0);
            Assert.Equal(ElfError.None, ParseVmlinux(f, out _, out _));   // still found in the .notes section
            for (int i = 0; i < shnum; i++)
                if (TestElf.R32(f, (long)shoff + i * 64 + 4) == ElfImage.SHT_NOTE) TestElf.W32(f, (int)shoff + i * 64 + 4, 1);
            Assert.Equal(ElfError.NoXenNotes, ParseVmlinux(f, out _, out _));
        }

        [Fact]
        public void DebianKernelWithoutEntryIsOutOfBounds()
        {
            byte[] f = (byte[])DebianKernel.Vmlinux.Clone();
            TestElf.W64(f, 24, 0); // e_entry
            // Rename the ENTRY note (type 1) in the PT_NOTE segment to an unknown type.
            ulong phoff = TestElf.R64(f, 32);
            int phnum = TestElf.R16(f, 56), renamed = 0;
            for (int i = 0; i < phnum; i++)
            {
                long ph = (long)phoff + i * 56;
                if (TestElf.R32(f, ph) != ElfImage.PT_NOTE) continue;
                long pos = (long)TestElf.R64(f, ph + 8), end = pos + (long)TestElf.R64(f, ph + 32);
                while (pos + 12 <= end)
                {
                    uint namesz = TestElf.R32(f, pos), descsz = TestElf.R32(f, pos + 4), type = TestElf.R32(f, pos + 8);
                    if (namesz == 4 && Encoding.ASCII.GetString(f, (int)pos + 12, 3) == "Xen" && type == ElfNote.Entry)
                    {
                        TestElf.W32(f, (int)pos + 8, 0x7f);
                        renamed++;
                    }
                    pos += 12 + ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u);
                }
            }
            Assert.Equal(1, renamed);
            Assert.Equal(ElfError.AddressesOutOfBounds, ParseVmlinux(f, out _, out _));
        }

        [Fact]
        public void Ppc64AndI386KernelsAreRefused()
        {
            byte[] f = new byte[4096];
            Array.Copy(DebianKernel.Vmlinux, f, f.Length);
            // A prefix is a truncated file, but the header checks come first.
            byte[] c = (byte[])f.Clone(); c[4] = 1;
            Assert.Equal(ElfError.NotElf64, Parse(c, out _));
            c = (byte[])f.Clone(); TestElf.W16(c, 18, 3);
            Assert.Equal(ElfError.NotX86_64, Parse(c, out _));
            c = (byte[])f.Clone(); c[5] = 2;
            Assert.Equal(ElfError.NotLittleEndian, Parse(c, out _));
        }
    }
}
