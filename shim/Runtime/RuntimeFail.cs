using System.Runtime.InteropServices;

namespace Internal.Runtime.CompilerHelpers
{
    /// <summary>
    /// Where the core library stops when generated code hits something it cannot do (an index
    /// out of range, a cast, a fail-fast). Each image that links this library defines the native
    /// symbol <c>runtime_fail(char* message, int length)</c>: the shim panics (Boot/Panic.cs).
    /// </summary>
    internal static unsafe class RuntimeFail
    {
        [DllImport("*", EntryPoint = "runtime_fail"), SuppressGCTransition]
        static extern void Fail(char* message, int length);

        public static void Stop(string why)
        {
            fixed (char* p = &why.GetPinnableReference()) Fail(p, why.Length);
        }
    }
}
