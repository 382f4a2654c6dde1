namespace Microxen.Xen
{
    /// <summary>
    /// xen_version commands (XENVER_*), with the buffer sizes of their results in bytes.
    /// Source: xen/include/public/version.h.
    /// </summary>
    public static class XenVersionCmd
    {
        /// <summary>Returns (major &lt;&lt; 16) | minor in RAX.</summary>
        public const int XENVER_version = 0;
        /// <summary>Fills xen_extraversion_t (16 bytes).</summary>
        public const int XENVER_extraversion = 1;
        /// <summary>Fills xen_compile_info_t (144 bytes).</summary>
        public const int XENVER_compile_info = 2;
        /// <summary>Fills xen_capabilities_info_t (1024 bytes).</summary>
        public const int XENVER_capabilities = 3;
        /// <summary>Fills xen_changeset_info_t (64 bytes).</summary>
        public const int XENVER_changeset = 4;
        /// <summary>Fills <see cref="XenPlatformParameters"/>.</summary>
        public const int XENVER_platform_parameters = 5;
        /// <summary>Fills <see cref="XenFeatureInfo"/>.</summary>
        public const int XENVER_get_features = 6;
        /// <summary>Returns the page size in RAX.</summary>
        public const int XENVER_pagesize = 7;
        /// <summary>Fills xen_domain_handle_t (16 bytes).</summary>
        public const int XENVER_guest_handle = 8;
        /// <summary>Fills xen_commandline_t (1024 bytes).</summary>
        public const int XENVER_commandline = 9;
        /// <summary>Fills xen_build_id_t; returns its length.</summary>
        public const int XENVER_build_id = 10;

        public const int ExtraversionSize = 16;
        public const int CompileInfoSize = 144;
        public const int CapabilitiesInfoSize = 1024;
        public const int ChangesetInfoSize = 64;
        public const int DomainHandleSize = 16;
        public const int CommandlineSize = 1024;
    }
}
