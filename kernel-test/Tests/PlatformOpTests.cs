using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// platform_op (xen/arch/x86/platform_hypercall.c) as dom0's Linux uses it: the interface
    /// version check, settime64, and the answers that do not depend on the machine's firmware.
    /// </summary>
    public static unsafe class PlatformOpTests
    {
        static long Call(XenPlatformOp* op) => Hv.Call(Hypercall.PlatformOp, (ulong)op);

        static void Init(XenPlatformOp* op, uint cmd)
        {
            byte* b = (byte*)op;
            for (int i = 0; i < sizeof(XenPlatformOp); i++) b[i] = 0;
            op->Cmd = cmd;
            op->Version = XenPlatformOp.InterfaceVersion;
        }

        /// <summary>
        /// A wrong interface_version -EACCES; platform_quirk 0 -EINVAL, GOOD_REGSEL 0;
        /// firmware_info type 0 -EINVAL, a disk index far past any -ESRCH, kbd flags index 1
        /// -ESRCH; change_freq -ENOSYS (Xen keeps frequencies); settime64 with mbz -EINVAL.
        /// </summary>
        public static bool Answers()
        {
            XenPlatformOp op;
            Init(&op, XenPlatformOpCmd.XENPF_platform_quirk);
            op.Version = XenPlatformOp.InterfaceVersion - 1;
            if (!Validation.Rc("interface_version - 1", Call(&op), XenErrno.EACCES)) return false;
            Init(&op, XenPlatformOpCmd.XENPF_platform_quirk);
            if (!Validation.Rc("quirk 0", Call(&op), XenErrno.EINVAL)) return false;
            op.QuirkId = XenPlatformOpCmd.QUIRK_IOAPIC_GOOD_REGSEL;
            if (!Check.Rc("quirk GOOD_REGSEL", Call(&op))) return false;
            Init(&op, XenPlatformOpCmd.XENPF_firmware_info);
            if (!Validation.Rc("firmware_info type 0", Call(&op), XenErrno.EINVAL)) return false;
            op.FwType = XenPlatformOpCmd.XEN_FW_DISK_INFO; op.FwIndex = 0x7fffffff;
            if (!Validation.Rc("disk info far index", Call(&op), XenErrno.ESRCH)) return false;
            op.FwType = XenPlatformOpCmd.XEN_FW_KBD_SHIFT_FLAGS; op.FwIndex = 1;
            if (!Validation.Rc("kbd flags index 1", Call(&op), XenErrno.ESRCH)) return false;
            Init(&op, XenPlatformOpCmd.XENPF_change_freq);
            if (!Validation.Rc("change_freq", Call(&op), XenErrno.ENOSYS)) return false;
            Init(&op, XenPlatformOpCmd.XENPF_settime64);
            op.Settime64Mbz = 1;
            return Validation.Rc("settime64 mbz", Call(&op), XenErrno.EINVAL);
        }

        /// <summary>
        /// settime64 moves shared_info's wall clock: secs+1000 at system time 0 reads back as
        /// wc_sec+1000 with wc_nsec kept, wc_version even and advanced; then it is set back.
        /// </summary>
        public static bool Settime()
        {
            SharedInfo* s = Window.Shared;
            ulong sec = s->WcSec | (ulong)s->WcSecHi << 32;
            uint nsec = s->WcNsec, ver = s->WcVersion;
            XenPlatformOp op;
            Init(&op, XenPlatformOpCmd.XENPF_settime64);
            op.Settime64Secs = sec + 1000; op.Settime64Nsecs = nsec;
            if (!Check.Rc("settime64 +1000 s", Call(&op))) return false;
            ulong now = s->WcSec | (ulong)s->WcSecHi << 32;
            bool ok = Check.Eq("wc_sec", now, sec + 1000) && Check.Eq("wc_nsec", s->WcNsec, nsec)
                && Check.True(s->WcVersion != ver && (s->WcVersion & 1) == 0, "wc_version advanced, even");
            op.Settime64Secs = sec;
            return Check.Rc("settime64 back", Call(&op)) && ok;
        }

        /// <summary>
        /// get_cpuinfo: CPU 0 online, a CPU id far past any INVALID; get_cpu_version: CPU 0's
        /// vendor string (12 bytes) and a non-zero family, a far CPU all zeros.
        /// </summary>
        public static bool Cpus()
        {
            XenPlatformOp op;
            Init(&op, XenPlatformOpCmd.XENPF_get_cpuinfo);
            if (!Check.Rc("get_cpuinfo 0", Call(&op))) return false;
            if (!Check.Eq("cpu 0 flags", op.PcpuFlags, XenPlatformOpCmd.XEN_PCPU_FLAGS_ONLINE)) return false;
            op.PcpuXenCpuid = 0xffff;
            if (!Check.Rc("get_cpuinfo 0xffff", Call(&op))) return false;
            if (!Check.Eq("far cpu flags", op.PcpuFlags, XenPlatformOpCmd.XEN_PCPU_FLAGS_INVALID)) return false;
            Init(&op, XenPlatformOpCmd.XENPF_get_cpu_version);
            if (!Check.Rc("get_cpu_version 0", Call(&op))) return false;
            uint* v = (uint*)&op.VerVendor;
            if (!Check.True(v[0] != 0 && v[1] != 0 && v[2] != 0, "vendor string filled")) return false;
            if (!Check.True(op.VerFamily != 0, "family non-zero")) return false;
            op.VerXenCpuid = 0xffff;
            if (!Check.Rc("get_cpu_version 0xffff", Call(&op))) return false;
            return Check.Eq("far cpu vendor", v[0], 0) && Check.Eq("far cpu family", op.VerFamily, 0);
        }

        /// <summary>
        /// enter_acpi_sleep refusals before any register is written (QEMU's FADT has a PM1a control
        /// block and no v5 sleep registers): S5 with a flag other than EXTENDED -EINVAL; val_a and
        /// val_b differing in SLP_EN -EINVAL; EXTENDED without sleep control/status registers -EPERM.
        /// </summary>
        public static bool AcpiSleepRefusals()
        {
            XenPlatformOp op;
            Init(&op, XenPlatformOpCmd.XENPF_enter_acpi_sleep);
            op.SleepState = 5; op.SleepFlags = 2;
            if (!Validation.Rc("S5, flags 2", Call(&op), XenErrno.EINVAL)) return false;
            Init(&op, XenPlatformOpCmd.XENPF_enter_acpi_sleep);
            op.SleepState = 5; op.SleepValA = 1 << 13; op.SleepValB = 1;
            if (!Validation.Rc("S5, SLP_EN in val_a only", Call(&op), XenErrno.EINVAL)) return false;
            Init(&op, XenPlatformOpCmd.XENPF_enter_acpi_sleep);
            op.SleepState = 5; op.SleepFlags = 1;
            return Validation.Rc("S5 extended, no sleep registers", Call(&op), XenErrno.EPERM);
        }
    }
}
