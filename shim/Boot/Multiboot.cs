namespace Microxen.Boot
{
    /// <summary>
    /// Reads the multiboot v1 (magic 0x2BADB002, multiboot spec 3.3) or multiboot2 (magic
    /// 0x36d76289, multiboot2 spec 3.6) information into a <see cref="BootInfo"/>. Physical
    /// addresses are read through the direct map at <c>directMap</c>, bounded: every structure,
    /// string and tag must lie below the view's size (the boot direct map, <see cref="BootViewBytes"/>,
    /// in the shim; the input in the fuzzer), else Parse fails. Tags shorter than their header,
    /// memory maps with entries shorter than an entry, and strings without their NUL within the
    /// view or tag are refused.
    /// </summary>
    public static unsafe class Multiboot
    {
        public const uint Magic1 = 0x2BADB002;
        public const uint Magic2 = 0x36d76289;

        /// <summary>Bytes of physical memory the boot page tables map (BootCode.asm.cs: one PD of 512 2 MiB pages).</summary>
        public const ulong BootViewBytes = 512UL << 21;
        /// <summary>Multiboot v1 information: bytes up to and including boot_loader_name (spec 3.3).</summary>
        const ulong V1InfoBytes = 68;
        /// <summary>v1 module entry; v1 mmap entry after its size word; v2 tag header; v2 mmap entry (spec 3.3, 3.6.8).</summary>
        const uint V1ModuleBytes = 16, V1MmapEntryBytes = 20, TagHeaderBytes = 8, V2MmapEntryBytes = 24;

        static byte EmptyString;
        static byte* s_dm;
        static ulong s_view;

        /// <summary>As <see cref="Parse(uint, ulong, byte*, ulong, BootInfo*)"/> over the boot direct map.</summary>
        public static bool Parse(uint magic, ulong infoPhys, byte* directMap, BootInfo* bi) =>
            Parse(magic, infoPhys, directMap, BootViewBytes, bi);

        /// <summary>
        /// False when the magic is neither v1 nor v2, no memory map was given, or anything read lies
        /// outside physical 0..<paramref name="viewBytes"/> (or a tag or string is malformed).
        /// </summary>
        public static bool Parse(uint magic, ulong infoPhys, byte* directMap, ulong viewBytes, BootInfo* bi)
        {
            s_dm = directMap;
            s_view = viewBytes;
            bi->MemoryRegionCount = 0;
            bi->ModuleCount = 0;
            bi->LoaderName = null;
            bi->StringsUsed = 0;
            bi->RsdpLength = 0;
            bi->EfiSystemTable = 0;
            bi->EfiMemoryMapBytes = 0;
            bi->Vga = default;
            fixed (byte* e = &EmptyString) bi->CmdLine = e;
            bool ok;
            if (magic == Magic1) ok = ParseV1(infoPhys, bi);
            else if (magic == Magic2) { bi->Multiboot2 = true; ok = ParseV2(infoPhys, bi); }
            else return false;
            if (!ok || bi->MemoryRegionCount == 0 || bi->StringsUsed < 0) return false;
            bool grub2 = bi->LoaderName != null && StartsWith(bi->LoaderName, "GRUB 2");
            if (!grub2)
            {
                // Loaders other than GRUB 2 (QEMU among them) put the file name first: drop it,
                // as Xen's cmdline_cook() does.
                bi->CmdLine = SkipFirstWord(bi->CmdLine);
                for (int i = 0; i < bi->ModuleCount; i++)
                    bi->ModuleCmdLine[i] = (ulong)SkipFirstWord((byte*)bi->ModuleCmdLine[i]);
            }
            return true;
        }

        /// <summary><paramref name="len"/> bytes at physical <paramref name="phys"/> through the direct map, or null outside the view.</summary>
        static byte* At(ulong phys, ulong len) => phys <= s_view && len <= s_view - phys ? s_dm + phys : null;

        /// <summary>The string at physical <paramref name="phys"/> copied (<see cref="Copy"/>); false when its NUL is not in the view.</summary>
        static bool CopyAt(BootInfo* bi, ulong phys, out byte* copy)
        {
            copy = null;
            if (phys >= s_view) return false;
            copy = Copy(bi, s_dm + phys, s_view - phys);
            return copy != null;
        }

        static bool ParseV1(ulong infoPhys, BootInfo* bi)
        {
            byte* info = At(infoPhys, V1InfoBytes);
            if (info == null) return false;
            uint flags = *(uint*)info;
            if ((flags & (1 << 2)) != 0 && !CopyAt(bi, *(uint*)(info + 16), out bi->CmdLine)) return false;
            if ((flags & (1 << 9)) != 0 && !CopyAt(bi, *(uint*)(info + 64), out bi->LoaderName)) return false;
            if ((flags & (1 << 3)) != 0)
            {
                uint count = *(uint*)(info + 20);
                ulong mods = *(uint*)(info + 24);
                for (uint i = 0; i < count && bi->ModuleCount < BootInfo.MaxModules; i++)
                {
                    byte* m = At(mods + i * V1ModuleBytes, V1ModuleBytes);
                    if (m == null) return false;
                    byte* cmd = null;
                    if (*(uint*)(m + 8) != 0 && !CopyAt(bi, *(uint*)(m + 8), out cmd)) return false;
                    AddModule(bi, *(uint*)m, *(uint*)(m + 4), cmd);
                }
            }
            if ((flags & (1 << 6)) == 0) return false;
            uint length = *(uint*)(info + 44);
            byte* p = At(*(uint*)(info + 48), length);
            if (p == null) return false;
            // Each entry: size u32, then size bytes (base u64, length u64, type u32 at least).
            for (ulong off = 0; off + 4 + V1MmapEntryBytes <= length; )
            {
                uint size = *(uint*)(p + off);
                if (size < V1MmapEntryBytes) return false;
                AddRegion(bi, *(ulong*)(p + off + 4), *(ulong*)(p + off + 12), *(uint*)(p + off + 20));
                off += (ulong)size + 4;
            }
            return true;
        }

        static bool ParseV2(ulong infoPhys, BootInfo* bi)
        {
            byte* info = At(infoPhys, TagHeaderBytes);
            if (info == null) return false;
            uint total = *(uint*)info;
            if (total < TagHeaderBytes || At(infoPhys, total) == null) return false;
            for (ulong off = TagHeaderBytes; off + TagHeaderBytes <= total; )
            {
                byte* p = info + off;
                uint type = *(uint*)p;
                uint size = *(uint*)(p + 4);
                if (type == 0) break;
                if (size < TagHeaderBytes || size > total - off) return false;
                if (!Tag(p, type, size, bi)) return false;
                off += ((ulong)size + 7) & ~7UL;
            }
            // Under UEFI the shim's map is the EFI one, classified as Xen does (efi_arch_process_memory_map).
            if (bi->EfiMemoryMapBytes != 0) MultibootTags.RegionsFromEfiMap(bi);
            if (bi->Vga.VideoType == Microxen.Xen.Dom0VgaConsoleInfo.XEN_VGATYPE_VESA_LFB && bi->EfiSystemTable != 0)
            {
                // A GOP framebuffer, as Xen's efi_arch_video_init reports it: possibly not VGA-compatible.
                bi->Vga.VideoType = Microxen.Xen.Dom0VgaConsoleInfo.XEN_VGATYPE_EFI_LFB;
                bi->Vga.VesaGblCaps = 2;
            }
            return true;
        }

        /// <summary>One multiboot2 tag of <paramref name="size"/> bytes (at least its header, inside the information); false when malformed.</summary>
        static bool Tag(byte* p, uint type, uint size, BootInfo* bi)
        {
            byte* body = p + TagHeaderBytes;
            uint bodyBytes = size - TagHeaderBytes;
            switch (type)
            {
                case TagCmdLine: return (bi->CmdLine = Copy(bi, body, bodyBytes)) != null;
                case TagLoaderName: return (bi->LoaderName = Copy(bi, body, bodyBytes)) != null;
                case TagModule:
                {
                    if (bodyBytes < 8) return false;
                    byte* cmd = Copy(bi, body + 8, bodyBytes - 8);
                    if (cmd == null) return false;
                    AddModule(bi, *(uint*)body, *(uint*)(body + 4), cmd);
                    return true;
                }
                case TagFramebuffer: MultibootTags.Framebuffer(p, size, bi); return true;
                case TagEfi64SystemTable: if (size >= 16) bi->EfiSystemTable = *(ulong*)body; return true;
                case TagAcpiOld:
                case TagAcpiNew: MultibootTags.Rsdp(body, bodyBytes, bi); return true;
                case TagEfiMemoryMap: MultibootTags.EfiMap(p, size, bi); return true;
                case TagMemoryMap:
                {
                    if (size < 16) return false;
                    uint entrySize = *(uint*)body;
                    if (entrySize < V2MmapEntryBytes) return false;
                    for (uint e = 16; e + entrySize <= size; e += entrySize)
                        AddRegion(bi, *(ulong*)(p + e), *(ulong*)(p + e + 8), *(uint*)(p + e + 16));
                    return true;
                }
                default: return true;
            }
        }

        /// <summary>Multiboot2 information tag types (multiboot2 spec 3.6).</summary>
        public const uint TagCmdLine = 1, TagLoaderName = 2, TagModule = 3, TagMemoryMap = 6, TagFramebuffer = 8,
            TagEfi64SystemTable = 12, TagAcpiOld = 14, TagAcpiNew = 15, TagEfiMemoryMap = 17;

        static void AddModule(BootInfo* bi, ulong start, ulong end, byte* cmdline)
        {
            if (bi->ModuleCount >= BootInfo.MaxModules) return;
            int i = bi->ModuleCount++;
            bi->ModuleStart[i] = start;
            bi->ModuleEnd[i] = end;
            if (cmdline == null) fixed (byte* e = &EmptyString) bi->ModuleCmdLine[i] = (ulong)e;
            else bi->ModuleCmdLine[i] = (ulong)cmdline;
        }

        /// <summary>
        /// Copies the NUL-terminated <paramref name="s"/> (its NUL within <paramref name="max"/> bytes,
        /// else null) into <see cref="BootInfo.Strings"/>; when they are full, sets StringsUsed to -1
        /// (Parse then fails) and returns the empty string.
        /// </summary>
        static byte* Copy(BootInfo* bi, byte* s, ulong max)
        {
            byte* empty;
            fixed (byte* e = &EmptyString) empty = e;
            int n = 0;
            while ((ulong)n < max && n <= BootInfo.StringBytes && s[n] != 0) n++;
            if ((ulong)n >= max) return null;
            if (bi->StringsUsed < 0) return empty;
            if (bi->StringsUsed + n + 1 > BootInfo.StringBytes) { bi->StringsUsed = -1; return empty; }
            byte* d = bi->Strings + bi->StringsUsed;
            for (int i = 0; i <= n; i++) d[i] = s[i];
            bi->StringsUsed += n + 1;
            return d;
        }

        internal static void AddRegion(BootInfo* bi, ulong addr, ulong size, uint type)
        {
            if (bi->MemoryRegionCount >= BootInfo.MaxMemoryRegions) return;
            var r = bi->Region(bi->MemoryRegionCount++);
            r->Addr = addr;
            r->Size = size;
            r->Type = type;
        }

        static bool StartsWith(byte* s, string prefix)
        {
            for (int i = 0; i < prefix.Length; i++) if (s[i] != (byte)prefix[i]) return false;
            return true;
        }

        public static byte* SkipFirstWord(byte* s)
        {
            while (*s == (byte)' ') s++;
            while (*s != 0 && *s != (byte)' ') s++;
            while (*s == (byte)' ') s++;
            return s;
        }
    }
}
