using KernelTest.Arch;
using KernelTest.Hypervisor;
using KernelTest.Memory;
using KernelTest.Smp;
using KernelTest.Time;
using Microxen.Arch;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// A write to a pinned L1 through a read-only mapping never makes that mapping writable for
    /// another vCPU. Xen emulates the write (xen/arch/x86/pv/ro-page-fault.c): the guest's PTE
    /// stays read-only throughout, so every other vCPU's write to the table still faults into
    /// Xen's checks. vCPU 0 writes <see cref="Writes"/> non-present values into one entry while
    /// vCPU 1 keeps reading the PTE that maps the L1 (through a read-only mapping of the window's
    /// own L1): it must never see _PAGE_RW. microxen's checked mode used to single-step each
    /// write with that PTE made writable (shim/Traps/PageTableWrite.cs), which let another vCPU
    /// write the table unchecked meanwhile (the Linux SMP fork storm's rare pin failure). One
    /// vCPU: SKIP.
    /// </summary>
    public static unsafe class SmpPageTableWriteTests
    {
        const int Entry = 9;
        const ulong Writes = 2000, Value = 0x230;
        static volatile uint s_stop, s_started;
        static ulong s_pte;

        public static bool PteStaysReadOnly()
        {
            if (!SmpRemoteTests.Ready()) return SmpRemoteTests.Skipped("smp_ptwr_pte_read_only");
            if (!Check.Rc("vm_assist(enable, writable_pagetables)", Hv.Call(Hypercall.VmAssist, VmAssist.VMASST_CMD_enable, VmAssist.VMASST_TYPE_writable_pagetables))) return false;
            ulong l1 = Validation.Pinned(1);
            if (!Check.True(l1 != 0, "no pinned L1")) return false;
            int s = Runner.Slot(0), w = Runner.Slot(1);
            // Both mappings flushed on every vCPU: vCPU 1 must not read these slots through a stale entry.
            bool ok = Check.Rc("map the L1 read-only", Hv.UpdateVaMapping(Window.Va(s), (l1 << 12) | Validation.KernelRo, UvmFlags.UVMF_INVLPG | UvmFlags.UVMF_ALL))
                && Check.Rc("map the window's L1 read-only", Hv.UpdateVaMapping(Window.Va(w), (Window.L1Mfn << 12) | Validation.KernelRo, UvmFlags.UVMF_INVLPG | UvmFlags.UVMF_ALL));
            if (ok) ok = Race(l1, s, w);
            ok = Check.Rc("unmap the window's L1", Window.Unmap(w)) && ok;
            ok = Check.Rc("unmap the L1", Window.Unmap(s)) && ok;
            return Check.Rc("unpin", Validation.Unpin(l1)) && ok;
        }

        static bool Race(ulong l1, int s, int w)
        {
            s_pte = Window.Va(w) + (ulong)s * 8;
            s_stop = 0;
            s_started = 0;
            Secondary.Post(1, Secondary.CmdCall, (ulong)(delegate* unmanaged<uint, ulong*, void>)&Watch, 0, 0);
            ulong giveUp = Pvclock.Now() + 5 * Pvclock.Second;
            while (s_started == 0 && Pvclock.Now() < giveUp) Native.Pause();
            ulong faults = Traps.State->Faults;
            ulong* e = (ulong*)Window.Va(s) + Entry;
            for (ulong i = 0; i < Writes; i++) *e = (i << 12) | Value;
            s_stop = 1;
            bool done = Check.True(Secondary.WaitDone(1, 5 * Pvclock.Second), "vCPU 1 did not answer");
            bool ok = done
                && Check.Eq("faults the guest saw", Traps.State->Faults - faults, 0)
                && Check.True(Secondary.Result(1, 0) != 0, "vCPU 1 read nothing")
                && Check.Eq("reads of the L1's PTE that showed _PAGE_RW", Secondary.Result(1, 1), 0)
                && Check.Eq("the entry written last", Validation.ReadEntry(l1, Entry), ((Writes - 1) << 12) | Value);
            *e = 0;
            return ok;
        }

        /// <summary>On vCPU 1: reads the PTE at s_pte until vCPU 0 stops it; r[0] = reads, r[1] = reads with _PAGE_RW set.</summary>
        [UnmanagedCallersOnly(EntryPoint = "kt_smp_ptwr_watch")]
        static void Watch(uint n, ulong* r)
        {
            ulong reads = 0, writable = 0;
            s_started = 1;
            while (s_stop == 0)
            {
                if ((Native.ProbeRead(s_pte) & PageFlags.RW) != 0) writable++;   // an external call: read afresh each time
                reads++;
            }
            r[0] = reads;
            r[1] = writable;
        }
    }
}
