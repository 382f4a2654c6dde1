namespace Microxen.Xen
{
    /// <summary>
    /// struct xencons_interface, 3088 bytes: a domU's console ring page (start_info.console.domU.mfn).
    /// The guest writes <see cref="Out"/> and advances <see cref="OutProd"/>; the backend reads it and
    /// advances <see cref="OutCons"/>. The backend writes <see cref="In"/> (keyboard input) and
    /// advances <see cref="InProd"/>. Indices run freely; a byte's slot is index &amp; (size - 1).
    /// Both sides notify the other through the console event channel. Source: public/io/console.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 3088)]
    public unsafe struct XenconsInterface
    {
        /// <summary>Input ring (backend to guest), <see cref="InSize"/> bytes.</summary>
        [FieldOffset(0)] public fixed byte In[1024];
        /// <summary>Output ring (guest to backend), <see cref="OutSize"/> bytes.</summary>
        [FieldOffset(1024)] public fixed byte Out[2048];
        [FieldOffset(3072)] public uint InCons;
        [FieldOffset(3076)] public uint InProd;
        [FieldOffset(3080)] public uint OutCons;
        [FieldOffset(3084)] public uint OutProd;

        public const int InSize = 1024;
        public const int OutSize = 2048;
    }
}
