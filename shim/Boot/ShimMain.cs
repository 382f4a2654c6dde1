using Microxen.Config;
using Microxen.Traps;

namespace Microxen.Boot
{
    /// <summary>
    /// The shim's C# entry (shim_main), called by the boot stub in long mode with the multiboot
    /// magic and information address: set up the machine, build dom0 from the first module
    /// (the kernel; the second, if any, is its initrd), and enter it in ring 0.
    /// </summary>
    public static unsafe class ShimMain
    {
        static BootInfo s_boot;
        static NativeSymbols s_syms;
        static CpuFrame s_entry;
        struct CmdLineBuffer { public fixed byte B[1024]; }
        static CmdLineBuffer s_guestCmdLine;

        [UnmanagedCallersOnly(EntryPoint = "shim_main")]
        static void Main(ulong magic, ulong mbInfo)
        {
            Serial.Init();
            Log.Line("microxen: a ring-0 shim for Xen PV kernels");
            NativeSymbols* syms;
            fixed (NativeSymbols* s = &s_syms) { Cpu.Symbols(s); syms = s; }
            ShimCpu.Pv = (PvState*)syms->PvState;
            TrapDispatch.ShimStart = syms->ImageVirtStart;
            TrapDispatch.ShimEnd = syms->ImageVirtEnd;
            TrapDispatch.FaultFixups = (FaultFixup*)syms->FaultFixupTable;
            SyscallWindow.Init(syms);
            Idt.Init((ulong*)syms->IsrTable, 0x08, false);   // early: boot GDT, no TSS yet

            BootInfo* bi;
            fixed (BootInfo* b = &s_boot) bi = b;
            Host.Boot = bi;
            byte* bootDirectMap = (byte*)Host.DirectMapVirt;
            if (!Multiboot.Parse((uint)magic, mbInfo, bootDirectMap, bi))
                Panic.BadInput(ExitCode.BadMultiboot, "boot", "not started by a multiboot loader, or no memory map");
            Hypercalls.VersionOps.SaveCommandLine(bi->CmdLine);
            Acpi.AcpiTables.UseBootCopy(bi->Rsdp, bi->RsdpLength);

            Log.Begin(); Log.Str("boot loader: ");
            if (bi->LoaderName != null) Log.Bytes(bi->LoaderName, -1); else Log.Str("unnamed");
            Log.Str(bi->Multiboot2 ? " (multiboot2)" : " (multiboot v1)"); Log.End();

            ShimOptions opts;
            OptionError oe = ShimOptions.Parse(bi->CmdLine, out opts);
            if (oe != OptionError.None)
            {
                Log.Begin(); Log.Str("ERROR: shim command line: "); Log.Str(ShimOptions.Describe(oe)); Log.Str(": ");
                byte* w = opts.BadWord; while (*w != 0 && *w != (byte)' ') Log.Char(*w++); Log.End();
                Machine.Exit(ExitCode.BadCommandLine);
            }
            Host.Options = opts;
            Log.Level = (LogLevel)opts.LogLevel;
            if (opts.Mode == ShimMode.Checked)
            {
                // Xen's validation runs in C#: no native fast path, the dispatcher in every page entry.
                Checked.CheckedMode.On = true;
                // Xen's layout: user mode on the guest's NEW_USER_BASEPTR table, so the USER bit
                // adjust_guest_lNe adds to kernel mappings exposes nothing more than under Xen.
                opts.Inline = false;
                opts.UserPt = UserPageTable.Switch;
                Host.Options = opts;
                Log.Info("mode: checked (Xen 4.17's validation; parity, not isolation: the guest runs in ring 0; user page table always switched, as Xen)");
            }
            else Log.Info("mode: fast (no type checking)");
            Vcpu.SwitchUserPageTable = opts.UserPt == UserPageTable.Switch;
            ShimCpu.Pv->FastPaths = opts.Inline ? 1UL : 0UL;
            NativeEntry.Publish(ShimCpu.Pv);
            Log.Info(opts.Inline ? "hypercall fast paths: native (inline)" : "hypercall fast paths: off (every hypercall through the C# dispatcher)");
            Log.Info(Vcpu.SwitchUserPageTable ? "user page table: switched (MMUEXT_NEW_USER_BASEPTR, as Xen)" : "user page table: shared with the kernel");

            SetUpMemory(bi, syms);
            if (Checked.CheckedMode.On) Checked.CheckedMmu.Init();
            if (Checked.CheckedMode.On) Hypercalls.DescriptorOps.InitShadow();
            SetUpCpu(syms);
            EfiInfo.Init(bi, (byte*)Host.DirectMapVirt);
            ulong entryCr3 = BuildDomain(bi);
            EnterGuest(entryCr3);
        }

        /// <summary>Frame allocator over the memory map, the shim's page tables, the M2P table.</summary>
        static void SetUpMemory(BootInfo* bi, NativeSymbols* syms)
        {
            ulong top = 0, ramBytes = 0;
            for (int i = 0; i < bi->MemoryRegionCount; i++)
            {
                E820Entry* e = bi->Region(i);
                if (e->Type != E820Entry.Ram) continue;
                ramBytes += e->Size;
                if (e->Addr + e->Size > top) top = e->Addr + e->Size;
            }
            ulong frameCount = top >> 12;
            ulong bitmapBytes = ((FrameAllocator.WordsFor(frameCount) * 8) + 4095) & ~4095UL;

            // The bitmap goes at the top of the highest RAM below 1 GiB (what the boot tables map),
            // clear of the image and the modules.
            ulong bitmapAt = 0;
            for (int i = 0; i < bi->MemoryRegionCount; i++)
            {
                E820Entry* e = bi->Region(i);
                if (e->Type != E820Entry.Ram) continue;
                ulong end = e->Addr + e->Size;
                if (end > (1UL << 30)) end = 1UL << 30;
                if (end < bitmapBytes) continue;
                ulong at = (end - bitmapBytes) & ~4095UL;
                if (at < e->Addr || at < syms->LoadEndPhys || OverlapsModule(bi, at, bitmapBytes)) continue;
                if (at > bitmapAt) bitmapAt = at;
            }
            if (bitmapAt == 0) Panic.Stop("no room below 1 GiB for the frame bitmap");

            Host.Mem = new PhysMem((byte*)Host.DirectMapVirt);
            Host.FrameCount = frameCount;
            Host.Frames.Init((ulong*)(Host.DirectMapVirt + bitmapAt), frameCount);
            for (int i = 0; i < bi->MemoryRegionCount; i++)
            {
                E820Entry* e = bi->Region(i);
                if (e->Type != E820Entry.Ram) continue;
                ulong first = (e->Addr + 4095) >> 12, end = (e->Addr + e->Size) >> 12;
                if (end > first) Host.Frames.AddFree(first, end - first);
            }
            Host.Frames.Reserve(0, 1);
            Host.Frames.Reserve(syms->BootStart >> 12, ((syms->LoadEndPhys + 4095) >> 12) - (syms->BootStart >> 12));
            Host.Frames.Reserve(bitmapAt >> 12, bitmapBytes >> 12);
            for (int i = 0; i < bi->ModuleCount; i++)
            {
                ulong s = bi->ModuleStart[i] >> 12, e = (bi->ModuleEnd[i] + 4095) >> 12;
                if (e > s) Host.Frames.Reserve(s, e - s);
            }
            if (Log.On(LogLevel.Info))
            {
                Log.Begin(); Log.Str("memory: "); Log.Dec(ramBytes >> 20); Log.Str(" MiB RAM, top "); Log.Hex(top);
                Log.Str(", "); Log.Dec(Host.Frames.FreeCount); Log.Str(" free frames"); Log.End();
            }

            ulong directMapBytes = top < (4UL << 30) ? 4UL << 30 : top;
            Host.ShimL4 = ShimPageTables.Build(ref Host.Mem, ref Host.Frames, directMapBytes, syms->LoadEndPhys);
            Cpu.WriteCr3(Host.ShimL4 << 12);

            // M2P: one entry per machine frame, ~0 until the builder gives frames to the guest.
            Host.M2pEntries = frameCount;
            Host.M2pFrames = (frameCount * 8 + 4095) >> 12;
            ulong last = FrameAllocator.None;
            for (ulong i = 0; i < Host.M2pFrames; i++)
            {
                ulong f = Host.Frames.AllocHigh();
                if (f == FrameAllocator.None || (last != FrameAllocator.None && f != last - 1)) Panic.Stop("no contiguous memory for the M2P table");
                last = f;
            }
            Host.M2pFirstMfn = last;
            Host.M2p = (ulong*)Host.Mem.Frame(last);
            for (ulong i = 0; i < Host.M2pEntries; i++) Host.M2p[i] = Host.InvalidM2p;
            ShimPageTables.MapM2p(ref Host.Mem, ref Host.Frames, Host.ShimL4, Host.M2pFirstMfn, Host.M2pFrames);

            // The page-table frame bitmap: one bit per frame, contiguous like the M2P.
            ulong ptPages = (Host.FrameCount / 8 + 4095) >> 12;
            ulong ptLast = FrameAllocator.None;
            for (ulong i = 0; i < ptPages; i++)
            {
                ulong f = Host.Frames.AllocHigh();
                if (f == FrameAllocator.None || (ptLast != FrameAllocator.None && f != ptLast - 1)) Panic.Stop("no contiguous memory for the page-table bitmap");
                ptLast = f;
                Host.Mem.ZeroFrame(f);
            }
            Host.PtFrames.Bits = (ulong*)Host.Mem.Frame(ptLast);
            Host.PtFrames.FrameCount = Host.FrameCount;
            DeferredTreeMarks.Mem = Host.Mem;
            NativePins.Publish();

            PvState* pv = ShimCpu.Pv;
            pv->PtBitmap = (ulong)Host.PtFrames.Bits;
            pv->DirectMap = Host.DirectMapVirt;
            pv->FrameCount = Host.FrameCount;
            pv->M2p = (ulong)Host.M2p;
            pv->M2pEntries = Host.M2pEntries;
            pv->ShimSlot261 = ((ulong*)Host.Mem.Frame(Host.ShimL4))[261];
            pv->ShimL4Slots = (ulong)((ulong*)Host.Mem.Frame(Host.ShimL4) + 256);
        }

        static bool OverlapsModule(BootInfo* bi, ulong at, ulong size)
        {
            for (int i = 0; i < bi->ModuleCount; i++)
                if (at < bi->ModuleEnd[i] && bi->ModuleStart[i] < at + size) return true;
            return false;
        }

        /// <summary>The shim's GDT, TSS and IDT; syscall MSRs; legacy interrupts masked.</summary>
        static void SetUpCpu(NativeSymbols* syms)
        {
            Tss* tss = ShimCpu.Tss;
            tss->Ist[0] = syms->Ist1Top - Idt.IstGuard;
            tss->Ist[1] = syms->Ist2Top - Idt.IstGuard;
            tss->Ist[2] = syms->Ist3Top - Idt.IstGuard;
            tss->Ist[3] = syms->Ist4Top - Idt.IstGuard;
            tss->Ist[4] = syms->Ist5Top - Idt.IstGuard;
            tss->IoMapBase = Tss.Size;
            Gdt.Init(ref Host.Mem, Host.ShimL4, ref Host.Frames, tss);
            Idt.Init((ulong*)syms->IsrTable, Gdt.KernelCs, true);
            Interrupts.InitPic();
            Time.Tsc.Calibrate();
            Time.ApicTimer.Init();
            Irq.IoApics.Init(Host.DirectMapVirt, 1);   // dom0 has one vCPU
            Acpi.AcpiSleep.Init(Host.DirectMapVirt);

            Log.Info(Acpi.AcpiTables.FromBootLoader ? "ACPI: RSDP from the boot loader (multiboot2 tag)" : (Irq.IoApics.HaveMadt ? "ACPI: RSDP from the BIOS-area scan" : "ACPI: no RSDP or no MADT (no IO-APIC routing)"));
            Serial.EnableReceiveInterrupt();
            Cpu.Wrmsr(X86.Msr.IA32_EFER, Cpu.Rdmsr(X86.Msr.IA32_EFER) | X86.Efer.SCE);
            Cpu.Wrmsr(X86.Msr.IA32_STAR, ((ulong)X86.LinuxSelector.User32Cs << 48) | ((ulong)Gdt.KernelCs << 32));
            ulong lstar = ShimCpu.Pv->FastPaths != 0 ? syms->SyscallEntry : syms->SyscallEntrySlow;   // the native paths test no FastPaths
            Cpu.Wrmsr(X86.Msr.IA32_LSTAR, lstar);
            Cpu.Wrmsr(X86.Msr.IA32_CSTAR, lstar);
            Cpu.Wrmsr(X86.Msr.IA32_FMASK, SyscallFlags.Mask);   // IF kept (Arch/SyscallFlags.cs, Traps/SyscallWindow.cs)
            CpuidEmulation.EnableXsave();   // before the APs copy CR4
            Smp.ApBoot.StartAps(syms, Irq.IoApics.Madt, Host.Options.Dom0MaxVcpus);
            Smp.Vcpus.Configure(Host.Options.Dom0MaxVcpus);
        }

        /// <summary>Parses the kernel module and builds dom0; returns the guest's CR3.</summary>
        static ulong BuildDomain(BootInfo* bi)
        {
            if (bi->ModuleCount == 0)
                Panic.BadInput(ExitCode.NoKernel, "kernel", "no module loaded: give the PV kernel as the first module (QEMU: -initrd \"vmlinux args\")");
            BootModule k = bi->Module(0);
            if (k.End <= k.Start) Panic.BadInput(ExitCode.TruncatedModule, "kernel", "the module is empty");
            byte* kData = Host.Mem.At(k.Start);
            ulong kLen = k.End - k.Start;
            BzImageBoot.UnpackIfBzImage(ref kData, ref kLen);
            ElfImage img;
            ElfError ee = ElfImage.Open(kData, kLen, out img);
            if (ee != ElfError.None) Panic.BadInput(KernelChecks.ForElfError(ee), "kernel", ElfErrors.Describe(ee));
            ElfDomainParams parms;
            ee = XenNotes.Parse(in img, out parms);
            if (ee != ElfError.None) Panic.BadInput(KernelChecks.ForElfError(ee), "kernel", ElfErrors.Describe(ee));
            if (KernelChecks.RefusedAsDom0(in parms)) Panic.BadInput(ExitCode.UnsupportedKernel, "kernel", KernelChecks.SupervisorModeRefusal);
            uint ignored = KernelChecks.IgnoredRequiredFeatures(in parms);
            for (int bit = 0; bit < 32; bit++)
            {
                if ((ignored & (1u << bit)) == 0) continue;
                Log.Begin(); Log.Str("WARNING: kernel: requires Xen feature "); Log.Str(XenNotes.FeatureName(bit)); Log.Str(", which a PV dom0 does not get (ignored, as Xen 4.17 does)"); Log.End();
            }

            // The guest's command line lives in boot loader memory the guest may reuse: copy it.
            byte* cmd;
            fixed (CmdLineBuffer* c = &s_guestCmdLine) cmd = c->B;
            ulong cmdLen = 0;
            while (k.CmdLine[cmdLen] != 0)
            {
                if (cmdLen >= 1023) Panic.BadInput(ExitCode.BadGuestCommandLine, "guest command line", "longer than 1023 bytes (MAX_GUEST_CMDLINE)");
                cmd[cmdLen] = k.CmdLine[cmdLen];
                cmdLen++;
            }
            cmd[cmdLen] = 0;

            ulong sharedInfo = Host.Frames.AllocHigh();
            if (sharedInfo == FrameAllocator.None) Panic.Stop("no memory for shared_info");
            Host.Mem.ZeroFrame(sharedInfo);
            Vcpu.Shared = (SharedInfo*)Host.Mem.Frame(sharedInfo);
            Vcpu.Info = SharedInfo.Vcpu(Vcpu.Shared, 0);
            for (int v = 0; v < Layout.XEN_LEGACY_MAX_VCPUS; v++) SharedInfo.Vcpu(Vcpu.Shared, v)->EvtchnUpcallMask = 1;   // every vCPU starts with events masked (dom0_construct_pv)
            Time.GuestTime.Init();

            DomainBuildInput input = default;
            input.Parms = parms;
            input.Kernel = img;
            if (bi->ModuleCount > 1)
            {
                BootModule initrd = bi->Module(1);
                if ((initrd.Start & 4095) != 0) Panic.BadInput(ExitCode.TruncatedModule, "initrd", "module is not page aligned");
                input.InitrdMfn = initrd.Start >> 12;
                input.InitrdLength = initrd.End - initrd.Start;
            }
            input.CmdLine = cmd;
            input.CmdLineLength = cmdLen;
            if (bi->Vga.VideoType != 0)
            {
                input.VgaInfo = (byte*)&bi->Vga;   // the loader's framebuffer, as Xen's dom0 console info
                input.VgaInfoSize = (uint)sizeof(Xen.Dom0VgaConsoleInfo);
            }
            input.SharedInfoMa = sharedInfo << 12;
            input.ShimL4Slots = (ulong*)Host.Mem.Frame(Host.ShimL4) + 256;
            input.NrPages = Host.Options.Dom0MemMiB << 8;
            input.M2p = Host.M2p;
            input.M2pLength = Host.M2pEntries;
            input.Mem = Host.Mem;
            DomainBuildResult r;
            BuildError be = DomainBuilder.Build(ref input, ref Host.Frames, out r);
            if (be != BuildError.Ok) Panic.BadInput(KernelChecks.ForBuildError(be), "dom0", DomainBuilder.Describe(be));
            Host.NrPages = r.NrPages;
            Host.PtFrames.MarkTree(Host.Mem, r.Cr3 >> 12, 0, 256);     // the initial tables, both halves
            Host.PtFrames.MarkTree(Host.Mem, r.Cr3 >> 12, 272, 512);
            if (Checked.CheckedMode.On)
            {
                Checked.PageTypes.Share(sharedInfo);
                if (Checked.PageTypes.TypeInitialTables(r.Cr3 >> 12) != 0) Panic.Stop("checked mode: the initial page tables do not validate");
            }
            // The kernel image is loaded: its module's frames are free RAM again (Linux checks
            // that its own pfns are RAM in the machine memory map).
            for (ulong f = k.Start >> 12; f < (k.End + 4095) >> 12; f++)
                if (!Host.IsGuestFrame(f)) Host.Frames.Free(f);
            BzImageBoot.Release();
            if (r.HypercallPageMfn != ElfDomainParams.Unset)
            {
                TransferPage.InlineTargets t = default;
                t.FastPathTable = (ulong*)s_syms.FastPathTable;
                t.PageIret = s_syms.FastPageIret;
                t.PvState = s_syms.PvState;
                TransferPage.TransferPageBuilder.Fill(Host.Mem.Frame(r.HypercallPageMfn), Host.Options.Inline, t);
                Smp.Vcpus.TransferPage = Host.Mem.Frame(r.HypercallPageMfn);
                TransferPage.SmpTransferPage.Remember(Host.Options.Inline, t);
                ShimCpu.Pv->TransferPageVa = r.HypercallPageVa;   // CallRoutine's declined calls (PvState.DeclinedBias)
                Log.Info(Host.Options.Inline ? "transfer page: inline sequences for the fast paths, the dispatcher for the rest"
                                             : "transfer page: the dispatcher in every entry");
            }
            PrintLayout(&r, cmd);
            if (WantDomU(in parms)) BecomeDomU(&r);

            s_entry.Rip = r.EntryRip;
            s_entry.Rsp = r.StackPointer;
            s_entry.Rsi = r.StartInfoVa;
            s_entry.Cs = Gdt.KernelCs;
            s_entry.Ss = Gdt.KernelSs;
            s_entry.Rflags = X86.Rflags.Reserved1 | X86.Rflags.IF;
            s_entry.Vector = CpuFrame.IretVector;
            Vcpu.KernelL4 = r.Cr3;
            return r.Cr3;
        }

        /// <summary>
        /// dom0=no, or dom0=auto with a kernel whose SUPPORTED_FEATURES note lacks XENFEAT_dom0:
        /// Xen 4.17 refuses such a kernel as dom0 ("Kernel does not support Dom0 operation",
        /// dom0_build.c; without the note it does not ask); microxen runs it as a domU instead.
        /// </summary>
        static bool WantDomU(in ElfDomainParams parms)
        {
            if (Host.Options.Dom0 == Dom0Choice.No) { Log.Info("dom0=no: building a domU (console ring and xenstore served by the shim)"); return true; }
            if (Host.Options.Dom0 == Dom0Choice.Yes || KernelChecks.SupportsDom0(in parms)) return false;
            Log.Info("kernel without dom0 support (SUPPORTED_FEATURES lacks XENFEAT_dom0; Xen 4.17 refuses it as dom0): building a domU (console ring and xenstore served by the shim)");
            return true;
        }

        /// <summary>Rewrites start_info as a domU's and starts the console and xenstore back ends (<see cref="DomUStartInfo"/>).</summary>
        static void BecomeDomU(DomainBuildResult* r)
        {
            Checked.PageTypes.IoAllowed = false;   // a domU has no I/O memory (iomem_caps empty): no MMIO, no L1 cache attributes
            ulong consMa = 0, storeMa = 0;
            ulong consVa = r->Layout.VStart + (DomUStartInfo.ConsolePfn(r->Layout) << 12);
            ulong storeVa = r->Layout.VStart + (DomUStartInfo.StorePfn(r->Layout) << 12);
            if (!PageTables.Translate(Host.Mem, r->Cr3 >> 12, consVa, out consMa) || !PageTables.Translate(Host.Mem, r->Cr3 >> 12, storeVa, out storeMa))
                Panic.Stop("domU: the console and xenstore pages are not mapped");
            if (!Events.DomUBackend.Start(Host.Mem.At(consMa), consMa >> 12, Host.Mem.At(storeMa), storeMa >> 12, DomUId))
                Panic.Stop("domU: no free event channel for the console and xenstore");
            DomUStartInfo.Apply((StartInfo*)Host.Mem.Frame(r->StartInfoMfn), consMa >> 12, Events.DomUBackend.ConsolePort,
                storeMa >> 12, Events.DomUBackend.StorePort);
            if (!Log.On(LogLevel.Info)) return;
            Log.Begin(); Log.Str("domU: domid "); Log.Dec(DomUId); Log.Str(", console ring mfn "); Log.Hex(consMa >> 12);
            Log.Str(" port "); Log.Dec(Events.DomUBackend.ConsolePort); Log.Str(", xenstore mfn "); Log.Hex(storeMa >> 12);
            Log.Str(" port "); Log.Dec(Events.DomUBackend.StorePort); Log.End();
        }

        /// <summary>The domU's domain id (its xenstore home /local/domain/1): the first guest xl would create.</summary>
        const uint DomUId = 1;

        static void PrintLayout(DomainBuildResult* r, byte* cmd)
        {
            if (!Log.On(LogLevel.Info)) return;
            Log.Begin(); Log.Str("dom0: "); Log.Dec(r->NrPages); Log.Str(" pages ("); Log.Dec(r->NrPages >> 8);
            Log.Str(" MiB), "); Log.Dec(r->IdentityFrames); Log.Str(" identity pfn==mfn, "); Log.Dec(r->SubstituteFrames);
            Log.Str(" substituted, "); Log.Dec(r->InitrdFrames); Log.Str(" initrd"); Log.End();
            Log.Begin(); Log.Str("dom0: entry "); Log.Hex(r->EntryRip); Log.Str(" stack "); Log.Hex(r->StackPointer);
            Log.Str(" start_info "); Log.Hex(r->StartInfoVa); Log.Str(" cr3 "); Log.Hex(r->Cr3); Log.End();
            Log.Begin(); Log.Str("dom0: command line \""); Log.Bytes(cmd, -1); Log.Str("\""); Log.End();
        }

        static void EnterGuest(ulong cr3)
        {
            Log.Info("entering dom0 in ring 0");
            Cpu.WriteCr3(cr3);
            fixed (CpuFrame* f = &s_entry) Cpu.EnterFrame(f);
        }
    }
}
