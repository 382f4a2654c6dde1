using KernelTest.Hypervisor;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// platform_op's EFI answers on a machine not booted through EFI (kernel-test boots by
    /// multiboot under SeaBIOS): Xen 4.17's common/efi/runtime.c answers -ENOSYS to both
    /// firmware_info XEN_FW_EFI_INFO (efi_get_info) and XENPF_efi_runtime_call before looking at
    /// the index or function (-EOPNOTSUPP only once EFI-booted without runtime services).
    /// </summary>
    public static unsafe class PlatformOpEfiTests
    {
        static long Call(XenPlatformOp* op)
        {
            op->Version = XenPlatformOp.InterfaceVersion;
            return Hv.Call(Hypercall.PlatformOp, (ulong)op);
        }

        /// <summary>EFI_INFO VERSION, CONFIG_TABLE and an unknown index, efi_runtime_call: -ENOSYS each.</summary>
        public static bool NotEfiBooted()
        {
            XenPlatformOp op = default;
            op.Cmd = XenPlatformOpCmd.XENPF_firmware_info;
            op.FwType = XenPlatformOpCmd.XEN_FW_EFI_INFO;
            op.FwIndex = XenPlatformOpCmd.XEN_FW_EFI_VERSION;
            if (!Validation.Rc("EFI_INFO version", Call(&op), XenErrno.ENOSYS)) return false;
            op.FwIndex = XenPlatformOpCmd.XEN_FW_EFI_CONFIG_TABLE;
            if (!Validation.Rc("EFI_INFO config table", Call(&op), XenErrno.ENOSYS)) return false;
            op.FwIndex = 0x7fffffff;
            if (!Validation.Rc("EFI_INFO unknown index", Call(&op), XenErrno.ENOSYS)) return false;
            op = default;
            op.Cmd = XenPlatformOpCmd.XENPF_efi_runtime_call;
            return Validation.Rc("efi_runtime_call", Call(&op), XenErrno.ENOSYS);
        }
    }
}
