using KernelTest.Arch;
using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// MMUEXT_SET_LDT with entries (public/xen.h; Xen 4.17 mm.c, pv_map_ldt_shadow_page): the
    /// guest's descriptors become the LDT; a selector with TI=1 loads through it.
    /// </summary>
    public static unsafe class LdtTests
    {
        /// <summary>LDT entry 1: data, read/write, accessed, DPL 3, present, base 0, byte limit 0x1234, 32-bit.</summary>
        const ulong DataDpl3 = 0x0040f30000001234;
        /// <summary>Entry 1 of the LDT (TI = 4), RPL 3.</summary>
        const ulong Sel = (1 << 3) | 4 | 3;

        /// <summary>
        /// A frame holding <see cref="DataDpl3"/> at entry 1, mapped read-only, made the LDT (2
        /// entries): lsl gives 0x1234, lar the access bits, ES takes the selector and a read
        /// through it works; SET_LDT(0, 0) and the unmap after.
        /// </summary>
        public static bool LoadSelector()
        {
            ulong mfn = Window.ClearedFrame();
            if (!Check.True(mfn != 0, "no frame")) return false;
            ulong* p = Window.Scratch(mfn);
            if (!Check.True(p != null, "no scratch mapping")) return false;
            p[1] = DataDpl3;
            if (!Check.Rc("unmap scratch", Window.EndScratch())) return false;
            int slot = Runner.Slot(0);
            if (!Check.Rc("map the LDT frame read-only", Window.Map(slot, mfn, Validation.KernelRo))) return false;
            bool ok = Check.Rc("MMUEXT_SET_LDT(2 entries)", Hv.Mmuext(MmuextCmd.MMUEXT_SET_LDT, Window.Va(slot), 2));
            ulong* o = stackalloc ulong[4];
            if (ok)
            {
                Native.LdtProbe(Sel, o);
                ok = Check.Eq("lsl(LDT selector)", o[0], 0x1234)
                    && Check.Eq("lar(LDT selector)", o[1], (DataDpl3 >> 32) & 0x00f0ff00)
                    && Check.Eq("ES after loading the LDT selector", o[2], Sel)
                    && Check.Eq("read through ES", o[3], 0x1234);
            }
            ok = Check.Rc("MMUEXT_SET_LDT(0, 0)", Hv.Mmuext(MmuextCmd.MMUEXT_SET_LDT, 0, 0)) && ok;
            return Check.Rc("unmap the LDT frame", Window.Unmap(slot)) && ok;
        }
    }
}
