using KernelTest.Arch;
using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Fuzz
{
    /// <summary>
    /// The storm's hypercall groups: what each may call and with which arguments. Every
    /// argument comes from <see cref="FuzzRandom"/> through the pools below:
    /// <list type="bullet">
    /// <item>frames (<see cref="Frame"/>): the sacrificial pool (Fuzz.PoolFrames cleared frames), or a
    ///   wild frame number in [2^24, 2^25) (64-128 GiB: no RAM, no device on the QEMU machine);</item>
    /// <item>pointers (<see cref="Ptr"/>): buffer A or B (a mapped sacrificial frame each, refilled
    ///   with random words before every call), or NULL, a non-canonical address, an unmapped window
    ///   slot, the last 4 bytes of a buffer (the next slot is unmapped), a user address with no
    ///   tables; with the modifier hvptr also addresses in the hypervisor's hole (the read-only M2P,
    ///   Xen's text / microxen's image, the directmap), which Xen refuses with -EFAULT (access_ok),
    ///   microxen's C# handlers too (but memory_op), its native fast paths not (see README);</item>
    /// <item>virtual addresses (<see cref="Va"/>): the storm's 32 window slots, an address with no
    ///   L1 table (L4 slot 32), a non-canonical one; with hvptr the M2P area;</item>
    /// <item>PTE values: a frame above with flags from <see cref="PteFlags"/>.</item>
    /// </list>
    /// Excluded, because they would end the domain or take the test kernel's own state away
    /// (Xen would "survive" them, the test kernel would not): iret (23: needs a frame, would jump
    /// to a random address), set_trap_table and set_callbacks (replace the kernel's handlers),
    /// callback_op register of the event/failsafe/syscall callbacks, SCHEDOP_shutdown,
    /// SCHEDOP_block (sleeps forever with events masked), SCHEDOP_remote_shutdown of itself,
    /// SCHEDOP_shutdown_code (turns the final poweroff into another reason), SCHEDOP_watchdog
    /// arming (kills the domain when it fires), VCPUOP_down of vCPU 0 (stops it),
    /// VCPUOP_register_vcpu_info (moves the event mask the kernel relies on, irreversibly),
    /// VCPUOP_send_nmi, fpu_taskswitch(1) (the C# code uses SSE: the next instruction would #NM),
    /// DR7 enable and GD bits (random breakpoints in the kernel), MMUEXT_NEW_BASEPTR of anything
    /// but the kernel's own L4 (fast mode does not validate: it would load garbage), PTEs naming
    /// any frame but the pool's and wild ones (fast mode would map the kernel's own page tables
    /// writable), console writes of nonzero length (they would garble the digest lines), the
    /// physdev operations that reprogram interrupt hardware under Xen's dom0 (apic_write,
    /// map_pirq, setup_gsi, MSI, PCI add/remove), and the hypercalls only Xen implements
    /// (platform_op, domctl, sysctl, ...) get only NULL pointers (Xen: -EFAULT, nothing done).
    /// </summary>
    public static unsafe partial class FuzzGroups
    {
        public const int Ver = 0, Mmu = 1, Uvm = 2, Ext = 3, Desc = 4, Evt = 5, Gnt = 6, Mem = 7, Vcpu = 8,
            Sched = 9, Trap = 10, Mc = 11, Con = 12, Undef = 13, Phys = 14, Scr = 15, HvPtr = 16, Bugs = 17;
        /// <summary>
        /// Call groups (0..Count-1). <see cref="HvPtr"/> and <see cref="Bugs"/> are modifiers, not
        /// groups of their own (neither is in "all"): hvptr adds hypervisor-hole pointers, bugs adds
        /// the arguments that crash microxen today where Xen returns an error (README, fuzz section):
        /// set_segment_base(SEGBASE_GS_USER_SEL) with a selector that faults, and mmu_update /
        /// mmuext_op batches that run on into random words (fast mode writes any host frame).
        /// </summary>
        public const int Count = 16;
        public const uint CallMask = (1u << Count) - 1;
        public const uint Default = CallMask;

        public static string Name(int g)
        {
            switch (g)
            {
                case Ver: return "ver";
                case Mmu: return "mmu";
                case Uvm: return "uvm";
                case Ext: return "ext";
                case Desc: return "desc";
                case Evt: return "evt";
                case Gnt: return "gnt";
                case Mem: return "mem";
                case Vcpu: return "vcpu";
                case Sched: return "sched";
                case Trap: return "trap";
                case Mc: return "mc";
                case Con: return "con";
                case Undef: return "undef";
                case Phys: return "phys";
                case Scr: return "scr";
                case HvPtr: return "hvptr";
                case Bugs: return "bugs";
                default: return "?";
            }
        }

        /// <summary>The mask bit(s) of a group name ("all": <see cref="Default"/>), 0 when unknown.</summary>
        public static uint Parse(sbyte* s, int len)
        {
            if (Is(s, len, "all")) return Default;
            for (int g = 0; g <= Bugs; g++) if (Is(s, len, Name(g))) return 1u << g;
            return 0;
        }

        static bool Is(sbyte* s, int len, string w)
        {
            if (len != w.Length) return false;
            for (int k = 0; k < len; k++) if (s[k] != w[k]) return false;
            return true;
        }

        public static void PrintMask(uint mask)
        {
            bool first = true;
            for (int g = 0; g <= Bugs; g++)
                if ((mask & (1u << g)) != 0)
                {
                    if (!first) Console.Out.Char((byte)'+');
                    Console.Out.Str(Name(g));
                    first = false;
                }
        }

        /// <summary>One enabled call group, uniformly.</summary>
        public static int Pick(uint mask)
        {
            uint calls = mask & CallMask;
            int n = 0;
            for (int g = 0; g < Count; g++) if ((calls & (1u << g)) != 0) n++;
            int k = (int)FuzzRandom.Below((ulong)n);
            for (int g = 0; g < Count; g++)
                if ((calls & (1u << g)) != 0 && k-- == 0) return g;
            return Ver;
        }

        // The call being made.
        public static ulong Nr, Rc, Aux;
        struct Args { public fixed ulong A[5]; }
        static Args s_args;
        /// <summary>How <see cref="Aux"/> is found after the call.</summary>
        static int s_auxKind;
        const int AuxNone = 0, AuxDone = 1, AuxMulticall = 2, AuxProbe = 3;
        static int s_mcCount;

        public static ulong Arg(int k) { fixed (Args* a = &s_args) return a->A[k]; }

        static void Set(ulong nr, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0)
        {
            Nr = nr;
            fixed (Args* a = &s_args) { a->A[0] = a1; a->A[1] = a2; a->A[2] = a3; a->A[3] = a4; a->A[4] = a5; }
        }

        static bool HvPtrs => (Fuzz.Groups & (1u << HvPtr)) != 0;
        static bool BugsOn => (Fuzz.Groups & (1u << Bugs)) != 0;

        /// <summary>The word at offset 4088 of buffer B: where batches' <c>done</c> counts go.</summary>
        static ulong DonePtr => Fuzz.BufB + 4088;
        const uint DonePreset = 0xd0d0d0d0;

        // ---- generation ----

        /// <summary>Draws one call of group <paramref name="g"/> (arguments, buffers) into the fields above.</summary>
        public static void Generate(int g)
        {
            s_auxKind = AuxNone;
            s_hostCount = false;
            s_wildFrames = g == Mem;
            Fill(Fuzz.BufA, 32);
            Fill(Fuzz.BufB, 32);
            // The last word of each buffer too: Ptr's "last 4 bytes of a buffer" reads it, and what a
            // host left there (a runstate or time area Xen keeps updating, an earlier call's output)
            // would make the argument host-dependent.
            *(ulong*)(Fuzz.BufA + 4088) = Word();
            *(ulong*)DonePtr = DonePreset;
            // A mem structure at buffer + 4092 (Ptr) starts in the page's last word: mem reads zeros there.
            if (g == Mem) *(ulong*)(Fuzz.BufA + 4088) = 0;
            switch (g)
            {
                case Ver: GenVer(); break;
                case Mmu: GenMmu(); break;
                case Uvm: GenUvm(); break;
                case Ext: GenExt(); break;
                case Desc: GenDesc(); break;
                case Evt: GenCmd(Hypercall.EventChannelOp, 16, Evtchn); break;
                case Gnt: GenCmd(Hypercall.GrantTableOp, 14, Gnttab); break;
                case Mem: GenCmd(Hypercall.MemoryOp, 30, Memory); break;
                case Vcpu: GenVcpu(); break;
                case Sched: GenSched(); break;
                case Trap: GenTrap(); break;
                case Mc: GenMulticall(); break;
                case Con: GenCon(); break;
                case Undef: GenUndef(); break;
                case Phys: GenCmd(Hypercall.PhysdevOp, 34, Physdev); break;
                default: GenScribble(); break;
            }
        }

        static void GenVer() => Set(Hypercall.XenVersion, FuzzRandom.Chance(7, 8) ? FuzzRandom.Below(12) : FuzzRandom.Next() & 0xffffffff, Ptr(Fuzz.BufA));

        static ulong BatchCount() => FuzzRandom.Chance(1, 16) ? FuzzRandom.Next() & 0xffffffff : 1 + FuzzRandom.Below(4);

        static ulong Done()
        {
            s_auxKind = AuxDone;
            return FuzzRandom.Chance(7, 8) ? DonePtr : Ptr(Fuzz.BufB);
        }

        // ---- execution ----

        /// <summary>Makes the drawn call and sets <see cref="Rc"/> and <see cref="Aux"/>.</summary>
        public static void Execute()
        {
            fixed (Args* a = &s_args)
            {
                if (s_auxKind == AuxProbe)
                {
                    // A probe after an update without a flush may or may not see a stale TLB entry
                    // (SDM vol. 3A 4.10.4.3), and whether one is left depends on the host's timing
                    // (interrupts, page-table switches): the slot's entry is flushed first.
                    Hv.Mmuext(MmuextCmd.MMUEXT_INVLPG_LOCAL, a->A[0]);
                    ulong before = Traps.State->Faults;
                    Traps.State->Vector = 0;
                    if (Nr == 0x10001) Native.ProbeWrite(a->A[0], a->A[1]);
                    else Native.ProbeRead(a->A[0]);
                    Rc = Traps.State->Faults != before ? 1UL : 0;
                    Aux = Rc != 0 ? Traps.State->Vector + 1 : 0;
                    return;
                }
                Rc = (ulong)Native.Hypercall(Nr, a->A[0], a->A[1], a->A[2], a->A[3], a->A[4]);
            }
            Aux = 0;
            if (s_hostCount && (long)Rc > 0) Rc = 1;
            if (s_auxKind == AuxDone) Aux = *(uint*)DonePtr;
            else if (s_auxKind == AuxMulticall)
            {
                MulticallEntry* e = (MulticallEntry*)Fuzz.BufB;
                ulong h = FuzzRandom.FnvOffset;
                for (int k = 0; k < s_mcCount && k < 3; k++) h = FuzzRandom.Fold(h, e[k].Result);
                Aux = h;
            }
        }
    }
}
