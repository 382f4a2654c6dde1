namespace Microxen.Xen
{
    /// <summary>
    /// XEN_ELFNOTE_* note types (in ELF notes named "Xen"). Source: xen/include/public/elfnote.h.
    /// </summary>
    public static class ElfNote
    {
        public const int Info = 0;
        public const int Entry = 1;
        public const int HypercallPage = 2;
        public const int VirtBase = 3;
        public const int PaddrOffset = 4;
        public const int XenVersion = 5;
        public const int GuestOs = 6;
        public const int GuestVersion = 7;
        public const int Loader = 8;
        public const int PaeMode = 9;
        public const int Features = 10;
        public const int BsdSymtab = 11;
        public const int HvStartLow = 12;
        public const int L1MfnValid = 13;
        public const int SuspendCancel = 14;
        public const int InitP2m = 15;
        public const int ModStartPfn = 16;
        public const int SupportedFeatures = 17;
        public const int Phys32Entry = 18;
        /// <summary>XEN_ELFNOTE_MAX.</summary>
        public const int Max = Phys32Entry;

        public const int CrashInfo = 0x1000001;
        public const int CrashRegs = 0x1000002;
        public const int DumpcoreNone = 0x2000000;
        public const int DumpcoreHeader = 0x2000001;
        public const int DumpcoreXenVersion = 0x2000002;
        public const int DumpcoreFormatVersion = 0x2000003;
    }
}
