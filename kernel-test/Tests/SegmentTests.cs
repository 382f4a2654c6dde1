namespace KernelTest.Tests
{
    /// <summary>
    /// set_segment_base (public/xen.h SEGBASE_*): each base is checked with a %fs: or
    /// %gs:-relative load of a known value (no rdfsbase: CR4.FSGSBASE is not the guest's to know).
    /// </summary>
    public static unsafe class SegmentTests
    {
        struct Words { public fixed ulong W[4]; }
        static Words s_fs, s_gs;

        /// <summary>SEGBASE_FS: %fs:0 and %fs:8 read the block the base points at.</summary>
        public static bool Fs()
        {
            fixed (Words* w = &s_fs)
            {
                w->W[0] = 0x4653424153453030; w->W[1] = 0x4653424153453838;
                if (!Check.Rc("set_segment_base(SEGBASE_FS)", Hv.SetSegmentBase(Layout.SEGBASE_FS, (ulong)w))) return false;
                if (!Check.Eq("%fs:0", Native.ReadFs(0), w->W[0])) return false;
                if (!Check.Eq("%fs:8", Native.ReadFs(8), w->W[1])) return false;
            }
            return Check.Rc("set_segment_base(SEGBASE_FS, 0)", Hv.SetSegmentBase(Layout.SEGBASE_FS, 0));
        }

        /// <summary>SEGBASE_GS_KERNEL: %gs:8 in kernel mode reads the block the base points at.</summary>
        public static bool GsKernel()
        {
            fixed (Words* w = &s_gs)
            {
                w->W[0] = 0x47534b45524e4530; w->W[1] = 0x47534b45524e4538;
                if (!Check.Rc("set_segment_base(SEGBASE_GS_KERNEL)", Hv.SetSegmentBase(Layout.SEGBASE_GS_KERNEL, (ulong)w))) return false;
                return Check.Eq("%gs:8", Native.ReadGs(8), w->W[1]);
            }
        }

        /// <summary>
        /// SEGBASE_GS_USER sets the base user mode sees (the user program's %gs:0 reads the data
        /// page's second word), and the kernel's GS base is unchanged by it and by the round trip.
        /// </summary>
        public static bool GsUser()
        {
            if (!UserSpace.Ensure()) return false;
            fixed (Words* w = &s_gs)
            {
                w->W[0] = 0x4b45524e454c3030; w->W[1] = 0x4b45524e454c3838;
                if (!Check.Rc("set_segment_base(SEGBASE_GS_KERNEL)", Hv.SetSegmentBase(Layout.SEGBASE_GS_KERNEL, (ulong)w))) return false;
                if (!Check.Rc("set_segment_base(SEGBASE_GS_USER)", Hv.SetSegmentBase(Layout.SEGBASE_GS_USER, UserSpace.Data + 8))) return false;
                if (!Check.Eq("kernel %gs:0 after setting the user base", Native.ReadGs(0), w->W[0])) return false;
                if (!UserSpace.Run()) return false;
                if (!Check.Eq("user %gs:0", Traps.State->UserRdi, UserSpace.DataWord1)) return false;
                return Check.Eq("kernel %gs:0 after the user round trip", Native.ReadGs(0), w->W[0]);
            }
        }
    }
}
