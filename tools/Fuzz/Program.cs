using System;
using System.IO;
using Microxen.Config;
using Microxen.Decompress;
using Microxen.Domain;

namespace Microxen.Tools.Fuzz
{
    /// <summary>
    /// One fuzz target per parser the shim runs on untrusted input, each fed the whole input:
    /// bzimage (setup header and payload), xz, gzip, lz4, zstd, lzma, bzip2, lzo (the decoders, 16 MiB output at most),
    /// elf (ElfImage.Open, then the Xen notes), cmdline (the shim's options), multiboot1 and
    /// multiboot2 (Multiboot.Parse of the information at physical 0, the input being all the
    /// physical memory it may read: a bounded view ending at the guard page). With files after the
    /// target it runs each once (corpus replay, exit 0); without, it is AFL++'s target (SharpFuzz).
    /// A crash is any exception: the shim's code has none, so one means an out-of-bounds access.
    /// </summary>
    public static unsafe class Program
    {
        public static readonly string[] Targets = { "bzimage", "xz", "gzip", "lz4", "zstd", "lzma", "bzip2", "lzo", "elf", "cmdline", "multiboot1", "multiboot2" };
        const int MaxOutput = 16 << 20, MaxInput = 1 << 20;
        static readonly Guarded Input = new Guarded(MaxInput + 1);
        static readonly Guarded Output = new Guarded(MaxOutput);
        static readonly Guarded Work = new Guarded((ulong)PayloadDecoder.WorkBytes);
        static readonly Guarded Boot = new Guarded((ulong)sizeof(BootInfo));

        public static int Main(string[] args)
        {
            if (args.Length == 1 && args[0] == "guard-selftest")
            {
                // Reads one byte past a placed input: the guard page must end the process (SIGSEGV).
                byte* q = Input.Place(new byte[] { 1, 2, 3 });
                Console.WriteLine("read past the guard: " + q[3]);
                return 0;
            }
            if (args.Length == 0 || Array.IndexOf(Targets, args[0]) < 0)
            {
                Console.Error.WriteLine("usage: Fuzz TARGET [FILE...]   targets: " + string.Join(", ", Targets));
                return 1;
            }
            string target = args[0];
            if (args.Length > 1)
            {
                for (int i = 1; i < args.Length; i++) Console.WriteLine($"{args[i]}: {Run(target, File.ReadAllBytes(args[i]))}");
                return 0;
            }
            SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
            {
                var ms = new MemoryStream();
                stream.CopyTo(ms);
                Run(target, ms.ToArray());
            });
            return 0;
        }

        /// <summary>One decoder, its work memory exactly what it asks for, ending at the guard page.</summary>
        static string Payload(PayloadFormat f, byte* p, ulong len, byte* o)
        {
            byte* w = Work.Tail((ulong)PayloadDecoder.WorkBytesFor(f, p, len));
            ulong n;
            return PayloadDecoder.Decode(f, p, len, o, MaxOutput, w, out n).ToString();
        }

        /// <summary>Runs one input through the target; returns the parser's verdict.</summary>
        public static string Run(string target, byte[] input)
        {
            // Input, output and work memory each end at a guard page: one byte too far faults.
            if (input.Length > MaxInput) return "too long";
            ulong len = (ulong)input.Length;
            byte* p = Input.Place(input), o = Output.Tail(MaxOutput), w = Work.Tail((ulong)PayloadDecoder.WorkBytes);
            {
                ulong n;
                switch (target)
                {
                    case "bzimage":
                    {
                        BzImageHeader h;
                        DecompressError e = BzImageHeader.Parse(p, len, out h);
                        if (e != DecompressError.Ok) return e.ToString();
                        PayloadFormat f;
                        return PayloadDecoder.DecodeBzImage(p, len, o, MaxOutput, w, out n, out f).ToString();
                    }
                    case "xz": return Payload(PayloadFormat.Xz, p, len, o);
                    case "gzip": return Payload(PayloadFormat.Gzip, p, len, o);
                    case "lz4": return Payload(PayloadFormat.Lz4, p, len, o);
                    case "zstd": return Payload(PayloadFormat.Zstd, p, len, o);
                    case "lzma": return Payload(PayloadFormat.Lzma, p, len, o);
                    case "bzip2": return Payload(PayloadFormat.Bzip2, p, len, o);
                    case "lzo": return Payload(PayloadFormat.Lzo, p, len, o);
                    case "multiboot1":
                    case "multiboot2":
                    {
                        uint magic = target == "multiboot1" ? Multiboot.Magic1 : Multiboot.Magic2;
                        BootInfo* bi = (BootInfo*)Boot.Tail((ulong)sizeof(BootInfo));
                        return Multiboot.Parse(magic, 0, p, len, bi) ? "ok, " + bi->MemoryRegionCount + " regions" : "refused";
                    }
                    case "elf":
                    {
                        ElfImage img;
                        ElfError ee = ElfImage.Open(p, len, out img);
                        if (ee != ElfError.None) return ee.ToString();
                        ElfDomainParams parms;
                        return XenNotes.Parse(in img, out parms).ToString();
                    }
                    default:
                    {
                        byte[] z = new byte[input.Length + 1];       // the shim's command lines are NUL-terminated
                        Array.Copy(input, z, input.Length);
                        ShimOptions opts;
                        return ShimOptions.Parse(Input.Place(z), out opts).ToString();
                    }
                }
            }
        }
    }
}
