namespace Microxen.Hypercalls
{
    /// <summary>HYPERVISOR_console_io (public/xen.h): the guest's console is COM1.</summary>
    public static unsafe class ConsoleOps
    {
        public static long Op(ulong cmd, ulong count, ulong buffer)
        {
            byte* b = (byte*)buffer;
            if (Events.DomUBackend.Active) return -XenErrno.EPERM;   // Xen: XSM_PRIV (a release build lets only dom0 use console_io)
            switch (cmd)
            {
                case ConsoleIoCmd.CONSOLEIO_write:
                    for (ulong i = 0; i < count; i++)
                    {
                        if (b[i] == (byte)'\n') Serial.Put((byte)'\r');
                        Serial.Put(b[i]);
                    }
                    return 0;   // Xen's guest_console_write returns 0, not the count
                case ConsoleIoCmd.CONSOLEIO_read:
                    return ConsoleInput.Read(b, (int)(count > 0x7fffffff ? 0x7fffffff : count));
                default:
                    return -XenErrno.ENOSYS;
            }
        }
    }
}
