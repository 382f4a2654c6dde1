using System.Runtime.InteropServices;

namespace Microxen.Arch
{
    /// <summary>The 64-bit task-state segment, 104 bytes (SDM vol. 3A 8.7, figure 8-11).</summary>
    [StructLayout(LayoutKind.Explicit, Size = Size)]
    public struct Tss
    {
        /// <summary>Bytes; also the I/O map base that puts the I/O permission bitmap beyond the TSS limit (no port access from CPL &gt; IOPL).</summary>
        public const ushort Size = 104;
        [FieldOffset(4)] public ulong Rsp0;
        [FieldOffset(12)] public ulong Rsp1;
        [FieldOffset(20)] public ulong Rsp2;
        [FieldOffset(36)] public ulong Ist1;
        [FieldOffset(44)] public ulong Ist2;
        [FieldOffset(52)] public ulong Ist3;
        [FieldOffset(60)] public ulong Ist4;
        [FieldOffset(68)] public ulong Ist5;
        [FieldOffset(76)] public ulong Ist6;
        [FieldOffset(84)] public ulong Ist7;
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
