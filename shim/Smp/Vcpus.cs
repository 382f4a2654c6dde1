using Microxen.Xen;

namespace Microxen.Smp
{
    /// <summary>
    /// dom0's vCPUs beyond vCPU 0: vCPU n runs on CPU n (one to one, never migrated). How many
    /// there are is <see cref="Count"/> (<see cref="Configure"/>: one per CPU that came up, as
    /// Xen 4.17 gives dom0 by default; dom0_max_vcpus=N bounds it). A vCPU is down until
    /// VCPUOP_initialise gave it a vcpu_guest_context and VCPUOP_up started it; then its CPU,
    /// parked in ap_main, loads the context (<see cref="Run"/>) and enters the guest in ring 0
    /// through its own copy of the entry stubs (<see cref="EntryCopy"/>). Shared with every CPU
    /// under <see cref="ShimLock"/>; <see cref="State"/> is also read without it by parked and
    /// blocked CPUs (one aligned qword, written under the lock, re-read through a pointer).
    /// </summary>
    public static unsafe class Vcpus
    {
        public const ulong None = 0, Down = 1, Up = 2;
        /// <summary>Words of vcpu_guest_context kept per vCPU until it first runs (<see cref="Initialise"/>).</summary>
        const int Words = 48;
        const int WRip = 0, WRsp = 1, WRflags = 2, WKernelSp = 3, WCr3 = 4, WUserCr3 = 5, WFs = 6, WGsKernel = 7, WGsUser = 8, WRegs = 9;   // WRegs..+14: r15..rax order of CpuFrame
        const int WLdtBase = 24, WLdtEnts = 25, WGdtEnts = 26, WGdtFrames = 27;   // WGdtFrames..+15

        struct Table { public fixed ulong State[Guest.Vcpu.Max]; public fixed ulong Ctx[Guest.Vcpu.Max * Words]; }
        static Table s_t;

        /// <summary>dom0's vCPU count.</summary>
        public static int Count = 1;

        /// <summary>
        /// The vCPUs dom0 gets: one per CPU online in order (Xen 4.17's dom0_max_vcpus default,
        /// xen/arch/x86/dom0_build.c: the online CPUs), bounded by <paramref name="option"/>
        /// (dom0_max_vcpus, 0 = not given) and by XEN_LEGACY_MAX_VCPUS (each vCPU starts on its shared_info vcpu_info slot). Each vCPU past 0 gets its own
        /// trap table frame (and checked mode's shadow GDT frames) now, before dom0 takes memory.
        /// </summary>
        public static void Configure(uint option)
        {
            int n = 1;
            while (n < Cpus.Count && (option == 0 || n < (int)option) && n < Guest.Vcpu.Max && n < Layout.XEN_LEGACY_MAX_VCPUS && *Cpus.OnlineFlag(n) != 0) n++;
            if (n < Cpus.Count && (option == 0 || n < (int)option) && Console.Log.On(Console.LogLevel.Info))
            {
                Console.Log.Begin(); Console.Log.Str("SMP: CPU "); Console.Log.Dec((ulong)n); Console.Log.Str(" is not online (flag "); Console.Log.Dec(*Cpus.OnlineFlag(n));
                Console.Log.Str("): dom0's vCPUs stop there"); Console.Log.End();
            }
            for (int v = 1; v < n; v++)
            {
                ulong f = Host.Frames.AllocHigh();
                if (f == Memory.FrameAllocator.None) { Console.Log.Warn("SMP: no memory for another vCPU's trap table"); n = v; break; }
                Host.Mem.ZeroFrame(f);
                Guest.Vcpu.SetTrapTable(v, (Guest.Vcpu.TrapEntry*)Host.Mem.Frame(f));
                if (Checked.CheckedMode.On) Hypercalls.DescriptorOps.InitShadow(v);
            }
            Count = n;
            fixed (Table* t = &s_t) t->State[0] = Up;
            Runstate.Init(n);
            if (n > 1)
            {
                Events.Evtchn.VcpuPv = Cpus.PvTable();
                Console.Log.Begin(); Console.Log.Str("SMP: dom0 gets "); Console.Log.Dec((ulong)n); Console.Log.Str(" vCPUs, one per CPU"); Console.Log.End();
            }
        }

        public static ulong* State(int n) { fixed (Table* t = &s_t) return &t->State[n]; }

        static bool Canonical(ulong a) => (ulong)((long)(a << 16) >> 16) == a;

        /// <summary>
        /// VCPUOP_initialise of vCPU n (1 &lt;= n &lt; Count), called with Guest.Vcpu naming vCPU n
        /// (Hypercalls/VcpuOps.cs): -EEXIST when it was initialised before (default_initialise_vcpu);
        /// as Xen's arch_set_info_guest for a 64-bit PV vCPU, -EINVAL for a non-canonical rip, rsp,
        /// kernel_sp, ldt_base (with entries), fs/gs bases or callback, an LDT base not page
        /// aligned or above 8192 entries, more GDT entries than FIRST_RESERVED_GDT_ENTRY. Then
        /// the trap table (entry i is vector i), the event, failsafe and syscall callbacks (and
        /// VGCF_failsafe/syscall_disables_events) are the vCPU's; registers, stacks, page tables,
        /// segment bases, LDT and GDT frames are loaded when it first runs.
        /// </summary>
        public static long Initialise(int n, VcpuGuestContext* c)
        {
            if (*State(n) != None) return -XenErrno.EEXIST;
            if (!Canonical(c->Rip) || !Canonical(c->Rsp) || !Canonical(c->KernelSp) || (c->LdtEnts != 0 && !Canonical(c->LdtBase))
                || !Canonical(c->FsBase) || !Canonical(c->GsBaseKernel) || !Canonical(c->GsBaseUser)
                || !Canonical(c->EventCallbackEip) || !Canonical(c->SyscallCallbackEip) || !Canonical(c->FailsafeCallbackEip))
                return -XenErrno.EINVAL;
            if ((c->LdtBase & 4095) != 0 || c->LdtEnts > Guest.Ldt.MaxEntries) return -XenErrno.EINVAL;
            if (c->GdtEnts > (ulong)Gdt.GuestEntries) return -XenErrno.EINVAL;
            fixed (Table* t = &s_t)
            {
                ulong* w = &t->Ctx[n * Words];
                w[WRip] = c->Rip; w[WRsp] = c->Rsp; w[WRflags] = c->Rflags; w[WKernelSp] = c->KernelSp;
                w[WCr3] = c->Cr3; w[WUserCr3] = c->UserCr3; w[WFs] = c->FsBase; w[WGsKernel] = c->GsBaseKernel; w[WGsUser] = c->GsBaseUser;
                ulong* r = w + WRegs;
                r[0] = c->R15; r[1] = c->R14; r[2] = c->R13; r[3] = c->R12; r[4] = c->R11; r[5] = c->R10; r[6] = c->R9; r[7] = c->R8;
                r[8] = c->Rdi; r[9] = c->Rsi; r[10] = c->Rbp; r[11] = c->Rbx; r[12] = c->Rdx; r[13] = c->Rcx; r[14] = c->Rax;
                w[WLdtBase] = c->LdtEnts != 0 ? c->LdtBase : 0; w[WLdtEnts] = c->LdtEnts; w[WGdtEnts] = c->GdtEnts;
                for (int i = 0; i < 16; i++) w[WGdtFrames + i] = c->GdtFrames[i];
            }
            Guest.Vcpu.ClearTraps();
            byte* e = c->TrapCtxt;
            for (int v = 0; v < 256; v++, e += 16)
                if (*(ulong*)(e + 8) != 0) Guest.Vcpu.SetTrap(v, *(ulong*)(e + 8), (ushort)Checked.Descriptor.FixupRpl(*(ushort*)(e + 2)), e[1]);
            Guest.Vcpu.EventCallback = c->EventCallbackEip;
            Guest.Vcpu.FailsafeCallback = c->FailsafeCallbackEip;
            Guest.Vcpu.FailsafeMasksEvents = (c->Flags & Layout.VGCF_failsafe_disables_events) != 0;
            Guest.Vcpu.SyscallCallback = c->SyscallCallbackEip;
            Guest.Vcpu.SyscallMasksEvents = (c->Flags & Layout.VGCF_syscall_disables_events) != 0;
            Guest.Vcpu.NmiCallback = 0;
            *State(n) = Down;
            return 0;
        }

        /// <summary>VCPUOP_up: -EINVAL before VCPUOP_initialise; wakes vCPU n's CPU (the shim's IPI).</summary>
        public static long WakeUp(int n)
        {
            ulong s = *State(n);
            if (s == None) return -XenErrno.EINVAL;
            if (s == Up) return 0;
            if (!ShimLock.Active) GoSmp();
            *State(n) = Up;
            Runstate.Set(n, VcpuOp.RUNSTATE_running);
            Ipi.Send(Cpus.ApicId(n), Ipi.Vector);
            return 0;
        }

        /// <summary>The guest's hypercall page (transfer page), rewritten without inline sequences when a second vCPU starts; null when none.</summary>
        public static byte* TransferPage;

        /// <summary>
        /// Before the first secondary vCPU runs: the lock on, and the native fast paths of every
        /// CPU told that several vCPUs run (PvState.FastPathsSmp): each CPU's copy of them
        /// (EntryCopy) reaches its own pv_state, so they stay on, but they decline what is not
        /// CPU-local (remote TLB flushes: mmuext _MULTI/_ALL, UVMF_MULTI/UVMF_ALL) to the C#
        /// path, which asks the other CPUs (Tlb.cs); their page-table bitmap marks are atomic
        /// (lock bts, PageTableFrames.Mark). The transfer page's inline sequences call the boot
        /// CPU's copy by absolute address, so the page is rewritten with dispatcher entries: every
        /// hypercall enters its own CPU's LSTAR stub, whose fast paths are that CPU's. The vCPU
        /// doing this is inside a dispatcher entry, whose bytes are the same in both page layouts.
        /// </summary>
        static void GoSmp()
        {
            ShimLock.Activate();
            for (int n = 0; n < Count; n++)
                if (Cpus.Pv(n)->FastPaths != 0) Cpus.Pv(n)->FastPaths = PvState.FastPathsSmp;
            Events.Evtchn.VcpuPv = Cpus.PvTable();
            if (TransferPage != null) Microxen.TransferPage.SmpTransferPage.Go(TransferPage, Count);
            Console.Log.Info("SMP: a second vCPU starts: the C# dispatchers under one lock, native fast paths on every CPU");
        }

        /// <summary>
        /// VCPUOP_down of vCPU n (Xen's common vcpu_op: _VPF_down set, the vCPU stops running).
        /// The caller's own: its CPU waits (events and the lock given up, interrupts on) until
        /// VCPUOP_up, then the hypercall returns 0. Another vCPU: marked down at once (is_up says
        /// 0) and its CPU told by the shim's IPI; it parks where the IPI finds it in guest context
        /// (<see cref="ParkIfDown"/>) or when it next blocks, and resumes there after VCPUOP_up.
        /// </summary>
        public static long TakeDown(int n)
        {
            ulong* s = State(n);
            if (n != Cpus.Current())
            {
                if (*s == Up) { *s = Down; Runstate.Set(n, VcpuOp.RUNSTATE_offline); Ipi.Send(Cpus.ApicId(n), Ipi.Vector); }
                return 0;
            }
            *s = Down;
            Runstate.Set(n, VcpuOp.RUNSTATE_offline);
            Park(n);
            return 0;
        }

        /// <summary>On vCPU n's CPU while it is down: waits without the lock until VCPUOP_up, then takes the lock again.</summary>
        static void Park(int n)
        {
            ulong* s = State(n);
            CpuFrame* current = Hypercalls.HypercallDispatch.Current;
            ShimLock.ExitAll();
            while (*s != Up) Cpu.StiHlt();
            Cpu.FlushTlb();   // flushes asked while it was down were not waited for
            ShimLock.Enter();
            Hypercalls.HypercallDispatch.Current = current;
        }

        /// <summary>The shim's IPI found this CPU in guest context: a vCPU taken down by another parks here until it is up again (no lock held).</summary>
        public static void ParkIfDown(int cpu)
        {
            if (cpu >= Count || cpu == 0 && !ShimLock.Active) return;
            ulong* s = State(cpu);
            if (*s != Down) return;
            while (*s != Up) Cpu.Pause();   // interrupts stay off: nothing nests into the IPI's entry (VCPUOP_up's IPI is taken after the return)
            Cpu.FlushTlb();
        }

        /// <summary>Whether a vCPU other than <paramref name="n"/> is up (Xen's VCPUOP_down of the last one shuts the domain down).</summary>
        public static bool OthersUp(int n)
        {
            for (int v = 0; v < Count; v++) if (v != n && *State(v) == Up) return true;
            return false;
        }

        /// <summary>Set once SCHEDOP_shutdown (or a crash) ends the run: every other CPU stops in its IPI handler.</summary>
        public static bool Stopping;

        /// <summary>Stops every other CPU (cli; hlt) before the machine powers off, resets or reports a crash, as Xen's domain_shutdown pauses every vCPU.</summary>
        public static void StopOthers()
        {
            if (!ShimLock.Active) return;
            Stopping = true;
            int me = Cpus.Current();
            for (int n = 0; n < Count; n++)
                if (n != me) Ipi.Send(Cpus.ApicId(n), Ipi.Vector);
        }

        /// <summary>The parked CPU <paramref name="cpu"/> (ap_main, interrupts off) after each wake-up: runs its vCPU once it is up.</summary>
        public static void Poll(int cpu)
        {
            if (cpu < Count && *State(cpu) == Up) Run(cpu);
        }

        /// <summary>Enters vCPU n on its CPU from the saved context, in guest kernel mode; does not return.</summary>
        static void Run(int n)
        {
            ShimLock.Enter();
            PvState* pv = Cpus.Pv(n), bsp = Cpus.Pv(0);
            ulong* w;
            fixed (Table* t = &s_t) w = &t->Ctx[n * Words];
            // The domain's fields as the boot CPU has them (set after this copy was made), then this vCPU's.
            pv->M2p = bsp->M2p; pv->M2pEntries = bsp->M2pEntries; pv->FrameCount = bsp->FrameCount;
            pv->ShimSlot261 = bsp->ShimSlot261; pv->DirectMap = bsp->DirectMap; pv->FastPaths = bsp->FastPaths;
            pv->SwitchUserPt = bsp->SwitchUserPt; pv->ShimL4Slots = bsp->ShimL4Slots; pv->PtBitmap = bsp->PtBitmap;
            NativeEntry.Publish(pv);   // FastPaths and SwitchUserPt as the boot CPU's, the syscall callback from VCPUOP_initialise
            pv->KernelSp = w[WKernelSp]; pv->Tss.Rsp0 = w[WKernelSp];
            pv->KernelL4Ma = w[WCr3]; pv->UserL4Ma = w[WUserCr3];
            pv->UserMode = 0; pv->GuestTs = 0;
            if (pv->VcpuInfo == 0) pv->VcpuInfo = (ulong)SharedInfo.Vcpu(Guest.Vcpu.Shared, n);
            Time.GuestTime.Publish();
            CpuFrame f = default;
            ulong* r = w + WRegs;
            f.R15 = r[0]; f.R14 = r[1]; f.R13 = r[2]; f.R12 = r[3]; f.R11 = r[4]; f.R10 = r[5]; f.R9 = r[6]; f.R8 = r[7];
            f.Rdi = r[8]; f.Rsi = r[9]; f.Rbp = r[10]; f.Rbx = r[11]; f.Rdx = r[12]; f.Rcx = r[13]; f.Rax = r[14];
            f.Rip = w[WRip]; f.Rsp = w[WRsp];
            f.Cs = Gdt.KernelCs; f.Ss = Gdt.KernelSs;
            f.Rflags = (w[WRflags] & ~(X86.Rflags.IOPL)) | X86.Rflags.Reserved1 | X86.Rflags.IF;   // hardware IF on, as for vCPU 0
            f.Vector = CpuFrame.IretVector;
            Cpu.Wrmsr(X86.Msr.IA32_FS_BASE, w[WFs]);
            Cpu.Wrmsr(X86.Msr.IA32_GS_BASE, w[WGsKernel]);
            Cpu.Wrmsr(X86.Msr.IA32_KERNEL_GS_BASE, w[WGsUser]);
            Cpu.WriteCr3(w[WCr3]);
            ulong* frames = stackalloc ulong[16];
            for (int i = 0; i < 16; i++) frames[i] = w[WGdtFrames + i];
            int pages = (int)((w[WGdtEnts] + 511) / 512);
            if (pages > 0 && Hypercalls.DescriptorOps.Install(frames, pages) != 0) Console.Log.Warn("SMP: a vCPU's initial GDT frames were refused (the shim's GDT stays)");
            Guest.Ldt.Set(w[WLdtBase], (uint)w[WLdtEnts]);
            ShimLock.ExitAll();
            Cpu.EnterFrame(&f);
        }
    }
}
