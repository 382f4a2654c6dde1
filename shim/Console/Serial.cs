namespace Microxen.Console
{
    /// <summary>The 16550 UART on COM1 (I/O port 0x3f8), 115200 baud 8n1, polled.</summary>
    public static class Serial
    {
        public const ushort Com1 = 0x3f8;

        public static void Init()
        {
            Cpu.Outb(Com1 + 1, 0x00);   // no UART interrupts
            Cpu.Outb(Com1 + 3, 0x80);   // DLAB
            Cpu.Outb(Com1 + 0, 0x01);   // divisor 1: 115200 baud
            Cpu.Outb(Com1 + 1, 0x00);
            Cpu.Outb(Com1 + 3, 0x03);   // 8n1
            Cpu.Outb(Com1 + 2, 0xC7);   // FIFO on, cleared
            Cpu.Outb(Com1 + 4, 0x03);   // DTR | RTS
        }

        public static void Put(byte c)
        {
            int spins = 100000;
            while ((Cpu.Inb(Com1 + 5) & 0x20) == 0 && --spins > 0) Cpu.Pause();
            Cpu.Outb(Com1, c);
        }

        /// <summary>True when a received byte waits in the UART.</summary>
        /// <summary>Turns on the UART's receive-data interrupt (IER bit 0) and OUT2, which gates IRQ 4.</summary>
        public static void EnableReceiveInterrupt()
        {
            Cpu.Outb(Com1 + 4, 0x0b);   // DTR | RTS | OUT2
            Cpu.Outb(Com1 + 1, 0x01);
        }

        /// <summary>
        /// Turns the receive interrupt back on if something cleared it: a dom0 kernel in ring 0
        /// can reach COM1's ports (Xen hides them from dom0; the shim cannot), and Linux's 8250
        /// driver resets IER and MCR when it probes the port.
        /// </summary>
        public static void EnsureReceiveInterrupt()
        {
            if ((Cpu.Inb(Com1 + 1) & 0x01) == 0 || (Cpu.Inb(Com1 + 4) & 0x08) == 0) EnableReceiveInterrupt();
        }

        public static bool HasInput() => (Cpu.Inb(Com1 + 5) & 0x01) != 0;

        public static byte Get() => Cpu.Inb(Com1);
    }
}
