namespace Microxen.Domain
{
    /// <summary>
    /// Reads the Xen ELF notes (public/elfnote.h) of a PV kernel into <see cref="ElfDomainParams"/>,
    /// following the behaviour of Xen 4.17's libelf (libelf-dominfo.c): notes named "Xen" in the
    /// PT_NOTE segments, else in the SHT_NOTE sections; then the same sanity checks and address
    /// computation (virt_kstart/virt_kend from the PT_LOAD segments' physical addresses shifted by
    /// VIRT_BASE - PADDR_OFFSET; entry defaulting to e_entry). The legacy "__xen_guest" section
    /// is not supported: such a kernel gets <see cref="ElfError.NoXenNotes"/>.
    /// </summary>
    public static unsafe class XenNotes
    {
        public const uint XEN_ELFNOTE_INFO = 0;
        public const uint XEN_ELFNOTE_ENTRY = 1;
        public const uint XEN_ELFNOTE_HYPERCALL_PAGE = 2;
        public const uint XEN_ELFNOTE_VIRT_BASE = 3;
        public const uint XEN_ELFNOTE_PADDR_OFFSET = 4;
        public const uint XEN_ELFNOTE_XEN_VERSION = 5;
        public const uint XEN_ELFNOTE_GUEST_OS = 6;
        public const uint XEN_ELFNOTE_GUEST_VERSION = 7;
        public const uint XEN_ELFNOTE_LOADER = 8;
        public const uint XEN_ELFNOTE_PAE_MODE = 9;
        public const uint XEN_ELFNOTE_FEATURES = 10;
        public const uint XEN_ELFNOTE_BSD_SYMTAB = 11;
        public const uint XEN_ELFNOTE_HV_START_LOW = 12;
        public const uint XEN_ELFNOTE_L1_MFN_VALID = 13;
        public const uint XEN_ELFNOTE_SUSPEND_CANCEL = 14;
        public const uint XEN_ELFNOTE_INIT_P2M = 15;
        public const uint XEN_ELFNOTE_MOD_START_PFN = 16;
        public const uint XEN_ELFNOTE_SUPPORTED_FEATURES = 17;
        public const uint XEN_ELFNOTE_PHYS32_ENTRY = 18;

        // public/features.h
        public const int XENFEAT_writable_page_tables = 0;
        public const int XENFEAT_writable_descriptor_tables = 1;
        public const int XENFEAT_auto_translated_physmap = 2;
        public const int XENFEAT_supervisor_mode_kernel = 3;
        public const int XENFEAT_pae_pgdir_above_4gb = 4;
        public const int XENFEAT_mmu_pt_update_preserve_ad = 5;
        public const int XENFEAT_highmem_assist = 6;
        public const int XENFEAT_gnttab_map_avail_bits = 7;
        public const int XENFEAT_hvm_callback_vector = 8;
        public const int XENFEAT_hvm_safe_pvclock = 9;
        public const int XENFEAT_hvm_pirqs = 10;
        public const int XENFEAT_dom0 = 11;

        /// <summary>libelf's ELF_MAX_TOTAL_NOTE_COUNT.</summary>
        const uint MaxTotalNotes = 1024;
        /// <summary>libelf parses feature names into a 64-byte buffer: at most 63 characters per token.</summary>
        const ulong MaxFeatureToken = 63;

        struct State
        {
            public uint TotalNotes;
            public uint XenNotes;
        }

        /// <summary>
        /// The feature names libelf's FEATURES note parser knows (elf_xen_feature_names), by
        /// XENFEAT number; the empty string for numbers it does not name.
        /// </summary>
        public static string FeatureName(int nr)
        {
            switch (nr)
            {
                case XENFEAT_writable_page_tables: return "writable_page_tables";
                case XENFEAT_writable_descriptor_tables: return "writable_descriptor_tables";
                case XENFEAT_auto_translated_physmap: return "auto_translated_physmap";
                case XENFEAT_supervisor_mode_kernel: return "supervisor_mode_kernel";
                case XENFEAT_pae_pgdir_above_4gb: return "pae_pgdir_above_4gb";
                case XENFEAT_hvm_callback_vector: return "hvm_callback_vector";
                case XENFEAT_dom0: return "dom0";
            }
            return "";
        }

        /// <summary>Parses the Xen notes of an opened image and computes the kernel's extent.</summary>
        public static ElfError Parse(in ElfImage img, out ElfDomainParams parms)
        {
            parms = default(ElfDomainParams);
            parms.VirtBase = ElfDomainParams.Unset;
            parms.VirtEntry = ElfDomainParams.Unset;
            parms.VirtHypercall = ElfDomainParams.Unset;
            parms.VirtHvStartLow = ElfDomainParams.Unset;
            parms.P2mBase = ElfDomainParams.Unset;
            parms.ElfPaddrOffset = ElfDomainParams.Unset;
            if (img.Data == null || img.LoadSegmentCount == 0) return ElfError.TooSmall;

            State st = default(State);
            ElfError err;

            // 1. PT_NOTE segments (Open() has checked they lie in the file).
            for (int i = 0; i < img.ProgramHeaderCount; i++)
            {
                ElfProgramHeader ph;
                if (!img.GetProgramHeader(i, out ph)) break;
                if (ph.Type != ElfImage.PT_NOTE) continue;
                if (ph.Offset == 0) continue;   // binutils bug workaround, as libelf
                err = ParseNoteArea(img.Data + ph.Offset, ph.FileSize, ref parms, ref st);
                if (err != ElfError.None) return err;
            }

            // 2. Fall back to SHT_NOTE sections.
            if (st.XenNotes == 0)
            {
                for (int i = 1; i < img.SectionCount; i++)
                {
                    ElfSection sh;
                    if (!img.GetSection(i, out sh)) break;
                    if (sh.Type != ElfImage.SHT_NOTE) continue;
                    if (!img.SectionInFile(sh)) return ElfError.BadNote;
                    err = ParseNoteArea(img.Data + sh.Offset, sh.Size, ref parms, ref st);
                    if (err != ElfError.None) return err;
                }
            }

            // 3. elf_xen_note_check.
            if (st.XenNotes == 0) return ElfError.NoXenNotes;
            parms.HasXenNotes = true;
            if (!parms.LoaderGeneric && !parms.GuestOsLinux) return ElfError.NotLinuxOrGeneric;
            if (!parms.XenVersion30) return ElfError.NotXen30;

            // 4. elf_xen_addr_calc_check (PV).
            if (parms.ElfPaddrOffset != ElfDomainParams.Unset && parms.VirtBase == ElfDomainParams.Unset)
                return ElfError.PaddrOffsetWithoutVirtBase;
            if (parms.VirtBase == ElfDomainParams.Unset) parms.VirtBase = 0;
            if (parms.ElfPaddrOffset == ElfDomainParams.Unset) parms.ElfPaddrOffset = 0; // notes interface default

            // elf->pstart / elf->pend: PT_LOAD segments with any of R/W/X, by physical address.
            ulong low = ulong.MaxValue, high = 0;
            for (int i = 0; i < img.LoadSegmentCount; i++)
            {
                ElfSegment seg;
                if (!img.GetLoadSegment(i, out seg)) break;
                if ((seg.Flags & (ElfImage.PF_R | ElfImage.PF_W | ElfImage.PF_X)) == 0) continue;
                if (seg.PAddr < low) low = seg.PAddr;
                if (seg.PAddr + seg.MemSize > high) high = seg.PAddr + seg.MemSize;
            }
            ulong virtOffset = parms.VirtBase - parms.ElfPaddrOffset;
            parms.VirtKStart = low + virtOffset;
            parms.VirtKEnd = high + virtOffset;

            if (parms.VirtEntry == ElfDomainParams.Unset) parms.VirtEntry = img.Entry;
            if (parms.VirtEntry == 0) return ElfError.NoEntry;

            if (low > high || parms.VirtKStart > parms.VirtKEnd ||
                parms.VirtEntry < parms.VirtKStart || parms.VirtEntry > parms.VirtKEnd ||
                parms.VirtBase > parms.VirtKStart)
                return ElfError.AddressesOutOfBounds;

            if (parms.P2mBase != ElfDomainParams.Unset &&
                parms.P2mBase >= parms.VirtKStart && parms.P2mBase < parms.VirtKEnd)
                return ElfError.P2mInsideKernel;

            return ElfError.None;
        }

        /// <summary>Walks the notes in [p, p+len): Elf64_Nhdr (namesz, descsz, type: 3 x u32),
        /// name and descriptor each padded to 4 bytes.</summary>
        static ElfError ParseNoteArea(byte* p, ulong len, ref ElfDomainParams parms, ref State st)
        {
            ulong pos = 0;
            while (len - pos >= 12)
            {
                if (st.TotalNotes >= MaxTotalNotes) return ElfError.TooManyNotes;
                st.TotalNotes++;

                byte* n = p + pos;
                ulong namesz = ElfImage.R32(n);
                ulong descsz = ElfImage.R32(n + 4);
                uint type = ElfImage.R32(n + 8);
                ulong nameOff = pos + 12;
                ulong nameLen = (namesz + 3) & ~3UL;
                if (!ElfImage.InRange(nameOff, nameLen, len)) return ElfError.BadNote;
                ulong descOff = nameOff + nameLen;
                ulong descLen = (descsz + 3) & ~3UL;
                // The last note's descriptor padding may be missing: only the bytes must fit.
                if (!ElfImage.InRange(descOff, descsz, len)) return ElfError.BadNote;

                byte* name = p + nameOff;
                if (namesz >= 4 && name[0] == (byte)'X' && name[1] == (byte)'e' && name[2] == (byte)'n' && name[3] == 0)
                {
                    ElfError e = ParseXenNote(type, p + descOff, descsz, ref parms);
                    if (e != ElfError.None) return e;
                    st.XenNotes++;
                }

                if (!ElfImage.InRange(descOff, descLen, len)) break;
                pos = descOff + descLen;
            }
            return ElfError.None;
        }

        /// <summary>libelf's elf_note_numeric: a 1, 2, 4 or 8-byte little-endian value, else 0.</summary>
        static ulong Numeric(byte* d, ulong size)
        {
            switch (size)
            {
                case 1: return d[0];
                case 2: return ElfImage.R16(d);
                case 4: return ElfImage.R32(d);
                case 8: return ElfImage.R64(d);
            }
            return 0;
        }

        /// <summary>Length of the string in a descriptor: up to the first NUL, at most size bytes.</summary>
        static ulong StrLen(byte* s, ulong size)
        {
            ulong n = 0;
            while (n < size && s[n] != 0) n++;
            return n;
        }

        static bool StartsWith(byte* s, ulong len, string lit)
        {
            if ((ulong)lit.Length > len) return false;
            for (int i = 0; i < lit.Length; i++)
                if (s[i] != (byte)lit[i]) return false;
            return true;
        }

        static bool StrEquals(byte* s, ulong len, string lit)
        {
            return (ulong)lit.Length == len && StartsWith(s, len, lit);
        }

        static bool Contains(byte* s, ulong len, string lit)
        {
            ulong l = (ulong)lit.Length;
            if (l > len) return false;
            for (ulong i = 0; i + l <= len; i++)
                if (StartsWith(s + i, len - i, lit)) return true;
            return false;
        }

        static ElfError ParseXenNote(uint type, byte* desc, ulong descsz, ref ElfDomainParams parms)
        {
            ulong val = Numeric(desc, descsz);
            ulong slen = StrLen(desc, descsz);
            switch (type)
            {
                case XEN_ELFNOTE_ENTRY: parms.VirtEntry = val; break;
                case XEN_ELFNOTE_HYPERCALL_PAGE: parms.VirtHypercall = val; break;
                case XEN_ELFNOTE_VIRT_BASE: parms.VirtBase = val; break;
                case XEN_ELFNOTE_PADDR_OFFSET: parms.ElfPaddrOffset = val; break;
                case XEN_ELFNOTE_HV_START_LOW: parms.VirtHvStartLow = val; break;
                case XEN_ELFNOTE_INIT_P2M: parms.P2mBase = val; break;
                case XEN_ELFNOTE_MOD_START_PFN: parms.ModStartPfn = val != 0; break;
                case XEN_ELFNOTE_L1_MFN_VALID: parms.L1MfnValid = true; break;
                case XEN_ELFNOTE_SUSPEND_CANCEL: parms.SuspendCancel = true; break;
                // libelf compares these with strncmp over the expected length: a prefix match.
                case XEN_ELFNOTE_XEN_VERSION: parms.XenVersion30 = StartsWith(desc, slen, "xen-3.0"); break;
                case XEN_ELFNOTE_GUEST_OS: parms.GuestOsLinux = StartsWith(desc, slen, "linux"); break;
                case XEN_ELFNOTE_LOADER: parms.LoaderGeneric = StartsWith(desc, slen, "generic"); break;
                case XEN_ELFNOTE_PAE_MODE:
                    if (StrEquals(desc, slen, "yes") || StartsWith(desc, slen, "yes[") || Contains(desc, slen, "bimodal"))
                        parms.PaeYes = true;
                    break;
                case XEN_ELFNOTE_FEATURES:
                    return ParseFeatures(desc, slen, ref parms.FeaturesSupported, ref parms.FeaturesRequired);
                case XEN_ELFNOTE_SUPPORTED_FEATURES:
                    // elf_note_numeric_array(note, 4, 0): one 32-bit submap (XENFEAT_NR_SUBMAPS = 1).
                    parms.HasSupportedFeaturesNote = true;
                    if (descsz >= 4 && (descsz & 3) == 0)
                        parms.FeaturesSupported |= ElfImage.R32(desc);
                    break;
                // GUEST_VERSION, BSD_SYMTAB, PHYS32_ENTRY (PVH) and unknown types: ignored.
            }
            return ElfError.None;
        }

        /// <summary>
        /// elf_xen_parse_features: "|"-separated feature names; "!name" means required (and
        /// supported). Unknown names are ignored unless required, which is an error.
        /// </summary>
        public static ElfError ParseFeatures(byte* s, ulong len, ref uint supported, ref uint required)
        {
            ulong pos = 0;
            while (pos < len && s[pos] != 0)
            {
                ulong tlen = 0;
                ulong advance;
                for (;;)
                {
                    if (tlen >= MaxFeatureToken) { advance = tlen; break; }
                    if (pos + tlen >= len || s[pos + tlen] == 0) { advance = tlen; break; }
                    if (s[pos + tlen] == (byte)'|') { advance = tlen + 1; break; }
                    tlen++;
                }

                byte* tok = s + pos;
                bool req = tlen > 0 && tok[0] == (byte)'!';
                byte* nm = req ? tok + 1 : tok;
                ulong nlen = req ? tlen - 1 : tlen;
                bool found = false;
                for (int nr = 0; nr < 32; nr++)
                {
                    string name = FeatureName(nr);
                    if (name.Length == 0) continue;
                    if (!StrEquals(nm, nlen, name)) continue;
                    supported |= 1u << nr;
                    if (req) required |= 1u << nr;
                    found = true;
                    break;
                }
                if (!found && req) return ElfError.UnknownRequiredFeature;
                pos += advance;
            }
            return ElfError.None;
        }
    }
}
