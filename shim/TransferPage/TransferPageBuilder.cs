namespace Microxen.TransferPage
{
    /// <summary>
    /// Fills a guest's hypercall transfer page (XEN_ELFNOTE_HYPERCALL_PAGE): 128 entries of 32
    /// bytes, entry N for hypercall N. Every entry enters the shim's dispatcher through the same
    /// <c>syscall</c> path as current Linux: <c>push %rcx; push %r11; mov $N,%eax; syscall;
    /// pop %r11; pop %rcx; ret</c>, the ring-3 sequence of Xen's PV ABI, which works unchanged
    /// from ring 0 because the shim's LSTAR entry tells a hypercall by the kernel-half return
    /// address. Entry 23 (iret) is jumped to, not called: <c>push %rcx; push %r11; push %rax;
    /// mov $23,%eax; syscall</c>. The rest of each entry is int3.
    /// </summary>
    public static unsafe class TransferPageBuilder
    {
        public const int Entries = 128;
        public const int EntrySize = 32;
        public const int Iret = 23;

        public static void Fill(byte* page)
        {
            for (int n = 0; n < Entries; n++)
            {
                byte* e = page + n * EntrySize;
                for (int i = 0; i < EntrySize; i++) e[i] = 0xcc;
                int k = 0;
                e[k++] = 0x51;                   // push %rcx
                e[k++] = 0x41; e[k++] = 0x53;    // push %r11
                if (n == Iret) e[k++] = 0x50;    // push %rax
                e[k++] = 0xb8;                   // mov $n,%eax
                *(uint*)(e + k) = (uint)n; k += 4;
                e[k++] = 0x0f; e[k++] = 0x05;    // syscall
                if (n == Iret) continue;
                e[k++] = 0x41; e[k++] = 0x5b;    // pop %r11
                e[k++] = 0x59;                   // pop %rcx
                e[k++] = 0xc3;                   // ret
            }
        }
    }
}
