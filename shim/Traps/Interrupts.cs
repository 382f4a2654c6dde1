using Microxen.Arch;
using Microxen.Boot;
using Microxen.Console;

namespace Microxen.Traps
{
    /// <summary>
    /// External interrupts (vectors 32-255). The shim enables none yet (the 8259 PICs are
    /// masked, the local APIC timer is not armed): one arriving is logged once and ignored.
    /// </summary>
    public static unsafe class Interrupts
    {
        static bool s_warned;

        /// <summary>Masks both 8259 PICs so no legacy IRQ reaches the CPU.</summary>
        public static void MaskLegacyPic()
        {
            Cpu.Outb(0x21, 0xff);
            Cpu.Outb(0xa1, 0xff);
        }

        public static void Handle(CpuFrame* f)
        {
            if (s_warned) return;
            s_warned = true;
            Log.Begin(); Log.Str("unexpected interrupt, vector "); Log.Dec(f->Vector); Log.Str(" (ignored)"); Log.End();
        }
    }
}
