using KernelTest.Hypervisor;

namespace KernelTest.Tests
{
    /// <summary>
    /// The hypercalls Linux makes on every context switch (set_segment_base, mmuext_op), made by a
    /// direct <c>syscall</c> from kernel mode (<see cref="Hv.BySyscall"/>: Linux 6.1.123+'s
    /// xen_hypercall_pv) rather than through the transfer page: the same tests, the same answers
    /// as Xen 4.17 gives on either entry (xen/arch/x86/x86_64/entry.S lstar_enter and the
    /// hypercall page both reach pv_hypercall). Under microxen fast mode these take the LSTAR
    /// dispatcher's own copies of the routines (shim/FastPaths/FastPaths.Lstar.asm.cs), with their
    /// own ends: -EINVAL, -EFAULT, a skipped *done, and declines to C# part-way through a batch.
    /// </summary>
    public static unsafe class LstarRowTests
    {
        /// <summary>set_segment_base: each base and the user GS selector, a non-canonical base, an unloadable selector, an unknown <c>which</c>, an unchanged base.</summary>
        public static bool SegmentBase()
        {
            Hv.BySyscall = true;
            bool ok = SegmentTests.Fs() && SegmentTests.GsKernel() && SegmentTests.GsUser()
                && BadArgumentTests.SegmentBaseNonCanonical() && BadArgumentTests.SegmentSelectorUnloadable()
                && TrapOpsTests.SegmentBaseUnknown() && ContextSwitchTests.SegmentBaseUnchanged();
            Hv.BySyscall = false;
            return ok;
        }

        /// <summary>mmuext_op: the switch batch, a batch failing part-way, an unmapped op array, an unwritable *done, count's unsigned int and MMU_UPDATE_PREEMPTED, an op that cannot be read (-EFAULT, done = i), NEW_BASEPTR of frame 0.</summary>
        public static bool Mmuext()
        {
            Hv.BySyscall = true;
            bool ok = ContextSwitchTests.MmuextSwitchBatch() && ContextSwitchTests.MmuextBatchStopsAtFailure()
                && BadArgumentTests.BatchFromUnmappedArray() && BatchDoneTests.DoneUnwritable() && BatchDoneTests.CountIsUnsignedInt()
                && BatchDoneTests.FaultingRequestDone() && BatchDoneTests.PreemptedNullOps() && BatchDoneTests.NewBaseptrFrameZero();
            Hv.BySyscall = false;
            return ok;
        }
    }
}
