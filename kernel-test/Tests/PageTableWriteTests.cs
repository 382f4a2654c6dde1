using KernelTest.Arch;
using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Arch;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// Writes to a pinned L1 through a read-only mapping, made with the instructions Linux uses on
    /// page-table entries (native_set_pte, ptep_get_and_clear, set_bit/clear_bit,
    /// test_and_set/clear_bit, try_cmpxchg) and one it does not (lock add). Xen emulates every
    /// one (xen/arch/x86/pv/ro-page-fault.c, x86_emulate); microxen's fast mode emulates Linux's
    /// forms in one trap and single-steps the rest, checked mode does the same and validates
    /// (shim/Traps/PageTableWrite*.cs). Each leaves the entry, the register result and the
    /// flags the SDM defines for the instruction; values are non-present so Xen's validation
    /// takes them all.
    /// </summary>
    public static unsafe class PageTableWriteTests
    {
        const int Entry = 5, Results = 19;
        const ulong LogicFlags = X86.Rflags.CF | X86.Rflags.PF | X86.Rflags.ZF | X86.Rflags.SF | X86.Rflags.OF;
        const ulong CmpFlags = LogicFlags | X86.Rflags.AF;

        /// <summary>kt_ptwr_forms on entry 5 of a pinned L1 mapped read-only: no fault reaches the guest and each write lands.</summary>
        public static bool Forms()
        {
            // Xen emulates only for a guest that asked (Linux does at boot); microxen always does.
            if (!Check.Rc("vm_assist(enable, writable_pagetables)", Hv.Call(Hypercall.VmAssist, VmAssist.VMASST_CMD_enable, VmAssist.VMASST_TYPE_writable_pagetables))) return false;
            ulong l1 = Validation.Pinned(1);
            if (!Check.True(l1 != 0, "no pinned L1")) return false;
            int s = Runner.Slot(0);
            if (!Check.Rc("map the L1 read-only", Window.Map(s, l1, Validation.KernelRo)))
            {
                Validation.Unpin(l1);
                return false;
            }
            ulong* r = stackalloc ulong[Results];
            ulong faults = Traps.State->Faults;
            Native.PtwrForms((ulong*)Window.Va(s) + Entry, r);
            bool ok = Check.Eq("faults the guest saw", Traps.State->Faults - faults, 0)
                && Check.Eq("mov r64", r[0], 0x1230)
                && Check.Eq("xchg: old value", r[1], 0x1230) && Check.Eq("xchg", r[2], 0x4560)
                && Check.Eq("lock or byte: flags (SF PF)", r[3] & LogicFlags, X86.Rflags.SF | X86.Rflags.PF) && Check.Eq("lock or byte", r[4], 0xc560)
                && Check.Eq("lock and byte: flags (none)", r[5] & LogicFlags, 0) && Check.Eq("lock and byte", r[6], 0x4560)
                && Check.Eq("lock bts: CF (bit was clear)", r[7] & X86.Rflags.CF, 0) && Check.Eq("lock bts", r[8], 0x4560 | 1UL << 40)
                && Check.Eq("lock btr: CF (bit was set)", r[9] & X86.Rflags.CF, X86.Rflags.CF) && Check.Eq("lock btr", r[10], 0x4560)
                && Check.Eq("cmpxchg taken: flags (ZF PF)", r[11] & CmpFlags, X86.Rflags.ZF | X86.Rflags.PF) && Check.Eq("cmpxchg taken", r[12], 0x7770)
                && Check.Eq("cmpxchg refused: flags (CF SF)", r[13] & CmpFlags, X86.Rflags.CF | X86.Rflags.SF) && Check.Eq("cmpxchg refused: rax", r[14], 0x7770)
                && Check.Eq("mov imm32", r[15], 0x2220)
                && Check.Eq("xchg (base + index*8 + disp): old value", r[16], 0x2220) && Check.Eq("xchg (base + index*8 + disp)", r[17], 0x3330)
                && Check.Eq("lock add", r[18], 0x3340)
                && Check.Eq("entry cleared", Validation.ReadEntry(l1, Entry), 0);
            ok = Check.Rc("unmap", Window.Unmap(s)) && ok;
            return Check.Rc("unpin", Validation.Unpin(l1)) && ok;
        }
    }
}
