using System.Runtime.InteropServices;
using KernelTest.Hypervisor;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// The registration list: one <see cref="Add"/> per test, its name and its function, in the
    /// order the suite runs. Nothing else numbers or counts the tests: <see cref="Count"/> walks
    /// the list, and test i (<see cref="Name"/>, and kt_test_body, which kt_run_test calls behind
    /// the recovery point) is the i-th row of a walk.
    /// </summary>
    public static unsafe class TestList
    {
        static void Rows(ref Row r)
        {
            Add(ref r, "console_write", &VersionTests.ConsoleWrite);
            Add(ref r, "xen_version", &VersionTests.Version);
            Add(ref r, "xen_capabilities", &VersionTests.Capabilities);
            Add(ref r, "xen_get_features", &VersionTests.Features);
            Add(ref r, "mmu_map_alias", &MmuTests.MapAlias);
            Add(ref r, "mmu_map_free_frame", &MmuTests.MapFreeFrame);
            Add(ref r, "mmu_remap", &MmuTests.Remap);
            Add(ref r, "mmu_unmap_pagefault", &MmuTests.UnmapFaults);
            Add(ref r, "mmu_readonly_pagefault", &MmuTests.ReadOnlyFaults);
            Add(ref r, "tlb_uvmf_invlpg", &TlbUvmfInvlpg);
            Add(ref r, "tlb_uvmf_tlb_flush", &TlbUvmfTlbFlush);
            Add(ref r, "tlb_uvmf_invlpg_all", &TlbUvmfInvlpgAll);
            Add(ref r, "tlb_uvmf_tlb_flush_all", &TlbUvmfTlbFlushAll);
            Add(ref r, "tlb_uvmf_none_mmuext_invlpg_local", &TlbUvmfNoneMmuextInvlpgLocal);
            Add(ref r, "tlb_mmu_update_mmuext_tlb_flush_local", &TlbMmuUpdateMmuextTlbFlushLocal);
            Add(ref r, "tlb_mmu_update_mmuext_invlpg_all", &TlbMmuUpdateMmuextInvlpgAll);
            Add(ref r, "tlb_mmu_update_mmuext_tlb_flush_all", &TlbMmuUpdateMmuextTlbFlushAll);
            Add(ref r, "pin_l1", &PinL1);
            Add(ref r, "pin_l2", &PinL2);
            Add(ref r, "pin_l3", &PinL3);
            Add(ref r, "pin_l4", &PinL4);
            Add(ref r, "pin_l2_with_l1", &PinTests.PinL2WithL1);
            Add(ref r, "mmuext_new_baseptr", &PinTests.NewBaseptr);
            Add(ref r, "multicall", &MulticallTests.Batch4);
            Add(ref r, "evtchn_ipi_upcall", &EvtchnTests.IpiUpcall);
            Add(ref r, "evtchn_mask_unmask", &EvtchnTests.MaskUnmask);
            Add(ref r, "evtchn_unbound_send", &EvtchnTests.UnboundSend);
            Add(ref r, "timer_singleshot", &TimerTests.Singleshot);
            Add(ref r, "timer_set_timer_op", &TimerTests.SetTimerOp);
            Add(ref r, "pvclock_monotonic", &TimerTests.PvclockMonotonic);
            Add(ref r, "exception_pf", &ExceptionTests.PageFault);
            Add(ref r, "exception_ud", &ExceptionTests.InvalidOpcode);
            Add(ref r, "exception_gp", &ExceptionTests.GeneralProtection);
            Add(ref r, "exception_nm", &ExceptionTests.DeviceNotAvailable);
            Add(ref r, "fpu_taskswitch_clear", &ExceptionTests.TaskswitchClear);
            Add(ref r, "user_mode_roundtrip", &UserModeTests.RoundTrip);
            Add(ref r, "segbase_fs", &SegmentTests.Fs);
            Add(ref r, "segbase_gs_kernel", &SegmentTests.GsKernel);
            Add(ref r, "segbase_gs_user", &SegmentTests.GsUser);
            Add(ref r, "sched_yield", &SchedYield);
            Add(ref r, "hypercall_bad_pointer", &VersionTests.BadPointer);
            Add(ref r, "batch_unmapped_array", &BadArgumentTests.BatchFromUnmappedArray);
            Add(ref r, "segbase_non_canonical", &BadArgumentTests.SegmentBaseNonCanonical);
            Add(ref r, "segbase_unloadable_selector", &BadArgumentTests.SegmentSelectorUnloadable);
            Add(ref r, "mmu_readonly_pagefault_kernel", &MmuTests.ReadOnlyFaultsKernelHalf);
            Add(ref r, "multicall_entry_fault", &MulticallTests.EntryFaults);
            Add(ref r, "multicall_unmapped_array", &MulticallTests.UnmappedArray);
            Add(ref r, "uvm_table_past_ram", &MmuTests.UpdateVaMappingTablePastRam);
            // Grant tables and FIFO event channels (issue 8, engineer D)
            Add(ref r, "gnttab_query_setup", &GrantTests.QuerySetup);
            Add(ref r, "gnttab_map_own_grant", &GrantTests.MapOwn);
            Add(ref r, "gnttab_map_by_pte", &GrantTests.MapPte);
            Add(ref r, "gnttab_copy", &GrantTests.CopyOwn);
            Add(ref r, "gnttab_versions", &GrantTests.Versions);
            Add(ref r, "evtchn_fifo_bad_arguments", &FifoTests.BadArguments);
            Add(ref r, "evtchn_fifo_events", &FifoTests.Events);
            // Loader (issue 8, engineer B): what the domain builder hands over.
            Add(ref r, "start_info_flags", &LoaderTests.StartInfoFlagsAndMagic);
            Add(ref r, "initial_mappings_user", &LoaderTests.InitialMappingsAreUserAccessible);
            Add(ref r, "user_exec_kernel_image_page", &LoaderTests.UserModeRunsKernelImagePage);
            // Issue 8, engineer C: Xen's flat selectors, int $N, the ring-3-style iretq.
            Add(ref r, "flat_selectors_kernel", &SelectorIntTests.FlatLoadKernel);
            Add(ref r, "flat_selectors_user", &SelectorIntTests.FlatLoadUser);
            Add(ref r, "flat_lretq_kernel", &SelectorIntTests.FlatLretqKernel);
            Add(ref r, "flat_iretq_kernel", &SelectorIntTests.FlatIretqKernel);
            Add(ref r, "flat_ss_iret_hypercall", &SelectorIntTests.FlatSsIretHypercall);
            Add(ref r, "int_kernel_dpl1", &SelectorIntTests.IntKernelDpl1);
            Add(ref r, "int_kernel_dpl0", &SelectorIntTests.IntKernelDpl0);
            Add(ref r, "int_kernel_no_handler", &SelectorIntTests.IntKernelNoHandler);
            Add(ref r, "int_kernel_pf_vector", &SelectorIntTests.IntKernelPageFaultVector);
            Add(ref r, "int_kernel_timer_vector", &SelectorIntTests.IntKernelTimerVector);
            Add(ref r, "int80_kernel", &SelectorIntTests.Int80Kernel);
            Add(ref r, "int80_no_handler", &SelectorIntTests.Int80NoHandler);
            Add(ref r, "int_user_dpl3", &SelectorIntTests.IntUserDpl3);
            Add(ref r, "int_user_dpl1", &SelectorIntTests.IntUserDpl1);
            Add(ref r, "int_user_no_handler", &SelectorIntTests.IntUserNoHandler);
            Add(ref r, "int80_user", &SelectorIntTests.Int80User);
            Add(ref r, "flat_cs_user_iret", &SelectorIntTests.FlatCsUserIret);
            Add(ref r, "flat_lretq_user", &SelectorIntTests.FlatLretqUser);
            // Guest mode and Xen's register ABI (issue 8, engineer A).
            Add(ref r, "hypercall_regs_transfer_page", &RegisterAbiTests.TransferPage);
            Add(ref r, "hypercall_regs_syscall", &RegisterAbiTests.DirectSyscall);
            Add(ref r, "hypercall_syscall_lower_half", &RegisterAbiTests.LowerHalfSyscall);
            Add(ref r, "hypercall_regs_iret", &RegisterAbiTests.Iret);
            // Issue 9, engineer K2: descriptor checks (check_descriptor) and the registration hypercalls' errors.
            // Fast mode applies set_gdt/update_descriptor as given: desc_set_gdt_gate_xen_selector,
            // desc_set_gdt_system_anywhere and desc_update_refused differ there (README "Checked mode").
            Add(ref r, "desc_set_gdt_gate_xen_selector", &DescriptorTests.SetGdtCallGateToXenSelector);
            Add(ref r, "desc_set_gdt_system_anywhere", &DescriptorTests.SetGdtSystemDescriptorAnywhere);
            Add(ref r, "desc_set_gdt_accepted", &DescriptorTests.SetGdtAccepted);
            Add(ref r, "desc_update_accepted", &DescriptorTests.UpdateAccepted);
            Add(ref r, "desc_update_refused", &DescriptorTests.UpdateRefused);
            Add(ref r, "vm_assist_types", &TrapOpsTests.VmAssistTypes);
            Add(ref r, "callback_op_errors", &TrapOpsTests.CallbackOpErrors);
            Add(ref r, "set_callbacks_non_canonical", &TrapOpsTests.SetCallbacksNonCanonical);
            Add(ref r, "set_trap_table_non_canonical", &TrapOpsTests.SetTrapTableNonCanonical);
            Add(ref r, "debugreg_refusals", &TrapOpsTests.DebugRegRefusals);
            Add(ref r, "debugreg_values", &TrapOpsTests.DebugRegValues);
            Add(ref r, "segbase_unknown", &TrapOpsTests.SegmentBaseUnknown);
        }

        // Tests of a parameterised checker, one function per row.
        static bool TlbUvmfInvlpg() => TlbTests.Switch(TlbTests.How.UvmfInvlpg);
        static bool TlbUvmfTlbFlush() => TlbTests.Switch(TlbTests.How.UvmfTlbFlush);
        static bool TlbUvmfInvlpgAll() => TlbTests.Switch(TlbTests.How.UvmfInvlpgAll);
        static bool TlbUvmfTlbFlushAll() => TlbTests.Switch(TlbTests.How.UvmfTlbFlushAll);
        static bool TlbUvmfNoneMmuextInvlpgLocal() => TlbTests.Switch(TlbTests.How.UvmfNoneThenInvlpgLocal);
        static bool TlbMmuUpdateMmuextTlbFlushLocal() => TlbTests.Switch(TlbTests.How.MmuUpdateThenTlbFlushLocal);
        static bool TlbMmuUpdateMmuextInvlpgAll() => TlbTests.Switch(TlbTests.How.MmuUpdateThenInvlpgAll);
        static bool TlbMmuUpdateMmuextTlbFlushAll() => TlbTests.Switch(TlbTests.How.MmuUpdateThenTlbFlushAll);
        static bool PinL1() => PinTests.PinEmpty(1);
        static bool PinL2() => PinTests.PinEmpty(2);
        static bool PinL3() => PinTests.PinEmpty(3);
        static bool PinL4() => PinTests.PinEmpty(4);
        static bool SchedYield() => Check.Rc("SCHEDOP_yield", Hv.SchedOpCall(SchedOp.SCHEDOP_yield, null));

        /// <summary>A walk of <see cref="Rows"/>: counts the rows, and keeps row <see cref="Wanted"/>.</summary>
        struct Row
        {
            public int Wanted, Seen;
            public string Name;
            public delegate*<bool> Body;
        }

        static void Add(ref Row r, string name, delegate*<bool> body)
        {
            if (r.Seen++ == r.Wanted) { r.Name = name; r.Body = body; }
        }

        // An out parameter, not a returned Row: ilc failed on `Row r = default; ... return r;`
        // ("Expected type 'System.RuntimeType' not found"), a struct with a string field.
        static void Find(int i, out Row r)
        {
            r.Wanted = i;
            r.Seen = 0;
            r.Name = "?";
            r.Body = null;
            Rows(ref r);
        }

        /// <summary>The number of registered tests.</summary>
        public static int Count()
        {
            Find(-1, out Row r);
            return r.Seen;
        }

        /// <summary>The name of test <paramref name="i"/>, or "?" past the end.</summary>
        public static string Name(int i)
        {
            Find(i, out Row r);
            return r.Name;
        }

        [UnmanagedCallersOnly(EntryPoint = "kt_test_body")]
        static int Body(int i)
        {
            Find(i, out Row r);
            return r.Body != null && r.Body() ? 1 : 0;
        }
    }
}
