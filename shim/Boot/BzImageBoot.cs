using Microxen.Arch;
using Microxen.Console;
using Microxen.Decompress;
using Microxen.Memory;

namespace Microxen.Boot
{
    /// <summary>
    /// A bzImage kernel module (Xen 4.17 loads these too: xen/common/libelf via
    /// xen/arch/x86/bzimage.c): the setup header is read, the payload decompressed into contiguous
    /// frames taken from the top of RAM (the output, then the decoder's work memory), and the ELF
    /// inside becomes the kernel image. The frames are freed once the domain is built.
    /// </summary>
    public static unsafe class BzImageBoot
    {
        /// <summary>The unpacked ELF's first frame and frame count (none when the module was an ELF).</summary>
        public static ulong FirstFrame = FrameAllocator.None, FrameCount;

        /// <summary>If the module is a bzImage, unpacks it and points data/len at the ELF inside;
        /// otherwise leaves them. Stops with a distinct exit code on bad input.</summary>
        public static void UnpackIfBzImage(ref byte* data, ref ulong len)
        {
            if (!BzImageHeader.HasMagic(data, len)) return;
            BzImageHeader h;
            DecompressError e = BzImageHeader.Parse(data, len, out h);
            if (e != DecompressError.Ok) Fail(e);
            byte* stream = data + h.PayloadFileOffset;
            ulong streamLen = h.PayloadLength - BzImageHeader.SizeWordBytes;
            PayloadFormat f = BzImageHeader.Detect(stream, streamLen);
            if (f == PayloadFormat.Elf)
            {
                // Xen's decompress() knows no magic (returns 1) and bzimage_parse hands the payload
                // on as it is: the whole payload_length bytes, loaded as the ELF.
                Log.Info("kernel: bzImage with an uncompressed ELF payload");
                data = stream;
                len = h.PayloadLength;
                return;
            }
            if (!PayloadDecoder.Supported(f)) Fail(f == PayloadFormat.Unknown ? DecompressError.UnknownFormat : DecompressError.UnsupportedFormat);
            ulong outFrames = ((ulong)h.DecompressedSize + 4095) >> 12;
            ulong workFrames = ((ulong)PayloadDecoder.WorkBytesFor(f, stream, streamLen) + 4095) >> 12;
            ulong first = AllocContiguousHigh(outFrames + workFrames);
            if (first == FrameAllocator.None) Fail(DecompressError.OutputTooLarge);
            FirstFrame = first; FrameCount = outFrames + workFrames;
            byte* dst = Host.Mem.Frame(first);
            byte* work = Host.Mem.Frame(first + outFrames);
            if (Log.On(LogLevel.Info))
            {
                Log.Begin(); Log.Str("kernel: bzImage (boot protocol "); Log.Dec((ulong)(h.Version >> 8)); Log.Char((byte)'.');
                Log.Dec((ulong)(h.Version & 0xff)); Log.Str("), "); Log.Str(BzImageHeader.FormatName(f)); Log.Str(" payload of ");
                Log.Dec(streamLen); Log.Str(" bytes, decompressing "); Log.Dec(h.DecompressedSize); Log.Str(" bytes"); Log.End();
            }
            ulong t0 = Cpu.Rdtsc();
            ulong outLen;
            PayloadFormat seen;
            e = PayloadDecoder.DecodeBzImage(data, len, dst, (ulong)h.DecompressedSize, work, out outLen, out seen);
            ulong cycles = Cpu.Rdtsc() - t0;
            if (e != DecompressError.Ok) Fail(e);
            if (Log.On(LogLevel.Info))
            {
                Log.Begin(); Log.Str("kernel: decompressed in "); Log.Dec(Time.Tsc.Hz == 0 ? 0 : cycles * 1000 / Time.Tsc.Hz);
                Log.Str(" ms ("); Log.Dec(cycles); Log.Str(" TSC cycles)"); Log.End();
            }
            data = dst;
            len = outLen;
        }

        /// <summary>Gives the unpacked ELF's frames back (after the domain is built).</summary>
        public static void Release()
        {
            if (FirstFrame == FrameAllocator.None) return;
            for (ulong i = 0; i < FrameCount; i++) Host.Frames.Free(FirstFrame + i);
            FirstFrame = FrameAllocator.None;
        }

        static void Fail(DecompressError e)
        {
            ExitCode c = ExitCode.CorruptPayload;
            if (e == DecompressError.NotBzImage) c = ExitCode.BadKernel;
            else if (e == DecompressError.Truncated || e == DecompressError.InputTruncated) c = ExitCode.TruncatedModule;
            else if (e == DecompressError.UnknownFormat || e == DecompressError.UnsupportedFormat) c = ExitCode.UnknownCompression;
            else if (e == DecompressError.OutputTooLarge) c = ExitCode.KernelTooBig;
            Panic.BadInput(c, "kernel", DecompressErrors.Describe(e));
        }

        /// <summary>The highest run of <paramref name="count"/> free frames, reserved; or None.</summary>
        static ulong AllocContiguousHigh(ulong count)
        {
            ulong run = 0;
            for (ulong f = Host.Frames.FrameCount; f > 0; f--)
            {
                if (!Host.Frames.IsFree(f - 1)) { run = 0; continue; }
                if (++run < count) continue;
                Host.Frames.Reserve(f - 1, count);
                return f - 1;
            }
            return FrameAllocator.None;
        }
    }
}
