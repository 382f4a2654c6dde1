using Microxen.Xen;

namespace Microxen.Guest
{
    /// <summary>
    /// Xen's guest-pointer range check for the C# hypercall code (x86_64 __addr_ok, used by
    /// access_ok / guest_handle_okay before copy_from_guest and copy_to_guest,
    /// xen/arch/x86/include/asm/x86_64/uaccess.h): a PV guest's pointer is usable below the
    /// canonical hole (2^47) or at and above HYPERVISOR_VIRT_END; the non-canonical hole and the
    /// hypervisor's range (where the shim itself lives, mapped) give -EFAULT. A pointer that
    /// passes is then dereferenced; an unmapped page faults to the same -EFAULT
    /// (<see cref="Hypercalls.HypercallDispatch.TryFail"/>).
    /// </summary>
    public static unsafe class GuestPointer
    {
        /// <summary>__addr_ok(<paramref name="va"/>).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static bool AddrOk(ulong va) => va < (1UL << 47) || va >= Layout.HYPERVISOR_VIRT_END;

        /// <summary>
        /// access_ok for a copy starting at <paramref name="va"/>: when it fails, the hypercall
        /// being served ends with -EFAULT as if the copy had faulted (this call does not return).
        /// </summary>
        public static void Require(ulong va)
        {
            if (!AddrOk(va)) Hypercalls.HypercallDispatch.TryFail(Arch.X86.Vector.PF, va);
        }

        /// <summary>Reads the first and last byte of a <paramref name="size"/>-byte guest structure (copy_from_guest's faults, -EFAULT), size &gt; 0.</summary>
        public static void Touch(ulong va, ulong size)
        {
            Require(va);
            s_sink ^= (byte)(*(byte*)va ^ *(byte*)(va + size - 1));
        }

        static byte s_sink;
    }
}
