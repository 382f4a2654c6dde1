using Microxen.Xen;

namespace Microxen.Boot
{
    /// <summary>
    /// The multiboot2 information tags a UEFI (or graphical) boot adds (multiboot2 spec 3.6.11-3.6.16):
    /// framebuffer, ACPI RSDP copies, the EFI memory map. Each is copied into <see cref="BootInfo"/>:
    /// the loader's memory is the shim's free RAM afterwards.
    /// </summary>
    public static unsafe class MultibootTags
    {
        /// <summary>Framebuffer tag types (multiboot2 spec 3.6.12): indexed colour, direct RGB, EGA text.</summary>
        public const byte FbIndexed = 0, FbRgb = 1, FbEgaText = 2;
        /// <summary>Font height Xen reports for VGA text mode 3 (8x16 cells).</summary>
        public const ushort TextFontHeight = 16;

        /// <summary>
        /// Tag 8: addr u64 @8, pitch u32 @16, width @20, height @24, bpp u8 @28, type u8 @29, colour
        /// info @32 (RGB: red pos/size, green pos/size, blue pos/size bytes). Direct RGB becomes
        /// XEN_VGATYPE_VESA_LFB (EFI_LFB when an EFI system table is present, as Xen's GOP path); EGA
        /// text becomes XEN_VGATYPE_TEXT_MODE_3; indexed colour is not passed on (Xen passes none).
        /// </summary>
        public static void Framebuffer(byte* tag, uint size, BootInfo* bi)
        {
            if (size < 32) return;
            ulong addr = *(ulong*)(tag + 8);
            uint pitch = *(uint*)(tag + 16), width = *(uint*)(tag + 20), height = *(uint*)(tag + 24);
            byte bpp = tag[28], type = tag[29];
            Dom0VgaConsoleInfo v = default;
            if (type == FbEgaText)
            {
                v.VideoType = Dom0VgaConsoleInfo.XEN_VGATYPE_TEXT_MODE_3;
                v.TextFontHeight = TextFontHeight;
                v.TextRows = (ushort)height;
                v.TextColumns = (ushort)width;
            }
            else if (type == FbRgb && size >= 38)
            {
                v.VideoType = Dom0VgaConsoleInfo.XEN_VGATYPE_VESA_LFB;
                v.VesaWidth = (ushort)width;
                v.VesaHeight = (ushort)height;
                v.VesaBytesPerLine = (ushort)pitch;
                v.VesaBitsPerPixel = bpp;
                v.VesaLfbBase = (uint)addr;
                v.VesaExtLfbBase = (uint)(addr >> 32);
                v.VesaLfbSize = (uint)(((ulong)pitch * height + 0xffff) >> 16);   // 64 KiB units, rounded up as Xen
                v.VesaRedPos = tag[32]; v.VesaRedSize = tag[33];
                v.VesaGreenPos = tag[34]; v.VesaGreenSize = tag[35];
                v.VesaBluePos = tag[36]; v.VesaBlueSize = tag[37];
                uint used = (uint)tag[33] + tag[35] + tag[37];
                if (bpp > used) { v.VesaRsvdSize = (byte)(bpp - used); v.VesaRsvdPos = (byte)used; }
            }
            else return;
            bi->Vga = v;
        }

        /// <summary>Tags 14 (ACPI 1.0 RSDP, 20 bytes) and 15 (ACPI 2.0+ XSDP, 36 bytes): the newest copy wins.</summary>
        public static void Rsdp(byte* rsdp, uint length, BootInfo* bi)
        {
            if (length > BootInfo.RsdpMaxBytes) length = BootInfo.RsdpMaxBytes;
            if ((int)length < bi->RsdpLength) return;
            for (uint i = 0; i < length; i++) bi->Rsdp[i] = rsdp[i];
            bi->RsdpLength = (int)length;
        }

        /// <summary>Tag 17: descr_size u32 @8, descr_vers u32 @12, descriptors @16. A map larger than the copy is cut.</summary>
        public static void EfiMap(byte* tag, uint size, BootInfo* bi)
        {
            if (size < 16) return;
            uint descSize = *(uint*)(tag + 8);
            if (descSize < EfiMemoryDescriptor.MinSize) return;
            uint bytes = size - 16;
            if (bytes > BootInfo.EfiMapMaxBytes) bytes = BootInfo.EfiMapMaxBytes;
            bytes -= bytes % descSize;
            for (uint i = 0; i < bytes; i++) bi->EfiMemoryMap[i] = tag[16 + i];
            bi->EfiMemoryMapBytes = bytes;
            bi->EfiDescSize = descSize;
            bi->EfiDescVersion = *(uint*)(tag + 12);
        }

        /// <summary>
        /// Replaces the E820-style regions with the EFI map classified as Xen 4.17's
        /// efi_arch_process_memory_map (x86/efi/efi-boot.h) with boot services memory reclaimed:
        /// conventional, loader and boot services memory is RAM when write-back and not runtime
        /// (runtime: reserved; not write-back: unusable); ACPI reclaim and NVS keep their E820 types;
        /// everything else is reserved. Adjacent regions of one type merge.
        /// </summary>
        public static void RegionsFromEfiMap(BootInfo* bi)
        {
            bi->MemoryRegionCount = 0;
            for (uint off = 0; off + bi->EfiDescSize <= bi->EfiMemoryMapBytes; off += bi->EfiDescSize)
            {
                var d = (EfiMemoryDescriptor*)(bi->EfiMemoryMap + off);
                ulong len = d->NumberOfPages << 12;
                uint type = E820TypeOf(d);
                int n = bi->MemoryRegionCount;
                if (n > 0)
                {
                    E820Entry* last = bi->Region(n - 1);
                    if (last->Type == type && last->Addr + last->Size == d->PhysicalStart) { last->Size += len; continue; }
                }
                if (len != 0) Multiboot.AddRegion(bi, d->PhysicalStart, len, type);
            }
        }

        /// <summary>The E820 type of one EFI descriptor (see <see cref="RegionsFromEfiMap"/>).</summary>
        public static uint E820TypeOf(EfiMemoryDescriptor* d)
        {
            switch (d->Type)
            {
                case EfiMemoryDescriptor.LoaderCode:
                case EfiMemoryDescriptor.LoaderData:
                case EfiMemoryDescriptor.BootServicesCode:
                case EfiMemoryDescriptor.BootServicesData:
                case EfiMemoryDescriptor.ConventionalMemory:
                    if ((d->Attribute & EfiMemoryDescriptor.AttrRuntime) != 0) return E820Entry.Reserved;
                    return (d->Attribute & EfiMemoryDescriptor.AttrWb) != 0 ? E820Entry.Ram : E820Entry.Unusable;
                case EfiMemoryDescriptor.UnusableMemory: return E820Entry.Unusable;
                case EfiMemoryDescriptor.AcpiReclaimMemory: return E820Entry.Acpi;
                case EfiMemoryDescriptor.AcpiMemoryNvs: return E820Entry.Nvs;
                default: return E820Entry.Reserved;
            }
        }
    }
}
