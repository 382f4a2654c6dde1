using System.Runtime.InteropServices;

namespace Microxen.Smp
{
    /// <summary>
    /// The AP trampoline page (shim/Smp/ApTrampoline.asm.cs writes its code, shim/Smp/ApBoot.cs
    /// copies it to a free frame P below 1 MiB and fills the data): real-mode code at offset 0
    /// (the SIPI vector is P &gt;&gt; 12, so CS = P &gt;&gt; 4, IP = 0), 32-bit code at
    /// <see cref="Code32"/>, 64-bit code at <see cref="Code64"/> (both reached through the
    /// identity map of the boot L4), this data at <see cref="Offset"/>. Every address is found
    /// from EBX = P, so the page works at any P.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = Size)]
    public unsafe struct ApBootData
    {
        public const int Code32 = 0x100, Code64 = 0x200, Offset = 0x300, Size = 0x60;
        /// <summary>Bytes the trampoline occupies in its page.</summary>
        public const int PageBytes = Offset + Size;
        /// <summary>The trampoline GDT's selectors: 32-bit code, data, 64-bit code.</summary>
        public const ushort Code32Selector = 0x08, DataSelector = 0x10, Code64Selector = 0x18;

        /// <summary>Null, 32-bit code, data, 64-bit code (written by the generator).</summary>
        [FieldOffset(0x00)] public fixed ulong Gdt[4];
        /// <summary>The lgdt operand: limit (generator), linear base P + Offset (C#).</summary>
        [FieldOffset(0x20)] public ushort GdtLimit;
        [FieldOffset(0x22)] public uint GdtBase;
        /// <summary>The real-to-protected far jump: offset P + Code32 (C#), selector (generator).</summary>
        [FieldOffset(0x28)] public uint Far32Offset;
        [FieldOffset(0x2c)] public ushort Far32Selector;
        /// <summary>Physical address of the boot L4 (below 4 GiB): CR3 while entering long mode.</summary>
        [FieldOffset(0x30)] public ulong BootCr3;
        /// <summary>The AP's shim stack top (virtual, the shim's direct map).</summary>
        [FieldOffset(0x38)] public ulong StackTop;
        /// <summary>The AP's CPU index, the first argument of ap_main.</summary>
        [FieldOffset(0x40)] public ulong Cpu;
        /// <summary>The shim's L4 (physical): ap_start loads it once it runs in the image window.</summary>
        [FieldOffset(0x48)] public ulong ShimCr3;
        /// <summary>Virtual address of ap_start (the image stub that loads ShimCr3 and calls ap_main).</summary>
        [FieldOffset(0x50)] public ulong ApStart;
    }
}
