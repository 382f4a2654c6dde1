namespace KernelTest.Hypervisor
{
    /// <summary>
    /// Typed hypercalls (public/xen.h and friends), all through the transfer page
    /// (<see cref="Native.Hypercall"/>). Results are Xen's: 0 or a value, or -errno.
    /// </summary>
    public static unsafe class Hv
    {
        public const ushort DomidSelf = 0x7FF0;

        public static long Call(int nr, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0) =>
            BySyscall ? Syscall(nr, a1, a2, a3, a4, a5) : Native.Hypercall((ulong)nr, a1, a2, a3, a4, a5);

        /// <summary>While set, <see cref="Call"/> makes each hypercall by a direct <c>syscall</c> (the LSTAR entry, as Linux 6.1.123+'s xen_hypercall_pv) instead of the transfer page (Tests/LstarRowTests.cs).</summary>
        public static bool BySyscall;

        /// <summary>Hypercall <paramref name="nr"/> by a direct syscall (kt_canary_call with target 0): arguments in RDI, RSI, RDX, R10, R8, every other register 0.</summary>
        static long Syscall(int nr, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5)
        {
            ProbeState* st = Traps.State;
            for (int i = 0; i < ProbeState.CanaryCount; i++) st->CanaryIn[i] = 0;
            st->CanaryIn[ProbeState.CanaryRax] = (ulong)nr;
            st->CanaryIn[ProbeState.CanaryRdi] = a1;
            st->CanaryIn[ProbeState.CanaryRsi] = a2;
            st->CanaryIn[ProbeState.CanaryRdx] = a3;
            st->CanaryIn[ProbeState.CanaryR10] = a4;
            st->CanaryIn[ProbeState.CanaryR8] = a5;
            Native.CanaryCall(0);
            return (long)st->CanaryOut[ProbeState.CanaryRax];
        }

        public static long ConsoleWrite(byte* buf, int count) =>
            Call(Hypercall.ConsoleIo, ConsoleIoCmd.CONSOLEIO_write, (ulong)count, (ulong)buf);

        public static long XenVersion(int cmd, void* arg) => Call(Hypercall.XenVersion, (ulong)cmd, (ulong)arg);

        /// <summary>mmu_update(reqs, count, &amp;done, DOMID_SELF).</summary>
        public static long MmuUpdate(MmuUpdate* reqs, uint count, uint* done) =>
            Call(Hypercall.MmuUpdate, (ulong)reqs, count, (ulong)done, DomidSelf);

        /// <summary>One MMU_NORMAL_PT_UPDATE: the 8-byte entry at machine address <paramref name="ptrMa"/> becomes <paramref name="val"/>.</summary>
        public static long WritePte(ulong ptrMa, ulong val)
        {
            MmuUpdate u;
            u.Ptr = ptrMa | MmuCmd.MMU_NORMAL_PT_UPDATE;
            u.Val = val;
            uint done = 0;
            return MmuUpdate(&u, 1, &done);
        }

        public static long UpdateVaMapping(ulong va, ulong val, ulong flags) =>
            Call(Hypercall.UpdateVaMapping, va, val, flags);

        /// <summary>mmuext_op with one op of <paramref name="cmd"/> on <paramref name="arg1"/> (mfn or linear address).</summary>
        public static long Mmuext(uint cmd, ulong arg1, ulong arg2 = 0)
        {
            MmuextOp op;
            op.Vcpumask = 0;
            op.Cmd = cmd;
            op.Mfn = arg1;
            op.SrcMfn = arg2;
            uint done = 0;
            return Call(Hypercall.MmuextOp, (ulong)&op, 1, (ulong)&done, DomidSelf);
        }

        public static long EventChannelOp(int cmd, void* arg) => Call(Hypercall.EventChannelOp, (ulong)cmd, (ulong)arg);

        public static long GrantTableOp(int cmd, void* uop, uint count) => Call(Hypercall.GrantTableOp, (ulong)cmd, (ulong)uop, count);

        public static long VcpuOp(int cmd, uint vcpu, void* arg) => Call(Hypercall.VcpuOp, (ulong)cmd, vcpu, (ulong)arg);

        public static long SchedOpCall(int cmd, void* arg) => Call(Hypercall.SchedOp, (ulong)cmd, (ulong)arg);

        public static long Shutdown(uint reason)
        {
            SchedShutdown s;
            s.Reason = reason;
            return SchedOpCall(SchedOp.SCHEDOP_shutdown, &s);
        }

        public static long CallbackRegister(ushort type, ushort flags, ulong address)
        {
            CallbackRegister r;
            r.Type = type;
            r.Flags = flags;
            r.Address = address;
            return Call(Hypercall.CallbackOp, CallbackType.CALLBACKOP_register, (ulong)&r);
        }

        public static long SetSegmentBase(int which, ulong value) => Call(Hypercall.SetSegmentBase, (ulong)which, value);

        /// <summary>A cheap hypercall whose return to the guest delivers pending events (Linux's xen_force_evtchn_callback).</summary>
        public static long Force() => Call(Hypercall.XenVersion, 0, 0);
    }
}
