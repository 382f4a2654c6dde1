namespace System.Runtime
{
    // Casting helpers ilc may reference. The shim has no casts between reference types, so any
    // call means a bug: stop with a message.
    internal static unsafe class TypeCast
    {
        static void Fail() { Internal.Runtime.CompilerHelpers.RuntimeFail.Stop("unsupported type cast"); }
        internal static object IsInstanceOfAny(void* type, object obj) { Fail(); return obj; }
        internal static object IsInstanceOfInterface(void* type, object obj) { Fail(); return obj; }
        internal static object IsInstanceOfClass(void* type, object obj) { Fail(); return obj; }
        internal static object IsInstanceOfException(void* type, object obj) { Fail(); return obj; }
        internal static object CheckCastAny(void* type, object obj) { Fail(); return obj; }
        internal static object CheckCastInterface(void* type, object obj) { Fail(); return obj; }
        internal static object CheckCastClass(void* type, object obj) { Fail(); return obj; }
        internal static object CheckCastClassSpecial(void* type, object obj) { Fail(); return obj; }
        internal static void StelemRef(object array, nint index, object obj) { Fail(); }
        internal static ref object LdelemaRef(object array, nint index, void* elementType) { Fail(); return ref array; }
    }
}
