namespace Microxen.Xen
{
    /// <summary>
    /// sched_op commands (SCHEDOP_*) and shutdown reasons (SHUTDOWN_*).
    /// Source: xen/include/public/sched.h.
    /// </summary>
    public static class SchedOp
    {
        public const int SCHEDOP_yield = 0;
        public const int SCHEDOP_block = 1;
        public const int SCHEDOP_shutdown = 2;
        public const int SCHEDOP_poll = 3;
        public const int SCHEDOP_remote_shutdown = 4;
        public const int SCHEDOP_shutdown_code = 5;
        public const int SCHEDOP_watchdog = 6;
        public const int SCHEDOP_pin_override = 7;

        public const uint SHUTDOWN_poweroff = 0;
        public const uint SHUTDOWN_reboot = 1;
        public const uint SHUTDOWN_suspend = 2;
        public const uint SHUTDOWN_crash = 3;
        public const uint SHUTDOWN_watchdog = 4;
        public const uint SHUTDOWN_soft_reset = 5;
        public const uint SHUTDOWN_MAX = 5;
    }
}
