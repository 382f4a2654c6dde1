namespace Microxen.Xen
{
    /// <summary>
    /// console_io commands (CONSOLEIO_*): console_io(cmd, count, buffer).
    /// Source: xen/include/public/xen.h.
    /// </summary>
    public static class ConsoleIoCmd
    {
        public const int CONSOLEIO_write = 0;
        public const int CONSOLEIO_read = 1;
    }
}
