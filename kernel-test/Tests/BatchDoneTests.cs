using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// mmu_update's and mmuext_op's count and done arguments as Xen 4.17 takes them
    /// (xen/arch/x86/mm.c do_mmu_update, do_mmuext_op): count is an unsigned int (bits 32-63
    /// dropped; bit 31, MMU_UPDATE_PREEMPTED, a continuation whose *done is read and added to);
    /// a *done that cannot be written (not mapped, read-only) is skipped, the requests stay
    /// applied and the result is the batch's own. Every test unmaps and unpins what it made.
    /// </summary>
    public static unsafe class BatchDoneTests
    {
        const ulong Unmapped = 0xffffffffc0000000UL;
        const ulong HighBitsOne = (1UL << 32) + 1;

        /// <summary>mmu_update(one request mapping <paramref name="mfn"/> at slot s) with raw count and done; then the entry read back.</summary>
        static bool MapByMmuUpdate(string what, int s, ulong mfn, ulong count, ulong done)
        {
            MmuUpdate u;
            u.Ptr = Window.PteMa(s) | MmuCmd.MMU_NORMAL_PT_UPDATE;
            u.Val = (mfn << 12) | Mm.KernelRw;
            bool ok = Check.Rc(what, Hv.Call(Hypercall.MmuUpdate, (ulong)&u, count, done, XenMemOp.DOMID_SELF));
            ok = Check.Eq("entry written", Validation.ReadEntry(Window.L1Mfn, s) & (PageFlags.PADDR_MASK | PageFlags.Present), (mfn << 12) | PageFlags.Present) && ok;
            return Check.Rc("unmap", Window.Unmap(s)) && ok;
        }

        /// <summary>mmuext_op(one <paramref name="cmd"/> of <paramref name="mfn"/>) with raw count and done.</summary>
        static long Mmuext(uint cmd, ulong mfn, ulong count, ulong done)
        {
            MmuextOp op;
            op.Vcpumask = 0;
            op.Cmd = cmd;
            op.Mfn = mfn;
            return Hv.Call(Hypercall.MmuextOp, (ulong)&op, count, done, XenMemOp.DOMID_SELF);
        }

        /// <summary>
        /// done not mapped, then done mapped read-only: mmu_update and mmuext_op return 0 with their
        /// requests applied (the entry written; the pin taken, as the unpin succeeding shows) and
        /// the read-only word untouched.
        /// </summary>
        public static bool DoneUnwritable()
        {
            ulong f = Window.ClearedFrame(), ro = Window.ClearedFrame();
            if (!Check.True(f != 0 && ro != 0, "no free frame")) return false;
            int s = Runner.Slot(0), r = Runner.Slot(1);
            if (!Check.Rc("map read-only", Window.Map(r, ro, Validation.KernelRo))) return false;
            ulong roVa = Window.Va(r);
            bool ok = MapByMmuUpdate("mmu_update, done not mapped", s, f, 1, Unmapped);
            ok = MapByMmuUpdate("mmu_update, done read-only", s, f, 1, roVa) && ok;
            // A continuation (MMU_UPDATE_PREEMPTED): *done read (it cannot be: 0) and written back (skipped).
            ok = MapByMmuUpdate("mmu_update continuation, done not mapped", s, f, MmuCmd.MMU_UPDATE_PREEMPTED | 1, Unmapped) && ok;
            ok = Check.Rc("mmuext_op(PIN_L1), done not mapped", Mmuext(MmuextCmd.MMUEXT_PIN_L1_TABLE, f, 1, Unmapped)) && ok;
            ok = Check.Rc("mmuext_op(UNPIN) of the pinned frame, done read-only", Mmuext(MmuextCmd.MMUEXT_UNPIN_TABLE, f, 1, roVa)) && ok;
            ok = Check.Eq("read-only done untouched", *(uint*)roVa, 0) && ok;
            return Check.Rc("unmap read-only", Window.Unmap(r)) && ok;
        }

        /// <summary>
        /// A count of 2^32 + 1 is one request (done = 1) for mmu_update and mmuext_op; a count with
        /// MMU_UPDATE_PREEMPTED adds the requests done to *done (5 + 1).
        /// </summary>
        public static bool CountIsUnsignedInt()
        {
            ulong f = Window.ClearedFrame();
            if (!Check.True(f != 0, "no free frame")) return false;
            int s = Runner.Slot(0);
            uint done = 0;
            bool ok = MapByMmuUpdate("mmu_update, count 2^32 + 1", s, f, HighBitsOne, (ulong)&done);
            ok = Check.Eq("mmu_update done", done, 1) && ok;
            done = 5;
            ok = MapByMmuUpdate("mmu_update continuation, count PREEMPTED | 1", s, f, MmuCmd.MMU_UPDATE_PREEMPTED | 1, (ulong)&done) && ok;
            ok = Check.Eq("continuation's done (5 + 1)", done, 6) && ok;
            done = 0;
            ok = Check.Rc("mmuext_op(PIN_L1), count 2^32 + 1", Mmuext(MmuextCmd.MMUEXT_PIN_L1_TABLE, f, HighBitsOne, (ulong)&done)) && ok;
            ok = Check.Eq("mmuext_op done", done, 1) && ok;
            done = 0;
            ok = Check.Rc("mmuext_op(UNPIN) of the pinned frame, count 2^32 + 1", Mmuext(MmuextCmd.MMUEXT_UNPIN_TABLE, f, HighBitsOne, (ulong)&done)) && ok;
            return Check.Eq("unpin done", done, 1) && ok;
        }

        /// <summary>
        /// A request array whose second entry lies on an unmapped page (the first ends its mapped
        /// page): mmu_update and mmuext_op apply the first, end with -EFAULT and still write
        /// done = 1 (do_mmu_update / do_mmuext_op: __copy_from_guest fails, then *pdone += i).
        /// </summary>
        public static bool FaultingRequestDone()
        {
            ulong f = Window.ClearedFrame(), page = Window.ClearedFrame();
            if (!Check.True(f != 0 && page != 0, "no free frame")) return false;
            int s = Runner.Slot(0), p = Runner.Slot(1);     // slot p + 1 stays unmapped
            if (!Check.Rc("map the request page", Window.Map(p, page))) return false;
            ulong end = Window.Va(p) + Mm.PageSize;
            MmuUpdate* u = (MmuUpdate*)(end - (ulong)sizeof(MmuUpdate));
            u->Ptr = Window.PteMa(s) | MmuCmd.MMU_NORMAL_PT_UPDATE;
            u->Val = (f << 12) | Mm.KernelRw;
            uint done = 7;
            long rc = Hv.Call(Hypercall.MmuUpdate, (ulong)u, 2, (ulong)&done, XenMemOp.DOMID_SELF);
            bool ok = Check.Eq("mmu_update rc", (ulong)rc, unchecked((ulong)(long)-XenErrno.EFAULT));
            ok = Check.Eq("mmu_update done", done, 1) && ok;
            ok = Check.Eq("first request applied", Validation.ReadEntry(Window.L1Mfn, s) & (PageFlags.PADDR_MASK | PageFlags.Present), (f << 12) | PageFlags.Present) && ok;
            ok = Check.Rc("unmap", Window.Unmap(s)) && ok;
            MmuextOp* op = (MmuextOp*)(end - (ulong)sizeof(MmuextOp));
            op->Vcpumask = 0;
            op->Cmd = MmuextCmd.MMUEXT_PIN_L1_TABLE;
            op->Mfn = f;
            done = 7;
            rc = Hv.Call(Hypercall.MmuextOp, (ulong)op, 2, (ulong)&done, XenMemOp.DOMID_SELF);
            ok = Check.Eq("mmuext_op rc", (ulong)rc, unchecked((ulong)(long)-XenErrno.EFAULT)) && ok;
            ok = Check.Eq("mmuext_op done", done, 1) && ok;
            ok = Check.Rc("unpin the frame the first op pinned", Mmuext(MmuextCmd.MMUEXT_UNPIN_TABLE, f, 1, 0)) && ok;
            return Check.Rc("unmap the request page", Window.Unmap(p)) && ok;
        }

        /// <summary>
        /// mmuext_op(NULL, MMU_UPDATE_PREEMPTED, done, foreigndom) returns foreigndom as an int
        /// and touches nothing (do_mmuext_op's old_guest_table continuation check).
        /// </summary>
        public static bool PreemptedNullOps()
        {
            uint done = 7;
            long rc = Hv.Call(Hypercall.MmuextOp, 0, MmuCmd.MMU_UPDATE_PREEMPTED, (ulong)&done, XenMemOp.DOMID_SELF);
            bool ok = Check.Eq("rc (DOMID_SELF)", (ulong)rc, XenMemOp.DOMID_SELF);
            rc = Hv.Call(Hypercall.MmuextOp, 0, MmuCmd.MMU_UPDATE_PREEMPTED, (ulong)&done, 0xfffffff0UL);
            ok = Check.Eq("rc ((int)0xfffffff0)", (ulong)rc, unchecked((ulong)(long)-16)) && ok;
            return Check.Eq("done untouched", done, 7) && ok;
        }

        /// <summary>
        /// NEW_BASEPTR of frame 0 (never the domain's) is -EINVAL with done = 0, alone and after an op
        /// the native path hands to C# (PIN_L1: done = 1); the running L4 stays loaded.
        /// </summary>
        public static bool NewBaseptrFrameZero()
        {
            ulong f = Window.ClearedFrame();
            if (!Check.True(f != 0, "no free frame")) return false;
            uint done = 7;
            bool ok = Check.Eq("NEW_BASEPTR(0) rc", (ulong)Mmuext(MmuextCmd.MMUEXT_NEW_BASEPTR, 0, 1, (ulong)&done), unchecked((ulong)(long)-XenErrno.EINVAL));
            ok = Check.Eq("NEW_BASEPTR(0) done", done, 0) && ok;
            MmuextOp* ops = stackalloc MmuextOp[2];
            ops[0].Vcpumask = 0;
            ops[0].Cmd = MmuextCmd.MMUEXT_PIN_L1_TABLE;
            ops[0].Mfn = f;
            ops[1].Vcpumask = 0;
            ops[1].Cmd = MmuextCmd.MMUEXT_NEW_BASEPTR;
            ops[1].Mfn = 0;
            done = 7;
            long rc = Hv.Call(Hypercall.MmuextOp, (ulong)ops, 2, (ulong)&done, XenMemOp.DOMID_SELF);
            ok = Check.Eq("PIN_L1 then NEW_BASEPTR(0) rc", (ulong)rc, unchecked((ulong)(long)-XenErrno.EINVAL)) && ok;
            ok = Check.Eq("PIN_L1 then NEW_BASEPTR(0) done", done, 1) && ok;
            return Check.Rc("unpin the frame the first op pinned", Mmuext(MmuextCmd.MMUEXT_UNPIN_TABLE, f, 1, 0)) && ok;
        }
    }
}
