using System.Runtime.InteropServices;

namespace Microxen.Arch
{
    /// <summary>The 64-bit task-state segment, 104 bytes (SDM vol. 3A 8.7, figure 8-11).</summary>
    [StructLayout(LayoutKind.Explicit, Size = Size)]
    public unsafe struct Tss
    {
        /// <summary>Bytes; also the I/O map base that puts the I/O permission bitmap beyond the TSS limit (no port access from CPL &gt; IOPL).</summary>
        public const ushort Size = 104;
        [FieldOffset(4)] public ulong Rsp0;
        [FieldOffset(12)] public ulong Rsp1;
        [FieldOffset(20)] public ulong Rsp2;
        /// <summary>IST1-IST7: Ist[n - 1] is the stack of an IDT gate with IST index n.</summary>
        [FieldOffset(36)] public fixed ulong Ist[7];
        [FieldOffset(102)] public ushort IoMapBase;
    }

    /// <summary>The 10-byte operand of lgdt/lidt (SDM vol. 3A 3.5.1).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 10)]
    public struct DescriptorPointer
    {
        [FieldOffset(0)] public ushort Limit;
        [FieldOffset(2)] public ulong Base;
    }
}
