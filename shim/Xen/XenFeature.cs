namespace Microxen.Xen
{
    /// <summary>
    /// XENFEAT_* feature numbers reported by XENVER_get_features (feature N is bit N%32 of
    /// submap N/32). Source: xen/include/public/features.h.
    /// </summary>
    public static class XenFeature
    {
        public const int WritablePageTables = 0;
        public const int WritableDescriptorTables = 1;
        public const int AutoTranslatedPhysmap = 2;
        /// <summary>Do not advertise (see DESIGN 4).</summary>
        public const int SupervisorModeKernel = 3;
        public const int PaePgdirAbove4gb = 4;
        public const int MmuPtUpdatePreserveAd = 5;
        public const int HighmemAssist = 6;
        public const int GnttabMapAvailBits = 7;
        public const int HvmCallbackVector = 8;
        public const int HvmSafePvclock = 9;
        public const int HvmPirqs = 10;
        public const int Dom0 = 11;
        /// <summary>Deprecated; commented out in the 4.17 header (number 12 stays reserved).</summary>
        public const int GrantMapIdentity = 12;
        public const int MemoryOpVnodeSupported = 13;
        public const int ArmSmcccSupported = 14;
        public const int LinuxRsdpUnrestricted = 15;
        public const int NotDirectMapped = 16;
        public const int DirectMapped = 17;

        /// <summary>XENFEAT_NR_SUBMAPS: number of 32-bit submaps.</summary>
        public const int NrSubmaps = 1;
    }
}
