using System.Runtime.InteropServices;

namespace Microxen.Arch
{
    /// <summary>
    /// One entry of <c>fast_fixup_table</c> (shim/FastPaths/FastPaths.asm.cs), 32 bytes: native fast-path
    /// code in [<see cref="Begin"/>, <see cref="End"/>) that reads or writes guest memory. A #PF or
    /// #GP there (a guest pointer the shim cannot use) resumes at <see cref="Fixup"/> with every
    /// register as at the fault; the fixup code unwinds what the routine pushed and returns Xen's
    /// answer. The table ends with an entry whose Begin is 0; the generator refuses to emit it
    /// when this layout changes.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = Size)]
    public struct FastFixup
    {
        public const int Size = 32;
        /// <summary><see cref="Hypercall"/> of a fixup that declines: the C# path answers and counts.</summary>
        public const ulong Declines = ulong.MaxValue;

        [FieldOffset(0)] public ulong Begin;
        [FieldOffset(8)] public ulong End;
        [FieldOffset(16)] public ulong Fixup;
        /// <summary>The hypercall counted as given a bad pointer (HypercallStats.BadPointer), or <see cref="Declines"/>.</summary>
        [FieldOffset(24)] public ulong Hypercall;
    }
}
