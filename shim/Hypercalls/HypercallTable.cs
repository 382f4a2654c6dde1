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
        /// <summary>
        /// How many arguments it takes, Xen's xen/include/hypercall-defs.c (pv64): the first
        /// <c>Args</c> of RDI, RSI, RDX, R10, R8. Xen's register ABI (public/arch-x86/xen-x86_64.h,
        /// "Clobbered: argument registers (e.g., 2-arg hypercall clobbers %rdi,%rsi)"): a hypercall
        /// may change RAX (its result) and these, nothing else (<see cref="ArgRegisterMask"/>).
        /// </summary>
        public byte Args;
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
    /// argument count, fast path, C# handler. The one place for these facts, as Xen's xen/include/hypercall-defs.c
    /// is Xen's: tools/InlineGen generates the C# dispatch switch and the transfer page's sequence
    /// table from it, tools/AsmGen fast_path_table, and the shim's log and statistics read it.
    /// Numbers 0-63 (<see cref="Size"/>); every other number is undefined.
    /// </summary>
    public static class HypercallTable
    {
        /// <summary>Numbers the table, the statistics and fast_path_table cover: 0..Size-1.</summary>
        public const int Size = 64;

        /// <summary>Rows of fast_path_table: fast_NAME by number, then the LSTAR dispatcher's row per number (shim/FastPaths/FastPaths.Lstar.asm.cs).</summary>
        public const int FastPathRows = 2 * Size;

        /// <summary>Row <paramref name="nr"/>; an undefined number gives a row with Name null.</summary>
        public static HypercallRow Row(int nr)
        {
            const bool Cmd = true, Args = false;       // the first argument is a command / plain arguments
            switch (nr)
            {
                //                                          name                         args sub-ops fast path          C# handler
                case Hypercall.SetTrapTable:        return R("set_trap_table",                1, Args, FastPath.None,    "TrapOps.SetTrapTable(a1)");
                case Hypercall.MmuUpdate:           return R("mmu_update",                    4, Args, FastPath.Routine, "MmuOps.MmuUpdate(a1, a2, a3, a4)");
                case Hypercall.SetGdt:              return R("set_gdt",                       2, Args, FastPath.None,    "DescriptorOps.SetGdt(a1, a2)");
                case Hypercall.StackSwitch:         return R("stack_switch",                  2, Args, FastPath.Inline,  "TrapOps.StackSwitch(a1, a2)");
                case Hypercall.SetCallbacks:        return R("set_callbacks",                 3, Args, FastPath.None,    "TrapOps.SetCallbacks(a1, a2, a3)");
                case Hypercall.FpuTaskswitch:       return R("fpu_taskswitch",                1, Args, FastPath.Inline,  "TrapOps.FpuTaskswitch(a1)");
                case Hypercall.SchedOpCompat:       return R("sched_op_compat",               2, Args, FastPath.None,    "SchedOps.Compat(a1, a2)");
                case Hypercall.PlatformOp:          return R("platform_op",                   1, Cmd,  FastPath.None,    "PlatformOps.Op((XenPlatformOp*)a1)");
                case Hypercall.SetDebugreg:         return R("set_debugreg",                  2, Args, FastPath.None,    "DebugRegOps.Set(a1, a2)");
                case Hypercall.GetDebugreg:         return R("get_debugreg",                  1, Args, FastPath.None,    "DebugRegOps.Get(a1)");
                case Hypercall.UpdateDescriptor:    return R("update_descriptor",             2, Args, FastPath.Routine, "DescriptorOps.UpdateDescriptor(a1, a2)");
                case Hypercall.MemoryOp:            return R("memory_op",                     2, Cmd,  FastPath.None,    "MemoryOps.Op(a1, a2)");
                case Hypercall.Multicall:           return R("multicall",                     2, Args, FastPath.Routine, "Multicall(a1, a2, f)");
                case Hypercall.UpdateVaMapping:     return R("update_va_mapping",             3, Args, FastPath.Routine, "MmuOps.UpdateVaMapping(a1, a2, a3)");
                case Hypercall.SetTimerOp:          return R("set_timer_op",                  1, Args, FastPath.None,    "SchedOps.SetTimerOp(a1)");
                case Hypercall.EventChannelOpCompat: return R("event_channel_op_compat",      1, Args, FastPath.None,    "UnmodelledOps.CopyIn(\"event_channel_op_compat\", Hypercall.EventChannelOpCompat, a1)");
                case Hypercall.XenVersion:          return R("xen_version",                   2, Cmd,  FastPath.Routine, "VersionOps.Op(a1, a2)");
                case Hypercall.ConsoleIo:           return R("console_io",                    3, Cmd,  FastPath.None,    "ConsoleOps.Op(a1, a2, a3)");
                case Hypercall.PhysdevOpCompat:     return R("physdev_op_compat",             1, Args, FastPath.None,    "UnmodelledOps.CopyIn(\"physdev_op_compat\", Hypercall.PhysdevOpCompat, a1)");
                case Hypercall.GrantTableOp:        return R("grant_table_op",                3, Cmd,  FastPath.None,    "GrantTableOps.Op(a1, a2, a3)");
                case Hypercall.VmAssist:            return R("vm_assist",                     2, Cmd,  FastPath.None,    "TrapOps.VmAssist(a1, a2)");
                case Hypercall.UpdateVaMappingOtherdomain: return R("update_va_mapping_otherdomain", 4, Args, FastPath.None, "MmuOps.UpdateVaMappingOtherdomain(a1, a2, a3, a4)");
                // HypercallDispatch's entry runs Iret.Do itself, and so does the C# multicall (Xen: mc_exit).
                case Hypercall.Iret:                return R("iret",                          0, Args, FastPath.Iret,    null);
                case Hypercall.VcpuOp:              return R("vcpu_op",                       3, Cmd,  FastPath.None,    "VcpuOps.Op(a1, a2, a3)");
                case Hypercall.SetSegmentBase:      return R("set_segment_base",              2, Cmd,  FastPath.Routine, "TrapOps.SetSegmentBase(a1, a2)");
                case Hypercall.MmuextOp:            return R("mmuext_op",                     4, Args, FastPath.Routine, "MmuOps.MmuextOp(a1, a2, a3, a4)");
                case Hypercall.XsmOp:               return R("xsm_op",                        1, Args, FastPath.None,    null);
                case Hypercall.NmiOp:               return R("nmi_op",                        2, Cmd,  FastPath.None,    "UnmodelledOps.NmiOp(a1, a2)");
                case Hypercall.SchedOp:             return R("sched_op",                      2, Cmd,  FastPath.None,    "SchedOps.Op(a1, a2, f)");
                case Hypercall.CallbackOp:          return R("callback_op",                   2, Cmd,  FastPath.None,    "TrapOps.CallbackOp(a1, a2)");
                case Hypercall.XenoprofOp:          return R("xenoprof_op",                   2, Args, FastPath.None,    "UnmodelledOps.XenoprofOp(a1, a2)");
                case Hypercall.EventChannelOp:      return R("event_channel_op",              2, Cmd,  FastPath.None,    "EventChannelOps.Op(a1, a2)");
                case Hypercall.PhysdevOp:           return R("physdev_op",                    2, Cmd,  FastPath.None,    "PhysdevOps.Op(a1, a2)");
                case Hypercall.HvmOp:               return R("hvm_op",                        2, Cmd,  FastPath.None,    "UnmodelledOps.HvmOp(a1, a2)");
                case Hypercall.Sysctl:              return R("sysctl",                        1, Args, FastPath.None,    "UnmodelledOps.CopyIn(\"sysctl\", Hypercall.Sysctl, a1)");
                case Hypercall.Domctl:              return R("domctl",                        1, Args, FastPath.None,    "UnmodelledOps.CopyIn(\"domctl\", Hypercall.Domctl, a1)");
                case Hypercall.KexecOp:             return R("kexec_op",                      2, Args, FastPath.None,    "UnmodelledOps.KexecOp(a1, a2)");
                case Hypercall.TmemOp:              return R("tmem_op",                       1, Args, FastPath.None,    null);
                case Hypercall.ArgoOp:              return R("argo_op",                       5, Args, FastPath.None,    null);
                case Hypercall.XenpmuOp:            return R("xenpmu_op",                     2, Cmd,  FastPath.None,    "UnmodelledOps.XenpmuOp()");
                case Hypercall.DmOp:                return R("dm_op",                         3, Args, FastPath.None,    "UnmodelledOps.DmOp(a1, a2, a3)");
                case Hypercall.HypfsOp:             return R("hypfs_op",                      5, Args, FastPath.None,    null);
                case Hypercall.Mca:                 return R("mca",                           1, Args, FastPath.None,    "McaOps.Op(a1)");
                case Hypercall.PagingDomctlCont:    return R("paging_domctl_cont",            1, Args, FastPath.None,    "UnmodelledOps.PagingDomctlCont(a1)");
                default: return default;
            }
        }

        /// <summary>The hypercall argument registers in order (RDI, RSI, RDX, R10, R8): <see cref="ArgRegisterMask"/>'s bits.</summary>
        public const int MaxArgs = 5;

        /// <summary>
        /// Bit i set: argument register i (0 RDI, 1 RSI, 2 RDX, 3 R10, 4 R8) is one hypercall
        /// <paramref name="nr"/> takes, so it may change; every other bit's register survives the
        /// hypercall. 0 for an undefined number (Xen: -ENOSYS, nothing changes).
        /// </summary>
        public static int ArgRegisterMask(ulong nr)
        {
            if (nr >= Size) return 0;
            return (1 << Row((int)nr).Args) - 1;
        }

        /// <summary>Xen's name of hypercall <paramref name="nr"/>, "unknown" for an undefined number.</summary>
        public static string Name(ulong nr)
        {
            if (nr >= Size) return "unknown";                  // if/return: a ?: between strings stops ilc (shim/README.md)
            HypercallRow r = Row((int)nr);
            if (r.Name == null) return "unknown";
            return r.Name;
        }

        static HypercallRow R(string name, int args, bool subOps, FastPath fast, string handler)
        {
            HypercallRow r;
            r.Name = name;
            r.Args = (byte)args;
            r.SubOps = subOps;
            r.Fast = fast;
            r.Handler = handler;
            return r;
        }
    }
}
