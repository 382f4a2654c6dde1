namespace KernelTest.Tests
{
    /// <summary>
    /// The iret hypercall with an event pending (Xen's do_iret, xen/arch/x86/pv/iret.c: the
    /// upcall mask from the frame's IF, then the exit path's test_all_events): a port sent while
    /// events are masked, then iret (entry 23, entered with jmp) to kernel mode with IF set in
    /// the frame. The event arrives as exactly one upcall on the way out, before the code at the
    /// frame's rip, which then runs with events unmasked and every register as the iret gave
    /// it: RAX, R11, RCX from the frame, the others as they were, across the upcall in between.
    /// In microxen's fast mode this is the native iret's decline (fast_page_iret to C#, once).
    /// </summary>
    public static unsafe class IretPendingTests
    {
        public static bool EventPending()
        {
            byte maskBefore = Window.Vcpu0->EvtchnUpcallMask;
            uint port = EvtchnTests.BindIpi();
            if (port == 0) return false;
            Ev.Mask();
            uint before = Ev.Upcalls;
            if (!Check.Rc("EVTCHNOP_send", EvtchnTests.Send(port))) return false;
            if (!Check.Eq("upcalls while masked", Ev.Upcalls - before, 0)) return false;
            ProbeState* st = (ProbeState*)Traps.Syms->State;
            for (int i = 0; i < ProbeState.CanaryRflags; i++) st->CanaryIn[i] = 0x1e7c0de000000000UL | ((ulong)i << 16);
            st->CanaryIn[ProbeState.CanaryRflags] = X86.Rflags.IF;
            Native.CanaryIret(Traps.KernelCs, Traps.KernelSs);
            uint upcalls = Ev.Upcalls - before, hits = Ev.Hits(port);
            byte maskAfter = Window.Vcpu0->EvtchnUpcallMask;
            *(byte*)&Window.Vcpu0->EvtchnUpcallMask = maskBefore;
            if (!Check.Eq("upcalls after the iret", upcalls, 1)) return false;
            if (!Check.Eq("upcalls for the port", hits, 1)) return false;
            if (!Check.Eq("evtchn_upcall_mask after the iret (frame IF set)", maskAfter, 0)) return false;
            for (int i = 0; i < ProbeState.CanaryRflags; i++)
                if (!Check.Eq(RegisterAbiTests.RegName(i), st->CanaryOut[i], st->CanaryIn[i])) return false;
            if (!Check.Eq("rflags", st->CanaryOut[ProbeState.CanaryRflags] & ProbeState.CanaryFlagBits, 0)) return false;
            return Check.Rc("EVTCHNOP_close", EvtchnTests.Close(port));
        }
    }
}
