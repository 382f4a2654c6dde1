using Microxen.Xen;

namespace Microxen.Hypercalls
{
    /// <summary>How fast mode serves a hypercall without the C# dispatcher (column of <see cref="HypercallTable"/>).</summary>
    public enum FastPath : byte
    {
        /// <summary>The C# dispatcher only; its transfer-page entry is the dispatcher entry.</summary>
        None = 0,
        /// <summary>
        /// A native routine <c>fast_NAME</c> (shim/FastPaths) in fast_path_table, which the LSTAR
        /// dispatcher and the native multicall call; the transfer-page entry calls it and falls back
        /// to the dispatcher entry when it declines (InlineSequences' CallRoutine).
        /// </summary>
        Routine = 1,
        /// <summary>
        /// A routine as for <see cref="Routine"/>, and a transfer-page entry of its own that does the
        /// work in its 32 bytes (a sequence in shim/Inline/InlineSequences.asm.cs, chosen there by number).
        /// </summary>
        Inline = 2,
        /// <summary>
        /// iret only: the LSTAR dispatcher tests for it before fast_path_table (no slot there: it
        /// cannot be batched), its transfer-page entry jumps to fast_page_iret.
        /// </summary>
        Iret = 3,
    }

    /// <summary>One row of <see cref="HypercallTable"/>.</summary>
    public struct HypercallRow
    {
        /// <summary>Xen's name (public/xen.h __HYPERVISOR_NAME, lower case); null for an undefined number.</summary>
        public string Name;
        /// <summary>The first argument is a command (sub-operation): counted per command in the statistics.</summary>
        public bool SubOps;
        /// <summary>The native fast path, if any.</summary>
        public FastPath Fast;
        /// <summary>
        /// The C# handler as a call expression over <c>a1..a5</c> (RDI, RSI, RDX, R10, R8) and
        /// <c>f</c> (the CpuFrame*), in the scope of HypercallDispatch; returns the result (Xen's
        /// negative errno on error). Null: -ENOSYS, logged once (HypercallStats.Unimplemented).
        /// Generated into HypercallDispatch.Call (shim/Hypercalls/HypercallDispatch.g.cs).
        /// </summary>
        public string Handler;

        /// <summary>A native routine fast_NAME serves it from fast_path_table (<see cref="FastPath.Routine"/>, <see cref="FastPath.Inline"/>).</summary>
        public bool HasRoutine => Fast == FastPath.Routine || Fast == FastPath.Inline;
    }

    /// <summary>
    /// The hypercalls, one row per __HYPERVISOR_* number (public/xen.h): name, sub-operations,
    /// fast path, C# handler. The one place for these facts, as Xen's xen/include/hypercall-defs.c
    /// is Xen's: tools/InlineGen generates the C# dispatch switch and the transfer page's sequence
    /// table from it, tools/AsmGen fast_path_table, and the shim's log and statistics read it.
    /// Numbers 0-63 (<see cref="Size"/>); every other number is undefined.
    /// </summary>
    public static class HypercallTable
    {
        /// <summary>Numbers the table, the statistics and fast_path_table cover: 0..Size-1.</summary>
        public const int Size = 64;

        /// <summary>Row <paramref name="nr"/>; an undefined number gives a row with Name null.</summary>
        public static HypercallRow Row(int nr)
        {
            const bool Cmd = true, Args = false;       // the first argument is a command / plain arguments
            switch (nr)
            {
                //                                          name                         sub-ops fast path          C# handler
                case Hypercall.SetTrapTable:        return R("set_trap_table",                Args, FastPath.None,    "TrapOps.SetTrapTable(a1)");
                case Hypercall.MmuUpdate:           return R("mmu_update",                    Args, FastPath.Routine, "MmuOps.MmuUpdate(a1, a2, a3, a4)");
                case Hypercall.SetGdt:              return R("set_gdt",                       Args, FastPath.None,    "DescriptorOps.SetGdt(a1, a2)");
                case Hypercall.StackSwitch:         return R("stack_switch",                  Args, FastPath.Inline,  "TrapOps.StackSwitch(a1, a2)");
                case Hypercall.SetCallbacks:        return R("set_callbacks",                 Args, FastPath.None,    "TrapOps.SetCallbacks(a1, a2, a3)");
                case Hypercall.FpuTaskswitch:       return R("fpu_taskswitch",                Args, FastPath.Inline,  "TrapOps.FpuTaskswitch(a1)");
                case Hypercall.SchedOpCompat:       return R("sched_op_compat",               Args, FastPath.None,    null);
                case Hypercall.PlatformOp:          return R("platform_op",                   Cmd,  FastPath.None,    null);
                case Hypercall.SetDebugreg:         return R("set_debugreg",                  Args, FastPath.None,    "DebugRegOps.Set(a1, a2)");
                case Hypercall.GetDebugreg:         return R("get_debugreg",                  Args, FastPath.None,    "DebugRegOps.Get(a1)");
                case Hypercall.UpdateDescriptor:    return R("update_descriptor",             Args, FastPath.Routine, "DescriptorOps.UpdateDescriptor(a1, a2)");
                case Hypercall.MemoryOp:            return R("memory_op",                     Cmd,  FastPath.None,    "MemoryOps.Op(a1, a2)");
                case Hypercall.Multicall:           return R("multicall",                     Args, FastPath.Routine, "Multicall(a1, a2, f)");
                case Hypercall.UpdateVaMapping:     return R("update_va_mapping",             Args, FastPath.Routine, "MmuOps.UpdateVaMapping(a1, a2, a3)");
                case Hypercall.SetTimerOp:          return R("set_timer_op",                  Args, FastPath.None,    "SchedOps.SetTimerOp(a1)");
                case Hypercall.EventChannelOpCompat: return R("event_channel_op_compat",      Args, FastPath.None,    null);
                case Hypercall.XenVersion:          return R("xen_version",                   Cmd,  FastPath.Routine, "VersionOps.Op(a1, a2)");
                case Hypercall.ConsoleIo:           return R("console_io",                    Cmd,  FastPath.None,    "ConsoleOps.Op(a1, a2, a3)");
                case Hypercall.PhysdevOpCompat:     return R("physdev_op_compat",             Args, FastPath.None,    null);
                case Hypercall.GrantTableOp:        return R("grant_table_op",                Cmd,  FastPath.None,    "GrantTableOps.Op(a1, a2, a3)");
                case Hypercall.VmAssist:            return R("vm_assist",                     Cmd,  FastPath.None,    "TrapOps.VmAssist(a1, a2)");
                case Hypercall.UpdateVaMappingOtherdomain: return R("update_va_mapping_otherdomain", Args, FastPath.None, null);
                // HypercallDispatch's entry runs Iret.Do itself; multicall rejects iret (-EINVAL).
                case Hypercall.Iret:                return R("iret",                          Args, FastPath.Iret,    null);
                case Hypercall.VcpuOp:              return R("vcpu_op",                       Cmd,  FastPath.None,    "VcpuOps.Op(a1, a2, a3)");
                case Hypercall.SetSegmentBase:      return R("set_segment_base",              Cmd,  FastPath.Routine, "TrapOps.SetSegmentBase(a1, a2)");
                case Hypercall.MmuextOp:            return R("mmuext_op",                     Args, FastPath.Routine, "MmuOps.MmuextOp(a1, a2, a3, a4)");
                case Hypercall.XsmOp:               return R("xsm_op",                        Args, FastPath.None,    null);
                case Hypercall.NmiOp:               return R("nmi_op",                        Cmd,  FastPath.None,    null);
                case Hypercall.SchedOp:             return R("sched_op",                      Cmd,  FastPath.None,    "SchedOps.Op(a1, a2, f)");
                case Hypercall.CallbackOp:          return R("callback_op",                   Cmd,  FastPath.None,    "TrapOps.CallbackOp(a1, a2)");
                case Hypercall.XenoprofOp:          return R("xenoprof_op",                   Args, FastPath.None,    null);
                case Hypercall.EventChannelOp:      return R("event_channel_op",              Cmd,  FastPath.None,    "EventChannelOps.Op(a1, a2)");
                case Hypercall.PhysdevOp:           return R("physdev_op",                    Cmd,  FastPath.None,    "PhysdevOps.Op(a1, a2)");
                case Hypercall.HvmOp:               return R("hvm_op",                        Cmd,  FastPath.None,    null);
                case Hypercall.Sysctl:              return R("sysctl",                        Args, FastPath.None,    null);
                case Hypercall.Domctl:              return R("domctl",                        Args, FastPath.None,    null);
                case Hypercall.KexecOp:             return R("kexec_op",                      Args, FastPath.None,    null);
                case Hypercall.TmemOp:              return R("tmem_op",                       Args, FastPath.None,    null);
                case Hypercall.ArgoOp:              return R("argo_op",                       Args, FastPath.None,    null);
                case Hypercall.XenpmuOp:            return R("xenpmu_op",                     Cmd,  FastPath.None,    null);
                case Hypercall.DmOp:                return R("dm_op",                         Args, FastPath.None,    null);
                case Hypercall.HypfsOp:             return R("hypfs_op",                      Args, FastPath.None,    null);
                case Hypercall.Mca:                 return R("mca",                           Args, FastPath.None,    null);
                default: return default;
            }
        }

        /// <summary>Xen's name of hypercall <paramref name="nr"/>, "unknown" for an undefined number.</summary>
        public static string Name(ulong nr)
        {
            if (nr >= Size) return "unknown";                  // if/return: a ?: between strings stops ilc (shim/README.md)
            HypercallRow r = Row((int)nr);
            if (r.Name == null) return "unknown";
            return r.Name;
        }

        static HypercallRow R(string name, bool subOps, FastPath fast, string handler)
        {
            HypercallRow r;
            r.Name = name;
            r.SubOps = subOps;
            r.Fast = fast;
            r.Handler = handler;
            return r;
        }
    }
}
