using System.Runtime.InteropServices;
using KernelTest.Hypervisor;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// The suite, in the order it runs. <see cref="Name"/> and <see cref="Body"/> (kt_test_body,
    /// called by kt_run_test behind the recovery point) share the numbering.
    /// </summary>
    public static unsafe class TestList
    {
        public const int Count = 48;

        public static string Name(int i)
        {
            switch (i)
            {
                case 0: return "console_write";
                case 1: return "xen_version";
                case 2: return "xen_capabilities";
                case 3: return "xen_get_features";
                case 4: return "mmu_map_alias";
                case 5: return "mmu_map_free_frame";
                case 6: return "mmu_remap";
                case 7: return "mmu_unmap_pagefault";
                case 8: return "mmu_readonly_pagefault";
                case 9: return "tlb_uvmf_invlpg";
                case 10: return "tlb_uvmf_tlb_flush";
                case 11: return "tlb_uvmf_invlpg_all";
                case 12: return "tlb_uvmf_tlb_flush_all";
                case 13: return "tlb_uvmf_none_mmuext_invlpg_local";
                case 14: return "tlb_mmu_update_mmuext_tlb_flush_local";
                case 15: return "tlb_mmu_update_mmuext_invlpg_all";
                case 16: return "tlb_mmu_update_mmuext_tlb_flush_all";
                case 17: return "pin_l1";
                case 18: return "pin_l2";
                case 19: return "pin_l3";
                case 20: return "pin_l4";
                case 21: return "pin_l2_with_l1";
                case 22: return "mmuext_new_baseptr";
                case 23: return "multicall";
                case 24: return "evtchn_ipi_upcall";
                case 25: return "evtchn_mask_unmask";
                case 26: return "evtchn_unbound_send";
                case 27: return "timer_singleshot";
                case 28: return "timer_set_timer_op";
                case 29: return "pvclock_monotonic";
                case 30: return "exception_pf";
                case 31: return "exception_ud";
                case 32: return "exception_gp";
                case 33: return "exception_nm";
                case 34: return "fpu_taskswitch_clear";
                case 35: return "user_mode_roundtrip";
                case 36: return "segbase_fs";
                case 37: return "segbase_gs_kernel";
                case 38: return "segbase_gs_user";
                case 39: return "sched_yield";
                case 40: return "hypercall_bad_pointer";
                case 41: return "batch_unmapped_array";
                case 42: return "segbase_non_canonical";
                case 43: return "segbase_unloadable_selector";
                case 44: return "mmu_readonly_pagefault_kernel";
                case 45: return "multicall_entry_fault";
                case 46: return "multicall_unmapped_array";
                case 47: return "uvm_table_past_ram";
                default: return "?";
            }
        }

        [UnmanagedCallersOnly(EntryPoint = "kt_test_body")]
        static int Body(int i) => Run(i) ? 1 : 0;

        static bool Run(int i)
        {
            switch (i)
            {
                case 0: return VersionTests.ConsoleWrite();
                case 1: return VersionTests.Version();
                case 2: return VersionTests.Capabilities();
                case 3: return VersionTests.Features();
                case 4: return MmuTests.MapAlias();
                case 5: return MmuTests.MapFreeFrame();
                case 6: return MmuTests.Remap();
                case 7: return MmuTests.UnmapFaults();
                case 8: return MmuTests.ReadOnlyFaults();
                case 9: return TlbTests.Switch(TlbTests.How.UvmfInvlpg);
                case 10: return TlbTests.Switch(TlbTests.How.UvmfTlbFlush);
                case 11: return TlbTests.Switch(TlbTests.How.UvmfInvlpgAll);
                case 12: return TlbTests.Switch(TlbTests.How.UvmfTlbFlushAll);
                case 13: return TlbTests.Switch(TlbTests.How.UvmfNoneThenInvlpgLocal);
                case 14: return TlbTests.Switch(TlbTests.How.MmuUpdateThenTlbFlushLocal);
                case 15: return TlbTests.Switch(TlbTests.How.MmuUpdateThenInvlpgAll);
                case 16: return TlbTests.Switch(TlbTests.How.MmuUpdateThenTlbFlushAll);
                case 17: return PinTests.PinEmpty(1);
                case 18: return PinTests.PinEmpty(2);
                case 19: return PinTests.PinEmpty(3);
                case 20: return PinTests.PinEmpty(4);
                case 21: return PinTests.PinL2WithL1();
                case 22: return PinTests.NewBaseptr();
                case 23: return MulticallTests.Batch4();
                case 24: return EvtchnTests.IpiUpcall();
                case 25: return EvtchnTests.MaskUnmask();
                case 26: return EvtchnTests.UnboundSend();
                case 27: return TimerTests.Singleshot();
                case 28: return TimerTests.SetTimerOp();
                case 29: return TimerTests.PvclockMonotonic();
                case 30: return ExceptionTests.PageFault();
                case 31: return ExceptionTests.InvalidOpcode();
                case 32: return ExceptionTests.GeneralProtection();
                case 33: return ExceptionTests.DeviceNotAvailable();
                case 34: return ExceptionTests.TaskswitchClear();
                case 35: return UserModeTests.RoundTrip();
                case 36: return SegmentTests.Fs();
                case 37: return SegmentTests.GsKernel();
                case 38: return SegmentTests.GsUser();
                case 39: return Check.Rc("SCHEDOP_yield", Hv.SchedOpCall(SchedOp.SCHEDOP_yield, null));
                case 40: return VersionTests.BadPointer();
                case 41: return BadArgumentTests.BatchFromUnmappedArray();
                case 42: return BadArgumentTests.SegmentBaseNonCanonical();
                case 43: return BadArgumentTests.SegmentSelectorUnloadable();
                case 44: return MmuTests.ReadOnlyFaultsKernelHalf();
                case 45: return MulticallTests.EntryFaults();
                case 46: return MulticallTests.UnmappedArray();
                case 47: return MmuTests.UpdateVaMappingTablePastRam();
                default: return false;
            }
        }
    }
}
