// The shim's minimal core library: the types the C# compiler and NativeAOT's ilc require of a
// system module, and nothing more. No GC, no exceptions, no allocation: see shim/README.md.
#pragma warning disable 169, 649, 0660, 0661

namespace System
{
    public class Object
    {
        // The first word of every object is its MethodTable pointer: a contract with ilc.
        private IntPtr m_pMethodTable;
    }

    public struct Void { }
    public struct Boolean { }
    public struct Char { }
    public struct SByte { }
    public struct Byte { }
    public struct Int16 { }
    public struct UInt16 { }
    public struct Int32 { }
    public struct UInt32 { }
    public struct Int64 { }
    public struct UInt64 { public const ulong MaxValue = 0xffffffffffffffff; public const ulong MinValue = 0; }
    public struct IntPtr { }
    public struct UIntPtr { }
    public struct Single { }
    public struct Double { }

    public abstract class ValueType { }
    public abstract class Enum : ValueType { }
    public struct Nullable<T> where T : struct { }

    public sealed class String
    {
        // Layout is a contract with ilc (frozen string literals): length at +8, chars at +12.
        private readonly int _stringLength;
        private char _firstChar;

        public int Length => _stringLength;

        public ref char GetPinnableReference() => ref _firstChar;

        public unsafe char this[int index]
        {
            get { fixed (char* p = &_firstChar) return p[index]; }
        }
    }

    public abstract class Array { }
    // ilc asks for it when it reasons about instance methods of types never allocated.
    public class Array<T> : Array { }
    public abstract class Delegate { }
    public abstract class MulticastDelegate : Delegate { }

    public struct RuntimeTypeHandle { }
    public struct RuntimeMethodHandle { }
    public struct RuntimeFieldHandle { }

    public class Attribute { }

    [Flags]
    public enum AttributeTargets
    {
        Assembly = 1, Module = 2, Class = 4, Struct = 8, Enum = 16, Constructor = 32, Method = 64,
        Property = 128, Field = 256, Event = 512, Interface = 1024, Parameter = 2048,
        Delegate = 4096, ReturnValue = 8192, GenericParameter = 16384, All = 32767,
    }

    public sealed class AttributeUsageAttribute : Attribute
    {
        public AttributeUsageAttribute(AttributeTargets validOn) { }
        public bool AllowMultiple { get; set; }
        public bool Inherited { get; set; }
    }

    public sealed class FlagsAttribute : Attribute { }
    public sealed class ParamArrayAttribute : Attribute { }
    public sealed class ObsoleteAttribute : Attribute { }
    public abstract class Type { }
}

namespace System.Runtime.CompilerServices
{
    public static class RuntimeHelpers
    {
        public static unsafe int OffsetToStringData => sizeof(IntPtr) + sizeof(int);
    }

    public static class RuntimeFeature
    {
        public const string UnmanagedSignatureCallingConvention = nameof(UnmanagedSignatureCallingConvention);
        public const string DefaultImplementationsOfInterfaces = nameof(DefaultImplementationsOfInterfaces);
    }

    internal sealed class IntrinsicAttribute : Attribute { }
    public sealed class IsVolatile { }
    public sealed class IsReadOnlyAttribute : Attribute { }
    public sealed class IsByRefLikeAttribute : Attribute { }
    public sealed class UnsafeValueTypeAttribute : Attribute { }
    public sealed class ExtensionAttribute : Attribute { }
    public sealed class CompilerGeneratedAttribute : Attribute { }
    public sealed class FixedBufferAttribute : Attribute
    {
        public FixedBufferAttribute(Type elementType, int length) { }
    }
    public sealed class MethodImplAttribute : Attribute
    {
        public MethodImplAttribute(MethodImplOptions options) { }
    }
    public enum MethodImplOptions
    {
        NoInlining = 0x0008, AggressiveInlining = 0x0100, AggressiveOptimization = 0x0200,
    }
    public class CallConvCdecl { }
    public class CallConvStdcall { }
    public class CallConvSuppressGCTransition { }
}

namespace System.Runtime.InteropServices
{
    public enum LayoutKind { Sequential = 0, Explicit = 2, Auto = 3 }
    public enum CharSet { None = 1, Ansi = 2, Unicode = 3, Auto = 4 }
    public enum CallingConvention { Winapi = 1, Cdecl = 2, StdCall = 3, ThisCall = 4, FastCall = 5 }

    public sealed class StructLayoutAttribute : Attribute
    {
        public StructLayoutAttribute(LayoutKind layoutKind) { }
        public int Size;
        public int Pack;
        public CharSet CharSet;
    }

    public sealed class FieldOffsetAttribute : Attribute
    {
        public FieldOffsetAttribute(int offset) { }
    }

    public sealed class DllImportAttribute : Attribute
    {
        public DllImportAttribute(string dllName) { }
        public string EntryPoint;
        public CallingConvention CallingConvention;
        public CharSet CharSet;
        public bool ExactSpelling;
    }

    public sealed class UnmanagedCallersOnlyAttribute : Attribute
    {
        public string EntryPoint;
        public Type[] CallConvs;
    }

    public sealed class SuppressGCTransitionAttribute : Attribute { }
    public sealed class InAttribute : Attribute { }
    public sealed class OutAttribute : Attribute { }
}

namespace System.Runtime
{
    // Recognised by ilc: exports a method under a fixed symbol name.
    internal sealed class RuntimeExportAttribute : Attribute
    {
        public RuntimeExportAttribute(string entry) { }
    }

    internal sealed class RuntimeImportAttribute : Attribute
    {
        public RuntimeImportAttribute(string lib) { }
        public RuntimeImportAttribute(string lib, string entry) { }
    }
}

namespace System.Reflection
{
    public sealed class DefaultMemberAttribute : Attribute
    {
        public DefaultMemberAttribute(string memberName) { }
    }
}

namespace System.Runtime.InteropServices
{
    // ilc resolves this helper by name; the shim has no dynamic interface dispatch.
    public unsafe interface IDynamicInterfaceCastable
    {
        internal static nint GetDynamicInterfaceImplementation(IDynamicInterfaceCastable instance, void* interfaceType, ushort slot)
        {
            Internal.Runtime.CompilerHelpers.RuntimeFail.Stop("dynamic interface dispatch");
            return 0;
        }
    }
}
