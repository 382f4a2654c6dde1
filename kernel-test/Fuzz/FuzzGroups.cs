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
    ///   Xen's text / microxen's image, the directmap), which Xen refuses with -EFAULT (access_ok)
    ///   while microxen today reads them (and fast mode then acts on what it read: see README);</item>
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
    public static unsafe class FuzzGroups
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

        // ---- pools ----

        static ulong Frame()
        {
            if (FuzzRandom.Chance(3, 4) && !s_wildFrames) return Fuzz.PoolFrame((int)FuzzRandom.Below(Fuzz.PoolFrames));
            return WildFrame();
        }

        /// <summary>
        /// Group mem draws only frames beyond memory: the pool's machine frame numbers differ
        /// between hosts, and memory_op reads them as domids, spaces, counts and pads.
        /// </summary>
        static bool s_wildFrames;

        static ulong WildFrame() => (1UL << 24) + FuzzRandom.Below(1UL << 24);

        static ulong PteFlags()
        {
            switch (FuzzRandom.Below(12))
            {
                case 0: return Mm.KernelRw;
                case 1: return PageFlags.Present;
                case 2: return PageFlags.Present | PageFlags.RW;
                case 3: return PageFlags.Present | PageFlags.RW | PageFlags.User;
                case 4: return PageFlags.Present | PageFlags.PSE;                    // PAT at L1, PSE above
                case 5: return PageFlags.Present | PageFlags.RW | PageFlags.PCD | PageFlags.PWT;
                case 6: return PageFlags.Present | 0x100;                            // global
                case 7: return (1UL << 63) | PageFlags.Present | PageFlags.RW;       // NX
                case 8: return PageFlags.Present | PageFlags.RW | (1UL << 51);       // reserved bit
                case 9: return PageFlags.Present | 0xe00;                            // available bits
                case 10: return 0;
                default: return FuzzRandom.Next() & 0x8000000000000fff;
            }
        }

        /// <summary>A PTE naming a pool or wild frame; one in 16 with random flag and high bits (never a random frame: fast mode would map it).</summary>
        static ulong Pte() => (Frame() << 12) | (FuzzRandom.Chance(1, 16) ? FuzzRandom.Next() & 0xfff0000000000fff : PteFlags());

        static ulong Ptr(ulong buf)
        {
            ulong r = FuzzRandom.Below(HvPtrs ? 19UL : 16UL);
            if (r < 10) return buf;
            switch (r)
            {
                case 10: return 0;
                case 11: return 0x8000000000000000;
                case 12: return 0x0000800000000000;
                case 13: return Window.Va(Fuzz.SlotA + 1);
                case 14: return buf + 4092;
                case 15: return (32UL << 39) + (FuzzRandom.Below(64) << 12);          // L4 slot 32: no tables
                case 16: return Layout.MACH2PHYS_VIRT_START + (FuzzRandom.Below(64) << 12);
                case 17: return 0xffff82d080000000 + (FuzzRandom.Below(256) << 12);   // Xen's text, microxen's image
                default: return 0xffff830000000000 + (FuzzRandom.Below(64) << 20);     // the directmap
            }
        }

        static ulong SlotVa() => Window.Va(Fuzz.FirstSlot + (int)FuzzRandom.Below(Fuzz.Slots));

        static ulong Va()
        {
            ulong r = FuzzRandom.Below(HvPtrs ? 12UL : 11UL);
            if (r < 8) return SlotVa();
            switch (r)
            {
                case 8: return SlotVa() + (FuzzRandom.Next() & 0xfff);
                case 9: return 32UL << 39;                            // L4 slot 32: no tables
                case 10: return 0x0000900000000000;                   // not canonical
                default: return Layout.MACH2PHYS_VIRT_START + (FuzzRandom.Below(512) << 12);
            }
        }

        /// <summary>A word for an argument structure: small counts, frames, PTEs, pointers, DOMID_SELF, noise.</summary>
        static ulong Word()
        {
            switch (FuzzRandom.Below(10))
            {
                case 0: case 1: case 2: return FuzzRandom.Below(4);
                case 3: return Frame();
                case 4: return Pte();
                case 5: return Ptr(Fuzz.BufB);
                case 6: return Hv.DomidSelf;
                case 7: return FuzzRandom.Next();
                case 8: return FuzzRandom.Next() & 0xffffffff;
                default: return 1 + FuzzRandom.Below(64);
            }
        }

        static void Fill(ulong buf, int words)
        {
            ulong* p = (ulong*)buf;
            for (int k = 0; k < words; k++) p[k] = Word();
        }

        static ulong Domid()
        {
            switch (FuzzRandom.Below(8))
            {
                case 0: return 0;
                case 1: return 1;
                case 2: return 0x7ff1;                // DOMID_IO
                case 3: return FuzzRandom.Next() & 0xffff;
                default: return Hv.DomidSelf;
            }
        }

        // ---- generation ----

        /// <summary>Draws one call of group <paramref name="g"/> (arguments, buffers) into the fields above.</summary>
        public static void Generate(int g)
        {
            s_auxKind = AuxNone;
            s_hostCount = false;
            s_wildFrames = g == Mem;
            Fill(Fuzz.BufA, 32);
            Fill(Fuzz.BufB, 32);
            if (g == Mem)
            {
                // A structure at buffer + 4092 (Ptr) starts in the page's last word, which other
                // groups' calls may have written differently on each host: mem reads zeros there.
                *(ulong*)(Fuzz.BufA + 4088) = 0;
                *(ulong*)(Fuzz.BufB + 4088) = 0;
            }
            *(uint*)DonePtr = DonePreset;
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

        static void GenMmu()
        {
            MmuUpdate* u = (MmuUpdate*)Fuzz.BufA;
            // A batch longer than the drawn requests ends at a request both Xen and microxen
            // refuse (-EINVAL: MACHPHYS_UPDATE of a frame beyond memory): past it lie random
            // words, which fast mode would apply to any host frame (README; modifier "bugs" drops it).
            if (!BugsOn) { u[4].Ptr = (WildFrame() << 12) | MmuCmd.MMU_MACHPHYS_UPDATE; u[4].Val = 0; }
            for (int k = 0; k < 4; k++)
            {
                ulong ptr, val;
                switch (FuzzRandom.Below(8))
                {
                    case 0: case 1: case 2: case 3:
                        ptr = Window.PteMa(Fuzz.FirstSlot + (int)FuzzRandom.Below(Fuzz.Slots)); val = Pte(); break;
                    case 4: case 5:
                        ptr = (Frame() << 12) + FuzzRandom.Below(512) * 8; val = Pte(); break;
                    case 6:
                        ptr = Frame() << 12; val = FuzzRandom.Chance(1, 2) ? FuzzRandom.Below(1UL << 20) : FuzzRandom.Next(); break;
                    default:
                        ptr = FuzzRandom.Next() & ~3UL; val = Pte(); break;     // a random machine address
                }
                ulong cmd = FuzzRandom.Chance(3, 4) ? (ulong)MmuCmd.MMU_NORMAL_PT_UPDATE : FuzzRandom.Below(4);
                u[k].Ptr = ptr | cmd;
                u[k].Val = val;
            }
            Set(Hypercall.MmuUpdate, Ptr(Fuzz.BufA), BatchCount(), Done(), Domid());
        }

        static void GenUvm()
        {
            ulong flags;
            switch (FuzzRandom.Below(6))
            {
                case 0: flags = UvmFlags.UVMF_NONE; break;
                case 1: flags = UvmFlags.UVMF_TLB_FLUSH; break;
                case 2: flags = UvmFlags.UVMF_INVLPG; break;
                case 3: flags = FuzzRandom.Below(8); break;
                case 4: flags = Ptr(Fuzz.BufB) | FuzzRandom.Below(3); break;     // UVMF_MULTI: vcpumask pointer
                default: flags = FuzzRandom.Next(); break;
            }
            Set(Hypercall.UpdateVaMapping, Va(), Pte(), flags);
        }

        static void GenExt()
        {
            MmuextOp* op = (MmuextOp*)Fuzz.BufA;
            // As in GenMmu: the batch ends at an unknown command (-ENOSYS on both) unless "bugs".
            if (!BugsOn) { op[3].Cmd = 0xffffffff; op[3].Mfn = 0; op[3].SrcMfn = 0; }
            for (int k = 0; k < 3; k++)
            {
                uint cmd = FuzzRandom.Chance(15, 16) ? (uint)FuzzRandom.Below(21) : (uint)FuzzRandom.Next();
                ulong arg1, arg2 = 0;
                switch (cmd)
                {
                    case MmuextCmd.MMUEXT_NEW_BASEPTR: arg1 = Mm.KernelL4Mfn; break;
                    case MmuextCmd.MMUEXT_NEW_USER_BASEPTR: arg1 = FuzzRandom.Chance(1, 2) ? 0 : Frame(); break;
                    case MmuextCmd.MMUEXT_INVLPG_LOCAL:
                    case MmuextCmd.MMUEXT_INVLPG_ALL: arg1 = Va(); break;
                    case MmuextCmd.MMUEXT_TLB_FLUSH_MULTI: arg1 = 0; arg2 = Ptr(Fuzz.BufB); break;
                    case MmuextCmd.MMUEXT_INVLPG_MULTI: arg1 = Va(); arg2 = Ptr(Fuzz.BufB); break;
                    case MmuextCmd.MMUEXT_SET_LDT:
                        arg1 = FuzzRandom.Chance(1, 4) ? 0 : Va();
                        arg2 = FuzzRandom.Chance(3, 4) ? FuzzRandom.Below(600) : FuzzRandom.Next() & 0xffffffff;
                        break;
                    case MmuextCmd.MMUEXT_COPY_PAGE: arg1 = Frame(); arg2 = Frame(); break;
                    default: arg1 = Frame(); break;
                }
                op[k].Cmd = cmd;
                op[k].Mfn = arg1;
                op[k].SrcMfn = arg2;
            }
            Set(Hypercall.MmuextOp, Ptr(Fuzz.BufA), BatchCount(), Done(), Domid());
        }

        static ulong Descriptor()
        {
            switch (FuzzRandom.Below(9))
            {
                case 0: return 0x00affb000000ffff;        // 64-bit code, DPL 3
                case 1: return 0x00af9b000000ffff;        // 64-bit code, DPL 0
                case 2: return 0x00cff3000000ffff;        // data, DPL 3
                case 3: return 0x00cf93000000ffff;        // data, DPL 0
                case 4: return 0x0000ec0000e00000 | (FuzzRandom.Next() & 0xffff0000ffff);   // call gate, DPL 3
                case 5: return 0x0000890000000067;        // TSS
                case 6: return 0x0000820000000fff;        // LDT
                case 7: return 0;
                default: return FuzzRandom.Next();
            }
        }

        static void GenDesc()
        {
            if (FuzzRandom.Chance(3, 4))
            {
                ulong ma = (Frame() << 12) + (FuzzRandom.Chance(7, 8) ? FuzzRandom.Below(512) * 8 : FuzzRandom.Below(4096));
                Set(Hypercall.UpdateDescriptor, ma, Descriptor());
                return;
            }
            ulong* frames = (ulong*)Fuzz.BufB;
            frames[0] = Frame(); frames[1] = Frame();
            ulong entries = FuzzRandom.Chance(3, 4) ? FuzzRandom.Below(1024) : FuzzRandom.Next() & 0xffff;
            Set(Hypercall.SetGdt, Ptr(Fuzz.BufB), entries);
        }

        // Per-command callbacks of GenCmd: adjust buffer A for command cmd; false = skip this command.
        const int Evtchn = 0, Gnttab = 1, Memory = 2, Physdev = 3;

        static void GenCmd(int nr, ulong ncmds, int kind)
        {
            ulong cmd = FuzzRandom.Below(ncmds);
            if (kind == Physdev && !PhysdevAllowed(cmd)) cmd = PhysdevOp.PHYSDEVOP_irq_status_query;
            if (kind == Gnttab)
            {
                Set((ulong)nr, cmd, Ptr(Fuzz.BufA), FuzzRandom.Chance(3, 4) ? 1 + FuzzRandom.Below(2) : FuzzRandom.Next() & 0xffffffff);
                return;
            }
            if (kind == Memory && FuzzRandom.Chance(1, 8)) cmd |= FuzzRandom.Next() << 6 & 0xffffffffffffffc0;   // extent start bits
            if (kind == Memory) cmd = MemoryHostIndependent(cmd);
            Set((ulong)nr, cmd, Ptr(Fuzz.BufA));
        }

        /// <summary>
        /// Keeps a memory_op call's answer the same on every host and the storm's own frames its
        /// own: decrease_reservation's list is buffer B full of frames beyond memory (start extent
        /// kept inside it), so no extent the kernel uses is given back; the counts of pages
        /// (maximum_ram_page, current/maximum_reservation: the host's RAM and dom0_mem) are
        /// digested as "positive" (<see cref="s_hostCount"/>).
        /// </summary>
        static ulong MemoryHostIndependent(ulong cmd)
        {
            ulong op = cmd & 63;
            s_hostCount = op == XenMemOp.XENMEM_maximum_ram_page || op == XenMemOp.XENMEM_current_reservation
                || op == XenMemOp.XENMEM_maximum_reservation;
            if (op != XenMemOp.XENMEM_decrease_reservation) return cmd;
            ulong* list = (ulong*)Fuzz.BufB;
            for (int k = 0; k < 32; k++) list[k] = WildFrame();
            ((ulong*)Fuzz.BufA)[0] = Ptr(Fuzz.BufB);   // xen_memory_reservation.extent_start
            return op | (((cmd >> 6) & 31) << 6);
        }

        /// <summary>The call's positive result is a host's page count: digested as 1.</summary>
        static bool s_hostCount;

        /// <summary>Physdev operations that only query or act on this domain's own state.</summary>
        static bool PhysdevAllowed(ulong cmd)
        {
            switch (cmd)
            {
                case PhysdevOp.PHYSDEVOP_irq_status_query:
                case PhysdevOp.PHYSDEVOP_set_iopl:
                case PhysdevOp.PHYSDEVOP_set_iobitmap:
                case PhysdevOp.PHYSDEVOP_apic_read:
                case PhysdevOp.PHYSDEVOP_eoi:
                case PhysdevOp.PHYSDEVOP_unmap_pirq:
                case PhysdevOp.PHYSDEVOP_get_free_pirq:
                case 0: case 1: case 2: case 3: case 18: case 22: case 32: case 33:
                    return true;
                default: return false;
            }
        }

        static void GenVcpu()
        {
            ulong cmd = FuzzRandom.Below(16);
            ulong vcpu = FuzzRandom.Chance(3, 4) ? 0 : FuzzRandom.Chance(1, 2) ? 1 : FuzzRandom.Next() & 0xffffffff;
            if (cmd == VcpuOp.VCPUOP_register_vcpu_info || cmd == VcpuOp.VCPUOP_send_nmi || (cmd == VcpuOp.VCPUOP_down && vcpu == 0))
                cmd = VcpuOp.VCPUOP_is_up;
            if (cmd == VcpuOp.VCPUOP_set_singleshot_timer)
            {
                // vcpu_set_singleshot_timer: timeout_abs_ns, flags. Clearly past or clearly future, so the
                // result (-ETIME with VCPU_SSHOTTMR_future) does not depend on how long the host took to boot.
                ulong* t = (ulong*)Fuzz.BufA;
                t[0] = FuzzRandom.Chance(1, 2) ? FuzzRandom.Below(1000) : (1UL << 62) + FuzzRandom.Below(1000);
                t[1] = FuzzRandom.Below(2);
            }
            Set(Hypercall.VcpuOp, cmd, vcpu, Ptr(Fuzz.BufA));
        }

        static void GenSched()
        {
            switch (FuzzRandom.Below(8))
            {
                case 0: Set(Hypercall.SchedOp, SchedOp.SCHEDOP_yield, Ptr(Fuzz.BufA)); return;
                case 1:
                    {
                        ulong* p = (ulong*)Fuzz.BufA;     // sched_poll: ports handle, nr_ports, timeout (1 ns: in the past)
                        p[0] = Ptr(Fuzz.BufB); p[1] = FuzzRandom.Below(3); p[2] = 1;
                        Set(Hypercall.SchedOp, SchedOp.SCHEDOP_poll, Ptr(Fuzz.BufA));
                        return;
                    }
                case 2:
                    {
                        ulong* p = (ulong*)Fuzz.BufA;     // sched_remote_shutdown: domain_id (never itself), reason
                        ulong dom = Domid();
                        if (dom == 0 || dom == Hv.DomidSelf) dom = 1;
                        p[0] = dom | (FuzzRandom.Below(5) << 32);
                        Set(Hypercall.SchedOp, SchedOp.SCHEDOP_remote_shutdown, Ptr(Fuzz.BufA));
                        return;
                    }
                case 3:
                    {
                        uint* p = (uint*)Fuzz.BufA;       // sched_watchdog: id (never 0: arming), timeout 0
                        p[0] = 1 + (uint)FuzzRandom.Below(4); p[1] = 0;
                        Set(Hypercall.SchedOp, SchedOp.SCHEDOP_watchdog, Ptr(Fuzz.BufA));
                        return;
                    }
                case 4:
                    *(int*)Fuzz.BufA = FuzzRandom.Chance(1, 2) ? -1 : (int)FuzzRandom.Below(4);
                    Set(Hypercall.SchedOp, SchedOp.SCHEDOP_pin_override, Ptr(Fuzz.BufA));
                    return;
                case 5: Set(Hypercall.SchedOp, 8 + FuzzRandom.Below(8), Ptr(Fuzz.BufA)); return;
                case 6: Set(Hypercall.SetTimerOp, FuzzRandom.Chance(1, 2) ? 0 : FuzzRandom.Below(1000)); return;
                default: Set(Hypercall.SchedOpCompat, SchedOp.SCHEDOP_yield, 0); return;
            }
        }

        static void GenTrap()
        {
            switch (FuzzRandom.Below(8))
            {
                case 0:
                    {
                        ulong which = FuzzRandom.Below(6);
                        ulong v;
                        if (which == Layout.SEGBASE_GS_USER_SEL)
                        {
                            // A selector that faults crashes microxen's native path today (Xen loads a null selector).
                            v = FuzzRandom.Chance(1, 2) ? 0UL : Layout.FLAT_USER_DS32;
                            if (BugsOn && FuzzRandom.Chance(1, 2)) v = FuzzRandom.Below(0x10000);
                        }
                        else v = FuzzRandom.Chance(1, 4) ? 0x0000900000000000 : FuzzRandom.Next() & 0x00007fffffffffff;
                        Set(Hypercall.SetSegmentBase, which, v);
                        return;
                    }
                case 1:
                    {
                        ulong ss;
                        switch (FuzzRandom.Below(4))
                        {
                            case 0: ss = Layout.FLAT_KERNEL_SS; break;
                            case 1: ss = 0; break;
                            case 2: ss = 0x2b; break;
                            default: ss = FuzzRandom.Below(0x10000); break;
                        }
                        Set(Hypercall.StackSwitch, ss, FuzzRandom.Chance(1, 2) ? Traps.Syms->KernelStackTop : FuzzRandom.Next());
                        return;
                    }
                case 2: Set(Hypercall.FpuTaskswitch, 0); return;
                case 3: Set(Hypercall.VmAssist, FuzzRandom.Below(3), FuzzRandom.Chance(7, 8) ? FuzzRandom.Below(7) : 32 + FuzzRandom.Below(2)); return;
                case 4:
                    {
                        CallbackRegister* r = (CallbackRegister*)Fuzz.BufA;
                        ulong op = FuzzRandom.Below(3);
                        ushort type = (ushort)FuzzRandom.Below(10);
                        if (op == CallbackType.CALLBACKOP_register && type <= CallbackType.CALLBACKTYPE_syscall) type = CallbackType.CALLBACKTYPE_nmi;
                        r->Type = type;
                        r->Flags = (ushort)FuzzRandom.Below(4);
                        r->Address = FuzzRandom.Next() & 0x00007fffffffffff;
                        Set(Hypercall.CallbackOp, op, Ptr(Fuzz.BufA));
                        return;
                    }
                case 5:
                    {
                        ulong reg = FuzzRandom.Below(10), v;
                        if (reg == 7 || reg == 5) v = FuzzRandom.Next() & 0xffff0000;        // no L/G enables, no GD (5: DR7's alias)
                        else if (reg < 4) v = FuzzRandom.Chance(1, 4) ? 0x0000900000000000 : FuzzRandom.Chance(1, 4) ? 0xffff82d080000000 : FuzzRandom.Next() & 0x00007fffffffffff;
                        else v = FuzzRandom.Next();
                        Set(Hypercall.SetDebugreg, reg, v);
                        return;
                    }
                case 6: Set(Hypercall.GetDebugreg, FuzzRandom.Below(10)); return;
                default: Set(Hypercall.FpuTaskswitch, 0); return;
            }
        }

        /// <summary>
        /// A multicall of 1-3 entries drawn from harmless operations, a nested multicall among them
        /// (Xen: -EINVAL for that entry). Never iret: Xen 4.17 runs it inside a multicall
        /// (pv_do_multicall_call, then mc_exit) with whatever the stack holds, and the domain dies.
        /// </summary>
        static void GenMulticall()
        {
            MulticallEntry* e = (MulticallEntry*)Fuzz.BufB;
            s_mcCount = 1 + (int)FuzzRandom.Below(3);
            for (int k = 0; k < 3; k++)
            {
                e[k].Result = 0x5a5a5a5a;
                switch (FuzzRandom.Below(6))
                {
                    case 0: e[k].Op = Hypercall.XenVersion; e[k].Args[0] = FuzzRandom.Below(12); e[k].Args[1] = Ptr(Fuzz.BufA); break;
                    case 1: e[k].Op = Hypercall.SetSegmentBase; e[k].Args[0] = Layout.SEGBASE_FS; e[k].Args[1] = 0; break;
                    case 2: e[k].Op = 60 + FuzzRandom.Below(100); break;
                    case 3: e[k].Op = Hypercall.FpuTaskswitch; e[k].Args[0] = 0; break;
                    case 4: e[k].Op = Hypercall.UpdateDescriptor; e[k].Args[0] = (Frame() << 12) + FuzzRandom.Below(512) * 8; e[k].Args[1] = Descriptor(); break;
                    default: e[k].Op = Hypercall.Multicall; e[k].Args[0] = Ptr(Fuzz.BufA); e[k].Args[1] = FuzzRandom.Below(2); break;
                }
            }
            s_auxKind = AuxMulticall;
            ulong count = FuzzRandom.Chance(7, 8) ? (ulong)s_mcCount : FuzzRandom.Below(2);
            s_mcCount = (int)count;
            Set(Hypercall.Multicall, FuzzRandom.Chance(7, 8) ? Fuzz.BufB : Ptr(Fuzz.BufB), count);
        }

        static void GenCon()
        {
            switch (FuzzRandom.Below(3))
            {
                case 0: Set(Hypercall.ConsoleIo, ConsoleIoCmd.CONSOLEIO_write, 0, Ptr(Fuzz.BufA)); return;
                case 1: Set(Hypercall.ConsoleIo, ConsoleIoCmd.CONSOLEIO_read, FuzzRandom.Below(32), Ptr(Fuzz.BufA)); return;
                default: Set(Hypercall.ConsoleIo, 2 + FuzzRandom.Below(64), FuzzRandom.Below(32), Ptr(Fuzz.BufA)); return;
            }
        }

        /// <summary>Numbers microxen does not implement: Xen's own ones with NULL arguments, undefined ones with anything harmless.</summary>
        static void GenUndef()
        {
            switch (FuzzRandom.Below(4))
            {
                case 0:
                    {
                        ulong nr;
                        bool cmdFirst = true;     // a command first, then a NULL pointer; else every argument 0
                        switch (FuzzRandom.Below(15))
                        {
                            case 0: nr = Hypercall.PlatformOp; cmdFirst = false; break;
                            case 1: nr = Hypercall.EventChannelOpCompat; cmdFirst = false; break;
                            case 2: nr = Hypercall.PhysdevOpCompat; cmdFirst = false; break;
                            case 3: nr = Hypercall.XsmOp; cmdFirst = false; break;
                            case 4: nr = Hypercall.NmiOp; break;
                            case 5: nr = Hypercall.XenoprofOp; break;
                            case 6: nr = Hypercall.HvmOp; break;
                            case 7: nr = Hypercall.Sysctl; cmdFirst = false; break;
                            case 8: nr = Hypercall.Domctl; cmdFirst = false; break;
                            case 9: nr = Hypercall.KexecOp; break;
                            case 10: nr = Hypercall.TmemOp; cmdFirst = false; break;
                            case 11: nr = Hypercall.ArgoOp; break;
                            case 12: nr = Hypercall.XenpmuOp; break;
                            case 13: nr = Hypercall.DmOp; break;
                            default: nr = Hypercall.Mca; cmdFirst = false; break;
                        }
                        Set(nr, cmdFirst ? FuzzRandom.Below(4) : 0);
                        return;
                    }
                case 1:
                    Set(Hypercall.UpdateVaMappingOtherdomain, SlotVa(), Pte(), UvmFlags.UVMF_INVLPG, Domid());
                    return;
                case 2: Set(43 + FuzzRandom.Below(5), FuzzRandom.Next(), FuzzRandom.Next()); return;
                default: Set(49 + FuzzRandom.Below(79), FuzzRandom.Next(), FuzzRandom.Next()); return;   // 49..127: the transfer page has 128 entries
            }
        }

        /// <summary>Not a hypercall: a read or write of a storm slot (a probe; aux = the fault vector + 1, or 0).</summary>
        static void GenScribble()
        {
            ulong va = SlotVa() + (FuzzRandom.Below(512) * 8);
            bool write = FuzzRandom.Chance(1, 2);
            Set(write ? 0x10001UL : 0x10000UL, va, FuzzRandom.Chance(1, 2) ? FuzzRandom.Next() : Pte());
            s_auxKind = AuxProbe;
        }

        // ---- execution ----

        /// <summary>Makes the drawn call and sets <see cref="Rc"/> and <see cref="Aux"/>.</summary>
        public static void Execute()
        {
            fixed (Args* a = &s_args)
            {
                if (s_auxKind == AuxProbe)
                {
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
