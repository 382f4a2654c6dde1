namespace Microxen.Domain
{
    /// <summary>
    /// Builds a 64-bit PV initial domain (dom0: SIF_INITDOMAIN | SIF_PRIVILEGED) the way Xen 4.17's
    /// dom0_construct_pv() lays it out (see <see cref="DomainLayout"/>): kernel loaded at its
    /// addresses, p2m list (at INIT_P2M with its own page tables when the kernel asks), start_info,
    /// initial page tables (L4 first, mapped read-only), one page of boot stack; every page of
    /// [v_start, v_end) mapped; the shim's L4 slots 256..271 copied in; the M2P filled.
    ///
    /// Frames: identity p2m (pfn == mfn) wherever the frame is free, substitutes otherwise
    /// (<see cref="P2mPlan"/>). The initrd is not copied: its frames become guest pages, the low
    /// pfns with MOD_START_PFN (start_info.mod_start = first pfn), else mapped after the kernel
    /// as Xen does (mod_start = its virtual address).
    ///
    /// The transfer page (XEN_ELFNOTE_HYPERCALL_PAGE) is not filled: its address and frame are
    /// in the result for the caller. shared_info is not touched (the shim owns it). A failed build
    /// leaves the allocator and the M2P partly consumed.
    /// </summary>
    public static unsafe class DomainBuilder
    {
        public static BuildError Build(ref DomainBuildInput input, ref FrameAllocator frames, out DomainBuildResult result)
        {
            result = default(DomainBuildResult);
            result.HypercallPageVa = ElfDomainParams.Unset;
            result.HypercallPageMfn = ElfDomainParams.Unset;
            PhysMem mem = input.Mem;
            if (input.ShimL4Slots == null || input.M2p == null || mem.Base == null || input.Kernel.Data == null)
                return BuildError.MissingInput;
            if (input.CmdLineLength > Microxen.Xen.StartInfo.MaxGuestCmdline - 1) return BuildError.CommandLineTooLong;
            if (input.VgaInfoSize > DomainLayout.VgaConsoleInfoSize) return BuildError.BadConsoleInfo;
            if ((input.SharedInfoMa & 0xFFF) != 0 || frames.IsFree(input.SharedInfoMa >> 12)) return BuildError.BadSharedInfo;

            // The kernel image must not be in frames we could hand out (it is read while we write).
            ulong ramBytes = frames.FrameCount << 12;
            ulong kma = (ulong)(input.Kernel.Data - mem.Base);
            bool kernelInRam = input.Kernel.Data >= mem.Base && kma < ramBytes;
            if (kernelInRam)
            {
                ulong kEnd = kma + input.Kernel.Size;
                if (kEnd > ramBytes) kEnd = ramBytes;
                for (ulong f = kma >> 12; f < (kEnd + 0xFFF) >> 12; f++)
                    if (frames.IsFree(f)) return BuildError.KernelImageNotReserved;
            }

            ulong initrdPages = (input.InitrdLength + 0xFFF) >> 12;
            if (initrdPages != 0)
            {
                if (input.InitrdMfn > PageTables.MaxMfn || initrdPages > PageTables.MaxMfn - input.InitrdMfn)
                    return BuildError.InitrdOverlapsKernel;
                if (kernelInRam)
                {
                    ulong iStart = input.InitrdMfn << 12, iEnd = iStart + (initrdPages << 12);
                    if (kma < iEnd && iStart < kma + input.Kernel.Size) return BuildError.InitrdOverlapsKernel;
                }
                if (input.InitrdMfn + initrdPages > input.M2pLength) return BuildError.M2pTooSmall;
                frames.Reserve(input.InitrdMfn, initrdPages);   // they become guest pages, never free frames
            }

            ulong nrPages = input.NrPages;
            if (nrPages == 0) nrPages = frames.FreeCount + initrdPages;
            if (nrPages < initrdPages || nrPages - initrdPages > frames.FreeCount) return BuildError.NotEnoughMemory;

            DomainLayout lay;
            BuildError e = DomainLayout.Compute(input.Parms, nrPages, input.InitrdLength, out lay);
            if (e != BuildError.Ok) return e;
            result.Layout = lay;
            e = KernelLoader.Check(input.Kernel, input.Parms, lay);
            if (e != BuildError.Ok) return e;
            if (input.Parms.VirtEntry < lay.VStart || input.Parms.VirtEntry >= lay.VEnd) return BuildError.BadKernelParams;
            bool hasHypercallPage = input.Parms.VirtHypercall != ElfDomainParams.Unset;
            if (hasHypercallPage && (input.Parms.VirtHypercall < lay.VStart || input.Parms.VirtHypercall >= lay.VEnd))
                return BuildError.BadHypercallPage;

            fixed (FrameAllocator* fa = &frames)
            {
                P2mPlan plan = default(P2mPlan);
                plan.Frames = fa;
                plan.M2p = input.M2p;
                plan.M2pLength = input.M2pLength;
                plan.NrPages = nrPages;
                plan.InitrdPfn = lay.InitrdPfn;
                plan.InitrdPages = lay.InitrdPages;
                plan.InitrdMfn = input.InitrdMfn;

                // 1. Bootstrap area and its page tables.
                ulong l4;
                e = InitialPageTables.Build(mem, lay, ref plan, input.ShimL4Slots, out l4);
                if (e != BuildError.Ok) return e;
                e = InitialPageTables.MapTablePages(mem, lay, l4, input.M2p);
                if (e != BuildError.Ok) return e;

                // 2. The p2m list at INIT_P2M, with its own tables.
                ulong p2mFrames = 0;
                if (lay.P2mSeparate)
                {
                    e = InitialPageTables.MapP2m(mem, lay, l4, ref plan, out p2mFrames);
                    if (e != BuildError.Ok) return e;
                }

                // 3. p2m entries: bootstrap pfns from the tables, the p2m's own frames from the M2P,
                //    every other pfn (ordinary pages, the initrd at the end) assigned now.
                P2mWriter w = P2mWriter.Create(mem, l4, lay.VPhysmapStart, nrPages);
                for (ulong pfn = 0; pfn < lay.BootstrapPages; pfn++)
                {
                    ulong ma;
                    if (!PageTables.Translate(mem, l4, lay.VStart + (pfn << 12), out ma)) return BuildError.PageTableMismatch;
                    if (!w.Write(pfn, ma >> 12)) return BuildError.PageTableMismatch;
                }
                if (lay.P2mSeparate)
                {
                    e = InitialPageTables.FillP2mOfP2m(mem, lay, l4, input.M2p, ref w);
                    if (e != BuildError.Ok) return e;
                }
                ulong p2mFirst = lay.FirstP2mPfn, p2mEnd = lay.FirstP2mPfn + p2mFrames;
                for (ulong pfn = lay.BootstrapPages; pfn < nrPages; pfn++)
                {
                    if (pfn >= p2mFirst && pfn < p2mEnd) continue;
                    ulong mfn = plan.Assign(pfn);
                    if (mfn == FrameAllocator.None) return plan.Error;
                    if (!w.Write(pfn, mfn)) return BuildError.PageTableMismatch;
                }

                // 4. Kernel bytes.
                e = KernelLoader.Load(mem, l4, input.Kernel, input.Parms);
                if (e != BuildError.Ok) return e;

                // 5. start_info (+ console info).
                ulong siMa;
                if (!PageTables.Translate(mem, l4, lay.VStartInfoStart, out siMa)) return BuildError.PageTableMismatch;
                e = StartInfoWriter.Write(mem.At(siMa), input, lay, p2mFrames);
                if (e != BuildError.Ok) return e;

                // 6. Transfer page: located, left for the caller to fill.
                if (hasHypercallPage)
                {
                    ulong hma;
                    ulong hva = input.Parms.VirtHypercall & ~0xFFFUL;
                    if (!PageTables.Translate(mem, l4, hva, out hma)) return BuildError.BadHypercallPage;
                    result.HypercallPageVa = hva;
                    result.HypercallPageMfn = hma >> 12;
                }

                result.EntryRip = input.Parms.VirtEntry;
                result.StackPointer = lay.VStackEnd;
                result.StartInfoVa = lay.VStartInfoStart;
                result.StartInfoMfn = siMa >> 12;
                result.Cr3 = l4 << 12;
                result.NrPages = nrPages;
                result.IdentityFrames = plan.IdentityCount;
                result.SubstituteFrames = plan.SubstituteCount;
                result.InitrdFrames = plan.InitrdCount;
                result.P2mFrames = p2mFrames;
            }
            return BuildError.Ok;
        }

        /// <summary>One-line English description of <paramref name="e"/>.</summary>
        public static string Describe(BuildError e)
        {
            switch (e)
            {
                case BuildError.Ok: return "success";
                case BuildError.BadKernelParams: return "kernel ELF parameters are unusable (extent, entry or segments)";
                case BuildError.KernelDoesNotFit: return "kernel does not fit in memory: the bootstrap area needs more pages than the domain gets";
                case BuildError.SegmentOutsideLayout: return "a kernel segment lies outside the kernel part of [v_start, v_end)";
                case BuildError.NoMemoryForPageTables: return "no memory for the initial page tables";
                case BuildError.CommandLineTooLong: return "command line longer than 1023 bytes";
                case BuildError.InitrdOverlapsKernel: return "initrd frames overlap the kernel image or lie outside machine memory";
                case BuildError.LayoutOverflow: return "domain layout overflows the address space";
                case BuildError.NonCanonicalLayout: return "domain layout is not in canonical address space";
                case BuildError.OverlapsHypervisorArea: return "domain layout overlaps the hypervisor's reserved virtual range";
                case BuildError.P2mOverlapsBootstrap: return "p2m list at INIT_P2M overlaps the bootstrap mapping";
                case BuildError.P2mDoesNotFit: return "domain too small for the initial p2m list";
                case BuildError.NotEnoughMemory: return "not enough free machine frames for the guest pages asked for";
                case BuildError.M2pTooSmall: return "a guest frame lies beyond the end of the M2P table";
                case BuildError.BadHypercallPage: return "hypercall page address outside [v_start, v_end)";
                case BuildError.BadSharedInfo: return "shared_info address not page aligned or not reserved";
                case BuildError.PageTableMismatch: return "initial page tables inconsistent with the layout (internal error)";
                case BuildError.MissingInput: return "a required input pointer is null";
                case BuildError.KernelImageNotReserved: return "kernel image lies in free frames and would be overwritten";
                case BuildError.BadConsoleInfo: return "VGA console info larger than dom0_vga_console_info";
                default: return "unknown domain build error";
            }
        }
    }
}
