namespace Microxen.Domain
{
    /// <summary>Why a kernel image was refused. <see cref="ElfErrors.Describe"/> names each one.</summary>
    public enum ElfError
    {
        None = 0,
        /// <summary>Smaller than an ELF64 header (or the data pointer is null).</summary>
        TooSmall,
        /// <summary>Does not start with 0x7f 'E' 'L' 'F'.</summary>
        BadMagic,
        /// <summary>EI_CLASS is not ELFCLASS64 (e.g. a 32-bit kernel).</summary>
        NotElf64,
        /// <summary>EI_DATA is not ELFDATA2LSB.</summary>
        NotLittleEndian,
        /// <summary>e_machine is not EM_X86_64.</summary>
        NotX86_64,
        /// <summary>e_phentsize wrong, or the program header table lies outside the file.</summary>
        BadProgramHeaders,
        /// <summary>e_shentsize wrong, or the section header table or a section's bytes lie outside the file.</summary>
        BadSectionHeaders,
        /// <summary>A PT_LOAD or PT_NOTE segment's bytes lie outside the file, or filesz &gt; memsz.</summary>
        SegmentOutOfFile,
        /// <summary>No PT_LOAD segment.</summary>
        NoLoadSegments,
        /// <summary>A note's header, name or descriptor runs past the end of its segment/section.</summary>
        BadNote,
        /// <summary>More notes than libelf's limit (ELF_MAX_TOTAL_NOTE_COUNT, 1024).</summary>
        TooManyNotes,
        /// <summary>No "Xen" ELF note in any PT_NOTE segment or SHT_NOTE section.</summary>
        NoXenNotes,
        /// <summary>XEN_ELFNOTE_FEATURES requires ("!name") a feature this parser does not know.</summary>
        UnknownRequiredFeature,
        /// <summary>Neither LOADER "generic" nor GUEST_OS "linux".</summary>
        NotLinuxOrGeneric,
        /// <summary>XEN_VERSION is not "xen-3.0".</summary>
        NotXen30,
        /// <summary>PADDR_OFFSET given without VIRT_BASE.</summary>
        PaddrOffsetWithoutVirtBase,
        /// <summary>Kernel start/end/entry inconsistent (libelf: "ELF start or entries are out of bounds").</summary>
        AddressesOutOfBounds,
        /// <summary>INIT_P2M lies inside the kernel image.</summary>
        P2mInsideKernel,
    }

    public static class ElfErrors
    {
        /// <summary>One English line per error code.</summary>
        public static string Describe(ElfError e)
        {
            switch (e)
            {
                case ElfError.None: return "no error";
                case ElfError.TooSmall: return "kernel image is smaller than an ELF64 header";
                case ElfError.BadMagic: return "kernel image is not an ELF file (bad magic)";
                case ElfError.NotElf64: return "kernel image is not a 64-bit ELF (ELFCLASS64 expected)";
                case ElfError.NotLittleEndian: return "kernel image is not little-endian ELF";
                case ElfError.NotX86_64: return "kernel image is not for x86-64 (EM_X86_64 expected)";
                case ElfError.BadProgramHeaders: return "kernel ELF program header table is malformed or truncated";
                case ElfError.BadSectionHeaders: return "kernel ELF section header table is malformed or truncated";
                case ElfError.SegmentOutOfFile: return "kernel ELF segment lies outside the file (truncated image?)";
                case ElfError.NoLoadSegments: return "kernel ELF has no PT_LOAD segment";
                case ElfError.BadNote: return "kernel ELF note runs past the end of its segment or section";
                case ElfError.TooManyNotes: return "kernel ELF has too many notes";
                case ElfError.NoXenNotes: return "not a Xen PV kernel: no Xen ELF notes found";
                case ElfError.UnknownRequiredFeature: return "kernel requires a Xen feature that is not known";
                case ElfError.NotLinuxOrGeneric: return "kernel is neither for the generic loader nor a Linux image";
                case ElfError.NotXen30: return "kernel is not built for Xen 3.0 (XEN_VERSION note)";
                case ElfError.PaddrOffsetWithoutVirtBase: return "kernel sets PADDR_OFFSET but not VIRT_BASE";
                case ElfError.AddressesOutOfBounds: return "kernel start, end or entry address out of bounds";
                case ElfError.P2mInsideKernel: return "kernel INIT_P2M address lies inside the kernel image";
            }
            return "unknown ELF error";
        }
    }

    /// <summary>One program header of any type: Elf64_Phdr as it stands in the file (56 bytes, read whole).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ElfProgramHeader
    {
        public uint Type;
        /// <summary>p_flags: PF_X = 1, PF_W = 2, PF_R = 4.</summary>
        public uint Flags;
        public ulong Offset;
        public ulong VAddr;
        public ulong PAddr;
        public ulong FileSize;
        public ulong MemSize;
        public ulong Align;
    }

    /// <summary>
    /// One section header (the name is an offset into the section-name string table): the first
    /// 40 bytes of Elf64_Shdr as it stands in the file (sh_name to sh_size, read whole).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ElfSection
    {
        public uint NameOffset;
        public uint Type;
        public ulong Flags;
        public ulong Addr;
        public ulong Offset;
        public ulong Size;
    }

    /// <summary>
    /// A validated view of an ELF64 little-endian x86-64 executable held in memory. After a
    /// successful <see cref="Open"/>, every PT_LOAD and PT_NOTE segment and the header tables are
    /// known to lie inside [data, data+size), so the accessors never read out of bounds.
    /// </summary>
    public unsafe struct ElfImage
    {
        public const uint PT_LOAD = 1;
        public const uint PT_NOTE = 4;
        public const uint SHT_NOTE = 7;
        public const uint SHT_NOBITS = 8;
        public const ushort EM_X86_64 = 62;
        public const uint PF_X = 1, PF_W = 2, PF_R = 4;

        const ulong EhdrSize = 64;
        const ulong PhdrSize = 56;
        const ulong ShdrSize = 64;

        byte* _data;
        ulong _size;
        ulong _phoff;
        uint _phnum;
        ulong _shoff;
        uint _shnum;
        uint _shstrndx;
        ulong _entry;
        int _loadCount;

        public byte* Data { get { return _data; } }
        public ulong Size { get { return _size; } }
        /// <summary>e_entry from the ELF header.</summary>
        public ulong Entry { get { return _entry; } }
        public int LoadSegmentCount { get { return _loadCount; } }
        public int ProgramHeaderCount { get { return (int)_phnum; } }
        public int SectionCount { get { return (int)_shnum; } }
        /// <summary>e_shstrndx: index of the section holding section names.</summary>
        public int SectionNameTableIndex { get { return (int)_shstrndx; } }

        // Little-endian reads, byte by byte: no alignment assumptions.
        internal static ushort R16(byte* p) { return (ushort)(p[0] | (p[1] << 8)); }
        internal static uint R32(byte* p) { return (uint)p[0] | ((uint)p[1] << 8) | ((uint)p[2] << 16) | ((uint)p[3] << 24); }
        internal static ulong R64(byte* p) { return (ulong)R32(p) | ((ulong)R32(p + 4) << 32); }

        /// <summary>True if [off, off+len) lies inside [0, size), without overflow.</summary>
        internal static bool InRange(ulong off, ulong len, ulong size)
        {
            return off <= size && len <= size - off;
        }

        /// <summary>Validates the ELF header (as Xen's libelf and dom0 builder: magic, ELFCLASS64,
        /// little-endian, EM_X86_64; e_type, e_version and e_ehsize are not looked at), the program and section header tables and the
        /// extent of every PT_LOAD / PT_NOTE segment against <paramref name="size"/>.</summary>
        public static ElfError Open(byte* data, ulong size, out ElfImage img)
        {
            img = default(ElfImage);
            if (data == null || size < 16) return ElfError.TooSmall;
            if (data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
                return ElfError.BadMagic;
            if (data[4] != 2) return ElfError.NotElf64;          // EI_CLASS: ELFCLASS64
            if (data[5] != 1) return ElfError.NotLittleEndian;   // EI_DATA: ELFDATA2LSB
            if (size < EhdrSize) return ElfError.TooSmall;

            ushort machine = R16(data + 18);
            ulong entry = R64(data + 24);
            ulong phoff = R64(data + 32);
            ulong shoff = R64(data + 40);
            ushort phentsize = R16(data + 54);
            ushort phnum = R16(data + 56);
            ushort shentsize = R16(data + 58);
            ushort shnum = R16(data + 60);
            ushort shstrndx = R16(data + 62);

            if (machine != EM_X86_64) return ElfError.NotX86_64;
            if (phnum == 0) return ElfError.NoLoadSegments;
            if (phentsize != PhdrSize) return ElfError.BadProgramHeaders;
            if (!InRange(phoff, (ulong)phnum * PhdrSize, size)) return ElfError.BadProgramHeaders;
            if (shnum != 0)
            {
                if (shentsize != ShdrSize) return ElfError.BadSectionHeaders;
                if (!InRange(shoff, (ulong)shnum * ShdrSize, size)) return ElfError.BadSectionHeaders;
                if (shstrndx >= shnum) shstrndx = 0;
                // Every section with file bytes must lie in the file (catches truncation inside a
                // non-loaded section too).
                for (uint i = 1; i < shnum; i++)
                {
                    byte* sh = data + shoff + (ulong)i * ShdrSize;
                    if (R32(sh + 4) == SHT_NOBITS || R32(sh + 4) == 0) continue;
                    if (!InRange(R64(sh + 24), R64(sh + 32), size)) return ElfError.BadSectionHeaders;
                }
            }
            else
            {
                shstrndx = 0;
            }

            int loads = 0;
            for (uint i = 0; i < phnum; i++)
            {
                byte* ph = data + phoff + (ulong)i * PhdrSize;
                uint ptype = R32(ph);
                if (ptype != PT_LOAD && ptype != PT_NOTE) continue;
                ulong off = R64(ph + 8);
                ulong filesz = R64(ph + 32);
                ulong memsz = R64(ph + 40);
                if (!InRange(off, filesz, size)) return ElfError.SegmentOutOfFile;
                if (ptype == PT_LOAD)
                {
                    if (filesz > memsz) return ElfError.SegmentOutOfFile;
                    loads++;
                }
            }
            if (loads == 0) return ElfError.NoLoadSegments;

            img._data = data;
            img._size = size;
            img._phoff = phoff;
            img._phnum = phnum;
            img._shoff = shoff;
            img._shnum = shnum;
            img._shstrndx = shstrndx;
            img._entry = entry;
            img._loadCount = loads;
            return ElfError.None;
        }

        /// <summary>
        /// Entry <paramref name="i"/> of a header table of <paramref name="count"/> entries of
        /// <paramref name="entrySize"/> bytes at <paramref name="offset"/> (checked by <see cref="Open"/>
        /// to lie in the file), or null.
        /// </summary>
        byte* TableEntry(int i, uint count, ulong offset, ulong entrySize) =>
            i < 0 || (uint)i >= count || _data == null ? null : _data + offset + (ulong)(uint)i * entrySize;

        /// <summary>Program header <paramref name="i"/> (any type), in table order.</summary>
        public bool GetProgramHeader(int i, out ElfProgramHeader ph)
        {
            byte* p = TableEntry(i, _phnum, _phoff, PhdrSize);
            ph = p == null ? default(ElfProgramHeader) : *(ElfProgramHeader*)p;
            return p != null;
        }

        /// <summary>The <paramref name="i"/>-th PT_LOAD segment's program header (0-based, in program header order).</summary>
        public bool GetLoadSegment(int i, out ElfProgramHeader seg)
        {
            seg = default(ElfProgramHeader);
            if (i < 0) return false;
            int n = 0;
            for (int k = 0; k < (int)_phnum; k++)
            {
                if (!GetProgramHeader(k, out seg)) return false;
                if (seg.Type != PT_LOAD) continue;
                if (n == i) return true;
                n++;
            }
            seg = default(ElfProgramHeader);
            return false;
        }

        /// <summary>Pointer to a PT_LOAD segment's file bytes (FileSize of them, bounds already checked).</summary>
        public byte* SegmentData(in ElfProgramHeader seg)
        {
            if (_data == null || !InRange(seg.Offset, seg.FileSize, _size)) return null;
            return _data + seg.Offset;
        }

        /// <summary>Section header <paramref name="i"/> (its bytes, unless SHT_NOBITS, were checked
        /// to lie in the file by <see cref="Open"/>; <see cref="SectionInFile"/> says so again).</summary>
        public bool GetSection(int i, out ElfSection sh)
        {
            byte* p = TableEntry(i, _shnum, _shoff, ShdrSize);
            sh = p == null ? default(ElfSection) : *(ElfSection*)p;
            return p != null;
        }

        /// <summary>True if the section occupies file bytes that all lie inside the image.</summary>
        public bool SectionInFile(in ElfSection sh)
        {
            return sh.Type != SHT_NOBITS && InRange(sh.Offset, sh.Size, _size);
        }

        /// <summary>True if section <paramref name="i"/>'s name equals the ASCII string <paramref name="name"/>.</summary>
        public bool SectionNameIs(int i, string name)
        {
            ElfSection sh, strtab;
            if (!GetSection(i, out sh)) return false;
            if (_shstrndx == 0 || !GetSection((int)_shstrndx, out strtab) || !SectionInFile(strtab)) return false;
            ulong n = (ulong)name.Length;
            if (sh.NameOffset >= strtab.Size || n + 1 > strtab.Size - sh.NameOffset) return false;
            byte* s = _data + strtab.Offset + sh.NameOffset;
            for (int k = 0; k < name.Length; k++)
                if (s[k] != (byte)name[k]) return false;
            return s[name.Length] == 0;
        }
    }
}
