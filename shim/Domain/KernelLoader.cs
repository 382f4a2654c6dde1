namespace Microxen.Domain
{
    /// <summary>
    /// Copies the kernel's PT_LOAD segments into the guest's pages through its page tables, as
    /// libelf's elf_load_binary(): each segment goes to paddr + (VIRT_BASE - PADDR_OFFSET) (by
    /// physical address: Linux's per-cpu segment has virtual address 0), file bytes copied, the
    /// rest up to memsz left zero (the builder zeroed every page of the bootstrap area).
    /// </summary>
    public static unsafe class KernelLoader
    {
        /// <summary>Guest virtual address a segment is loaded at.</summary>
        public static ulong LoadAddress(in ElfDomainParams parms, in ElfProgramHeader seg) =>
            seg.PAddr + (parms.VirtBase - parms.ElfPaddrOffset);

        /// <summary>True for the segments libelf loads: PT_LOAD with any of R, W, X.</summary>
        public static bool IsLoadable(in ElfProgramHeader seg) =>
            (seg.Flags & (ElfImage.PF_R | ElfImage.PF_W | ElfImage.PF_X)) != 0;

        /// <summary>Checks every loadable segment lies in [vkern_start, vkern_end) inside [v_start, v_end).</summary>
        public static BuildError Check(in ElfImage kernel, in ElfDomainParams parms, in DomainLayout lay)
        {
            if (lay.VKernStart < lay.VStart || lay.VKernEnd > lay.VEnd) return BuildError.SegmentOutsideLayout;
            for (int i = 0; i < kernel.LoadSegmentCount; i++)
            {
                ElfProgramHeader seg;
                if (!kernel.GetLoadSegment(i, out seg)) return BuildError.BadKernelParams;
                if (!IsLoadable(seg)) continue;
                ulong va = LoadAddress(parms, seg);
                ulong end = va + seg.MemSize;
                if (end < va || va < lay.VKernStart || end > lay.VKernEnd) return BuildError.SegmentOutsideLayout;
                if (seg.FileSize > seg.MemSize) return BuildError.BadKernelParams;
                if (seg.FileSize != 0 && kernel.SegmentData(seg) == null) return BuildError.BadKernelParams;
            }
            return BuildError.Ok;
        }

        /// <summary>Copies the file bytes of every loadable segment (call <see cref="Check"/> first).</summary>
        public static BuildError Load(PhysMem mem, ulong l4, in ElfImage kernel, in ElfDomainParams parms)
        {
            for (int i = 0; i < kernel.LoadSegmentCount; i++)
            {
                ElfProgramHeader seg;
                if (!kernel.GetLoadSegment(i, out seg)) return BuildError.BadKernelParams;
                if (!IsLoadable(seg) || seg.FileSize == 0) continue;
                byte* src = kernel.SegmentData(seg);
                ulong va = LoadAddress(parms, seg);
                ulong left = seg.FileSize;
                while (left != 0)
                {
                    ulong ma;
                    if (!PageTables.Translate(mem, l4, va, out ma)) return BuildError.SegmentOutsideLayout;
                    ulong chunk = 4096 - (va & 0xFFF);
                    if (chunk > left) chunk = left;
                    byte* dst = mem.At(ma);
                    for (ulong b = 0; b < chunk; b++) dst[b] = src[b];
                    src += chunk; va += chunk; left -= chunk;
                }
            }
            return BuildError.Ok;
        }
    }
}
