using System;
using System.Runtime.InteropServices;

namespace Microxen.Tools.Fuzz
{
    /// <summary>
    /// Memory that ends at an inaccessible page (mmap, then mprotect PROT_NONE on the last page): a
    /// parser reading or writing one byte past the end faults, and AFL++ records a crash. Inputs are
    /// copied to end exactly at the guard.
    /// </summary>
    public sealed unsafe class Guarded
    {
        const int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20;
        const ulong Page = 4096;

        [DllImport("libc", SetLastError = true)] static extern IntPtr mmap(IntPtr addr, UIntPtr len, int prot, int flags, int fd, IntPtr off);
        [DllImport("libc", SetLastError = true)] static extern int mprotect(IntPtr addr, UIntPtr len, int prot);

        readonly byte* _base;
        /// <summary>Usable bytes, page-rounded; the guard page follows them.</summary>
        public readonly ulong Capacity;

        public Guarded(ulong capacity)
        {
            Capacity = (capacity + Page - 1) & ~(Page - 1);
            IntPtr p = mmap(IntPtr.Zero, (UIntPtr)(Capacity + Page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, IntPtr.Zero);
            if (p == new IntPtr(-1)) throw new InvalidOperationException("mmap failed");
            _base = (byte*)p;
            if (mprotect((IntPtr)(_base + Capacity), (UIntPtr)Page, PROT_NONE) != 0) throw new InvalidOperationException("mprotect failed");
        }

        /// <summary>The last <paramref name="n"/> usable bytes (they end at the guard).</summary>
        public byte* Tail(ulong n) => _base + Capacity - n;

        /// <summary>Copies <paramref name="data"/> to end at the guard; returns its start.</summary>
        public byte* Place(byte[] data)
        {
            byte* d = Tail((ulong)data.Length);
            fixed (byte* s = data) Buffer.MemoryCopy(s, d, data.Length, data.Length);
            return d;
        }
    }
}
