using Microxen.Xen;

namespace Microxen.Smp
{
    /// <summary>
    /// dom0's vCPUs beyond vCPU 0: vCPU n runs on CPU n (one to one, never migrated). How many
    /// there are is <see cref="Count"/> (<see cref="Configure"/>: dom0_max_vcpus=N, bounded by the
    /// CPUs that came up in order; 1 without the option). A vCPU is down until VCPUOP_initialise
    /// gave it a vcpu_guest_context and VCPUOP_up started it; then its CPU, parked in ap_main,
    /// loads the context (<see cref="Run"/>) and enters the guest in ring 0 through its own copy
    /// of the entry stubs (<see cref="EntryCopy"/>). Shared with every CPU under
    /// <see cref="ShimLock"/>; <see cref="State"/> is also read without it by the parked CPU (one
    /// aligned qword, written under the lock, re-read through a pointer in its loop).
    /// </summary>
    public static unsafe class Vcpus
    {
        public const ulong None = 0, Down = 1, Up = 2;
        /// <summary>Words of vcpu_guest_context kept per vCPU (<see cref="Save"/>).</summary>
        const int Words = 24;
        const int WRip = 0, WRsp = 1, WRflags = 2, WKernelSp = 3, WCr3 = 4, WUserCr3 = 5, WFs = 6, WGsKernel = 7, WGsUser = 8, WRegs = 9;   // WRegs..+14: r15..rax order of CpuFrame

        struct Table { public fixed ulong State[Cpus.Max]; public fixed ulong Ctx[Cpus.Max * Words]; }
        static Table s_t;

        /// <summary>dom0's vCPU count.</summary>
        public static int Count = 1;

        /// <summary>The vCPUs dom0 gets: <paramref name="option"/> (dom0_max_vcpus, 0 = not given: 1) bounded by the CPUs online in order.</summary>
        public static void Configure(uint option)
        {
            int n = 1;
            while (n < Cpus.Count && n < (int)option && n < Events.Evtchn.MaxVcpus && *Cpus.OnlineFlag(n) != 0) n++;
            Count = n;
            fixed (Table* t = &s_t) t->State[0] = Up;
            if (n > 1) Console.Log.Info("SMP: dom0 gets one vCPU per CPU up (dom0_max_vcpus)");
        }

        public static ulong* State(int n) { fixed (Table* t = &s_t) return &t->State[n]; }

        /// <summary>VCPUOP_initialise of vCPU n (1 &lt;= n &lt; Count): -EEXIST when it was initialised before (Xen's default_initialise_vcpu).</summary>
        public static long Initialise(int n, VcpuGuestContext* c)
        {
            if (*State(n) != None) return -XenErrno.EEXIST;
            fixed (Table* t = &s_t)
            {
                ulong* w = &t->Ctx[n * Words];
                w[WRip] = c->Rip; w[WRsp] = c->Rsp; w[WRflags] = c->Rflags; w[WKernelSp] = c->KernelSp;
                w[WCr3] = c->Cr3; w[WUserCr3] = c->UserCr3; w[WFs] = c->FsBase; w[WGsKernel] = c->GsBaseKernel; w[WGsUser] = c->GsBaseUser;
                ulong* r = w + WRegs;
                r[0] = c->R15; r[1] = c->R14; r[2] = c->R13; r[3] = c->R12; r[4] = c->R11; r[5] = c->R10; r[6] = c->R9; r[7] = c->R8;
                r[8] = c->Rdi; r[9] = c->Rsi; r[10] = c->Rbp; r[11] = c->Rbx; r[12] = c->Rdx; r[13] = c->Rcx; r[14] = c->Rax;
            }
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
        /// VCPUOP_down of the calling vCPU: its CPU waits (events and the lock given up, interrupts
        /// on) until VCPUOP_up, then the hypercall returns 0. Another vCPU's down is not
        /// supported yet (logged, -ENOSYS).
        /// </summary>
        public static long TakeDown(int n)
        {
            if (n != Cpus.Current()) return Hypercalls.HypercallStats.Unimplemented("vcpu_op down of another vCPU", Hypercall.VcpuOp, VcpuOp.VCPUOP_down, (ulong)n, 0, 0, 0);
            ulong* s = State(n);
            *s = Down;
            ShimLock.ExitAll();
            while (*s != Up) Cpu.StiHlt();
            Cpu.FlushTlb();   // flushes asked while it was down were not waited for
            ShimLock.Enter();
            return 0;
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
            pv->SyscallCallback = bsp->SyscallCallback; pv->SyscallMasksEvents = bsp->SyscallMasksEvents;
            NativeEntry.Publish(pv);
            pv->KernelSp = w[WKernelSp]; pv->Tss.Rsp0 = w[WKernelSp];
            pv->KernelL4Ma = w[WCr3]; pv->UserL4Ma = w[WUserCr3];
            pv->UserMode = 0; pv->GuestTs = 0;
            if (pv->VcpuInfo == 0 || pv->VcpuInfo == bsp->VcpuInfo) pv->VcpuInfo = (ulong)SharedInfo.Vcpu(Guest.Vcpu.Shared, n);
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
            ShimLock.ExitAll();
            Cpu.EnterFrame(&f);
        }
    }
}
