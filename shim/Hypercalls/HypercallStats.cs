namespace Microxen.Hypercalls
{
    /// <summary>
    /// Counts of hypercalls and of their sub-operations (the first argument's command, 0-63),
    /// printed by <see cref="Print"/>; and the once-only log of what the shim does not implement.
    /// </summary>
    public static unsafe class HypercallStats
    {
        public const int Calls = HypercallTable.Size;
        public const int SubOps = 64;
        struct Table
        {
            public fixed ulong Count[Calls];
            public fixed ulong Sub[Calls * SubOps];
            public WarnOnce Warned;
        }
        static Table s_t;

        /// <summary>Counts a sub-operation only (the commands inside mmuext_op and mmu_update batches).</summary>
        public static void CountSub(ulong nr, ulong sub)
        {
            if (nr >= Calls || sub >= SubOps) return;
            fixed (Table* t = &s_t) t->Sub[nr * SubOps + sub]++;
        }

        /// <summary>Takes back one <see cref="Count"/> of hypercall <paramref name="nr"/> (not its sub-operation).</summary>
        public static void Uncount(ulong nr)
        {
            if (nr >= Calls) return;
            fixed (Table* t = &s_t) t->Count[nr]--;
        }

        /// <summary>Counts one call of hypercall <paramref name="nr"/> and, when below SubOps, of its sub-operation <paramref name="sub"/>.</summary>
        public static void Count(ulong nr, ulong sub)
        {
            if (nr >= Calls) return;
            fixed (Table* t = &s_t)
            {
                t->Count[nr]++;
                if (sub < SubOps) t->Sub[nr * SubOps + sub]++;
            }
        }

        /// <summary>
        /// Logs "unimplemented hypercall" with the arguments once per (number, sub-operation),
        /// once for all numbers from 64 on (<see cref="WarnOnce"/>), and returns -ENOSYS for the
        /// caller to hand back.
        /// </summary>
        public static long Unimplemented(string name, ulong nr, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5)
        {
            fixed (Table* t = &s_t)
                if (!t->Warned.First(nr, a1)) return -Xen.XenErrno.ENOSYS;
            Log.Begin(); Log.Str("unimplemented hypercall "); Log.Dec(nr); Log.Str(" ("); Log.Str(name);
            Log.Str(") args "); Log.Hex(a1); Log.Str(" "); Log.Hex(a2); Log.Str(" "); Log.Hex(a3);
            Log.Str(" "); Log.Hex(a4); Log.Str(" "); Log.Hex(a5); Log.Str(": -ENOSYS"); Log.End();
            return -Xen.XenErrno.ENOSYS;
        }

        public static ulong BadPointers;

        /// <summary>Logs (the first few) hypercalls that got -EFAULT for a pointer the shim could not use.</summary>
        public static void BadPointer(ulong nr, ulong vector, ulong address)
        {
            if (++BadPointers > 8) return;
            Log.Begin(); Log.Str("hypercall "); Log.Dec(nr); Log.Str(" ("); Log.Str(HypercallTable.Name(nr));
            Log.Str("): bad guest pointer ("); Log.Str(vector == 14 ? "page fault at " : "general protection, non-canonical? cr2 ");
            Log.Hex(address); Log.Str("): -EFAULT"); Log.End();
        }

        /// <summary>Hypercall <paramref name="nr"/>'s native fast-path count, summed over every CPU's pv_state (each CPU counts in its own, Smp/EntryCopy.cs).</summary>
        static ulong NativeCount(int nr)
        {
            ulong fast = Arch.ShimCpu.Pv->FastCount[nr];
            for (int c = 0; c < Smp.Cpus.Count; c++)
            {
                Arch.PvState* p = Smp.Cpus.Pv(c);
                if (p != null && p != Arch.ShimCpu.Pv) fast += p->FastCount[nr];
            }
            return fast;
        }

        /// <summary>User system calls sent natively, summed over every CPU's pv_state (was the printing CPU's only).</summary>
        static ulong NativeUserSyscalls()
        {
            ulong n = Arch.ShimCpu.Pv->UserSyscalls;
            for (int c = 0; c < Smp.Cpus.Count; c++)
            {
                Arch.PvState* p = Smp.Cpus.Pv(c);
                if (p != null && p != Arch.ShimCpu.Pv) n += p->UserSyscalls;
            }
            return n;
        }

        /// <summary>Prints one line per hypercall seen: number, name, count, and per sub-op counts.</summary>
        public static void Print()
        {
            Log.Begin(); Log.Str("shim counters: exceptions to guest "); Log.Dec(Traps.TrapDispatch.ExceptionCount + Traps.FastPageFaultHandler.Delivered);
            Log.Str(", upcalls "); Log.Dec(Events.Upcall.Delivered); Log.Str(", user syscalls "); Log.Dec(Traps.UserSyscall.Count + NativeUserSyscalls());
            Log.Str(", page-table writes emulated "); Log.Dec(Traps.PageTableWrite.Emulated);
            Log.Str(", pinned trees walked "); Log.Dec(Memory.DeferredTreeMarks.Walked);
            Log.Str(", failsafe callbacks "); Log.Dec(Guest.Failsafe.Delivered);
            Log.Str(", timer interrupts "); Log.Dec(Traps.Interrupts.TimerInterrupts);
            Log.Str(", serial interrupts "); Log.Dec(Traps.Interrupts.SerialInterrupts);
            Log.Str(", interrupts at a hypercall's edge: resumed in the guest "); Log.Dec(Traps.SyscallWindow.Resumed);
            Log.Str(", deferred to its return "); Log.Dec(Traps.SyscallWindow.Deferred); Log.End();
            if (Events.DomUBackend.Active)
            {
                Log.Begin(); Log.Str("domU back ends: console notifications "); Log.Dec(Events.DomUBackend.ConsoleSends);
                Log.Str(", xenstore notifications "); Log.Dec(Events.DomUBackend.StoreSends);
                Log.Str(", requests "); Log.Dec(XenStore.Xenstored.Requests);
                Log.Str(", watch events "); Log.Dec(XenStore.Xenstored.WatchEvents); Log.End();
            }
            Log.Line("hypercalls seen (number name count [(native: served by a fast path)] [sub-op:count ...], sub-ops counted in C# only):");
            fixed (Table* t = &s_t)
            {
                for (int nr = 0; nr < Calls; nr++)
                {
                    ulong fast = NativeCount(nr);
                    if (t->Count[nr] == 0 && fast == 0) continue;
                    Log.Begin(); Log.Str("  "); Log.Dec((ulong)nr); Log.Str(" "); Log.Str(HypercallTable.Name((ulong)nr));
                    Log.Str(" "); Log.Dec(t->Count[nr] + fast);
                    if (fast != 0) { Log.Str(" (native "); Log.Dec(fast); Log.Str(")"); }
                    for (int s = 0; s < SubOps; s++)
                        {
                            ulong c = t->Sub[nr * SubOps + s];
                            if (c == 0) continue;
                            Log.Str(" "); Log.Dec((ulong)s); Log.Str(":"); Log.Dec(c);
                        }
                    Log.End();
                }
            }
        }
    }
}
