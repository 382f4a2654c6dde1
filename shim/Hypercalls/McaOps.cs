using Microxen.Arch;
using Microxen.Guest;
using Microxen.Xen;

namespace Microxen.Hypercalls
{
    /// <summary>
    /// Hypercall 48, mca(xen_mc_t*), as Xen 4.17's do_mca (arch/x86/cpu/mcheck/mce.c) answers
    /// dom0 on a machine that has had no machine-check error: the whole 152-byte
    /// <see cref="XenMc"/> is read first (-EFAULT), an interface_version other than
    /// XEN_MCA_INTERFACE_VERSION is -EACCES, an unknown command -EINVAL.
    /// <list type="bullet">
    /// <item>XEN_MC_fetch: flags must name exactly one of XEN_MC_URGENT / XEN_MC_NONURGENT (else
    ///   -EINVAL); with XEN_MC_ACK 0 and nothing written (there is no telemetry to acknowledge);
    ///   else a NULL data handle -EINVAL, and the structure is written back with flags
    ///   XEN_MC_OK | XEN_MC_NODATA and fetch_id 0 (-EFAULT when it cannot be).</item>
    /// <item>XEN_MC_notifydomain: -EINVAL (unsupported in Xen 4.17).</item>
    /// <item>XEN_MC_physcpuinfo: a NULL info handle writes back ncpus = the online CPU count;
    ///   otherwise ncpus 0 is -EINVAL, ncpus of 2^31 or more -ENOMEM (Xen's (int) cast makes the
    ///   array size negative and its allocation fails), else min(ncpus, online CPUs) entries
    ///   (<see cref="McaCpuInfo"/>) are written and ncpus set to that count (-EFAULT when the
    ///   array cannot be written, the count still written back).</item>
    /// <item>XEN_MC_msrinject, XEN_MC_mceinject, XEN_MC_inject_v2: Xen's checks in Xen's order
    ///   (-ENODEV without machine-check banks, -EINVAL for a CPU that is not there or offline,
    ///   a domain or MSR the injector may not name, a wrong inject_v2 type; msrinject of 0 MSRs
    ///   is 0); where Xen would then write the bank MSRs or raise #MC / CMCI on a CPU, microxen
    ///   answers -EPERM, logged once: the shim does not inject machine checks into real
    ///   hardware (README "Machine checks").</item>
    /// </list>
    /// </summary>
    public static unsafe class McaOps
    {
        public static long Op(ulong arg)
        {
            GuestPointer.Touch(arg, (ulong)sizeof(XenMc));     // copy_from_guest of the whole xen_mc_t
            XenMc op = *(XenMc*)arg;
            if (op.InterfaceVersion != XenMca.XEN_MCA_INTERFACE_VERSION) return -XenErrno.EACCES;
            switch (op.Cmd)
            {
                case XenMca.XEN_MC_fetch: return Fetch(arg, &op);
                case XenMca.XEN_MC_physcpuinfo: return PhysCpuInfo(arg, &op);
                case XenMca.XEN_MC_msrinject: return MsrInject(&op);
                case XenMca.XEN_MC_mceinject: return MceInject(&op);
                case XenMca.XEN_MC_inject_v2: return InjectV2(&op);
                default: return -XenErrno.EINVAL;              // notifydomain ("unsupported") and unknown commands
            }
        }

        /// <summary>copy_to_guest(u_xen_mc, op, 1): -EFAULT when the structure cannot be written.</summary>
        static long WriteBack(ulong arg, XenMc* op)
        {
            if (!Checked.CheckedMmu.GuestCan(arg, (ulong)sizeof(XenMc), true)) return -XenErrno.EFAULT;
            *(XenMc*)arg = *op;
            return 0;
        }

        static long Fetch(ulong arg, XenMc* op)
        {
            uint which = op->FetchFlags & (XenMca.XEN_MC_NONURGENT | XenMca.XEN_MC_URGENT);
            if (which != XenMca.XEN_MC_NONURGENT && which != XenMca.XEN_MC_URGENT) return -XenErrno.EINVAL;
            if ((op->FetchFlags & XenMca.XEN_MC_ACK) != 0) return 0;   // mctelem_ack: no telemetry, no copy back
            if (op->FetchData == 0) return -XenErrno.EINVAL;
            op->FetchFlags = XenMca.XEN_MC_OK | XenMca.XEN_MC_NODATA;
            op->FetchId = 0;
            return WriteBack(arg, op);
        }

        static long PhysCpuInfo(ulong arg, XenMc* op)
        {
            uint n = (uint)Smp.Cpus.OnlineCount;
            long rc = 0;
            if (op->Info != 0)
            {
                if (op->Ncpus == 0) return -XenErrno.EINVAL;
                if (op->Ncpus > 0x7fffffff) return -XenErrno.ENOMEM;
                if (op->Ncpus < n) n = op->Ncpus;
                ulong size = n * (ulong)sizeof(McinfoLogicalCpu);
                if (!Checked.CheckedMmu.GuestCan(op->Info, size, true)) rc = -XenErrno.EFAULT;
                else
                    for (uint c = 0; c < n; c++)
                        McaCpuInfo.Fill((McinfoLogicalCpu*)op->Info + c, c, Smp.Cpus.ApicId((int)c), n);
            }
            op->Ncpus = n;
            long wb = WriteBack(arg, op);
            return wb != 0 ? wb : rc;
        }

        /// <summary>The checks msrinject and mceinject share: banks (-ENODEV), the target CPU (-EINVAL), its banks (-ENOENT); 0 when they pass.</summary>
        static long TargetChecks(uint target)
        {
            if (!McaCpuInfo.McaInited()) return -XenErrno.ENODEV;
            if (target >= (uint)Smp.Cpus.Count) return -XenErrno.EINVAL;        // nr_cpu_ids
            if (target >= (uint)Smp.Cpus.OnlineCount) return -XenErrno.EINVAL;  // !cpu_online
            return 0;                                                           // per-CPU banks: the boot CPU's, non-zero
        }

        static long MceInject(XenMc* op)
        {
            long rc = TargetChecks(op->MceinjCpunr);
            return rc != 0 ? rc : Inject(op->Cmd, op->MceinjCpunr);
        }

        static long MsrInject(XenMc* op)
        {
            long rc = TargetChecks(op->InjCpunr);
            if (rc != 0) return rc;
            if (op->InjCount == 0) return 0;
            if ((op->InjFlags & XenMca.MC_MSRINJ_F_GPADDR) != 0
                && op->InjDomid != XenMemOp.DOMID_SELF && op->InjDomid != 0)
                return -XenErrno.EINVAL;       // no such domain (PV dom0's gfn is its mfn: nothing to translate)
            // Xen verifies mcinj_count entries, past the array's 8 into its own stack when the count
            // says so (undefined): more than 8 is refused here.
            if (op->InjCount > XenMca.MC_MSRINJ_MAXMSRS || !MsrsVerify(op, op->InjCount)) return -XenErrno.EINVAL;
            return Inject(op->Cmd, op->InjCpunr);
        }

        /// <summary>
        /// x86_mc_msrinject_verify: each MSR a bank's STATUS/ADDR/MISC (with interposition unless
        /// the CPU is AMD), MCG_STATUS, AMD family 10h+'s MC4_MISC1-3; HWCR and anything else refused.
        /// </summary>
        static bool MsrsVerify(XenMc* op, uint count)
        {
            uint* r = stackalloc uint[4];
            Cpu.Cpuid(0, 0, r);
            uint vendor = McaCpuInfo.Vendor(r[1], r[2], r[3]);
            Cpu.Cpuid(1, 0, r);
            uint family = McaCpuInfo.Family(r[0], out _, out _);
            ulong last = X86.McMsr.IA32_MC0_CTL + 4UL * McaCpuInfo.BankCount() - 1;     // MCx_MISC(banks - 1)
            for (uint i = 0; i < count; i++)
            {
                ulong reg = op->InjMsr[2 * i];
                bool ok;
                if (reg >= X86.McMsr.IA32_MC0_CTL && reg <= last && (reg - X86.McMsr.IA32_MC0_CTL) % 4 != 0)
                    ok = vendor == XenMca.VendorAmd || (op->InjFlags & XenMca.MC_MSRINJ_F_INTERPOSE) != 0;
                else if (reg == X86.McMsr.IA32_MCG_STATUS) ok = true;
                else if (reg >= X86.McMsr.F10_MC4_MISC1 && reg <= X86.McMsr.F10_MC4_MISC3) ok = vendor == XenMca.VendorAmd && family >= 0x10;
                else ok = false;
                if (!ok) return false;
            }
            return true;
        }

        static long InjectV2(XenMc* op)
        {
            if (!McaCpuInfo.McaInited()) return -XenErrno.ENODEV;
            if ((op->V2Flags & XenMca.XEN_MC_INJECT_CPU_BROADCAST) == 0)
            {
                // xenctl_bitmap_to_cpumask: the guest's bitmap, nr_bits bits (at most the CPUs there are, read).
                uint bits = op->V2NrBits < (uint)Smp.Cpus.Count ? op->V2NrBits : (uint)Smp.Cpus.Count;
                ulong map = 0;
                if (bits != 0)
                {
                    GuestPointer.Touch(op->V2Bitmap, (bits + 7) / 8);
                    for (uint b = 0; b < bits; b++)
                        if ((((byte*)op->V2Bitmap)[b / 8] & (1 << (int)(b % 8))) != 0) map |= 1UL << (int)b;
                }
                ulong online = Smp.Cpus.OnlineCount >= 64 ? ~0UL : (1UL << Smp.Cpus.OnlineCount) - 1;
                if ((map & online) == 0) return -XenErrno.EINVAL;    // "No online CPU passed"
            }
            uint type = op->V2Flags & XenMca.XEN_MC_INJECT_TYPE_MASK;
            if (type == XenMca.XEN_MC_INJECT_TYPE_MCE) return Inject(op->Cmd, op->V2Flags);
            // CMCI: Xen has a CMCI vector only on Intel CPUs with MCG_CAP.CMCI_P (bit 10), LMCE
            // only with MCG_CAP.LMCE_P (bit 27) enabled by firmware: else "No CMCI supported in
            // platform" / "No LMCE support", -EINVAL; other types "Wrong mca type", -EINVAL.
            if (type == XenMca.XEN_MC_INJECT_TYPE_CMCI && McaCpuInfo.IntelMcgCap(1UL << 10)) return Inject(op->Cmd, op->V2Flags);
            if (type == XenMca.XEN_MC_INJECT_TYPE_LMCE && McaCpuInfo.IntelMcgCap(1UL << 27)) return Inject(op->Cmd, op->V2Flags);
            return -XenErrno.EINVAL;
        }

        /// <summary>Where Xen would write bank MSRs or raise a machine check: refused, logged once per command.</summary>
        static long Inject(uint cmd, ulong detail)
        {
            if (s_warned.First(Hypercall.Mca, cmd))
            {
                Console.Log.Begin(); Console.Log.Str("mca: command "); Console.Log.Dec(cmd); Console.Log.Str(" (");
                Console.Log.Hex(detail); Console.Log.Str(") would inject a machine check into the hardware: -EPERM"); Console.Log.End();
            }
            return -XenErrno.EPERM;
        }

        static WarnOnce s_warned;
    }
}
