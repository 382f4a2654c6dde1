namespace KernelTest.Tests
{
    /// <summary>
    /// Xen's hypercall register ABI (public/arch-x86/xen-x86_64.h: "Clobbered: argument registers
    /// (e.g., 2-arg hypercall clobbers %rdi,%rsi)"): every hypercall kernel-test makes, with
    /// canaries in every register, through the transfer page (<c>call hypercall_page + N*32</c>)
    /// and through a direct <c>syscall</c> from kernel mode (Linux 6.1.123+'s xen_hypercall_pv).
    /// Only RAX (the result) and the argument registers the hypercall takes (shim/Hypercalls/
    /// HypercallTable.cs Args, Xen's xen/include/hypercall-defs.c) may change; RFLAGS' CF, PF,
    /// AF, ZF, SF, DF and OF come back as they went in (Xen's sysret restores the RFLAGS of the
    /// syscall, x86_64/entry.S restore_all_guest), both with all of them set and all clear. After
    /// a direct syscall RCX is the return address and R11 the RFLAGS of the syscall (the
    /// instruction's own); through the page they survive (its push/pop).
    /// </summary>
    public static unsafe class RegisterAbiTests
    {
        static bool s_direct;
        static ulong s_flags;
        /// <summary>Where the direct syscall is: 0 for kt_canary_call's own, else a copy of <c>syscall; ret</c> there.</summary>
        static ulong s_syscallAt;

        public static bool TransferPage() => Both(false);

        public static bool DirectSyscall() => Both(true);

        /// <summary>
        /// The direct syscall executed at a lower-half kernel address (<see cref="UserSpace.TestVa"/>,
        /// a supervisor mapping in user space's L1): still a hypercall, since the vCPU is in
        /// kernel mode (Xen routes by TF_kernel_mode, never by the address in RCX), with the
        /// same register ABI; RCX comes back as that lower-half return address.
        /// </summary>
        public static bool LowerHalfSyscall()
        {
            if (!UserSpace.Ensure()) return false;
            ulong f = Window.ClearedFrame();
            if (!Check.True(f != 0, "no free frame")) return false;
            byte* code = (byte*)Window.Scratch(f);
            code[0] = 0x0f; code[1] = 0x05; code[2] = 0xc3;        // syscall; ret
            if (!Check.Rc("unmap scratch", Window.EndScratch())) return false;
            ulong va = UserSpace.TestVa;
            if (!Check.Rc("map the code page", Hv.UpdateVaMapping(va, (f << 12) | PageFlags.Present | PageFlags.Accessed, UvmFlags.UVMF_INVLPG))) return false;
            s_syscallAt = va;
            bool ok = Both(true);
            s_syscallAt = 0;
            return Check.Rc("unmap", Hv.UpdateVaMapping(va, 0, UvmFlags.UVMF_INVLPG)) && ok;
        }

        /// <summary>
        /// iret (entry 23, entered with jmp) to kernel mode with canaries in every register: RAX,
        /// R11 and RCX come back from the frame (Xen's iret_context, here the values they had),
        /// every other register survives, RFLAGS' canary bits come from the frame; events stay
        /// as they were (the frame's IF is the current !evtchn_upcall_mask).
        /// </summary>
        public static bool Iret()
        {
            ProbeState* st = (ProbeState*)Traps.Syms->State;
            for (int pass = 0; pass < 2; pass++)
            {
                ulong flags = pass == 0 ? ProbeState.CanaryFlagBits : 0;
                for (int i = 0; i < ProbeState.CanaryRflags; i++) st->CanaryIn[i] = 0x1e7c0de000000000UL | ((ulong)i << 16) | flags;
                st->CanaryIn[ProbeState.CanaryRflags] = flags | (Window.Vcpu0->EvtchnUpcallMask == 0 ? Microxen.Arch.X86.Rflags.IF : 0);
                Native.CanaryIret(Traps.KernelCs, Traps.KernelSs);
                for (int i = 0; i < ProbeState.CanaryRflags; i++)
                    if (!Check.Eq(RegName(i), st->CanaryOut[i], st->CanaryIn[i])) return false;
                if (!Check.Eq("rflags", st->CanaryOut[ProbeState.CanaryRflags] & ProbeState.CanaryFlagBits, flags)) return false;
            }
            return true;
        }

        static bool Both(bool direct)
        {
            s_direct = direct;
            s_flags = ProbeState.CanaryFlagBits;
            if (!Suite()) return false;
            s_flags = 0;
            return Suite();
        }

        /// <summary>Argument register k (0-4: RDI, RSI, RDX, R10, R8) as a ProbeState canary index.</summary>
        static int ArgIndex(int k)
        {
            switch (k)
            {
                case 0: return ProbeState.CanaryRdi;
                case 1: return ProbeState.CanaryRsi;
                case 2: return ProbeState.CanaryRdx;
                case 3: return ProbeState.CanaryR10;
                default: return ProbeState.CanaryR8;
            }
        }

        public static string RegName(int i)
        {
            switch (i)
            {
                case ProbeState.CanaryRax: return "rax";
                case ProbeState.CanaryRbx: return "rbx";
                case ProbeState.CanaryRcx: return "rcx";
                case ProbeState.CanaryRdx: return "rdx";
                case ProbeState.CanaryRsi: return "rsi";
                case ProbeState.CanaryRdi: return "rdi";
                case ProbeState.CanaryRbp: return "rbp";
                case ProbeState.CanaryR8: return "r8";
                case ProbeState.CanaryR9: return "r9";
                case ProbeState.CanaryR10: return "r10";
                case ProbeState.CanaryR11: return "r11";
                case ProbeState.CanaryR12: return "r12";
                case ProbeState.CanaryR13: return "r13";
                case ProbeState.CanaryR14: return "r14";
                case ProbeState.CanaryR15: return "r15";
                default: return "rflags";
            }
        }

        /// <summary>
        /// Hypercall <paramref name="nr"/> with arguments a1..a5 (only the ones it takes are
        /// loaded, the others hold canaries) through the entry under test; its result in
        /// <paramref name="rc"/>. False, with the hypercall and register named, when a register
        /// the hypercall may not change changed.
        /// </summary>
        static bool Call(string what, int nr, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5, out long rc)
        {
            ProbeState* st = (ProbeState*)Traps.Syms->State;
            int mask = HypercallTable.ArgRegisterMask((ulong)nr);
            for (int i = 0; i < ProbeState.CanaryRflags; i++)
                st->CanaryIn[i] = 0x5ca1ab1e00000000UL | ((ulong)i << 16) | ((ulong)nr << 8) | s_flags;
            ulong* args = stackalloc ulong[HypercallTable.MaxArgs];
            args[0] = a1; args[1] = a2; args[2] = a3; args[3] = a4; args[4] = a5;
            for (int k = 0; k < HypercallTable.MaxArgs; k++)
                if ((mask & (1 << k)) != 0) st->CanaryIn[ArgIndex(k)] = args[k];
            st->CanaryIn[ProbeState.CanaryRflags] = s_flags;
            if (s_direct) st->CanaryIn[ProbeState.CanaryRax] = (ulong)nr;
            ulong target = s_direct ? s_syscallAt : Traps.Syms->HypercallPage + (ulong)nr * 32;
            Native.CanaryCall(target);
            ulong syscallReturn = s_syscallAt != 0 ? s_syscallAt + 2 : st->CanarySyscallReturn;
            rc = (long)st->CanaryOut[ProbeState.CanaryRax];
            ulong flagsIn = st->CanaryIn[ProbeState.CanaryRflags] & ProbeState.CanaryFlagBits;
            for (int i = 1; i <= ProbeState.CanaryRflags; i++)
            {
                bool isArg = false;
                for (int k = 0; k < HypercallTable.MaxArgs; k++) if ((mask & (1 << k)) != 0 && ArgIndex(k) == i) isArg = true;
                if (isArg) continue;
                ulong got = st->CanaryOut[i], want = st->CanaryIn[i];
                if (i == ProbeState.CanaryRflags) { got &= ProbeState.CanaryFlagBits; want = flagsIn; }
                else if (s_direct && i == ProbeState.CanaryRcx) want = syscallReturn;
                else if (s_direct && i == ProbeState.CanaryR11) { got &= ProbeState.CanaryFlagBits; want = flagsIn; }
                if (got != want)
                {
                    Out.Str("kernel-test: "); Out.Str(what); if (s_direct) Out.Str(" by syscall"); else Out.Str(" through the transfer page");
                    Out.Str(", flags "); Out.Hex(s_flags); Out.Str(": "); Out.Str(RegName(i)); Out.Str(" changed"); Out.End();
                    return Runner.Fail(RegName(i), got, want);
                }
            }
            return true;
        }

        static bool Rc(string what, int nr, ulong a1, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0)
        {
            long rc;
            if (!Call(what, nr, a1, a2, a3, a4, a5, out rc)) return false;
            return Check.Rc(what, rc);
        }

        struct Batch { public fixed byte B[2 * 64]; }

        /// <summary>Every hypercall kernel-test makes, with arguments that succeed and change nothing lasting.</summary>
        static bool Suite()
        {
            long rc;
            byte nothing = 0;
            if (!Rc("console_io(write, 0 bytes)", Hypercall.ConsoleIo, ConsoleIoCmd.CONSOLEIO_write, 0, (ulong)&nothing)) return false;
            if (!Call("xen_version(version)", Hypercall.XenVersion, XenVersionCmd.XENVER_version, 0, 0, 0, 0, out rc)) return false;
            if (!Check.True(rc > 0, "xen_version(version) result")) return false;
            if (!Call("xen_version(pagesize)", Hypercall.XenVersion, XenVersionCmd.XENVER_pagesize, 0, 0, 0, 0, out rc)) return false;
            if (!Check.Eq("xen_version(pagesize) result", (ulong)rc, 4096)) return false;

            int s = Runner.Slot(0);
            ulong shared = Mm.Start->SharedInfo | Mm.KernelRw;
            if (!Rc("update_va_mapping(map, UVMF_INVLPG)", Hypercall.UpdateVaMapping, Window.Va(s), shared, UvmFlags.UVMF_INVLPG)) return false;
            if (!Rc("update_va_mapping(unmap, UVMF_TLB_FLUSH)", Hypercall.UpdateVaMapping, Window.Va(s), 0, UvmFlags.UVMF_TLB_FLUSH)) return false;
            MmuUpdate u;
            u.Ptr = Window.PteMa(s) | MmuCmd.MMU_NORMAL_PT_UPDATE;
            u.Val = shared;
            uint done = 0;
            if (!Rc("mmu_update(map)", Hypercall.MmuUpdate, (ulong)&u, 1, (ulong)&done, Hv.DomidSelf)) return false;
            u.Val = 0;
            if (!Rc("mmu_update(unmap)", Hypercall.MmuUpdate, (ulong)&u, 1, (ulong)&done, Hv.DomidSelf)) return false;
            MmuextOp op;
            op.Vcpumask = 0;
            op.Cmd = MmuextCmd.MMUEXT_INVLPG_LOCAL;
            op.Mfn = Window.Va(s);
            op.SrcMfn = 0;
            if (!Rc("mmuext_op(INVLPG_LOCAL)", Hypercall.MmuextOp, (ulong)&op, 1, (ulong)&done, Hv.DomidSelf)) return false;
            op.Cmd = MmuextCmd.MMUEXT_TLB_FLUSH_LOCAL;
            if (!Rc("mmuext_op(TLB_FLUSH_LOCAL)", Hypercall.MmuextOp, (ulong)&op, 1, (ulong)&done, Hv.DomidSelf)) return false;

            Batch b;
            MulticallEntry* e = (MulticallEntry*)b.B;
            for (int i = 0; i < 2; i++) for (int k = 0; k < 6; k++) e[i].Args[k] = 0;
            e[0].Op = Hypercall.XenVersion; e[0].Args[0] = XenVersionCmd.XENVER_version;
            e[1].Op = Hypercall.ConsoleIo; e[1].Args[0] = ConsoleIoCmd.CONSOLEIO_write; e[1].Args[2] = (ulong)&nothing;
            if (!Rc("multicall(xen_version, console_io)", Hypercall.Multicall, (ulong)e, 2)) return false;
            if (!Check.Eq("multicall entry 1 result", e[1].Result, 0)) return false;

            EvtchnBindIpi bind;
            bind.Vcpu = 0;
            bind.Port = 0;
            if (!Rc("event_channel_op(bind_ipi)", Hypercall.EventChannelOp, EvtchnOp.EVTCHNOP_bind_ipi, (ulong)&bind)) return false;
            EvtchnClose close;
            close.Port = bind.Port;
            if (!Rc("event_channel_op(close)", Hypercall.EventChannelOp, EvtchnOp.EVTCHNOP_close, (ulong)&close)) return false;
            if (!Rc("vcpu_op(stop_periodic_timer)", Hypercall.VcpuOp, VcpuOp.VCPUOP_stop_periodic_timer, 0, 0)) return false;
            if (!Rc("sched_op(yield)", Hypercall.SchedOp, SchedOp.SCHEDOP_yield, 0)) return false;
            if (!Rc("set_timer_op(0)", Hypercall.SetTimerOp, 0)) return false;
            CallbackRegister cb;
            cb.Type = CallbackType.CALLBACKTYPE_event;
            cb.Flags = 0;
            cb.Address = Traps.Syms->EventCallback;
            if (!Rc("callback_op(register event)", Hypercall.CallbackOp, CallbackType.CALLBACKOP_register, (ulong)&cb)) return false;
            TrapInfo end;
            end.Vector = 0; end.Flags = 0; end.Cs = 0; end.Address = 0;
            if (!Rc("set_trap_table(empty)", Hypercall.SetTrapTable, (ulong)&end)) return false;
            if (!Rc("set_segment_base(FS, 0)", Hypercall.SetSegmentBase, Layout.SEGBASE_FS, 0)) return false;
            if (!Rc("fpu_taskswitch(0)", Hypercall.FpuTaskswitch, 0)) return false;
            return Rc("stack_switch", Hypercall.StackSwitch, Layout.FLAT_KERNEL_SS, Traps.Syms->KernelStackTop);
        }

        /// <summary>
        /// A direct <c>syscall</c> with RAX = 2^32 + 23 (iret's number in the low 32 bits): Xen's
        /// pv_hypercall compares all 64 bits of RAX with its table's size (xen/arch/x86/pv/hypercall.c)
        /// and answers -ENOSYS; it is not taken for iret (which would pop a frame off the stack).
        /// </summary>
        public static bool HighBitsNotIret()
        {
            ProbeState* st = (ProbeState*)Traps.Syms->State;
            for (int i = 0; i < ProbeState.CanaryRflags; i++) st->CanaryIn[i] = 0x5ca1ab1e00000000UL | ((ulong)i << 16);
            st->CanaryIn[ProbeState.CanaryRflags] = 0;
            st->CanaryIn[ProbeState.CanaryRax] = (1UL << 32) | (ulong)Hypercall.Iret;
            Native.CanaryCall(0);
            return Check.Eq("rax after syscall(2^32 + 23)", st->CanaryOut[ProbeState.CanaryRax], unchecked((ulong)(long)-Microxen.Xen.XenErrno.ENOSYS));
        }
    }
}