namespace Microxen.Domain
{
    /// <summary>
    /// Reads the Xen ELF notes (public/elfnote.h) of a PV kernel into <see cref="ElfDomainParams"/>,
    /// following the behaviour of Xen 4.17's libelf (libelf-dominfo.c): notes named "Xen" in the
    /// PT_NOTE segments, else in the SHT_NOTE sections; then the same sanity checks and address
    /// computation (virt_kstart/virt_kend from the PT_LOAD segments' physical addresses shifted by
    /// VIRT_BASE - PADDR_OFFSET; entry defaulting to e_entry, which may be 0 for a kernel linked
    /// at address 0). Without any "Xen" note, the legacy "__xen_guest" section string (Xen 4.17
    /// still reads it for PV guests: "GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0x...,...") is
    /// parsed as elf_xen_parse_guest_info does; then PADDR_OFFSET defaults to VIRT_BASE, not 0.
    /// What libelf refuses, and nothing else, is an <see cref="ElfError"/> here; the dom0 rules of
    /// dom0_build.c (supervisor_mode_kernel, the dom0 feature) are <c>KernelChecks</c>'.
    /// </summary>
    public static unsafe class XenNotes
    {
        // Note types: Xen.ElfNote (public/elfnote.h); feature numbers: Xen.XenFeature (public/features.h).

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
                case Microxen.Xen.XenFeature.WritablePageTables: return "writable_page_tables";
                case Microxen.Xen.XenFeature.WritableDescriptorTables: return "writable_descriptor_tables";
                case Microxen.Xen.XenFeature.AutoTranslatedPhysmap: return "auto_translated_physmap";
                case Microxen.Xen.XenFeature.SupervisorModeKernel: return "supervisor_mode_kernel";
                case Microxen.Xen.XenFeature.PaePgdirAbove4gb: return "pae_pgdir_above_4gb";
                case Microxen.Xen.XenFeature.HvmCallbackVector: return "hvm_callback_vector";
                case Microxen.Xen.XenFeature.Dom0: return "dom0";
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

            // 3. Finally the legacy __xen_guest section (PV only).
            if (st.XenNotes == 0)
            {
                for (int i = 1; i < img.SectionCount; i++)
                {
                    if (!img.SectionNameIs(i, "__xen_guest")) continue;
                    ElfSection sh;
                    if (!img.GetSection(i, out sh) || !img.SectionInFile(sh)) return ElfError.BadNote;
                    err = ParseGuestInfo(img.Data + sh.Offset, sh.Size, ref parms);
                    if (err != ElfError.None) return err;
                    parms.LegacyGuestInfo = true;
                    break;
                }
            }

            // 4. elf_xen_note_check.
            if (st.XenNotes == 0 && !parms.LegacyGuestInfo) return ElfError.NoXenNotes;
            parms.HasXenNotes = true;
            if (!parms.LoaderGeneric && !parms.GuestOsLinux) return ElfError.NotLinuxOrGeneric;
            if (!parms.XenVersion30) return ElfError.NotXen30;

            // 5. elf_xen_addr_calc_check (PV).
            if (parms.ElfPaddrOffset != ElfDomainParams.Unset && parms.VirtBase == ElfDomainParams.Unset)
                return ElfError.PaddrOffsetWithoutVirtBase;
            if (parms.VirtBase == ElfDomainParams.Unset) parms.VirtBase = 0;   // "VIRT_BASE unset, using 0"
            // Notes interface: 0. Legacy __xen_guest: VIRT_BASE (old hypervisors loaded by vaddr).
            if (parms.ElfPaddrOffset == ElfDomainParams.Unset)
                parms.ElfPaddrOffset = parms.LegacyGuestInfo ? parms.VirtBase : 0;

            // elf->pstart / elf->pend: PT_LOAD segments with any of R/W/X, by physical address.
            ulong low = ulong.MaxValue, high = 0;
            for (int i = 0; i < img.LoadSegmentCount; i++)
            {
                ElfProgramHeader seg;
                if (!img.GetLoadSegment(i, out seg)) break;
                if ((seg.Flags & (ElfImage.PF_R | ElfImage.PF_W | ElfImage.PF_X)) == 0) continue;
                if (seg.PAddr < low) low = seg.PAddr;
                if (seg.PAddr + seg.MemSize > high) high = seg.PAddr + seg.MemSize;
            }
            ulong virtOffset = parms.VirtBase - parms.ElfPaddrOffset;
            parms.VirtKStart = low + virtOffset;
            parms.VirtKEnd = high + virtOffset;

            // No ENTRY note: e_entry, whatever it is (0 for a kernel linked at address 0 is fine).
            if (parms.VirtEntry == ElfDomainParams.Unset) parms.VirtEntry = img.Entry;

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
                case ElfNote.Entry: parms.VirtEntry = val; break;
                case ElfNote.HypercallPage: parms.VirtHypercall = val; break;
                case ElfNote.VirtBase: parms.VirtBase = val; break;
                case ElfNote.PaddrOffset: parms.ElfPaddrOffset = val; break;
                case ElfNote.HvStartLow: parms.VirtHvStartLow = val; break;
                case ElfNote.InitP2m: parms.P2mBase = val; break;
                case ElfNote.ModStartPfn: parms.ModStartPfn = val != 0; break;
                case ElfNote.L1MfnValid: parms.L1MfnValid = true; break;
                case ElfNote.SuspendCancel: parms.SuspendCancel = true; break;
                // libelf compares these with strncmp over the expected length: a prefix match.
                case ElfNote.XenVersion: parms.XenVersion30 = StartsWith(desc, slen, "xen-3.0"); break;
                case ElfNote.GuestOs: parms.GuestOsLinux = StartsWith(desc, slen, "linux"); break;
                case ElfNote.Loader: parms.LoaderGeneric = StartsWith(desc, slen, "generic"); break;
                case ElfNote.PaeMode:
                    // libelf: strcmp(str, "yes") or strstr(str, "bimodal"); anything else (also
                    // "yes[extended-cr3]", which only the __xen_guest string knows) leaves pae 0.
                    if (StrEquals(desc, slen, "yes") || Contains(desc, slen, "bimodal"))
                        parms.PaeYes = true;
                    break;
                case ElfNote.Features:
                    return ParseFeatures(desc, slen, ref parms.FeaturesSupported, ref parms.FeaturesRequired);
                case ElfNote.SupportedFeatures:
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
        /// elf_xen_parse_guest_info: the legacy "__xen_guest" section, a NUL-terminated string of
        /// comma-separated NAME=VALUE items (names up to 31 characters, values up to 127, longer
        /// ones split as libelf splits them). Strings: LOADER, GUEST_OS, XEN_VER, PAE ("yes..."
        /// sets it), BSD_SYMTAB; numbers (strtoull base 0): VIRT_BASE, VIRT_ENTRY,
        /// ELF_PADDR_OFFSET, HYPERCALL_PAGE (a page number, plus VIRT_BASE when both are given);
        /// FEATURES as the note. The string ends at the section's end if it has no NUL.
        /// </summary>
        public static ElfError ParseGuestInfo(byte* s, ulong size, ref ElfDomainParams parms)
        {
            const ulong NameMax = 31, ValueMax = 127;
            ulong h = 0;
            while (h < size && s[h] != 0)
            {
                byte* name = s + h;
                ulong nlen = 0;
                byte* value = s;
                ulong vlen = 0;
                for (; ; nlen++, h++)
                {
                    if (nlen >= NameMax || h >= size || s[h] == 0) break;
                    if (s[h] == (byte)',') { h++; break; }
                    if (s[h] == (byte)'=')
                    {
                        h++;
                        value = s + h;
                        for (; ; vlen++, h++)
                        {
                            if (vlen >= ValueMax || h >= size || s[h] == 0) break;
                            if (s[h] == (byte)',') { h++; break; }
                        }
                        break;
                    }
                }
                if (StrEquals(name, nlen, "LOADER")) parms.LoaderGeneric = StartsWith(value, vlen, "generic");
                if (StrEquals(name, nlen, "GUEST_OS")) parms.GuestOsLinux = StartsWith(value, vlen, "linux");
                if (StrEquals(name, nlen, "XEN_VER")) parms.XenVersion30 = StartsWith(value, vlen, "xen-3.0");
                if (StrEquals(name, nlen, "PAE") && StartsWith(value, vlen, "yes")) parms.PaeYes = true;
                if (StrEquals(name, nlen, "VIRT_BASE")) parms.VirtBase = StrToULong(value, vlen);
                if (StrEquals(name, nlen, "VIRT_ENTRY")) parms.VirtEntry = StrToULong(value, vlen);
                if (StrEquals(name, nlen, "ELF_PADDR_OFFSET")) parms.ElfPaddrOffset = StrToULong(value, vlen);
                if (StrEquals(name, nlen, "HYPERCALL_PAGE")) parms.VirtHypercall = StrToULong(value, vlen) << 12;
                if (StrEquals(name, nlen, "FEATURES"))
                {
                    ElfError e = ParseFeatures(value, vlen, ref parms.FeaturesSupported, ref parms.FeaturesRequired);
                    if (e != ElfError.None) return e;
                }
            }
            if (parms.VirtBase != ElfDomainParams.Unset && parms.VirtHypercall != ElfDomainParams.Unset)
                parms.VirtHypercall += parms.VirtBase;
            return ElfError.None;
        }

        /// <summary>strtoull(s, NULL, 0) over <paramref name="len"/> bytes: leading blanks, then
        /// "0x" + hex digits, a leading "0" (octal) or decimal; stops at the first invalid digit;
        /// saturates at ulong.MaxValue on overflow as the C library does.</summary>
        public static ulong StrToULong(byte* s, ulong len)
        {
            ulong i = 0;
            while (i < len && (s[i] == (byte)' ' || s[i] == (byte)'\t')) i++;
            uint radix = 10;
            if (i < len && s[i] == (byte)'0')
            {
                radix = 8;
                if (i + 2 < len && (s[i + 1] == (byte)'x' || s[i + 1] == (byte)'X') && HexDigit(s[i + 2]) < 16)
                {
                    radix = 16;
                    i += 2;
                }
            }
            ulong v = 0;
            bool overflow = false;
            for (; i < len; i++)
            {
                uint d = HexDigit(s[i]);
                if (d >= radix) break;
                if (v > (ulong.MaxValue - d) / radix) overflow = true;
                v = v * radix + d;
            }
            return overflow ? ulong.MaxValue : v;
        }

        static uint HexDigit(byte c)
        {
            if (c >= (byte)'0' && c <= (byte)'9') return (uint)(c - (byte)'0');
            if (c >= (byte)'a' && c <= (byte)'f') return (uint)(c - (byte)'a' + 10);
            if (c >= (byte)'A' && c <= (byte)'F') return (uint)(c - (byte)'A' + 10);
            return 99;
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
