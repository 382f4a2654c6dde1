namespace KernelTest.Tests
{
    /// <summary>multicall (public/xen.h multicall_entry_t): one batch, each result in its own entry.</summary>
    public static unsafe class MulticallTests
    {
        struct Batch { public fixed byte B[4 * 64]; }

        /// <summary>
        /// xen_version(XENVER_version), xen_version(XENVER_get_features) with a bad submap,
        /// update_va_mapping of a free frame, console_io(write, 0 bytes): results version,
        /// -EINVAL, 0, 0, and the mapping is in effect afterwards.
        /// </summary>
        public static bool Batch4()
        {
            ulong f = Frames.WithPattern(0xeeee0005);
            if (!Check.True(f != 0, "no free frame")) return false;
            int s = Runner.Slot(0);
            long version = Hv.XenVersion(XenVersionCmd.XENVER_version, null);
            XenFeatureInfo fi;
            fi.SubmapIdx = 99;
            fi.Submap = 0;
            byte nothing = 0;
            Batch b;
            MulticallEntry* e = (MulticallEntry*)b.B;
            for (int i = 0; i < 4; i++) { e[i].Result = 0x5a5a5a5a; for (int k = 0; k < 6; k++) e[i].Args[k] = 0; }
            e[0].Op = Hypercall.XenVersion; e[0].Args[0] = XenVersionCmd.XENVER_version;
            e[1].Op = Hypercall.XenVersion; e[1].Args[0] = XenVersionCmd.XENVER_get_features; e[1].Args[1] = (ulong)&fi;
            e[2].Op = Hypercall.UpdateVaMapping; e[2].Args[0] = Window.Va(s); e[2].Args[1] = (f << 12) | Mm.KernelRw; e[2].Args[2] = UvmFlags.UVMF_INVLPG;
            e[3].Op = Hypercall.ConsoleIo; e[3].Args[0] = ConsoleIoCmd.CONSOLEIO_write; e[3].Args[1] = 0; e[3].Args[2] = (ulong)&nothing;
            if (!Check.Rc("multicall", Hv.Call(Hypercall.Multicall, (ulong)e, 4))) return false;
            if (!Check.Eq("entry 0 (xen_version) result", e[0].Result, (ulong)version)) return false;
            if (!Check.Eq("entry 1 (bad get_features) result", e[1].Result, unchecked((ulong)-XenErrno.EINVAL))) return false;
            if (!Check.Eq("entry 2 (update_va_mapping) result", e[2].Result, 0)) return false;
            if (!Check.Eq("entry 3 (console_io) result", e[3].Result, 0)) return false;
            if (!Check.Eq("mapping made by entry 2", Frames.First(s), 0xeeee0005)) return false;
            return Check.Rc("unmap", Window.Unmap(s));
        }

        /// <summary>
        /// A batch whose entries pass pointers the hypervisor cannot read: mmu_update and
        /// mmuext_op with an unmapped request array, between two xen_version calls. Each bad
        /// entry gets -EFAULT in its own result, the entries after it still run, and the
        /// multicall itself returns 0 (Xen's do_multicall: only a fault on the entry array
        /// fails the whole call).
        /// </summary>
        public static bool EntryFaults()
        {
            const ulong Unmapped = 0xffffffffc0000000UL;
            long version = Hv.XenVersion(XenVersionCmd.XENVER_version, null);
            Batch b;
            MulticallEntry* e = (MulticallEntry*)b.B;
            for (int i = 0; i < 4; i++) { e[i].Result = 0x5a5a5a5a; for (int k = 0; k < 6; k++) e[i].Args[k] = 0; }
            e[0].Op = Hypercall.MmuUpdate; e[0].Args[0] = Unmapped; e[0].Args[1] = 1; e[0].Args[3] = XenMemOp.DOMID_SELF;
            e[1].Op = Hypercall.XenVersion; e[1].Args[0] = XenVersionCmd.XENVER_version;
            e[2].Op = Hypercall.MmuextOp; e[2].Args[0] = Unmapped; e[2].Args[1] = 1; e[2].Args[3] = XenMemOp.DOMID_SELF;
            e[3].Op = Hypercall.XenVersion; e[3].Args[0] = XenVersionCmd.XENVER_version;
            if (!Check.Rc("multicall", Hv.Call(Hypercall.Multicall, (ulong)e, 4))) return false;
            ulong efault = unchecked((ulong)-XenErrno.EFAULT);
            if (!Check.Eq("entry 0 (mmu_update, unmapped array) result", e[0].Result, efault)) return false;
            if (!Check.Eq("entry 1 (xen_version) result", e[1].Result, (ulong)version)) return false;
            if (!Check.Eq("entry 2 (mmuext_op, unmapped array) result", e[2].Result, efault)) return false;
            return Check.Eq("entry 3 (xen_version) result", e[3].Result, (ulong)version);
        }

        /// <summary>A multicall whose entry array is not mapped: -EFAULT for the whole call (Xen's do_multicall).</summary>
        public static bool UnmappedArray()
        {
            long rc = Hv.Call(Hypercall.Multicall, 0xffffffffc0000000UL, 2);
            return Check.Eq("multicall with an unmapped entry array", (ulong)rc, unchecked((ulong)-XenErrno.EFAULT));
        }
    }
}
