namespace Microxen.Boot
{
    /// <summary>Ending the run: power off, reset, or stop with an exit code.</summary>
    public static class Machine
    {
        /// <summary>
        /// Stops the machine with <paramref name="code"/> (see <see cref="ExitCode"/>), or resets
        /// it after the exit code line with on_exit=reboot (<see cref="Config.OnExit"/>).
        /// </summary>
        public static void Exit(ExitCode code)
        {
            Log.Begin(); Log.Str("exit code "); Log.Dec((uint)code); Log.End();
            if (Host.Options.OnExit == Config.OnExit.Reboot) Reset();
            if (code == ExitCode.Success) PowerOff();
            Cpu.Outl(0xf4, (uint)code);    // QEMU isa-debug-exit
            Cpu.HaltForever();
        }

        /// <summary>
        /// ACPI S5: with the guest's values and the FADT's registers when dom0 gave them
        /// (<see cref="Acpi.AcpiSleep.PowerOff"/>), else through the PIIX4 PM block SeaBIOS places
        /// at 0x600 (QEMU pc).
        /// </summary>
        public static void PowerOff()
        {
            Acpi.AcpiSleep.PowerOff();
            Cpu.Outw(0x604, 0x2000);
            Cpu.Outw(0xb004, 0x2000);      // older QEMU
            Cpu.HaltForever();
        }

        /// <summary>Resets through the keyboard controller.</summary>
        public static void Reset()
        {
            Cpu.Outb(0x64, 0xfe);
            Cpu.HaltForever();
        }
    }
}
