namespace Microxen.Hypercalls
{
    /// <summary>Names of the __HYPERVISOR_* numbers (public/xen.h), for the log.</summary>
    public static class HypercallNames
    {
        public static string Name(ulong nr)
        {
            switch (nr)
            {
                case 0: return "set_trap_table";
                case 1: return "mmu_update";
                case 2: return "set_gdt";
                case 3: return "stack_switch";
                case 4: return "set_callbacks";
                case 5: return "fpu_taskswitch";
                case 6: return "sched_op_compat";
                case 7: return "platform_op";
                case 8: return "set_debugreg";
                case 9: return "get_debugreg";
                case 10: return "update_descriptor";
                case 12: return "memory_op";
                case 13: return "multicall";
                case 14: return "update_va_mapping";
                case 15: return "set_timer_op";
                case 16: return "event_channel_op_compat";
                case 17: return "xen_version";
                case 18: return "console_io";
                case 19: return "physdev_op_compat";
                case 20: return "grant_table_op";
                case 21: return "vm_assist";
                case 22: return "update_va_mapping_otherdomain";
                case 23: return "iret";
                case 24: return "vcpu_op";
                case 25: return "set_segment_base";
                case 26: return "mmuext_op";
                case 27: return "xsm_op";
                case 28: return "nmi_op";
                case 29: return "sched_op";
                case 30: return "callback_op";
                case 31: return "xenoprof_op";
                case 32: return "event_channel_op";
                case 33: return "physdev_op";
                case 34: return "hvm_op";
                case 35: return "sysctl";
                case 36: return "domctl";
                case 37: return "kexec_op";
                case 38: return "tmem_op";
                case 39: return "argo_op";
                case 40: return "xenpmu_op";
                case 41: return "dm_op";
                case 42: return "hypfs_op";
                case 48: return "mca";            // __HYPERVISOR_arch_0 on x86 (public/arch-x86/xen-mca.h)
                default: return "unknown";
            }
        }

        /// <summary>Hypercalls whose first argument is a command (sub-operation).</summary>
        public static bool HasSubOps(ulong nr) =>
            nr == 7 || nr == 12 || nr == 17 || nr == 18 || nr == 20 || nr == 21 || nr == 24 || nr == 25
            || nr == 28 || nr == 29 || nr == 30 || nr == 32 || nr == 33 || nr == 34 || nr == 40;
    }
}
