namespace Microxen.Inline
{
    /// <summary>What an inline sequence's 8-byte placeholder holds (tools/InlineGen).</summary>
    public enum InlinePatch
    {
        None = 0,
        /// <summary>Address of the native fast routine for hypercall number arg (fast_path_table).</summary>
        FastRoutine = 1,
        /// <summary>Address of fast_page_iret.</summary>
        PageIret = 2,
        /// <summary>Address of the PvState field at byte offset arg.</summary>
        PvField = 3,
    }
}
