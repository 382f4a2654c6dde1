namespace Microxen.Smp
{
    /// <summary>
    /// The one lock around the shim's C# once a second vCPU runs (<see cref="Activate"/>): the
    /// hypercall, trap and user-syscall dispatchers take it on entry and drop it on return, so
    /// the C# statics (event channels, page-table bookkeeping, checked mode's type counts, the
    /// HypercallDispatch state, Vcpu's callbacks and trap table) are touched by one CPU at a
    /// time, as under Xen's domain lock for a PV guest's slow paths. A ticket lock: CPUs get it in
    /// the order they asked (a CPU that drops it and asks again at once cannot starve another; a
    /// Linux boot under -icount, CPU 0 spinning on SCHEDOP_yield for CPU 1 to come up, never let
    /// CPU 1 in with a plain test-and-set, because the CPUs were switched always at the same point). It is recursive per CPU
    /// (a fault inside a hypercall re-enters on the same CPU). Whoever takes it makes
    /// <see cref="ShimCpu.Pv"/> its own CPU's PvState (EntryCopy: the per-vCPU fields live
    /// there), so C# that says ShimCpu.Pv means "this CPU's" while it holds the lock. A path
    /// that leaves the shim without returning (cpu_abort_hypercall, entering a vCPU) drops it
    /// first (<see cref="ExitAll"/>). The shim's IPI handler runs without it (it touches only
    /// its CPU's counter and the local APIC), so a CPU holding the lock may wait for another
    /// CPU's IPI answer. With one vCPU nothing is taken: no cost on the single-CPU paths.
    /// </summary>
    public static unsafe class ShimLock
    {
        // A ticket lock: Next is the ticket dispenser, Serving the ticket whose holder may run; Owner: CPU + 1, 0 = free.
        struct State { public ulong Owner; public ulong Depth; public ulong Next; public ulong Serving; }
        static State s_s;

        /// <summary>True once a second vCPU was started; never false again.</summary>
        public static bool Active;

        /// <summary>Turns the lock on, held by the calling CPU (inside a hypercall: its return drops it).</summary>
        public static void Activate()
        {
            if (Active) return;
            fixed (State* s = &s_s) { s->Owner = (ulong)Cpus.Current() + 1; s->Depth = 1; s->Next = 1; s->Serving = 0; }
            Active = true;
        }

        /// <summary>Takes the lock (a flag test when inactive: small enough for ilc to inline).</summary>
        public static void Enter() { if (Active) EnterSmp(); }

        /// <summary>Drops one level of the lock.</summary>
        public static void Exit() { if (Active) ExitSmp(); }

        static void EnterSmp()
        {
            int cpu = Cpus.Current();
            ulong me = (ulong)cpu + 1;
            fixed (State* s = &s_s)
            {
                if (s->Owner == me) { s->Depth++; return; }
                ulong ticket = s->Next;
                for (ulong seen; (seen = Cpu.CmpXchg(&s->Next, ticket, ticket + 1)) != ticket;) ticket = seen;
                // Served in ticket order: a CPU that drops the lock and asks again at once (a guest
                // spinning on SCHEDOP_yield while it waits for another vCPU) queues behind this one.
                while (Cpu.CmpXchg(&s->Serving, ticket, ticket) != ticket) { Tlb.Service(cpu); Cpu.Pause(); }   // the holder may wait for this CPU's flush
                s->Owner = me;
                s->Depth = 1;
            }
            ShimCpu.Pv = Cpus.Pv(cpu);
            Guest.Vcpu.Id = cpu;   // vCPU n runs on CPU n
        }

        static void ExitSmp()
        {
            ulong me = (ulong)Cpus.Current() + 1;
            fixed (State* s = &s_s)
            {
                if (s->Owner != me) return;
                if (--s->Depth != 0) return;
                Release(s, me);
            }
        }

        /// <summary>The shim's IPI to each other up vCPU that got an event while the lock was held (Evtchn.Kicks).</summary>
        static void Kick(ulong me)
        {
            ulong k = Events.Evtchn.TakeKicks();
            for (int n = 0; k != 0 && n < Vcpus.Count; n++, k >>= 1)
                if ((k & 1) != 0 && (ulong)n != me && *Vcpus.State(n) == Vcpus.Up) Ipi.Send(Cpus.ApicId(n), Ipi.Vector);
        }

        /// <summary>Whether the calling CPU holds the lock.</summary>
        public static bool Held() { fixed (State* s = &s_s) return !Active || s->Owner == (ulong)Cpus.Current() + 1; }

        /// <summary>Drops the lock whatever the depth (the caller leaves the shim for good).</summary>
        public static void ExitAll()
        {
            if (!Active) return;
            ulong me = (ulong)Cpus.Current() + 1;
            fixed (State* s = &s_s)
            {
                if (s->Owner != me) return;
                s->Depth = 0;
                Release(s, me);
            }
        }

        /// <summary>The holder <paramref name="me"/> (CPU + 1) lets the next ticket in, after kicking the vCPUs it owes an IPI.</summary>
        static void Release(State* s, ulong me)
        {
            Kick(me - 1);
            s->Owner = 0;
            ulong t = s->Serving;
            Cpu.CmpXchg(&s->Serving, t, t + 1);   // a locked store: the writes before it are seen first
        }
    }
}
