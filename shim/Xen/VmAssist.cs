namespace Microxen.Xen
{
    /// <summary>
    /// vm_assist commands and types (VMASST_*). Source: xen/include/public/xen.h.
    /// </summary>
    public static class VmAssist
    {
        public const int VMASST_CMD_enable = 0;
        public const int VMASST_CMD_disable = 1;

        public const int VMASST_TYPE_4gb_segments = 0;
        public const int VMASST_TYPE_4gb_segments_notify = 1;
        public const int VMASST_TYPE_writable_pagetables = 2;
        public const int VMASST_TYPE_pae_extended_cr3 = 3;
        public const int VMASST_TYPE_architectural_iopl = 4;
        public const int VMASST_TYPE_runstate_update_flag = 5;
        public const int VMASST_TYPE_m2p_strict = 32;
    }
}
