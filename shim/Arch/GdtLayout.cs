namespace Microxen.Arch
{
    /// <summary>
    /// The selectors of the shim's reserved GDT entries (Arch/Gdt.cs says what each holds), apart
    /// so that tools/AsmGen compiles them too. The flat ones are Xen's FLAT_RING3_* values
    /// (public/arch-x86/xen-x86_64.h) with RPL 0.
    /// </summary>
    public static class GdtLayout
    {
        public const ushort TssSelector = 7168 * 8;  // 0xe000
        public const ushort FlatCs32 = 7172 * 8;     // 0xe020: FLAT_RING3_CS32
        public const ushort FlatDs = 7173 * 8;       // 0xe028: FLAT_RING3_DS32/SS32/SS64
        public const ushort KernelCs = 7174 * 8;     // 0xe030: FLAT_RING3_CS64 / FLAT_KERNEL_CS64
        public const ushort KernelSs = 7175 * 8;     // 0xe038: the kernel's SS, also SS after syscall (STAR CS + 8)
    }
}
