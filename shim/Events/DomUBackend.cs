namespace Microxen.Events
{
    /// <summary>
    /// The back ends a PV domU finds at the other end of its console and xenstore event channels
    /// (under Xen: xenconsoled and xenstored in dom0). Both ports are bound at boot as
    /// interdomain channels to DOMID 0 (<see cref="Evtchn.PortState.Interdomain"/>); the guest's
    /// EVTCHNOP_send on them lands here (<see cref="Send"/>): the console ring's output goes to
    /// COM1 and waiting input into its in ring; xenstore requests are answered by
    /// <see cref="XenStore.Xenstored"/>. Each answer is an event on the same port, as the daemons
    /// notify. COM1 input arriving by interrupt goes to the console ring (<see cref="InputArrived"/>).
    /// </summary>
    public static unsafe class DomUBackend
    {
        /// <summary>True once <see cref="Start"/> ran: the guest is a domU (no console_io, no VIRQ_CONSOLE).</summary>
        public static bool Active;
        public static uint ConsolePort, StorePort;
        /// <summary>Notifications the guest sent on each port.</summary>
        public static ulong ConsoleSends, StoreSends;
        static XenconsInterface* s_cons;
        static XenstoreDomainInterface* s_store;

        /// <summary>
        /// Zeroes both pages, binds the two ports and fills the store with some of the nodes Xen's
        /// toolstack (libxl) writes for a PV domU: domid, name, cpu/0/availability, console/ and
        /// store/ (ring-ref, port). No memory/target (the balloon driver then keeps what it has),
        /// no device/ (no PV devices). False when no port is free.
        /// </summary>
        public static bool Start(byte* consolePage, ulong consoleMfn, byte* storePage, ulong storeMfn, uint domid)
        {
            for (int i = 0; i < 4096; i++) { consolePage[i] = 0; storePage[i] = 0; }
            int store = Evtchn.Alloc(Evtchn.PortState.Interdomain, 0);
            int cons = Evtchn.Alloc(Evtchn.PortState.Interdomain, 0);
            if (store < 0 || cons < 0) return false;
            StorePort = (uint)store;
            ConsolePort = (uint)cons;
            s_cons = (XenconsInterface*)consolePage;
            s_store = (XenstoreDomainInterface*)storePage;
            XenStore.Xenstored.Init(domid);
            XenStore.Xenstored.SetRel("name", "microxen-domU");
            XenStore.Xenstored.SetRel("cpu/0/availability", "online");
            XenStore.Xenstored.SetRel("console/ring-ref", consoleMfn);
            XenStore.Xenstored.SetRel("console/port", ConsolePort);
            XenStore.Xenstored.SetRel("store/ring-ref", storeMfn);
            XenStore.Xenstored.SetRel("store/port", StorePort);
            Active = true;
            return true;
        }

        /// <summary>EVTCHNOP_send on one of the back-end ports.</summary>
        public static void Send(uint port)
        {
            if (port == ConsolePort) { ConsoleSends++; ServeConsole(); }
            else if (port == StorePort) { StoreSends++; if (XenStore.Xenstored.Process(s_store)) Evtchn.SetPending(StorePort); }
        }

        /// <summary>
        /// COM1 received bytes (held by <see cref="ConsoleInput"/>). A domU gets them in its ring
        /// with an event; dom0 gets VIRQ_CONSOLE and reads them with CONSOLEIO_read.
        /// </summary>
        public static void InputArrived()
        {
            if (!Active) { Evtchn.RaiseVirq(Virq.VIRQ_CONSOLE); return; }
            ServeConsole();
        }

        /// <summary>Drains the out ring to COM1, refills the in ring; an event when either moved.</summary>
        static void ServeConsole()
        {
            byte* buf = stackalloc byte[256];
            bool moved = false;
            int n;
            while ((n = ConsoleRing.TakeOutput(s_cons, buf, 256)) > 0)
            {
                for (int i = 0; i < n; i++) Serial.Put(buf[i]);
                moved = true;
            }
            int room = ConsoleRing.InputRoom(s_cons);
            if (room > 256) room = 256;
            n = room > 0 ? ConsoleInput.Read(buf, room) : 0;
            if (n > 0 && ConsoleRing.PutInput(s_cons, buf, n) > 0) moved = true;
            if (moved) Evtchn.SetPending(ConsolePort);
        }
    }
}
