using KernelTest.Arch;
using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Fuzz
{
    /// <summary>The storm's other groups: evt, gnt, mem, phys (one command structure each), vcpu, sched, trap, mc, con, undef, and the scribble probe.</summary>
    public static unsafe partial class FuzzGroups
    {
        // Per-command callbacks of GenCmd: adjust buffer A for command cmd; false = skip this command.
        const int Evtchn = 0, Gnttab = 1, Memory = 2, Physdev = 3;

        static void GenCmd(int nr, ulong ncmds, int kind)
        {
            ulong cmd = FuzzRandom.Below(ncmds);
            if (kind == Physdev && !PhysdevAllowed(cmd)) cmd = PhysdevOp.PHYSDEVOP_irq_status_query;
            // struct physdev_unmap_pirq's domid (its first field) from the domid pool: a pool frame's
            // address there gave dom 0x7000 on Xen 4.17 (-ESRCH), 0 on microxen (-EINVAL).
            if (kind == Physdev && cmd == PhysdevOp.PHYSDEVOP_unmap_pirq) *(ushort*)Fuzz.BufA = (ushort)Domid();
            if (kind == Gnttab)
            {
                GnttabDomids(cmd);
                Set((ulong)nr, cmd, Ptr(Fuzz.BufA), FuzzRandom.Chance(3, 4) ? 1 + FuzzRandom.Below(2) : FuzzRandom.Next() & 0xffffffff);
                return;
            }
            if (kind == Evtchn && (cmd == EvtchnOp.EVTCHNOP_init_control || cmd == EvtchnOp.EVTCHNOP_expand_array))
            {
                // control_gfn / array_gfn: whether a low frame number is the domain's depends on the
                // host's memory layout (Xen gives dom0 other frames than microxen), so frames below the
                // wild range become pool frames; larger words stay (no RAM there on either host).
                ulong* gfn = (ulong*)Fuzz.BufA;
                if (*gfn < WildFirst) *gfn = Frame();
            }
            else if (kind == Evtchn)
            {
                // The structures' first two 16-bit fields are domids (status, reset: dom;
                // alloc_unbound: dom, remote_dom; bind_interdomain: remote_dom): a word holding a
                // pool frame's address would give them the host's layout (0x4000 on Xen, 0 here).
                ushort* dom = (ushort*)Fuzz.BufA;
                dom[0] = (ushort)Domid();
                dom[1] = (ushort)Domid();
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
            if (cmd == VcpuOp.VCPUOP_set_periodic_timer)
            {
                // vcpu_set_periodic_timer: period_ns under 1 ms or over STIME_DELTA_MAX (-EINVAL), or a
                // valid one longer than any storm (~73 min): a timer firing during the storm would make
                // SCHEDOP_poll's answers (a pending VIRQ_TIMER port, an upcall) depend on the host's speed.
                ulong* t = (ulong*)Fuzz.BufA;
                ulong r = FuzzRandom.Below(3);
                t[0] = r == 0 ? FuzzRandom.Below(VcpuOp.PeriodMinNs) : r == 1 ? VcpuOp.StimeDeltaMax + 1 + FuzzRandom.Below(1000) : (1UL << 42) + FuzzRandom.Below(1000);
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
    }
}
