namespace Microxen.Hypercalls
{
    /// <summary>
    /// platform_op(xen_platform_op*) for dom0, as Xen 4.17's do_platform_op
    /// (xen/arch/x86/platform_hypercall.c) answers on a machine the shim describes: one physical
    /// CPU (the boot CPU, ACPI id 0), BIOS-booted without EDD, MBR, EDID or EFI data gathered,
    /// frequency and idle states kept by the hypervisor (Xen's default cpufreq=xen, cpuidle on),
    /// the FADT's sleep registers (S5 powers off). Errors: -EFAULT (unreadable structure), -EACCES
    /// (interface_version not XENPF_INTERFACE_VERSION), per sub-operation below; sub-operations
    /// the shim does not carry out (MTRRs, microcode, CPU and memory hotplug, core parking,
    /// resource_op, get_symbol) are logged once and answered -ENOSYS.
    /// </summary>
    public static unsafe class PlatformOps
    {
        /// <summary>Xen's xen_processor_pmbits by default: XEN_PROCESSOR_PM_PX | XEN_PROCESSOR_PM_CX (common/domain.c, setup.c cpuidle).</summary>
        const bool PmPx = true, PmCx = true;

        public static long Op(XenPlatformOp* arg)
        {
            XenPlatformOp op = *arg;   // copy_from_guest: a fault is the dispatcher's -EFAULT
            if (op.Version != XenPlatformOp.InterfaceVersion) return -XenErrno.EACCES;
            HypercallStats.CountSub(Hypercall.PlatformOp, op.Cmd);
            switch (op.Cmd)
            {
                case XenPlatformOpCmd.XENPF_settime32:
                    SetTime(op.Settime32Secs, op.Settime32Nsecs, op.Settime32SystemTime);
                    return 0;
                case XenPlatformOpCmd.XENPF_settime64:
                    if (op.Settime64Mbz != 0) return -XenErrno.EINVAL;
                    SetTime(op.Settime64Secs, op.Settime64Nsecs, op.Settime64SystemTime);
                    return 0;
                case XenPlatformOpCmd.XENPF_platform_quirk:
                    // NOIRQBALANCING: the shim routes every interrupt to its one CPU anyway.
                    return op.QuirkId >= XenPlatformOpCmd.QUIRK_NOIRQBALANCING && op.QuirkId <= XenPlatformOpCmd.QUIRK_IOAPIC_GOOD_REGSEL ? 0 : -XenErrno.EINVAL;
                case XenPlatformOpCmd.XENPF_firmware_info:
                    return FirmwareInfo(arg, ref op);
                case XenPlatformOpCmd.XENPF_efi_runtime_call:
                    return Boot.EfiInfo.RuntimeCall();
                case XenPlatformOpCmd.XENPF_enter_acpi_sleep:
                    return EnterAcpiSleep(ref op);
                case XenPlatformOpCmd.XENPF_change_freq:
                case XenPlatformOpCmd.XENPF_getidletime:
                    return -XenErrno.ENOSYS;   // cpufreq_controller is FREQCTL_xen, not dom0_kernel
                case XenPlatformOpCmd.XENPF_set_processor_pminfo:
                    return SetPminfo(ref op);
                case XenPlatformOpCmd.XENPF_get_cpuinfo:
                    return GetCpuinfo(arg, op.PcpuXenCpuid);
                case XenPlatformOpCmd.XENPF_get_cpu_version:
                    return GetCpuVersion(arg, op.VerXenCpuid);
                case XenPlatformOpCmd.XENPF_cpu_online:
                    return op.CpuOlCpuid == 0 ? 0 : -XenErrno.EINVAL;   // cpu 0 online; no other present
                case XenPlatformOpCmd.XENPF_cpu_offline:
                    return op.CpuOlCpuid == 0 ? -XenErrno.EOPNOTSUPP : -XenErrno.EINVAL;
                default:
                    return HypercallStats.Unimplemented("platform_op", Hypercall.PlatformOp, op.Cmd, (ulong)arg, 0, 0, 0);
            }
        }

        /// <summary>do_settime: wall clock = secs + nsecs at system time <paramref name="systemTime"/>, so at system time 0 it is their difference.</summary>
        static void SetTime(ulong secs, uint nsecs, ulong systemTime)
        {
            ulong x = secs * 1000000000UL + nsecs - systemTime;
            Time.GuestTime.SetWallclock(x / 1000000000UL, (uint)(x % 1000000000UL));
        }

        /// <summary>
        /// XENPF_firmware_info: DISK_INFO, DISK_MBR_SIGNATURE and VBEDDC_INFO -ESRCH (nothing
        /// gathered at boot: no entries, EDID still 0x13131313), EFI_INFO what the boot loader's
        /// EFI tags gave (Boot/EfiInfo.cs; -ENOSYS when not EFI-booted), KBD_SHIFT_FLAGS: index 0 gives 0 (the BIOS flags are not read), other
        /// indexes -ESRCH; other types -EINVAL.
        /// </summary>
        static long FirmwareInfo(XenPlatformOp* arg, ref XenPlatformOp op)
        {
            switch (op.FwType)
            {
                case XenPlatformOpCmd.XEN_FW_DISK_INFO:
                case XenPlatformOpCmd.XEN_FW_DISK_MBR_SIGNATURE:
                case XenPlatformOpCmd.XEN_FW_VBEDDC_INFO:
                    return -XenErrno.ESRCH;
                case XenPlatformOpCmd.XEN_FW_EFI_INFO:
                    return Boot.EfiInfo.FirmwareInfo(arg);
                case XenPlatformOpCmd.XEN_FW_KBD_SHIFT_FLAGS:
                    if (op.FwIndex != 0) return -XenErrno.ESRCH;
                    arg->FwKbdShiftFlags = 0;
                    return 0;
                default:
                    return -XenErrno.EINVAL;
            }
        }

        /// <summary>XENPF_ACPI_SLEEP_EXTENDED (public/platform.h): val_a/val_b are sleep types for the v5 sleep control register.</summary>
        const uint SleepExtended = 1;
        /// <summary>ACPI_SLEEP_TYPE_MAX, ACPI_SLEEP_TYPE_INVALID (Xen's acpi/actypes.h).</summary>
        const ushort SleepTypeMax = 7, SleepTypeInvalid = 0xff;
        /// <summary>SLP_EN of PM1 control (ACPI 6.4 table 4.13, bit 13).</summary>
        const ushort SlpEn = 1 << 13;
        /// <summary>
        /// acpi_enter_sleep (Xen 4.17 arch/x86/acpi/power.c) with the FADT's registers
        /// (<see cref="Acpi.AcpiSleep"/>): S3 -EOPNOTSUPP (the shim has no resume path; Xen says so
        /// only without a FACS waking vector); extended without sleep control/status registers
        /// -EPERM, other flag bits -EINVAL, types above 7 -ERANGE; legacy without a PM1a control
        /// block -EPERM, val_a/val_b differing in SLP_EN -EINVAL, any flag -EINVAL. Then
        /// enter_state: states other than 1-5 -EINVAL; S5 writes the guest's values (SLP_TYP|SLP_EN)
        /// to PM1a (and PM1b if present), or its type to the sleep control register, and the
        /// machine powers off; S1, S2, S4 -EINVAL (Xen's enter_state enters only S3 and S5).
        /// </summary>
        static long EnterAcpiSleep(ref XenPlatformOp op)
        {
            if (op.SleepState == 3) return -XenErrno.EOPNOTSUPP;
            bool extended = (op.SleepFlags & SleepExtended) != 0;
            if (extended)
            {
                if (Acpi.AcpiSleep.SleepControl.Address == 0 || Acpi.AcpiSleep.SleepStatus.Address == 0) return -XenErrno.EPERM;
                if ((op.SleepFlags & ~SleepExtended) != 0) return -XenErrno.EINVAL;
                if (op.SleepValA > SleepTypeMax || (op.SleepValB != SleepTypeInvalid && op.SleepValB > SleepTypeMax)) return -XenErrno.ERANGE;
            }
            else if (Acpi.AcpiSleep.Pm1aCnt.Address == 0) return -XenErrno.EPERM;
            else if (op.SleepValB != 0 && ((op.SleepValA ^ op.SleepValB) & SlpEn) != 0) return -XenErrno.EINVAL;
            else if (op.SleepFlags != 0) return -XenErrno.EINVAL;
            if (op.SleepState != 5) return -XenErrno.EINVAL;   // enter_state: S0 or above S5, and S1/S2/S4
            Console.Log.Line("platform_op: entering ACPI S5 (machine off)");
            Acpi.AcpiSleep.SetS5(extended, op.SleepValA, op.SleepValB);
            // The run ends as a SCHEDOP_shutdown poweroff does (statistics, "dom0 powered off",
            // exit code 0, on_exit=reboot honoured); Machine.PowerOff writes the guest's S5 values.
            HypercallStats.Print();
            Console.Log.Line("dom0 powered off");
            Boot.Machine.Exit(Boot.ExitCode.Success);
            return 0;   // still running: the guest's values did not power the machine off (Xen would wait for a wake)
        }

        /// <summary>
        /// XENPF_set_processor_pminfo: PX and CX data are taken (Xen keeps them; the shim has no
        /// governor, so nothing uses them); TX -EINVAL (PM_TX not in pmbits: -ENOSYS); PDC as
        /// acpi_set_pdc_bits; other types -EINVAL.
        /// </summary>
        static long SetPminfo(ref XenPlatformOp op)
        {
            switch (op.PminfoType)
            {
                case XenPlatformOpCmd.XEN_PM_PX:
                case XenPlatformOpCmd.XEN_PM_CX:
                    if (op.PminfoId != 0) return -XenErrno.EINVAL;   // set_px/cx_pminfo: get_cpu_id fails
                    return 0;
                case XenPlatformOpCmd.XEN_PM_TX:
                    return -XenErrno.ENOSYS;
                case XenPlatformOpCmd.XEN_PM_PDC:
                    return Pdc.Set(op.PminfoId, (uint*)op.PminfoPdc, PmPx, PmCx);
                default:
                    return -XenErrno.EINVAL;
            }
        }

        /// <summary>XENPF_get_cpuinfo: CPU 0 online with its APIC id (CPUID 1 EBX[31:24]) and ACPI id 0; others XEN_PCPU_FLAGS_INVALID; max_present 0.</summary>
        static long GetCpuinfo(XenPlatformOp* arg, uint cpu)
        {
            if (cpu == 0)
            {
                uint* r = stackalloc uint[4];
                Arch.Cpu.Cpuid(1, 0, r);
                arg->PcpuApicId = r[1] >> 24;
                arg->PcpuAcpiId = 0;
                arg->PcpuFlags = XenPlatformOpCmd.XEN_PCPU_FLAGS_ONLINE;
            }
            else arg->PcpuFlags = XenPlatformOpCmd.XEN_PCPU_FLAGS_INVALID;
            arg->PcpuMaxPresent = 0;
            return 0;
        }

        /// <summary>XENPF_get_cpu_version: CPU 0's vendor string, family, model, stepping (Xen's get_cpu_family); other CPUs zeros; max_present 0.</summary>
        static long GetCpuVersion(XenPlatformOp* arg, uint cpu)
        {
            uint* v = (uint*)&arg->VerVendor;
            uint family = 0, model = 0, stepping = 0;
            v[0] = v[1] = v[2] = 0;
            if (cpu == 0)
            {
                uint* r = stackalloc uint[4];
                Arch.Cpu.Cpuid(0, 0, r);
                v[0] = r[1]; v[1] = r[3]; v[2] = r[2];
                Arch.Cpu.Cpuid(1, 0, r);
                uint tfms = r[0];
                family = (tfms >> 8) & 0xf;
                if (family == 0xf) family += (tfms >> 20) & 0xff;
                model = (tfms >> 4) & 0xf;
                if (family >= 6) model += ((tfms >> 16) & 0xf) << 4;
                stepping = tfms & 0xf;
            }
            arg->VerFamily = family; arg->VerModel = model; arg->VerStepping = stepping;
            arg->VerMaxPresent = 0;
            return 0;
        }
    }
}
