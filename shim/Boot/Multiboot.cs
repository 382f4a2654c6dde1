namespace Microxen.Boot
{
    /// <summary>
    /// Reads the multiboot v1 (magic 0x2BADB002, multiboot spec 3.3) or multiboot2 (magic
    /// 0x36d76289, multiboot2 spec 3.6) information into a <see cref="BootInfo"/>. Physical
    /// addresses are read through the direct map at <c>directMap</c>.
    /// </summary>
    public static unsafe class Multiboot
    {
        public const uint Magic1 = 0x2BADB002;
        public const uint Magic2 = 0x36d76289;

        static byte EmptyString;

        /// <summary>False when the magic is neither v1 nor v2 or no memory map was given.</summary>
        public static bool Parse(uint magic, ulong infoPhys, byte* directMap, BootInfo* bi)
        {
            bi->MemoryRegionCount = 0;
            bi->ModuleCount = 0;
            bi->LoaderName = null;
            bi->StringsUsed = 0;
            bi->RsdpLength = 0;
            bi->EfiSystemTable = 0;
            bi->EfiMemoryMapBytes = 0;
            bi->Vga = default;
            fixed (byte* e = &EmptyString) bi->CmdLine = e;
            byte* info = directMap + infoPhys;
            bool ok;
            if (magic == Magic1) ok = ParseV1(info, directMap, bi);
            else if (magic == Magic2) { bi->Multiboot2 = true; ok = ParseV2(info, directMap, bi); }
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

        static bool ParseV1(byte* info, byte* dm, BootInfo* bi)
        {
            uint flags = *(uint*)info;
            if ((flags & (1 << 2)) != 0) bi->CmdLine = Copy(bi, dm + *(uint*)(info + 16));
            if ((flags & (1 << 9)) != 0) bi->LoaderName = Copy(bi, dm + *(uint*)(info + 64));
            if ((flags & (1 << 3)) != 0)
            {
                uint count = *(uint*)(info + 20);
                byte* mods = dm + *(uint*)(info + 24);
                for (uint i = 0; i < count && bi->ModuleCount < BootInfo.MaxModules; i++)
                {
                    byte* m = mods + i * 16;
                    AddModule(bi, *(uint*)m, *(uint*)(m + 4), *(uint*)(m + 8) != 0 ? dm + *(uint*)(m + 8) : null);
                }
            }
            if ((flags & (1 << 6)) == 0) return false;
            uint length = *(uint*)(info + 44);
            byte* p = dm + *(uint*)(info + 48);
            byte* end = p + length;
            while (p < end)
            {
                uint size = *(uint*)p;
                AddRegion(bi, *(ulong*)(p + 4), *(ulong*)(p + 12), *(uint*)(p + 20));
                p += size + 4;
            }
            return true;
        }

        static bool ParseV2(byte* info, byte* dm, BootInfo* bi)
        {
            uint total = *(uint*)info;
            byte* p = info + 8;
            byte* end = info + total;
            while (p + 8 <= end)
            {
                uint type = *(uint*)p;
                uint size = *(uint*)(p + 4);
                if (type == 0) break;
                if (type == TagCmdLine) bi->CmdLine = Copy(bi, p + 8);
                else if (type == TagLoaderName) bi->LoaderName = Copy(bi, p + 8);
                else if (type == TagModule) AddModule(bi, *(uint*)(p + 8), *(uint*)(p + 12), p + 16);
                else if (type == TagFramebuffer) MultibootTags.Framebuffer(p, size, bi);
                else if (type == TagEfi64SystemTable && size >= 16) bi->EfiSystemTable = *(ulong*)(p + 8);
                else if (type == TagAcpiOld || type == TagAcpiNew) MultibootTags.Rsdp(p + 8, size - 8, bi);
                else if (type == TagEfiMemoryMap) MultibootTags.EfiMap(p, size, bi);
                else if (type == TagMemoryMap)
                {
                    uint entrySize = *(uint*)(p + 8);
                    for (byte* e = p + 16; e + entrySize <= p + size; e += entrySize)
                        AddRegion(bi, *(ulong*)e, *(ulong*)(e + 8), *(uint*)(e + 16));
                }
                p += (size + 7) & ~7u;
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
            else bi->ModuleCmdLine[i] = (ulong)Copy(bi, cmdline);
        }

        /// <summary>
        /// Copies the NUL-terminated <paramref name="s"/> into <see cref="BootInfo.Strings"/>; when they
        /// are full, sets StringsUsed to -1 (Parse then fails) and returns the empty string.
        /// </summary>
        static byte* Copy(BootInfo* bi, byte* s)
        {
            byte* empty;
            fixed (byte* e = &EmptyString) empty = e;
            if (bi->StringsUsed < 0) return empty;
            int n = 0;
            while (s[n] != 0) n++;
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
