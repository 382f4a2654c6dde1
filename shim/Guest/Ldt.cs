using Microxen.Arch;
using Microxen.Boot;
using Microxen.Checked;
using Microxen.Hypercalls;
using Microxen.Memory;
using Microxen.Xen;

namespace Microxen.Guest
{
    /// <summary>
    /// The guest's LDT as Xen 4.17 keeps it for a PV vCPU (MMUEXT_SET_LDT in xen/arch/x86/mm.c,
    /// pv_map_ldt_shadow_page / pv_destroy_ldt in xen/arch/x86/pv/, handle_ldt_mapping_fault in
    /// traps.c): the guest names a linear address and an entry count; the hardware LDT is the
    /// shim's area <see cref="Gdt.LdtVirt"/> (LDT descriptor <see cref="Gdt.LdtSelector"/>), whose
    /// pages are mapped on first use from the guest's kernel page table. In checked mode each
    /// mapped frame holds a PGT_seg_desc_page type (and general) reference until the LDT changes,
    /// so it cannot be mapped writable meanwhile; fast mode maps without types.
    /// </summary>
    public static unsafe class Ldt
    {
        /// <summary>MMUEXT_SET_LDT's entry limit (8192: 64 KiB).</summary>
        public const uint MaxEntries = 8192;
        /// <summary>ldt_base / ldt_ents of the current vCPU (Vcpu.Id; each vCPU's LDT is in its CPU's area).</summary>
        public static ulong Base { get { fixed (PerVcpu* v = &s_v) return v->Base[Vcpu.Id]; } set { fixed (PerVcpu* v = &s_v) v->Base[Vcpu.Id] = value; } }
        public static uint Entries { get { fixed (PerVcpu* v = &s_v) return (uint)v->Entries[Vcpu.Id]; } set { fixed (PerVcpu* v = &s_v) v->Entries[Vcpu.Id] = value; } }
        struct PerVcpu { public fixed ulong Base[Vcpu.Max]; public fixed ulong Entries[Vcpu.Max]; }
        static PerVcpu s_v;
        /// <summary>Frame mapped at each LDT page of each vCPU (0: not mapped).</summary>
        struct Mapped { public fixed ulong Mfn[Gdt.LdtPages * Vcpu.Max]; }
        static Mapped s_mapped;

        /// <summary>__addr_ok: below the canonical hole, or above HYPERVISOR_VIRT_END.</summary>
        static bool AddrOk(ulong a) => a < (1UL << 47) || a >= Layout.HYPERVISOR_VIRT_END;

        /// <summary>
        /// MMUEXT_SET_LDT(<paramref name="ptr"/>, <paramref name="ents"/>): -EINVAL when more than
        /// 8192 entries, or entries at a misaligned or non-guest address; else the old LDT's pages
        /// are dropped (and the TLB flushed when any was mapped) and the new one loaded. 0.
        /// </summary>
        public static long Set(ulong ptr, uint ents)
        {
            if (ents > MaxEntries || (ents != 0 && ((ptr & 4095) != 0 || !AddrOk(ptr))))
            {
                CheckLog.Refuse("do_mmuext_op: bad args to SET_LDT", ptr);
                return -XenErrno.EINVAL;
            }
            if (ents == 0) ptr = 0;
            if (ents == Entries && ptr == Base) return 0;
            Destroy();
            Base = ptr;
            Entries = ents;
            Gdt.LoadLdt(ents);
            return 0;
        }

        /// <summary>pv_destroy_ldt: every mapped LDT page unmapped and its references put.</summary>
        public static void Destroy()
        {
            fixed (Mapped* m = &s_mapped)
            {
                ulong* mine = m->Mfn + Vcpu.Id * Gdt.LdtPages;
                for (int i = 0; i < Gdt.LdtPages; i++)
                {
                    ulong mfn = mine[i];
                    if (mfn == 0) continue;
                    mine[i] = 0;
                    Gdt.SetLdtPage(Vcpu.Id, i, 0);
                    if (CheckedMode.On) PageTypes.PutPageAndType(mfn);
                }
            }
        }

        /// <summary>Whether <paramref name="va"/> is in the LDT area (a #PF there is the LDT's, never a page-table write).</summary>
        public static bool InArea(ulong va) => va >= Gdt.CpuLdtVirt(Vcpu.Id) && va < Gdt.CpuLdtVirt(Vcpu.Id) + Gdt.LdtPages * 4096UL;

        /// <summary>
        /// handle_ldt_mapping_fault for a guest #PF at <paramref name="cr2"/>: outside the LDT area,
        /// false with <paramref name="cr2"/> unchanged. Inside, the guest's page at Base + offset
        /// is mapped (pv_map_ldt_shadow_page: present in the guest's kernel table, the guest's
        /// frame, typed PGT_seg_desc_page in checked mode): true, the instruction retried; else
        /// false with <paramref name="cr2"/> = Base + offset, the #PF the guest then gets.
        /// </summary>
        public static bool TryFault(ref ulong cr2)
        {
            if (!InArea(cr2)) return false;
            ulong offset = cr2 - Gdt.CpuLdtVirt(Vcpu.Id);
            ulong linear = Base + offset;
            cr2 = linear;
            if ((offset >> 3) >= Entries) return false;
            ulong* pte = MmuOps.L1Entry(Vcpu.KernelL4 >> 12, linear);
            if (pte == null || (*pte & PageFlags.Present) == 0) return false;
            ulong mfn = PageTables.EntryMfn(*pte);
            if (CheckedMode.On)
            {
                if (PageTypes.GetPageAndType(mfn, PageType.SegDesc) != 0)
                {
                    CheckLog.Refuse("pv_map_ldt_shadow_page: could not get page type PGT_seg_desc_page", mfn);
                    return false;
                }
            }
            else if (mfn >= Host.FrameCount) return false;
            int page = (int)(offset >> 12);
            fixed (Mapped* m = &s_mapped)
            {
                ulong* slot = m->Mfn + Vcpu.Id * Gdt.LdtPages + page;
                if (*slot != 0 && CheckedMode.On) PageTypes.PutPageAndType(*slot);
                *slot = mfn;
            }
            Gdt.SetLdtPage(Vcpu.Id, page, mfn);
            return true;
        }
    }
}
