namespace Microxen.Traps
{
    /// <summary>
    /// External interrupts (vectors 32-255): the local APIC timer raises VIRQ_TIMER, COM1's
    /// receive interrupt (legacy IRQ 4 through the 8259, remapped to vector 0x24) fills the
    /// console input buffer and raises VIRQ_CONSOLE. Taken in guest context, a deliverable
    /// event goes to the guest's event callback at once; taken inside the shim (a blocked
    /// hypercall), it waits for the hypercall's exit.
    /// </summary>
    public static unsafe class Interrupts
    {
        public const byte PicBase = 0x20;
        public const byte SerialVector = PicBase + 4;
        static bool s_warned;
        public static ulong TimerInterrupts, SerialInterrupts;

        /// <summary>Remaps both 8259 PICs to vectors 0x20-0x2f and masks every IRQ but COM1's (IRQ 4).</summary>
        public static void InitPic()
        {
            Cpu.Outb(0x20, 0x11); Cpu.Outb(0xa0, 0x11);          // ICW1: init, ICW4 follows
            Cpu.Outb(0x21, PicBase); Cpu.Outb(0xa1, PicBase + 8); // ICW2: vector bases
            Cpu.Outb(0x21, 0x04); Cpu.Outb(0xa1, 0x02);          // ICW3: cascade on IRQ 2
            Cpu.Outb(0x21, 0x01); Cpu.Outb(0xa1, 0x01);          // ICW4: 8086 mode
            Cpu.Outb(0x21, 0xff & ~(1 << 4));
            Cpu.Outb(0xa1, 0xff);
        }

        /// <summary>Whether the master 8259 has IRQ <paramref name="irq"/> in service (OCW3: read ISR, then back to IRR).</summary>
        public static bool PicInService(int irq)
        {
            Cpu.Outb(0x20, 0x0b);
            byte isr = Cpu.Inb(0x20);
            Cpu.Outb(0x20, 0x0a);
            return ((isr >> irq) & 1) != 0;
        }

        /// <summary>Drains COM1 (and re-arms its interrupt) outside its own IRQ; raises VIRQ_CONSOLE for new input.</summary>
        public static void PollConsole()
        {
            Serial.EnsureReceiveInterrupt();
            if (ConsoleInput.Drain()) DomUBackend.InputArrived();
        }

        public static void Handle(CpuFrame* f, bool inShim)
        {
            ulong v = f->Vector;
            if (v == ApicTimer.Vector)
            {
                TimerInterrupts++;
                ApicTimer.Eoi();
                ApicTimer.Deadline = 0;
                Evtchn.RaiseVirq(Virq.VIRQ_TIMER, (uint)Smp.Cpus.Current());   // this CPU's vCPU (Smp/Vcpus.cs: vCPU n on CPU n)
                PollConsole();
            }
            else if (v == SerialVector)
            {
                SerialInterrupts++;
                if (ConsoleInput.Drain()) DomUBackend.InputArrived();
                Cpu.Outb(0x20, 0x20);                                 // 8259 EOI
            }
            else if (v == SyscallWindow.RecheckVector) ApicTimer.Eoi();   // an event raised at a hypercall's edge (SyscallWindow): its upcall here
            else if (Irq.IrqDelivery.Handle(v)) { }   // device IRQs to pirq ports (shim/Irq)
            else if (v == ApicTimer.SpuriousVector || v == PicBase + 7)
            {
                return;
            }
            else if (!s_warned)
            {
                s_warned = true;
                Log.Begin(); Log.Str("unexpected interrupt, vector "); Log.Dec(v); Log.Str(" (ignored)"); Log.End();
                return;
            }
            if (!inShim) Upcall.TryDeliver(f);
        }
    }
}
