namespace Microxen.Xen
{
    /// <summary>
    /// dom0_vga_console_info_t, 40 bytes (interface version &gt;= 0x00040d00): the console
    /// description dom0 finds at start_info + console.dom0.info_off. Only the text-mode and the
    /// leading VESA fields are named; the rest is zero for a serial-only dom0.
    /// Source: xen/include/public/xen.h.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public struct Dom0VgaConsoleInfo
    {
        /// <summary>XEN_VGATYPE_* (0 = none).</summary>
        [FieldOffset(0)] public byte VideoType;
        /// <summary>u.text_mode_3.font_height, pixels.</summary>
        [FieldOffset(4)] public ushort TextFontHeight;
        /// <summary>u.text_mode_3.cursor_x.</summary>
        [FieldOffset(6)] public ushort TextCursorX;
        /// <summary>u.text_mode_3.cursor_y.</summary>
        [FieldOffset(8)] public ushort TextCursorY;
        /// <summary>u.text_mode_3.rows.</summary>
        [FieldOffset(10)] public ushort TextRows;
        /// <summary>u.text_mode_3.columns.</summary>
        [FieldOffset(12)] public ushort TextColumns;
        /// <summary>u.vesa_lfb.width, pixels.</summary>
        [FieldOffset(4)] public ushort VesaWidth;
        /// <summary>u.vesa_lfb.height, pixels.</summary>
        [FieldOffset(6)] public ushort VesaHeight;
        /// <summary>u.vesa_lfb.bytes_per_line.</summary>
        [FieldOffset(8)] public ushort VesaBytesPerLine;
        /// <summary>u.vesa_lfb.bits_per_pixel.</summary>
        [FieldOffset(10)] public ushort VesaBitsPerPixel;
        /// <summary>u.vesa_lfb.lfb_base: low 32 bits of the framebuffer physical address.</summary>
        [FieldOffset(12)] public uint VesaLfbBase;
        /// <summary>u.vesa_lfb.lfb_size, units of 64 KiB.</summary>
        [FieldOffset(16)] public uint VesaLfbSize;
        /// <summary>u.vesa_lfb.red_pos / red_size: the red field's lowest bit and width (bits).</summary>
        [FieldOffset(20)] public byte VesaRedPos;
        [FieldOffset(21)] public byte VesaRedSize;
        /// <summary>u.vesa_lfb.green_pos / green_size.</summary>
        [FieldOffset(22)] public byte VesaGreenPos;
        [FieldOffset(23)] public byte VesaGreenSize;
        /// <summary>u.vesa_lfb.blue_pos / blue_size.</summary>
        [FieldOffset(24)] public byte VesaBluePos;
        [FieldOffset(25)] public byte VesaBlueSize;
        /// <summary>u.vesa_lfb.rsvd_pos / rsvd_size.</summary>
        [FieldOffset(26)] public byte VesaRsvdPos;
        [FieldOffset(27)] public byte VesaRsvdSize;
        /// <summary>u.vesa_lfb.gbl_caps: VBE capabilities (Xen sets 2, "possibly non-VGA", for EFI GOP).</summary>
        [FieldOffset(28)] public uint VesaGblCaps;
        /// <summary>u.vesa_lfb.ext_lfb_base: high 32 bits of the framebuffer address.</summary>
        [FieldOffset(36)] public uint VesaExtLfbBase;

        public const byte XEN_VGATYPE_TEXT_MODE_3 = 0x03;
        public const byte XEN_VGATYPE_VESA_LFB = 0x23;
        public const byte XEN_VGATYPE_EFI_LFB = 0x70;
    }
}
