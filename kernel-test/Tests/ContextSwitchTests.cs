namespace KernelTest.Tests
{
    /// <summary>
    /// What Linux's PV context switch asks of the hypervisor (Linux arch/x86/xen/mmu_pv.c
    /// xen_write_cr3: MMUEXT_NEW_BASEPTR and MMUEXT_NEW_USER_BASEPTR in one mmuext_op; the user
    /// GS base through set_segment_base on every switch, mostly unchanged), and how an mmuext_op
    /// batch that fails part-way ends (Xen's do_mmuext_op: the ops before the failing one done,
    /// *done = its index). The L4 loaded is told by an alias: a pinned copy of the kernel's L4
    /// that also maps user space's L3 at L4 slot <see cref="AliasSlot"/>.
    /// </summary>
    public static unsafe class ContextSwitchTests
    {
        /// <summary>An L4 slot no one uses (user space is slot 2, <see cref="UserSpace.Base"/>).</summary>
        const int AliasSlot = 3;
        /// <summary>User space's data page through the alias slot.</summary>
        const ulong AliasData = ((ulong)AliasSlot << 39) + (UserSpace.Data - UserSpace.Base);

        struct Ops { public MmuextOp A, B, C; }
        static Ops s_ops;

        /// <summary>A pinned copy of the running kernel L4 with the alias slot; 0 on failure.</summary>
        static ulong AliasedCopy()
        {
            int userSlot = Mm.Index(UserSpace.Base, 4);
            if (!Check.Eq("kernel L4 alias slot", ((ulong*)Mm.Start->PtBase)[AliasSlot], 0)) return 0;
            ulong copy = Validation.L4Copy();
            if (!Check.True(copy != 0, "no L4 copy")) return 0;
            ulong* p = Window.Scratch(copy);
            if (!Check.True(p != null, "scratch map failed")) return 0;
            p[AliasSlot] = p[userSlot];
            if (!Check.Rc("scratch unmap", Window.EndScratch())) return 0;
            if (!Check.Rc("MMUEXT_PIN_L4_TABLE(copy)", Hv.Mmuext(MmuextCmd.MMUEXT_PIN_L4_TABLE, copy))) return 0;
            return copy;
        }

        /// <summary>mmuext_op on the first <paramref name="count"/> of s_ops; *done in <paramref name="done"/>.</summary>
        static long Batch(uint count, out uint done)
        {
            uint d = 0xdead;
            long rc;
            fixed (Ops* o = &s_ops) rc = Hv.Call(Hypercall.MmuextOp, (ulong)&o->A, count, (ulong)&d, Hv.DomidSelf);
            done = d;
            return rc;
        }

        static void Set(ref MmuextOp op, uint cmd, ulong mfn)
        {
            op.Cmd = cmd;
            op.Mfn = mfn;
            op.Vcpumask = 0;
        }

        /// <summary>The alias reads user space's data page (the copy is loaded), or faults (it is not).</summary>
        static bool AliasMapped(bool want)
        {
            ProbeState* s = Traps.State;
            ulong before = s->Faults;
            ulong v = Native.ProbeRead(AliasData);
            if (want) return Check.Eq("faults reading the alias", s->Faults - before, 0) && Check.Eq("alias word 0", v, UserSpace.DataWord0);
            return Check.Eq("faults reading the alias", s->Faults - before, 1) && Check.Eq("vector", s->Vector, X86.Vector.PF);
        }

        /// <summary>The user program runs to its syscall and reads its %gs:0 (the data page's first word).</summary>
        static bool UserRuns()
        {
            if (!Check.Rc("set_segment_base(SEGBASE_GS_USER)", Hv.SetSegmentBase(Layout.SEGBASE_GS_USER, UserSpace.Data))) return false;
            return UserSpace.Run() && Check.Eq("user %gs:0", Traps.State->UserRdi, UserSpace.DataWord0);
        }

        /// <summary>
        /// Linux's switch: NEW_BASEPTR(copy) and NEW_USER_BASEPTR(user L4) in one call (result 0,
        /// *done 2), the kernel on the copy, user mode runs; then back the same way.
        /// </summary>
        public static bool MmuextSwitchBatch()
        {
            if (!UserSpace.Ensure()) return false;
            ulong copy = AliasedCopy();
            if (copy == 0) return false;
            if (!AliasMapped(false)) return false;
            Set(ref s_ops.A, MmuextCmd.MMUEXT_NEW_BASEPTR, copy);
            Set(ref s_ops.B, MmuextCmd.MMUEXT_NEW_USER_BASEPTR, UserSpace.UserL4Mfn);
            uint done;
            if (!Check.Rc("mmuext_op(NEW_BASEPTR copy, NEW_USER_BASEPTR)", Batch(2, out done))) return false;
            if (!Check.Eq("done", done, 2)) return false;
            bool ok = AliasMapped(true) && UserRuns();
            Set(ref s_ops.A, MmuextCmd.MMUEXT_NEW_BASEPTR, Mm.KernelL4Mfn);
            if (!Check.Rc("mmuext_op(NEW_BASEPTR kernel, NEW_USER_BASEPTR)", Batch(2, out done))) return false;
            if (!Check.Eq("done", done, 2)) return false;
            ok = ok && AliasMapped(false) && UserRuns();
            return Check.Rc("MMUEXT_UNPIN_TABLE(copy)", Validation.Unpin(copy)) && ok;
        }

        /// <summary>
        /// NEW_BASEPTR(copy), NEW_USER_BASEPTR(user L4), then PIN_L1_TABLE of a frame past all
        /// memory: -EINVAL, *done 2, and the two ops before it done (the kernel on the copy).
        /// </summary>
        public static bool MmuextBatchStopsAtFailure()
        {
            if (!UserSpace.Ensure()) return false;
            ulong copy = AliasedCopy();
            if (copy == 0) return false;
            Set(ref s_ops.A, MmuextCmd.MMUEXT_NEW_BASEPTR, copy);
            Set(ref s_ops.B, MmuextCmd.MMUEXT_NEW_USER_BASEPTR, UserSpace.UserL4Mfn);
            Set(ref s_ops.C, MmuextCmd.MMUEXT_PIN_L1_TABLE, 1UL << 40);
            uint done;
            bool ok = Validation.Rc("mmuext_op(.., .., PIN_L1 past memory)", Batch(3, out done), XenErrno.EINVAL)
                && Check.Eq("done", done, 2) && AliasMapped(true);
            if (!Validation.BackOnKernelL4()) return false;
            return Check.Rc("MMUEXT_UNPIN_TABLE(copy)", Validation.Unpin(copy)) && ok;
        }

        /// <summary>
        /// set_segment_base with the base the register already holds (Linux sets the user GS base
        /// on every switch): result 0 and the base in force, for FS and the user GS; a different
        /// value after it is written.
        /// </summary>
        public static bool SegmentBaseUnchanged()
        {
            if (!UserSpace.Ensure()) return false;
            fixed (Words* w = &s_words)
            {
                w->W[0] = 0x4353575346533030; w->W[1] = 0x4353575346533838;
                for (int i = 0; i < 2; i++)
                    if (!Check.Rc("set_segment_base(SEGBASE_FS, same)", Hv.SetSegmentBase(Layout.SEGBASE_FS, (ulong)w))) return false;
                if (!Check.Eq("%fs:8", Native.ReadFs(8), w->W[1])) return false;
                if (!Check.Rc("set_segment_base(SEGBASE_FS, 0)", Hv.SetSegmentBase(Layout.SEGBASE_FS, 0))) return false;
            }
            for (int i = 0; i < 2; i++)
                if (!Check.Rc("set_segment_base(SEGBASE_GS_USER, same)", Hv.SetSegmentBase(Layout.SEGBASE_GS_USER, UserSpace.Data + 8))) return false;
            if (!UserSpace.Run()) return false;
            if (!Check.Eq("user %gs:0", Traps.State->UserRdi, UserSpace.DataWord1)) return false;
            if (!Check.Rc("set_segment_base(SEGBASE_GS_USER, other)", Hv.SetSegmentBase(Layout.SEGBASE_GS_USER, UserSpace.Data))) return false;
            if (!UserSpace.Run()) return false;
            return Check.Eq("user %gs:0 after a new base", Traps.State->UserRdi, UserSpace.DataWord0);
        }

        struct Words { public fixed ulong W[2]; }
        static Words s_words;
    }
}
