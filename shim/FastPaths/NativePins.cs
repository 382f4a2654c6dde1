using System.Runtime.InteropServices;

namespace Microxen.Memory
{
    /// <summary>The native PIN_L4's records (shim/FastPaths/FastPaths.Pin.asm.cs), handed to <see cref="DeferredTreeMarks"/> at boot.</summary>
    public static unsafe class NativePins
    {
        [DllImport("*", EntryPoint = "fast_pin_records"), SuppressGCTransition]
        static extern ulong* Records();

        /// <summary>Points <see cref="DeferredTreeMarks.NativeRecords"/> at the boot CPU's records (the only CPU that pins natively: with several vCPUs PIN_L4 goes to C#).</summary>
        public static void Publish() => DeferredTreeMarks.NativeRecords = Records();
    }
}
