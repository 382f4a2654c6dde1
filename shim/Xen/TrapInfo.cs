namespace Microxen.Xen
{
    /// <summary>
    /// trap_info_t, 16 bytes: one entry of the virtual IDT passed to set_trap_table (a list
    /// terminated by an entry whose address is 0). Source: xen/include/public/arch-x86/xen.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct TrapInfo
    {
        /// <summary>Exception vector.</summary>
        [FieldOffset(0)] public byte Vector;
        /// <summary>Bits 0-1: DPL; bit 2: mask events on delivery (<see cref="Layout.TI_IF"/>).</summary>
        [FieldOffset(1)] public byte Flags;
        /// <summary>Code selector.</summary>
        [FieldOffset(2)] public ushort Cs;
        /// <summary>Handler virtual address.</summary>
        [FieldOffset(8)] public ulong Address;
    }
}
