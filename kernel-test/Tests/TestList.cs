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
            // Validation group (issue 9, engineer K3): requests Xen 4.17 refuses or adjusts, with
            // Xen's exact results (ValidationMmuTests, ValidationDescriptorTests). Fast mode answers
            // some differently: KernelTestTests.FastModeDifferences lists them.
            Add(ref r, "val_l1_map_pinned_l1_writable", &ValidationMmuTests.WritableMapOfPinnedL1);
            Add(ref r, "val_l1_map_pinned_l1_readonly", &ValidationMmuTests.ReadOnlyMapOfPinnedL1);
            Add(ref r, "val_pin_frame_mapped_writable", &ValidationMmuTests.PinOfWritableFrame);
            Add(ref r, "val_l2_entry_pse", &ValL2Pse);
            Add(ref r, "val_l2_entry_global", &ValL2Global);
            Add(ref r, "val_l3_entry_pse", &ValL3Pse);
            Add(ref r, "val_l3_entry_pcd", &ValL3Pcd);
            Add(ref r, "val_l4_entry_global", &ValL4Global);
            Add(ref r, "val_l4_entry_pwt", &ValL4Pwt);
            Add(ref r, "val_l2_entry_user_added", &ValL2User);
            Add(ref r, "val_l3_entry_user_added", &ValL3User);
            Add(ref r, "val_l4_entry_user_added", &ValL4User);
            Add(ref r, "val_l1_kernel_pte_adjusted", &ValL1Kernel);
            Add(ref r, "val_l1_user_pte_global", &ValL1User);
            Add(ref r, "val_mmu_preserve_ad", &ValidationMmuTests.PreserveAd);
            Add(ref r, "val_unpin_unpinned", &ValidationMmuTests.UnpinUnpinned);
            Add(ref r, "val_double_pin", &ValDoublePin);
            Add(ref r, "val_unpin_referenced_l1", &ValidationMmuTests.UnpinReferencedL1);
            Add(ref r, "val_pin_l2_of_l1", &ValPinL2OfL1);
            Add(ref r, "val_new_baseptr_invalid_l4", &ValNewBaseptrInvalidL4);
            Add(ref r, "val_new_baseptr_writable_l4", &ValNewBaseptrWritableL4);
            Add(ref r, "val_new_baseptr_unpinned_l4", &ValidationMmuTests.NewBaseptrUnpinnedL4);
            Add(ref r, "val_new_baseptr_gdt_frame", &ValidationMmuTests.NewBaseptrGdtFrame);
            Add(ref r, "val_mmu_batch_fifth_fails", &ValidationMmuTests.BatchFifthFails);
            Add(ref r, "val_mmuext_batch_third_fails", &ValidationMmuTests.MmuextBatchThirdFails);
            Add(ref r, "val_m2p_map_writable", &ValM2pWritable);
            Add(ref r, "val_m2p_map_readonly", &ValM2pReadOnly);
            Add(ref r, "val_machphys_update_foreign", &ValidationMmuTests.MachphysForeign);
            Add(ref r, "val_machphys_update_own", &ValidationMmuTests.MachphysOwn);
            Add(ref r, "val_mmu_update_bad_ptr", &ValidationMmuTests.BadPtr);
            Add(ref r, "val_mmu_update_no_translate", &ValidationMmuTests.NoTranslateCmd);
            Add(ref r, "val_uvm_unmapped_va", &ValidationMmuTests.UpdateVaMappingUnmapped);
            Add(ref r, "val_mmuext_unknown_cmd", &ValidationMmuTests.MmuextUnknown);
            Add(ref r, "val_linear_l1_writable", &ValSelfL1Rw);
            Add(ref r, "val_linear_l1_readonly", &ValSelfL1Ro);
            Add(ref r, "val_linear_l2_writable", &ValSelfL2Rw);
            Add(ref r, "val_linear_l2_readonly", &ValSelfL2Ro);
            Add(ref r, "val_linear_l3_writable", &ValSelfL3Rw);
            Add(ref r, "val_linear_l3_readonly", &ValSelfL3Ro);
            Add(ref r, "val_linear_l4_writable", &ValSelfL4Rw);
            Add(ref r, "val_linear_l4_readonly", &ValSelfL4Ro);
            Add(ref r, "val_copy_page_to_page_table", &ValCopyToPageTable);
            Add(ref r, "val_copy_page_from_page_table", &ValidationMmuTests.CopyPageFromPageTable);
            Add(ref r, "val_clear_page_of_page_table", &ValClearPageTable);
            Add(ref r, "val_set_ldt_misaligned", &ValSetLdtMisaligned);
            Add(ref r, "val_set_ldt_too_many", &ValSetLdtTooMany);
            Add(ref r, "val_set_ldt_hypervisor_va", &ValSetLdtHypervisorVa);
            Add(ref r, "val_set_ldt_none", &ValSetLdtNone);
            Add(ref r, "val_set_ldt_one_page", &ValSetLdtOnePage);
            Add(ref r, "val_gdt_frame_map_writable", &ValidationDescriptorTests.GdtFrameWritable);
            Add(ref r, "val_gdt_frame_map_readonly", &ValidationDescriptorTests.GdtFrameReadOnly);
            Add(ref r, "val_update_descriptor_code_dpl0", &ValidationDescriptorTests.UpdateDescriptorCodeDpl0);
            Add(ref r, "val_update_descriptor_data_dpl0", &ValidationDescriptorTests.UpdateDescriptorDataDpl0);
            Add(ref r, "val_update_descriptor_tss", &ValidationDescriptorTests.UpdateDescriptorTss);
            Add(ref r, "val_update_descriptor_call_gate", &ValidationDescriptorTests.UpdateDescriptorCallGate);
            Add(ref r, "val_update_descriptor_misaligned", &ValidationDescriptorTests.UpdateDescriptorMisaligned);
            Add(ref r, "val_update_descriptor_page_table", &ValidationDescriptorTests.UpdateDescriptorPageTable);
            Add(ref r, "val_update_descriptor_data_frame", &ValidationDescriptorTests.UpdateDescriptorDataFrame);
            Add(ref r, "val_set_gdt_call_gate", &ValidationDescriptorTests.SetGdtCallGate);
            Add(ref r, "val_set_gdt_tss", &ValidationDescriptorTests.SetGdtTss);
            Add(ref r, "val_set_gdt_code_dpl0", &ValidationDescriptorTests.SetGdtCodeDpl0);
            Add(ref r, "val_set_gdt_too_many", &ValidationDescriptorTests.SetGdtTooMany);
            Add(ref r, "val_set_gdt_page_table", &ValidationDescriptorTests.SetGdtPageTable);
            Add(ref r, "val_set_gdt_writable_frame", &ValidationDescriptorTests.SetGdtWritableFrame);
            // Issue 9, engineer K2: descriptor checks (check_descriptor) and the registration hypercalls' errors.
            // Fast mode applies set_gdt/update_descriptor as given: val_desc_set_gdt_gate_xen_selector,
            // val_desc_set_gdt_system_anywhere and val_desc_update_refused differ there (README "Checked mode").
            Add(ref r, "val_desc_set_gdt_gate_xen_selector", &DescriptorTests.SetGdtCallGateToXenSelector);
            Add(ref r, "val_desc_set_gdt_system_anywhere", &DescriptorTests.SetGdtSystemDescriptorAnywhere);
            Add(ref r, "desc_set_gdt_accepted", &DescriptorTests.SetGdtAccepted);
            Add(ref r, "desc_update_accepted", &DescriptorTests.UpdateAccepted);
            Add(ref r, "val_desc_update_refused", &DescriptorTests.UpdateRefused);
            Add(ref r, "vm_assist_types", &TrapOpsTests.VmAssistTypes);
            Add(ref r, "callback_op_errors", &TrapOpsTests.CallbackOpErrors);
            Add(ref r, "set_callbacks_non_canonical", &TrapOpsTests.SetCallbacksNonCanonical);
            Add(ref r, "set_trap_table_non_canonical", &TrapOpsTests.SetTrapTableNonCanonical);
            Add(ref r, "debugreg_refusals", &TrapOpsTests.DebugRegRefusals);
            Add(ref r, "debugreg_values", &TrapOpsTests.DebugRegValues);
            Add(ref r, "segbase_unknown", &TrapOpsTests.SegmentBaseUnknown);
            // LDT (issue 9, K6): MMUEXT_SET_LDT with entries, a TI=1 selector loaded through it.
            Add(ref r, "ldt_load_selector", &LdtTests.LoadSelector);
            Add(ref r, "evtchn_bind_vcpu_by_state", &EvtchnTests.BindVcpuByState);
            Add(ref r, "gnttab_swap_grant_ref", &GrantTests.SwapRefs);
            Add(ref r, "evtchn_bind_pirq_refused", &EvtchnTests.BindPirqRefused);
            // Foreign domain = own id (hypercall storm, ext/mmu): get_pg_owner's -ESRCH.
            Add(ref r, "val_mmu_own_domid_refused", &ValidationMmuTests.OwnDomidRefused);
            // Storm answers (issue 9, fzA: ver, undef): xen_version edges, unmodelled hypercalls' first checks.
            Add(ref r, "storm_version_edges", &StormAnswerTests.VersionEdges);
            Add(ref r, "storm_unmodelled_checks", &StormAnswerTests.UnmodelledFirstChecks);
            Add(ref r, "storm_sched_edges", &StormAnswerTests.SchedEdges);
            Add(ref r, "storm_unmap_pirq_edges", &StormAnswerTests.UnmapPirqEdges);
            // Physical IRQs (issue 10, dev-irq): pirq limits, physdev_op edges.
            Add(ref r, "physdev_pirq_limits", &PhysdevIrqTests.PirqLimits);
            Add(ref r, "physdev_op_edges", &PhysdevIrqTests.OpEdges);
            Add(ref r, "physdev_rtc_pirq_round_trip", &PhysdevIrqTests.RtcPirqRoundTrip);
            Add(ref r, "physdev_pci_edges", &PhysdevIrqTests.PciEdges);

            // Issue 10, dev-mem: XENMEM_exchange as swiotlb-xen uses it, its refusals; platform_op as dom0 uses it.
            Add(ref r, "mem_exchange_contiguous", &MemoryExchangeTests.Contiguous);
            Add(ref r, "mem_exchange_refusals", &MemoryExchangeTests.Refusals);
            Add(ref r, "platform_op_answers", &PlatformOpTests.Answers);
            Add(ref r, "platform_op_settime", &PlatformOpTests.Settime);
            Add(ref r, "platform_op_cpus", &PlatformOpTests.Cpus);

            // Storm answers (issue 9, s9a: mmu uvm ext undef): iomem permissions, DOMID_IO, paging_domctl_cont, transfer.
            Add(ref r, "val_mmio_permissions", &StormMemoryTests.MmioPermissions);
            Add(ref r, "val_uvm_otherdomain_dom_io", &StormMemoryTests.OtherdomainDomIo);
            Add(ref r, "storm_paging_domctl_cont", &StormMemoryTests.PagingDomctlCont);
            Add(ref r, "val_gnttab_transfer_refused", &StormMemoryTests.TransferRefused);

            // Storm answers (issue 9, s9b: vcpu, sched, mc): vcpu_op sub-ops, SCHEDOP_poll, multicall's array check.
            Add(ref r, "storm_vcpu_ops", &StormVcpuSchedTests.VcpuOps);
            Add(ref r, "storm_vcpu_areas", &StormVcpuSchedTests.VcpuAreas);
            Add(ref r, "storm_poll_edges", &StormVcpuSchedTests.PollEdges);
            Add(ref r, "multicall_bad_array", &StormVcpuSchedTests.MulticallBadArray);

            // Issue 9/10, mem2: memory_op checks as Xen 4.17's (storm group mem), enter_acpi_sleep refusals.
            Add(ref r, "mem_reservation_refusals", &MemoryOpTests.ReservationRefusals);
            Add(ref r, "mem_op_field_checks", &MemoryOpTests.FieldChecks);
            Add(ref r, "platform_op_acpi_sleep_refusals", &PlatformOpTests.AcpiSleepRefusals);

            // SMP (issue 11, smp-test): SmpTests.cs, SmpRemoteTests.cs, kernel-test/Smp/. With one vCPU
            // all but smp_is_up print SKIP and pass.
            Add(ref r, "smp_is_up", &SmpTests.IsUp);
            Add(ref r, "smp_up", &SmpTests.Up);
            Add(ref r, "smp_is_up_after_up", &SmpTests.IsUp);
            Add(ref r, "smp_ipi_pingpong", &SmpTests.IpiPingPong);
            Add(ref r, "smp_tlb_flush_multi", &SmpRemoteTests.TlbFlushMulti);
            Add(ref r, "smp_invlpg_multi", &SmpRemoteTests.InvlpgMulti);
            Add(ref r, "smp_uvmf_invlpg_multi", &SmpRemoteTests.UvmfInvlpgMulti);
            Add(ref r, "smp_timer_each", &SmpRemoteTests.TimerEach);
            Add(ref r, "smp_down_up", &SmpRemoteTests.DownUp);
            // SMP per-vCPU events, scheduling, traps and areas (issue 11, smp-test): SmpEventTests.cs,
            // SmpVcpuTests.cs, SmpVcpuAreaTests.cs; microxen's open ones in kernel-test/smp-microxen-pending.txt.
            Add(ref r, "smp_upcall_while_spinning", &SmpEventTests.UpcallWhileSpinning);
            Add(ref r, "smp_callback_register_own", &SmpEventTests.CallbackRegisterOwn);
            Add(ref r, "smp_block_wake", &SmpEventTests.BlockWake);
            Add(ref r, "smp_poll_wake", &SmpEventTests.PollWake);
            Add(ref r, "smp_trap_table_own", &SmpVcpuTests.TrapTableOwn);
            Add(ref r, "smp_gdt_own", &SmpVcpuTests.GdtOwn);
            Add(ref r, "smp_ldt_own", &SmpVcpuTests.LdtOwn);
            Add(ref r, "smp_runstate_area", &SmpVcpuAreaTests.RunstateAreaForAnother);
            Add(ref r, "smp_register_vcpu_info_down", &SmpVcpuAreaTests.RegisterVcpuInfoDown);
            Add(ref r, "smp_fifo_per_vcpu", &SmpVcpuAreaTests.FifoPerVcpu);
            Add(ref r, "smp_remote_down", &SmpVcpuTests.RemoteDown);
            Add(ref r, "smp_bind_vcpu_upcall", &SmpRoutingTests.BindVcpuUpcall);
            Add(ref r, "smp_timer_upcall", &SmpRoutingTests.TimerUpcall);
            Add(ref r, "smp_unmask_raises_on_port_vcpu", &SmpRoutingTests.UnmaskRaisesOnPortVcpu);

            // Storm answers (issue 9, s9c): guest pointers into the hypervisor's range, -EFAULT as Xen.
            Add(ref r, "storm_hypervisor_range_pointers", &StormPointerTests.HypervisorRange);

            // Issue 10, dev2: interrupt-to-handler latency (i8042 IRQ 1 pirq; printed, not timed); the RTC storm runs inside physdev_rtc_pirq_round_trip.
            Add(ref r, "irq_latency_kbd", &IrqLatencyTests.KbdIrqToUpcall);

            // Issue 12, inst2: platform_op's EFI answers when not booted through EFI.
            Add(ref r, "platform_op_efi_not_booted", &PlatformOpEfiTests.NotEfiBooted);

            // Storm answers (issue 9, s9d): a transferred frame stays gone.
            Add(ref r, "val_gnttab_transferred_frame_gone", &StormTransferTests.TransferredFrameGone);

            // SMP fast paths (issue 11 item 6, smp-fast): page-table hypercalls on every vCPU at once. One vCPU: SKIP.
            Add(ref r, "smp_fast_path_storm", &FastPathStormSmp.Storm);

            // Issue 13, perf: writes to a pinned L1 through its read-only mapping (Linux's forms and one other).
            Add(ref r, "mmu_ptwr_forms", &PageTableWriteTests.Forms);

            // Loader session (checked mmu_update cost): mod_l1_entry's fast path under pg_owner DOMID_IO.
            Add(ref r, "mmu_dom_io_fast_path", &LoaderMmuTests.DomIoFastPath);

            // Fidelity session (Xen 4.17 dom0): tot_pages against max_pages, the storm's mem divergence.
            Add(ref r, "mem_reservation_headroom", &ReservationLimitTests.Headroom);
            Add(ref r, "mem_machine_memory_map_room", &ReservationLimitTests.MachineMapRoom);
            // Fidelity session: hypercall 48 mca (do_mca) as Xen answers dom0 with no machine-check error.
            Add(ref r, "mca_fetch_no_telemetry", &McaTests.FetchNoTelemetry);
            Add(ref r, "mca_physcpuinfo", &McaTests.PhysCpuInfo);
            Add(ref r, "mca_inject_checks", &McaTests.InjectChecks);

            // Issue 13, perf2: iret with an event pending (the native iret's decline to C#, once).
            Add(ref r, "iret_event_pending", &IretPendingTests.EventPending);

            // Issue 13, ctxsw: Linux's context switch (NEW_BASEPTR + NEW_USER_BASEPTR in one mmuext_op,
            // an mmuext_op failing part-way, set_segment_base with the base already in force).
            Add(ref r, "ctxsw_mmuext_switch_batch", &ContextSwitchTests.MmuextSwitchBatch);
            Add(ref r, "ctxsw_mmuext_batch_stops_at_failure", &ContextSwitchTests.MmuextBatchStopsAtFailure);
            Add(ref r, "ctxsw_segment_base_unchanged", &ContextSwitchTests.SegmentBaseUnchanged);

            // Issue 13, wallret: the register state after a return to user mode (sysretq and iretq exits), transfer page and direct syscall.
            Add(ref r, "user_ret_sysret_page", &SysretExitTests.SysretPage);
            Add(ref r, "user_ret_sysret_direct", &SysretExitTests.SysretDirect);
            Add(ref r, "user_ret_iret_page", &SysretExitTests.IretPage);
            Add(ref r, "user_ret_iret_direct", &SysretExitTests.IretDirect);
            Add(ref r, "user_ret_in_syscall_page", &SysretExitTests.InSyscallPage);
            Add(ref r, "user_ret_in_syscall_direct", &SysretExitTests.InSyscallDirect);
            Add(ref r, "user_ret_single_step_page", &SysretExitTests.SingleStepPage);
            Add(ref r, "user_ret_single_step_direct", &SysretExitTests.SingleStepDirect);

            // Issue 13, fork: PIN_L4 types the tree under the L4 (fast mode pins natively and walks later).
            Add(ref r, "mmu_pin_l4_tree_ptwr", &PinL4TreeAlone);
            Add(ref r, "multicall_pin_l4_tree_ptwr", &PinL4TreeInMulticall);
            Add(ref r, "mmu_pin_l4_batch_tree_ptwr", &PinL4TreeThenBigBatch);

            // smppf (issue 13): a page fault on each secondary vCPU gets Xen's frame, per vCPU (native delivery on every CPU).
            Add(ref r, "smp_page_fault_frame", &SmpPageFaultTests.SecondaryFrame);
            Add(ref r, "smp_fpu_taskswitch_page", &SmpPageFaultTests.SecondaryTaskswitch);

            // Issue 13, cpuid: the PV dom0 kernel's enlightened CPUID as Xen 4.17 computes it (cpu-policy.c, cpuid.c, traps.c).
            Add(ref r, "cpuid_leaf1_pv", &CpuidTests.Leaf1);
            Add(ref r, "cpuid_hidden_leaves", &CpuidTests.HiddenLeaves);
            Add(ref r, "cpuid_xstate", &CpuidTests.Xstate);
            Add(ref r, "cpuid_extended_leaves", &CpuidTests.Extended);
            Add(ref r, "cpuid_xen_leaves", &CpuidTests.XenLeaves);

            // Issue 13, lead: a hypercall number is all 64 bits of RAX (the LSTAR dispatcher's iret test).
            Add(ref r, "hypercall_rax_high_bits_not_iret", &RegisterAbiTests.HighBitsNotIret);

            // Issue 13, fid2: mmu_update / mmuext_op count is an unsigned int; a *done that cannot be written is skipped (Xen 4.17 mm.c).
            Add(ref r, "mmu_batch_done_unwritable", &BatchDoneTests.DoneUnwritable);
            Add(ref r, "mmu_batch_count_unsigned_int", &BatchDoneTests.CountIsUnsignedInt);

            // Issue 13, lead: a request that cannot be read ends the batch with -EFAULT and done written; mmuext_op's PREEMPTED-with-NULL check (Xen 4.17 mm.c).
            Add(ref r, "mmu_batch_fault_done", &BatchDoneTests.FaultingRequestDone);
            Add(ref r, "mmuext_preempted_null_ops", &BatchDoneTests.PreemptedNullOps);
            Add(ref r, "mmuext_new_baseptr_frame_zero", &BatchDoneTests.NewBaseptrFrameZero);

            // Issue 13, ppwall: the syscall callback runs with hardware IF on, as under Xen (IA32_FMASK keeps IF: shim/Arch/SyscallFlags.cs).
            Add(ref r, "user_syscall_callback_if_on", &SyscallEntryTests.CallbackIfOn);
            // Issue 13: an interrupt taken as a hypercall is entered (before its cli) still gives its upcall at the return (shim/Traps/SyscallWindow.cs).
            Add(ref r, "hypercall_entry_interrupt_upcall", &SyscallEntryTests.InterruptAtEntry);

            // Issue 13, ctxsw2: set_segment_base and mmuext_op by a direct syscall (the LSTAR dispatcher's rows), as through the transfer page.
            Add(ref r, "lstar_segment_base", &LstarRowTests.SegmentBase);
            Add(ref r, "lstar_mmuext", &LstarRowTests.Mmuext);

            // Issue 13, smprace: a page-table write through a read-only mapping leaves that mapping read-only for every other vCPU.
            Add(ref r, "smp_ptwr_pte_read_only", &SmpPageTableWriteTests.PteStaysReadOnly);
        }

        // Tests of a parameterised checker, one function per row.
        static bool PinL4TreeAlone() => PinL4TreeTests.WriteUnderPinnedL4(PinL4TreeTests.How.Alone);
        static bool PinL4TreeInMulticall() => PinL4TreeTests.WriteUnderPinnedL4(PinL4TreeTests.How.InMulticall);
        static bool PinL4TreeThenBigBatch() => PinL4TreeTests.WriteUnderPinnedL4(PinL4TreeTests.How.ThenBigBatch);
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
        // Validation group (K3): page-table entry flags, linear mappings, SET_LDT.
        const ulong KernelRw = Memory.Mm.KernelRw, UserKernelMark = PageFlags.User | PageFlags.GuestKernel;
        static bool ValL2Pse() => ValidationMmuTests.EntryFlags(2, PageFlags.PSE, XenErrno.EINVAL, 0);
        static bool ValL2Global() => ValidationMmuTests.EntryFlags(2, PageFlags.Global, XenErrno.EINVAL, 0);
        static bool ValL3Pse() => ValidationMmuTests.EntryFlags(3, PageFlags.PSE, XenErrno.EINVAL, 0);
        static bool ValL3Pcd() => ValidationMmuTests.EntryFlags(3, PageFlags.PCD, XenErrno.EINVAL, 0);
        static bool ValL4Global() => ValidationMmuTests.EntryFlags(4, PageFlags.Global, XenErrno.EINVAL, 0);
        static bool ValL4Pwt() => ValidationMmuTests.EntryFlags(4, PageFlags.PWT, XenErrno.EINVAL, 0);
        static bool ValL2User() => ValidationMmuTests.EntryFlags(2, 0, 0, PageFlags.User);
        static bool ValL3User() => ValidationMmuTests.EntryFlags(3, 0, 0, PageFlags.User);
        static bool ValL4User() => ValidationMmuTests.EntryFlags(4, 0, 0, PageFlags.User);
        static bool ValL1Kernel() => ValidationMmuTests.L1Adjusted(KernelRw, KernelRw | UserKernelMark);
        static bool ValL1User() => ValidationMmuTests.L1Adjusted(KernelRw | PageFlags.User, KernelRw | PageFlags.User | PageFlags.Global);
        static bool ValSelfL1Rw() => ValidationMmuTests.SelfMap(1, true, XenErrno.EBUSY);
        static bool ValSelfL1Ro() => ValidationMmuTests.SelfMap(1, false, 0);
        static bool ValSelfL2Rw() => ValidationMmuTests.SelfMap(2, true, XenErrno.EINVAL);
        static bool ValSelfL2Ro() => ValidationMmuTests.SelfMap(2, false, 0);
        static bool ValSelfL3Rw() => ValidationMmuTests.SelfMap(3, true, XenErrno.EINVAL);
        static bool ValSelfL3Ro() => ValidationMmuTests.SelfMap(3, false, 0);
        static bool ValSelfL4Rw() => ValidationMmuTests.SelfMap(4, true, XenErrno.EINVAL);
        static bool ValSelfL4Ro() => ValidationMmuTests.SelfMap(4, false, 0);
        static bool ValDoublePin() => ValidationMmuTests.MmuextOnPinnedL1(MmuextCmd.MMUEXT_PIN_L1_TABLE, false, XenErrno.EINVAL);
        static bool ValPinL2OfL1() => ValidationMmuTests.MmuextOnPinnedL1(MmuextCmd.MMUEXT_PIN_L2_TABLE, false, XenErrno.EINVAL);
        static bool ValCopyToPageTable() => ValidationMmuTests.MmuextOnPinnedL1(MmuextCmd.MMUEXT_COPY_PAGE, true, XenErrno.EINVAL);
        static bool ValClearPageTable() => ValidationMmuTests.MmuextOnPinnedL1(MmuextCmd.MMUEXT_CLEAR_PAGE, false, XenErrno.EINVAL);
        static bool ValNewBaseptrInvalidL4() => ValidationMmuTests.NewBaseptrRefused(true);
        static bool ValNewBaseptrWritableL4() => ValidationMmuTests.NewBaseptrRefused(false);
        static bool ValM2pWritable() => ValidationMmuTests.M2pMapped(KernelRw);
        static bool ValM2pReadOnly() => ValidationMmuTests.M2pMapped(Validation.KernelRo);
        static bool ValSetLdtMisaligned() => ValidationMmuTests.SetLdt(Memory.Window.Va(Runner.Slot(0)) + 8, 1, XenErrno.EINVAL);
        static bool ValSetLdtTooMany() => ValidationMmuTests.SetLdt(Memory.Window.Va(Runner.Slot(0)), 8193, XenErrno.EINVAL);
        static bool ValSetLdtHypervisorVa() => ValidationMmuTests.SetLdt(Layout.HYPERVISOR_VIRT_START, 1, XenErrno.EINVAL);
        static bool ValSetLdtNone() => ValidationMmuTests.SetLdt(0, 0, 0);
        static bool ValSetLdtOnePage() => ValidationMmuTests.SetLdt(Memory.Window.Va(Runner.Slot(0)), 512, 0);

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
