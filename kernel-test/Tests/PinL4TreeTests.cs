using KernelTest.Arch;
using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// MMUEXT_PIN_L4_TABLE of an L4 with a user-half tree (L3, L2, L1) that nothing else made a
    /// page table: Xen types every table under the pinned L4 (xen/arch/x86/mm.c,
    /// alloc_l4_table), so a write to the L1 through a read-only mapping is then an emulated
    /// page-table write (pv/ro-page-fault.c), not a fault. The pin is made alone, inside a
    /// multicall as Linux's fork makes it, and before a batch of more pins than microxen's native
    /// pin keeps records for (shim/FastPaths/FastPaths.Pin.asm.cs: that batch goes to C#, which
    /// takes the native records over first). Values written are non-present (Xen validates them).
    /// </summary>
    public static unsafe class PinL4TreeTests
    {
        const int Entry = 9, BatchPins = 40;
        struct Ops { public fixed byte B[BatchPins * 24]; }
        struct Calls { public fixed byte B[2 * 64]; }

        /// <summary>A copy of the running L4 whose first empty user slot leads to a fresh L3, L2, L1 (out); 0 on failure.</summary>
        static ulong TreeL4(out ulong l1)
        {
            l1 = Window.ClearedFrame();
            ulong l2 = Window.ClearedFrame(), l3 = Window.ClearedFrame(), l4 = Validation.L4Copy();
            if (l1 == 0 || l2 == 0 || l3 == 0 || l4 == 0) return 0;
            if (!Link(l2, 0, l1) || !Link(l3, 0, l2)) return 0;
            ulong* src = (ulong*)Mm.Start->PtBase;
            int slot = 0;
            while (slot < 256 && src[slot] != 0) slot++;
            if (slot == 256 || !Link(l4, slot, l3)) return 0;
            return l4;
        }

        /// <summary>Entry <paramref name="i"/> of <paramref name="table"/> made to point at <paramref name="to"/> (through the scratch mapping).</summary>
        static bool Link(ulong table, int i, ulong to)
        {
            ulong* p = Window.Scratch(table);
            if (p == null) return false;
            p[i] = (to << 12) | Mm.KernelRw;
            return Window.EndScratch() == 0;
        }

        /// <summary>How the tree's L4 is pinned.</summary>
        public enum How { Alone, InMulticall, ThenBigBatch }

        /// <summary>Pins a tree's L4 (<paramref name="how"/>), writes its L1 through a read-only mapping: no fault, the entry written.</summary>
        public static bool WriteUnderPinnedL4(How how)
        {
            if (!Check.Rc("vm_assist(enable, writable_pagetables)", Hv.Call(Hypercall.VmAssist, VmAssist.VMASST_CMD_enable, VmAssist.VMASST_TYPE_writable_pagetables))) return false;
            ulong l4 = TreeL4(out ulong l1);
            if (!Check.True(l4 != 0, "no tree")) return false;
            int s = Runner.Slot(0);
            if (how == How.InMulticall) { if (!PinInMulticall(l4, s)) return false; }
            else if (!Check.Rc("MMUEXT_PIN_L4_TABLE", Hv.Mmuext(MmuextCmd.MMUEXT_PIN_L4_TABLE, l4))) return false;
            Ops ops;
            MmuextOp* op = (MmuextOp*)ops.B;
            bool many = how == How.ThenBigBatch && PinMany(op);
            bool ok = how != How.ThenBigBatch || many;
            if (ok && Check.Rc("map the L1 read-only", Window.Map(s, l1, Validation.KernelRo)))
            {
                ulong faults = Traps.State->Faults;
                ulong* e = (ulong*)Window.Va(s) + Entry;
                *e = 0x5550;
                ok = Check.Eq("faults the guest saw", Traps.State->Faults - faults, 0)
                    && Check.Eq("entry written", Validation.ReadEntry(l1, Entry), 0x5550);
                *e = 0;
                ok = Check.Rc("unmap", Window.Unmap(s)) && ok;
            }
            else ok = false;
            if (many) ok = Unpin(op) && ok;
            return Check.Rc("MMUEXT_UNPIN_TABLE", Validation.Unpin(l4)) && ok;
        }

        /// <summary>One multicall, as Linux's __xen_pgd_pin: update_va_mapping (UVMF_TLB_FLUSH), then the pin; both results 0.</summary>
        static bool PinInMulticall(ulong l4, int s)
        {
            ulong data = Frames.WithPattern(0x9191);
            if (!Check.True(data != 0, "no free frame")) return false;
            MmuextOp pin;
            pin.Vcpumask = 0;
            pin.Cmd = MmuextCmd.MMUEXT_PIN_L4_TABLE;
            pin.Mfn = l4;
            uint done = 0;
            Calls c;
            MulticallEntry* e = (MulticallEntry*)c.B;
            for (int i = 0; i < 2; i++) { e[i].Result = 0x5a5a5a5a; for (int k = 0; k < 6; k++) e[i].Args[k] = 0; }
            e[0].Op = Hypercall.UpdateVaMapping; e[0].Args[0] = Window.Va(s); e[0].Args[1] = (data << 12) | Validation.KernelRo; e[0].Args[2] = UvmFlags.UVMF_TLB_FLUSH;
            e[1].Op = Hypercall.MmuextOp; e[1].Args[0] = (ulong)&pin; e[1].Args[1] = 1; e[1].Args[2] = (ulong)&done; e[1].Args[3] = Hv.DomidSelf;
            return Check.Rc("multicall", Hv.Call(Hypercall.Multicall, (ulong)e, 2))
                && Check.Eq("update_va_mapping's result", e[0].Result, 0) && Check.Eq("the pin's result", e[1].Result, 0)
                && Check.Eq("done", done, 1) && Check.Eq("mapped", Frames.First(s), 0x9191)
                && Check.Rc("unmap", Window.Unmap(s));
        }

        /// <summary>One mmuext_op of <see cref="BatchPins"/> PIN_L4 of fresh L4 copies (kept in <paramref name="op"/>).</summary>
        static bool PinMany(MmuextOp* op)
        {
            for (int i = 0; i < BatchPins; i++)
            {
                op[i].Vcpumask = 0;
                op[i].Cmd = MmuextCmd.MMUEXT_PIN_L4_TABLE;
                op[i].Mfn = Validation.L4Copy();
                if (!Check.True(op[i].Mfn != 0, "no L4 copy")) return false;
            }
            uint done = 0;
            return Check.Rc("mmuext_op(PIN_L4 x 40)", Hv.Call(Hypercall.MmuextOp, (ulong)op, BatchPins, (ulong)&done, Hv.DomidSelf))
                && Check.Eq("done", done, BatchPins);
        }

        /// <summary>The same batch turned into UNPIN_TABLE.</summary>
        static bool Unpin(MmuextOp* op)
        {
            for (int i = 0; i < BatchPins; i++) op[i].Cmd = MmuextCmd.MMUEXT_UNPIN_TABLE;
            uint done = 0;
            return Check.Rc("mmuext_op(UNPIN x 40)", Hv.Call(Hypercall.MmuextOp, (ulong)op, BatchPins, (ulong)&done, Hv.DomidSelf))
                && Check.Eq("done", done, BatchPins);
        }
    }
}
