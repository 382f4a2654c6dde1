namespace Microxen.Arch
{
    /// <summary>
    /// The IDT (SDM vol. 3A 6.14.1): 256 interrupt gates to the isr_N stubs of the native blob,
    /// selector <see cref="Gdt.KernelCs"/>, DPL 0. Every vector runs on an IST stack, so the
    /// shim never pushes onto the guest's stack: NMI on IST2, #DF on IST3, #MC on IST4, #NP, #SS
    /// and #GP on IST5 (an iretq into the guest that faults on IST1 must not overwrite its own
    /// frame), the rest on IST1, each <see cref="IstGuard"/> bytes below the stack's top. Before the shim's GDT and TSS exist, an early IDT uses the boot GDT's code
    /// selector and no IST.
    /// </summary>
    public static unsafe class Idt
    {
        struct Table { public fixed ulong E[512]; }
        static Table s_idt;

        /// <summary>
        /// Bytes left free above each IST frame (TSS.ISTn = the stack's top minus this): a guest
        /// kernel's <c>int $N</c> for a vector the CPU pushes an error code for lands 8 bytes
        /// higher than the exception's frame, and the shim moves that frame into place
        /// (Traps/SoftwareInterrupts.cs), writing 8 bytes above the CPU's frame.
        /// </summary>
        public const ulong IstGuard = 16;

        /// <summary>The IST stack (1-5) vector <paramref name="v"/> runs on.</summary>
        public static int IstFor(int v) => v == X86.Vector.NMI ? 2 : v == X86.Vector.DF ? 3 : v == X86.Vector.MC ? 4
            : v >= X86.Vector.NP && v <= X86.Vector.GP ? 5 : 1;

        /// <summary>Where the CPU starts vector <paramref name="v"/>'s frame: its TSS.ISTn.</summary>
        public static ulong IstTop(int v) => ShimCpu.Tss->Ist[IstFor(v) - 1];

        public static void Init(ulong* isrTable, ushort selector, bool useIst)
        {
            fixed (Table* t = &s_idt)
            {
                for (int v = 0; v < 256; v++)
                {
                    ulong h = isrTable[v];
                    ulong ist = useIst ? (ulong)IstFor(v) : 0UL;
                    // As Xen's IDT: int3, int $4 and int $0x80 may be raised from ring 3 (gate
                    // DPL 3); the rest only by the CPU or ring 0, so that user mode's int $N is a
                    // #GP(N*8+2) (Traps/SoftwareInterrupts.cs).
                    ulong type = v == X86.Vector.BP || v == X86.Vector.OF || v == 0x80 ? 0xEEUL : 0x8EUL;
                    t->E[2 * v] = (h & 0xffff) | ((ulong)selector << 16) | (ist << 32)
                                  | (type << 40) | (((h >> 16) & 0xffff) << 48);
                    t->E[2 * v + 1] = h >> 32;
                }
            }
            Load();
        }

        /// <summary>lidt of the one IDT (every CPU shares it: the gates name IST indices, each CPU's TSS its own stacks).</summary>
        /// <summary>
        /// Writes the IDT (256 16-byte gates) to <paramref name="to"/> with each handler in
        /// [<paramref name="start"/>, <paramref name="end"/>) moved by <paramref name="delta"/>:
        /// an AP's IDT pointing into its copy of the entry stubs (Smp/EntryCopy.cs).
        /// </summary>
        public static void CopyRelocated(ulong* to, ulong start, ulong end, long delta)
        {
            fixed (Table* t = &s_idt)
            {
                for (int v = 0; v < 256; v++)
                {
                    ulong lo = t->E[2 * v], hi = t->E[2 * v + 1];
                    ulong h = (lo & 0xffff) | (((lo >> 48) & 0xffff) << 16) | (hi << 32);
                    if (h >= start && h < end) h = (ulong)((long)h + delta);
                    to[2 * v] = (lo & 0x0000ffffffff0000UL) | (h & 0xffff) | (((h >> 16) & 0xffff) << 48);
                    to[2 * v + 1] = h >> 32;
                }
            }
        }

        /// <summary>lidt of the 256 gates at <paramref name="idt"/> (an AP's own IDT).</summary>
        public static void LoadAt(ulong idt)
        {
            DescriptorPointer p;
            p.Limit = 256 * 16 - 1;
            p.Base = idt;
            Cpu.Lidt(&p);
        }

        public static void Load()
        {
            fixed (Table* t = &s_idt)
            {
                DescriptorPointer p;
                p.Limit = 256 * 16 - 1;
                p.Base = (ulong)t;
                Cpu.Lidt(&p);
            }
        }
    }
}
