// sched_op arguments. Source: xen/include/public/sched.h.
namespace Microxen.Xen
{
    /// <summary>struct sched_shutdown, 4 bytes: SCHEDOP_shutdown (reason = SHUTDOWN_*). sched.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct SchedShutdown
    {
        [FieldOffset(0)] public uint Reason;
    }

    /// <summary>
    /// struct sched_poll, 24 bytes: SCHEDOP_poll. ports is a guest handle (virtual address) of
    /// nr_ports evtchn_port_t; timeout is an absolute system time in ns (0 = none). sched.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct SchedPoll
    {
        [FieldOffset(0)] public ulong Ports;
        [FieldOffset(8)] public uint NrPorts;
        [FieldOffset(16)] public ulong Timeout;
    }

    /// <summary>struct sched_remote_shutdown, 8 bytes: SCHEDOP_remote_shutdown. sched.h.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct SchedRemoteShutdown
    {
        [FieldOffset(0)] public ushort DomainId;
        [FieldOffset(4)] public uint Reason;
    }
}
