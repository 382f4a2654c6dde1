namespace Microxen.Events
{
    /// <summary>
    /// Delivers pending events to the guest's event callback (CALLBACKTYPE_event) when they are
    /// pending and unmasked: on hypercall exit, on iret, and on interrupts taken in guest context.
    /// </summary>
    public static unsafe class Upcall
    {
        public static ulong Delivered;

        /// <summary>Redirects <paramref name="f"/> (guest context) to the event callback if an upcall is deliverable.</summary>
        public static bool TryDeliver(CpuFrame* f)
        {
            if (!Evtchn.UpcallDeliverable()) return false;
            Delivered++;
            BounceFrame.Push(f, Vcpu.EventCallback, Arch.Gdt.KernelCs, false, true);
            return true;
        }
    }
}
