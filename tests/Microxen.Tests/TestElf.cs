using System.Diagnostics;
using System.Text;

namespace Microxen.Tests
{
    /// <summary>One ELF note for <see cref="TestElf"/>.</summary>
    public sealed class Note
    {
        public string Name = "Xen";
        public uint Type;
        public byte[] Desc;
        public Note(uint type, byte[] desc) { Type = type; Desc = desc; }
        public static Note U64(uint type, ulong v) => new Note(type, BitConverter.GetBytes(v));
        public static Note U32(uint type, uint v) => new Note(type, BitConverter.GetBytes(v));
        public static Note Str(uint type, string s, bool nul = true) =>
            new Note(type, Encoding.ASCII.GetBytes(nul ? s + "\0" : s));
    }

    /// <summary>
    /// Builds a small ELF64 x86-64 executable shaped like a Linux PV kernel:
    /// ehdr | phdrs (PT_LOAD text, PT_NOTE) | notes | text | shstrtab | shdrs (null, .text, .notes, .shstrtab).
    /// </summary>
    public sealed class TestElf
    {
        public const ulong VirtBase = 0xffffffff80000000UL;
        public const ulong TextPaddr = 0x1000000;
        public const ulong TextVaddr = VirtBase + TextPaddr;
        public const ulong TextMemSize = 0x3000;
        public const ulong EntryVaddr = TextVaddr + 0x40;

        public List<Note> Notes = DefaultNotes();
        public ulong EEntry = TextPaddr; // Linux: e_entry is startup_64's physical address
        /// <summary>The text segment's p_vaddr and p_paddr (the notes segment follows 4 KiB above).</summary>
        public ulong TextVa = TextVaddr, TextPa = TextPaddr;
        /// <summary>When set: no PT_NOTE, and the notes section becomes a "__xen_guest" PROGBITS
        /// section holding this string (NUL-terminated), the legacy interface.</summary>
        public string XenGuest;
        /// <summary>Bytes at the start of the text (the rest is nop).</summary>
        public byte[] Text = Array.Empty<byte>();

        /// <summary>
        /// A kernel linked at <paramref name="at"/> (vaddr = paddr, e_entry at its start), with only
        /// the notes the issue-8 test kernel carried: GUEST_OS, LOADER "generic", HYPERCALL_PAGE
        /// (the page after the entry), XEN_VERSION; no ENTRY, VIRT_BASE, PAE_MODE.
        /// </summary>
        public static TestElf LowLinked(ulong at) => new TestElf
        {
            TextVa = at, TextPa = at, EEntry = at,
            Notes = new List<Note>
            {
                Note.Str(ElfNote.GuestOs, "microxen-test"),
                Note.Str(ElfNote.Loader, "generic"),
                Note.U64(ElfNote.HypercallPage, at + 0x1000),
                Note.Str(ElfNote.XenVersion, "xen-3.0"),
            },
        };

        // Offsets filled by Build().
        public int PhdrOff = 64, NotesOff, TextOff, ShstrOff, ShdrOff;
        public const int TextSize = 0x200;

        public static List<Note> DefaultNotes() => new List<Note>
        {
            new Note(1, Encoding.ASCII.GetBytes("GNU\0")) { Name = "GNU" },   // not a Xen note
            Note.Str(ElfNote.GuestOs, "linux"),
            Note.Str(ElfNote.GuestVersion, "2.6"),
            Note.Str(ElfNote.XenVersion, "xen-3.0"),
            Note.U64(ElfNote.VirtBase, VirtBase),
            Note.U64(ElfNote.InitP2m, 0x8000000000UL),
            Note.U64(ElfNote.Entry, EntryVaddr),
            Note.Str(ElfNote.Features, "!writable_page_tables|pae_pgdir_above_4gb", nul: false),
            Note.U32(ElfNote.SupportedFeatures, 0x8801),
            Note.Str(ElfNote.PaeMode, "yes"),
            Note.Str(ElfNote.Loader, "generic"),
            new Note(ElfNote.L1MfnValid, Concat(BitConverter.GetBytes(1UL), BitConverter.GetBytes(1UL))),
            Note.U32(ElfNote.SuspendCancel, 1),
            Note.U32(ElfNote.ModStartPfn, 1),
            Note.U64(ElfNote.HvStartLow, 0xffff800000000000UL),
            Note.U64(ElfNote.PaddrOffset, 0),
        };

        static byte[] Concat(byte[] a, byte[] b) { var r = new byte[a.Length + b.Length]; a.CopyTo(r, 0); b.CopyTo(r, a.Length); return r; }
        static int Align(int v, int a) => (v + a - 1) & ~(a - 1);

        public byte[] Build()
        {
            var notes = new MemoryStream();
            foreach (var n in Notes)
            {
                byte[] name = Encoding.ASCII.GetBytes(n.Name + "\0");
                notes.Write(BitConverter.GetBytes((uint)name.Length));
                notes.Write(BitConverter.GetBytes((uint)n.Desc.Length));
                notes.Write(BitConverter.GetBytes(n.Type));
                notes.Write(name); notes.Write(new byte[Align(name.Length, 4) - name.Length]);
                notes.Write(n.Desc); notes.Write(new byte[Align(n.Desc.Length, 4) - n.Desc.Length]);
            }
            byte[] noteBytes = XenGuest != null ? Encoding.ASCII.GetBytes(XenGuest + "\0") : notes.ToArray();
            byte[] shstr = Encoding.ASCII.GetBytes("\0.text\0.notes\0.shstrtab\0__xen_guest\0");

            NotesOff = 0x100;
            TextOff = Align(NotesOff + noteBytes.Length, 0x100);
            ShstrOff = TextOff + TextSize;
            ShdrOff = Align(ShstrOff + shstr.Length, 0x40);
            int size = ShdrOff + 4 * 64;
            var f = new byte[size];

            // ELF header
            f[0] = 0x7f; f[1] = (byte)'E'; f[2] = (byte)'L'; f[3] = (byte)'F';
            f[4] = 2; f[5] = 1; f[6] = 1;
            W16(f, 16, 2); W16(f, 18, 62); W32(f, 20, 1);
            W64(f, 24, EEntry); W64(f, 32, (ulong)PhdrOff); W64(f, 40, (ulong)ShdrOff);
            W16(f, 52, 64); W16(f, 54, 56); W16(f, 56, 2); W16(f, 58, 64); W16(f, 60, 4); W16(f, 62, 3);

            // PT_LOAD text (R X), PT_NOTE
            Phdr(f, 0, 1, 5, (ulong)TextOff, TextVa, TextPa, TextSize, TextMemSize, 0x200000);
            Phdr(f, 1, XenGuest != null ? 0u : 4u, 4, (ulong)NotesOff, TextVa + 0x1000, TextPa + 0x1000, (ulong)noteBytes.Length, (ulong)noteBytes.Length, 4);

            noteBytes.CopyTo(f, NotesOff);
            for (int i = 0; i < TextSize; i++) f[TextOff + i] = i < Text.Length ? Text[i] : (byte)0x90; // nop
            shstr.CopyTo(f, ShstrOff);

            Shdr(f, 1, 1, 1, 6, TextVa, (ulong)TextOff, TextSize);            // .text PROGBITS AX
            if (XenGuest != null)
                Shdr(f, 2, 24, 1, 0, 0, (ulong)NotesOff, (ulong)noteBytes.Length);     // __xen_guest PROGBITS
            else
                Shdr(f, 2, 7, 7, 2, TextVa + 0x1000, (ulong)NotesOff, (ulong)noteBytes.Length); // .notes SHT_NOTE
            Shdr(f, 3, 15, 3, 0, 0, (ulong)ShstrOff, (ulong)shstr.Length);      // .shstrtab STRTAB
            return f;
        }

        void Phdr(byte[] f, int i, uint type, uint flags, ulong off, ulong va, ulong pa, ulong filesz, ulong memsz, ulong align)
        {
            int p = PhdrOff + i * 56;
            W32(f, p, type); W32(f, p + 4, flags); W64(f, p + 8, off); W64(f, p + 16, va);
            W64(f, p + 24, pa); W64(f, p + 32, filesz); W64(f, p + 40, memsz); W64(f, p + 48, align);
        }

        void Shdr(byte[] f, int i, uint name, uint type, ulong flags, ulong addr, ulong off, ulong size)
        {
            int p = ShdrOff + i * 64;
            W32(f, p, name); W32(f, p + 4, type); W64(f, p + 8, flags); W64(f, p + 16, addr);
            W64(f, p + 24, off); W64(f, p + 32, size); W64(f, p + 48, 4);
        }

        public static void W16(byte[] f, int o, ushort v) => BitConverter.TryWriteBytes(new Span<byte>(f, o, 2), v);
        public static void W32(byte[] f, int o, uint v) => BitConverter.TryWriteBytes(new Span<byte>(f, o, 4), v);
        public static void W64(byte[] f, int o, ulong v) => BitConverter.TryWriteBytes(new Span<byte>(f, o, 8), v);
        public static ulong R64(byte[] f, long o) => BitConverter.ToUInt64(f, (int)o);
        public static uint R32(byte[] f, long o) => BitConverter.ToUInt32(f, (int)o);
        public static ushort R16(byte[] f, long o) => BitConverter.ToUInt16(f, (int)o);
    }

    /// <summary>
    /// Native memory holding a copy of some bytes that end exactly at a PROT_NONE guard page, so
    /// that any read past the end crashes the test run instead of passing silently.
    /// </summary>
    public sealed unsafe class GuardedBuffer : IDisposable
    {
        [DllImport("libc", SetLastError = true)] static extern IntPtr mmap(IntPtr addr, UIntPtr len, int prot, int flags, int fd, IntPtr off);
        [DllImport("libc", SetLastError = true)] static extern int mprotect(IntPtr addr, UIntPtr len, int prot);
        [DllImport("libc", SetLastError = true)] static extern int munmap(IntPtr addr, UIntPtr len);

        readonly IntPtr _map;
        readonly ulong _mapLen;
        public readonly byte* Data;
        public readonly ulong Length;

        public GuardedBuffer(byte[] src, long length)
        {
            ulong page = (ulong)Environment.SystemPageSize;
            ulong dataPages = ((ulong)length + page - 1) / page;
            if (dataPages == 0) dataPages = 1;
            _mapLen = (dataPages + 1) * page;
            _map = mmap(IntPtr.Zero, (UIntPtr)_mapLen, 3 /*RW*/, 0x22 /*PRIVATE|ANON*/, -1, IntPtr.Zero);
            if (_map == new IntPtr(-1)) throw new InvalidOperationException("mmap failed");
            byte* guard = (byte*)_map + dataPages * page;
            if (mprotect((IntPtr)guard, (UIntPtr)page, 0) != 0) throw new InvalidOperationException("mprotect failed");
            Data = guard - length;
            Length = (ulong)length;
            if (length > 0) Marshal.Copy(src, 0, (IntPtr)Data, (int)length);
        }

        public void Dispose() => munmap(_map, (UIntPtr)_mapLen);
    }

    /// <summary>Locates the repository, Debian's kernel (fetching it if needed) and the BzImage tool.</summary>
    public static class DebianKernel
    {
        static readonly object Lock = new object();
        static byte[] _vmlinux;
        static string _toolDll;

        /// <summary>The folder holding shim/ and tools/fetch-kernel.sh: searched upwards from the test's
        /// base directory, then from the current directory, then from this source file's folder (the
        /// build output may live outside the repository, e.g. with --artifacts-path).</summary>
        public static string RepoRoot
        {
            get
            {
                foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory, SourceDir() })
                    for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                        if (Directory.Exists(Path.Combine(d.FullName, "shim")) &&
                            File.Exists(Path.Combine(d.FullName, "tools", "fetch-kernel.sh")))
                            return d.FullName;
                throw new InvalidOperationException("repository root (with shim/ and tools/fetch-kernel.sh) not found above " +
                                                    AppContext.BaseDirectory + " or " + SourceDir());
            }
        }

        static string SourceDir([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
            string.IsNullOrEmpty(path) ? "/" : Path.GetDirectoryName(path);

        public static string Dir => Path.Combine(RepoRoot, "build", "debian");
        public static string VmlinuxPath => Path.Combine(Dir, "vmlinux");

        /// <summary>build/debian/vmlinux, running tools/fetch-kernel.sh first if it is missing.</summary>
        public static string EnsureFetched() => Fetch(Dir, "");

        /// <summary>dir/vmlinux, running `tools/fetch-kernel.sh dir [package]` first if it is missing
        /// (package: a linux-image-FLAVOUR metapackage; "" is the script's default, linux-image-amd64).</summary>
        public static string Fetch(string dir, string package)
        {
            string vmlinux = Path.Combine(dir, "vmlinux");
            lock (Lock)
            {
                if (!File.Exists(vmlinux))
                {
                    var (rc, output) = Run("bash", $"\"{Path.Combine(RepoRoot, "tools", "fetch-kernel.sh")}\" \"{dir}\" {package}", 1200);
                    if (rc != 0 || !File.Exists(vmlinux))
                        throw new InvalidOperationException($"tools/fetch-kernel.sh {package} failed (exit {rc}):\n{output}");
                }
                return vmlinux;
            }
        }

        public static string BzImagePath => BzImageIn(Dir, "");

        /// <summary>dir/boot/vmlinuz-*, fetched as <see cref="Fetch"/> does if missing.</summary>
        public static string BzImageIn(string dir, string package)
        {
            Fetch(dir, package);
            var files = Directory.GetFiles(Path.Combine(dir, "boot"), "vmlinuz-*");
            if (files.Length == 0) throw new InvalidOperationException("no boot/vmlinuz-* in " + dir);
            return files[0];
        }

        public static byte[] Vmlinux
        {
            get
            {
                string path = EnsureFetched();
                lock (Lock) return _vmlinux ??= File.ReadAllBytes(path);
            }
        }

        /// <summary>Builds tools/BzImage once and runs it.</summary>
        public static (int rc, string output) RunBzImage(string input, string output) =>
            Run("dotnet", $"\"{BzImageDll}\" \"{input}\" \"{output}\"", 300);

        /// <summary>tools/BzImage's assembly, built once per test run.</summary>
        public static string BzImageDll
        {
            get
            {
                lock (Lock)
                {
                    if (_toolDll == null)
                    {
                        string outDir = Path.Combine(Path.GetTempPath(), "microxen-bzimage-" + Environment.ProcessId);
                        var (rc, log) = Run("dotnet", $"build \"{Path.Combine(RepoRoot, "tools", "BzImage")}\" -v q -o \"{outDir}\"", 600);
                        if (rc != 0) throw new InvalidOperationException("building tools/BzImage failed:\n" + log);
                        _toolDll = Path.Combine(outDir, "BzImage.dll");
                    }
                    return _toolDll;
                }
            }
        }

        public static (int rc, string output) Run(string file, string args, int timeoutSeconds, byte[] stdin = null)
        {
            var psi = new ProcessStartInfo(file, args)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = stdin != null,
                UseShellExecute = false,
                WorkingDirectory = RepoRoot,
            };
            // A build started from inside `dotnet test` must not inherit the test run's MSBuild settings.
            foreach (string k in new List<string>((IEnumerable<string>)psi.Environment.Keys))
                if (k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "MSBUILD_EXE_PATH" || k == "VSTEST_HOST_DEBUG")
                    psi.Environment.Remove(k);
            using var p = Process.Start(psi);
            var so = p.StandardOutput.ReadToEndAsync();
            var se = p.StandardError.ReadToEndAsync();
            if (stdin != null)
            {
                p.StandardInput.BaseStream.Write(stdin);
                p.StandardInput.Close();
            }
            if (!p.WaitForExit(timeoutSeconds * 1000))
            {
                p.Kill(true);
                throw new TimeoutException($"{file} {args} timed out");
            }
            p.WaitForExit();
            return (p.ExitCode, so.Result + se.Result);
        }

        public static byte[] RunBytes(string file, string args, byte[] stdin)
        {
            var psi = new ProcessStartInfo(file, args)
            {
                RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false,
            };
            using var p = Process.Start(psi);
            var writer = System.Threading.Tasks.Task.Run(() => { p.StandardInput.BaseStream.Write(stdin); p.StandardInput.Close(); });
            var ms = new MemoryStream();
            p.StandardOutput.BaseStream.CopyTo(ms);
            p.WaitForExit();
            writer.Wait();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {args} exited {p.ExitCode}");
            return ms.ToArray();
        }
    }
}
