namespace Microxen.Hypercalls
{
    /// <summary>
    /// The C# hypercall dispatcher (hypercall_dispatch): reached from the LSTAR stub when the
    /// ring-0 guest executes <c>syscall</c>, and from the transfer page. Number in RAX; arguments
    /// in RDI, RSI, RDX, R10, R8; the result goes back in RAX and every other register is kept
    /// (the stub restores them). Errors are Xen's negative errno values (public/errno.h).
    /// <c>Call</c> and <c>HasSubOps</c> are generated from shim/Hypercalls/HypercallTable.cs
    /// (HypercallDispatch.g.cs, tools/InlineGen).
    /// </summary>
    public static unsafe partial class HypercallDispatch
    {
        /// <summary>The frame of the hypercall the C# dispatcher is serving, else null.</summary>
        public static CpuFrame* Current;
        static ulong s_guestTsAtEntry;
        /// <summary>The multicall entry whose operation is running (its pointers belong to that entry), else null.</summary>
        static MulticallEntry* s_multicallEntry;
        /// <summary>Entries after <see cref="s_multicallEntry"/> still to run.</summary>
        static ulong s_multicallLeft;

        [UnmanagedCallersOnly(EntryPoint = "hypercall_dispatch")]
        static void Entry(CpuFrame* f)
        {
            Smp.ShimLock.Enter();
            Current = f;
            s_multicallEntry = null;
            s_guestTsAtEntry = ShimCpu.Pv->GuestTs;
            ulong nr = f->Rax;
            HypercallStats.Count(nr, HasSubOps(nr) ? f->Rdi : ulong.MaxValue);
            if (nr == Hypercall.Iret) Iret.Do(f);
            else f->Rax = (ulong)Call(nr, f->Rdi, f->Rsi, f->Rdx, f->R10, f->R8, f);
            Finish(f);
            Smp.ShimLock.Exit();
        }

        static void Finish(CpuFrame* f)
        {
            Current = null;
            if (Events.Evtchn.UpcallDeliverable())
            {
                // The frame came from syscall in ring 0: give it the selectors an iretq needs.
                if (f->Vector == CpuFrame.HypercallVector) { f->Cs = Gdt.KernelCs; f->Ss = 0; }
                Events.Upcall.TryDeliver(f);
            }
        }

        /// <summary>
        /// A fault inside the shim while it served a hypercall: the guest passed a pointer the
        /// shim cannot use (not mapped, not canonical). The hypercall returns -EFAULT as Xen's
        /// copy_from/to_guest make it (whatever it did before the fault stays done, as on Xen),
        /// and the dispatcher's stack is abandoned. Inside a multicall entry's operation the
        /// -EFAULT is that entry's result and the rest of the batch runs as a continuation (Xen's
        /// do_multicall; the guest re-executes its syscall with RDI/RSI naming the remaining
        /// entries, as after Xen's hypercall_create_continuation). False when no hypercall was
        /// being served.
        /// </summary>
        public static bool TryFail(ulong vector, ulong address)
        {
            CpuFrame* f = Current;
            if (f == null) return false;
            HypercallStats.BadPointer(f->Rax, vector, address);
            if (f->Rax == Hypercall.Iret || f->Vector != CpuFrame.HypercallVector)
            {
                Current = null;
                Traps.TrapDispatch.CrashGuest(f, vector, "iret hypercall with a frame the shim cannot read (Xen crashes the domain too)");
            }
            ShimCpu.Pv->GuestTs = s_guestTsAtEntry;                    // the fault's own entry re-recorded it
            long efault = -XenErrno.EFAULT;
            MulticallEntry* e = s_multicallEntry;
            if (e != null)
            {
                s_multicallEntry = null;     // a fault storing the result fails the whole multicall
                e->Result = unchecked((ulong)efault);
                if (s_multicallLeft == 0) f->Rax = 0;
                else
                {
                    f->Rax = Hypercall.Multicall;
                    f->Rdi = (ulong)(e + 1);
                    f->Rsi = s_multicallLeft;
                    f->Rip -= 2;             // back onto the guest's syscall (0f 05)
                }
            }
            else f->Rax = unchecked((ulong)efault);
            Finish(f);
            Smp.ShimLock.ExitAll();
            Cpu.AbortHypercall(f);
            return true;
        }

        /// <summary>
        /// HYPERVISOR_multicall(entries, count): runs each multicall_entry (public/xen.h, 64 bytes)
        /// in order and stores its result. A nested multicall is -EINVAL; iret ends the batch (below). A fault on
        /// the entry array fails the whole call with -EFAULT; a fault on a pointer an entry's
        /// operation uses is that entry's -EFAULT (<see cref="TryFail"/>).
        /// </summary>
        static long Multicall(ulong entries, ulong count, CpuFrame* f)
        {
            MulticallEntry* e = (MulticallEntry*)entries;
            count = (uint)count;             // nr_calls is an unsigned int
            if (!Checked.CheckedMmu.AddrOk(entries)) return -XenErrno.EFAULT;   // guest_handle_okay, even for no entries
            for (ulong i = 0; i < count; i++, e++)
            {
                ulong nr = e->Op;
                ulong a1 = e->Args[0], a2 = e->Args[1], a3 = e->Args[2], a4 = e->Args[3], a5 = e->Args[4];
                HypercallStats.Count(nr, HasSubOps(nr) ? a1 : ulong.MaxValue);
                long r;
                if (nr == Hypercall.Iret)
                {
                    // Xen 4.17 runs it (pv_do_multicall_call, then mc_exit): the guest returns
                    // through the iret frame on its stack, the entry's result and the multicall's
                    // are the restored rax, and the entries after it do not run. A frame the
                    // shim cannot read crashes the guest as an iret hypercall's does (TryFail).
                    s_multicallEntry = null;
                    f->Rax = Hypercall.Iret;
                    Iret.Do(f);
                    e->Result = f->Rax;
                    return (long)f->Rax;
                }
                if (nr == Hypercall.Multicall) r = -XenErrno.EINVAL;
                else
                {
                    s_multicallEntry = e;
                    s_multicallLeft = count - i - 1;
                    // A fault in this entry's operation turns the entries left into a continuation
                    // (TryFail) that the guest re-enters as __HYPERVISOR_multicall and that is
                    // counted then: this call's count is taken back while the entry runs.
                    if (s_multicallLeft != 0) HypercallStats.Uncount(Hypercall.Multicall);
                    r = Call(nr, a1, a2, a3, a4, a5, f);
                    if (s_multicallLeft != 0) HypercallStats.Count(Hypercall.Multicall, ulong.MaxValue);
                    s_multicallEntry = null;
                }
                e->Result = unchecked((ulong)r);
            }
            return 0;
        }
    }
}
