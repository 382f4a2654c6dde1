using Microxen.Arch;
using Microxen.Boot;
using Microxen.Checked;
using Microxen.Xen;

namespace Microxen.Hypercalls
{
    /// <summary>
    /// set_gdt and update_descriptor (public/xen.h): the guest's GDT frames shown in the shim's GDT
    /// area. Checked mode applies Xen 4.17's rules (xen/arch/x86/pv/descriptor-tables.c): the
    /// frames take the PGT_seg_desc_page type and every descriptor passes check_descriptor
    /// (<see cref="Descriptor"/>). Fast mode applies requests as given (DESIGN.md 1): the hardware
    /// GDT maps the guest's frames, which keep the descriptors as the guest wrote them. Checked
    /// mode stores Xen's fixed-up descriptors (code/data DPL raised to 3, call-gate DPL 0: Xen's
    /// guest kernel runs in ring 3) in the guest's frames, as Xen does, and the hardware GDT maps
    /// shadow frames holding them as given, which the ring-0 kernel runs on (<see cref="ShadowGdt"/>,
    /// README "Checked mode").
    /// </summary>
    public static unsafe class DescriptorOps
    {
        struct Frames { public fixed ulong Mfn[Layout.FIRST_RESERVED_GDT_PAGE * Guest.Vcpu.Max]; public fixed int Count[Guest.Vcpu.Max]; }
        /// <summary>Checked mode: each vCPU's installed GDT frames (14 slots per vCPU), each holding a seg_desc type reference (Xen's gdt_frames).</summary>
        static Frames s_frames;
        struct ShadowFrames { public fixed ulong Mfn[ShadowGdt.Pages * Guest.Vcpu.Max]; public fixed byte Ready[Guest.Vcpu.Max]; }
        /// <summary>Checked mode: each vCPU's shadow frames, shown by its CPU's hardware GDT at pages 0-13 (<see cref="ShadowGdt"/>).</summary>
        static ShadowFrames s_shadow;

        /// <summary>
        /// HYPERVISOR_set_gdt(frame_list, entries): up to FIRST_RESERVED_GDT_ENTRY (7168) entries in
        /// 14 frames. -EINVAL for more entries; -EFAULT for an unreadable list (the dispatcher's
        /// fault fixup). Checked mode, as pv_set_gdt: -EINVAL for a frame that is not the guest's,
        /// cannot take PGT_seg_desc_page (a page table or mapped writable) or holds a descriptor
        /// check_descriptor refuses (validate_segdesc_page: all 512); the old GDT is kept then.
        /// On success the old frames' references are dropped.
        /// </summary>
        public static long SetGdt(ulong frameList, ulong entries)
        {
            uint n = (uint)entries;                                    // Xen: unsigned int entries
            if (n > (uint)Gdt.GuestEntries) return Refuse("do_set_gdt: more entries than FIRST_RESERVED_GDT_ENTRY", entries);
            int pages = (int)((n + 511) / 512);
            if (pages > 0) Guest.GuestPointer.Require(frameList);       // copy_from_guest(frames, frame_list, nr_frames)
            ulong* frames = (ulong*)frameList;
            ulong* copy = stackalloc ulong[Layout.FIRST_RESERVED_GDT_PAGE];
            for (int i = 0; i < pages; i++) copy[i] = frames[i];       // copy_from_guest: one read of the list
            return Install(copy, pages);
        }

        /// <summary>
        /// pv_set_gdt for the current vCPU (Guest.Vcpu.Id) on its own CPU, from a copied frame
        /// list of <paramref name="pages"/> frames (set_gdt; VCPUOP_initialise's gdt_frames when
        /// the vCPU first runs): -EINVAL as <see cref="SetGdt"/>.
        /// </summary>
        public static long Install(ulong* copy, int pages)
        {
            int me = Guest.Vcpu.Id;
            for (int i = 0; i < pages; i++)
                if (copy[i] >= Host.FrameCount) return Refuse("pv_set_gdt: frame not valid (mfn_valid)", copy[i]);
            if (CheckedMode.On)
            {
                for (int i = 0; i < pages; i++)
                {
                    long rc = TakeSegDesc(copy[i]);
                    if (rc == 0) continue;
                    while (i-- > 0) PageTypes.PutPageAndType(copy[i]);
                    return rc;
                }
                fixed (Frames* f = &s_frames)
                {
                    ulong* mine = f->Mfn + me * Layout.FIRST_RESERVED_GDT_PAGE;
                    for (int i = 0; i < f->Count[me]; i++) PageTypes.PutPageAndType(mine[i]);
                    for (int i = 0; i < pages; i++) mine[i] = copy[i];
                    f->Count[me] = pages;
                }
                ShowShadows(copy, pages);
                return 0;
            }
            Gdt.SetGuestFrames(me, copy, pages);
            return 0;
        }

        /// <summary>
        /// Checked mode, at boot before the domain is built (the domain's memory map is the
        /// machine's less what the shim holds then): allocates the zeroed shadow frames.
        /// </summary>
        public static void InitShadow() => InitShadow(0);

        /// <summary>As <see cref="InitShadow()"/> for vCPU <paramref name="vcpu"/> (Smp/Vcpus.cs: each vCPU's CPU shows its own GDT).</summary>
        public static void InitShadow(int vcpu)
        {
            fixed (ShadowFrames* s = &s_shadow)
            {
                for (int k = 0; k < ShadowGdt.Pages; k++)
                {
                    ulong f = Host.Frames.AllocHigh();
                    if (f == FrameAllocator.None) Panic.Stop("no memory for the shadow GDT");
                    Host.Mem.ZeroFrame(f);
                    s->Mfn[vcpu * ShadowGdt.Pages + k] = f;
                }
                s->Ready[vcpu] = 1;
            }
        }

        /// <summary>
        /// Checked set_gdt after validation: each position's guest frame takes Xen's view and its
        /// shadow frame the ring-0 view (<see cref="ShadowGdt.Merge"/>); the hardware GDT shows the shadows.
        /// </summary>
        static void ShowShadows(ulong* frames, int pages)
        {
            int me = Guest.Vcpu.Id;
            fixed (ShadowFrames* s = &s_shadow)
            {
                if (s->Ready[me] == 0) Panic.Stop("shadow GDT not allocated");
                ulong* mine = s->Mfn + me * ShadowGdt.Pages;
                if (s->Ready[me] == 1 && me != 0)
                {
                    // A secondary vCPU's first GDT is a copy of a GDT Xen's view already rewrote
                    // (Linux's per-CPU GDT): its positions start with vCPU 0's ring-0 view, as the
                    // boot CPU's shadow keeps them across such copies (ShadowGdt.Merge).
                    for (int k = 0; k < ShadowGdt.Pages; k++)
                    {
                        ulong* from = (ulong*)Host.Mem.Frame(s->Mfn[k]), to = (ulong*)Host.Mem.Frame(mine[k]);
                        for (int i = 0; i < 512; i++) to[i] = from[i];
                    }
                    s->Ready[me] = 2;
                }
                for (int i = 0; i < pages; i++)
                    ShadowGdt.Merge((ulong*)Host.Mem.Frame(frames[i]), (ulong*)Host.Mem.Frame(mine[i]));
                Gdt.SetGuestFrames(me, mine, pages);
            }
        }

        /// <summary>
        /// Checked update_descriptor: writes <paramref name="desc"/> (accepted) at machine address
        /// <paramref name="ma"/>, Xen's view there and the ring-0 view in the shadow of every
        /// installed GDT position showing that frame.
        /// </summary>
        static void WriteBoth(ulong ma, ulong desc)
        {
            ShadowGdt.Write((ulong*)Host.Mem.At(ma), null, desc);
            fixed (Frames* f = &s_frames)
            fixed (ShadowFrames* s = &s_shadow)
                for (int v = 0; v < Guest.Vcpu.Max; v++)
                    for (int i = 0; i < f->Count[v]; i++)
                        if (f->Mfn[v * Layout.FIRST_RESERVED_GDT_PAGE + i] == ma >> 12)
                            *(ulong*)Host.Mem.At((s->Mfn[v * ShadowGdt.Pages + i] << 12) | (ma & 0xfff)) = ShadowGdt.RingZero(desc);
        }

        /// <summary>
        /// get_page_and_type(PGT_seg_desc_page) for one GDT frame; the page-type code validates
        /// every descriptor of a frame taking that type (Xen's alloc_segdesc_page).
        /// </summary>
        static long TakeSegDesc(ulong mfn)
        {
            long rc = PageTypes.GetPageAndType(mfn, PageType.SegDesc);
            if (rc != 0) CheckLog.Refuse("pv_set_gdt: get_page_and_type(PGT_seg_desc_page) failed", mfn);
            return rc == 0 ? 0 : -XenErrno.EINVAL;
        }

        /// <summary>
        /// HYPERVISOR_update_descriptor(ma, desc): writes one 8-byte descriptor at machine address
        /// ma. -EINVAL for an unaligned address or a frame outside RAM. Checked mode, as
        /// do_update_descriptor: -EINVAL when check_descriptor refuses <paramref name="desc"/>, when
        /// the frame is not the guest's, or when it is neither a descriptor page nor able to be
        /// writable (a page table in use).
        /// </summary>
        public static long UpdateDescriptor(ulong ma, ulong desc)
        {
            if ((ma & 7) != 0) return Refuse("do_update_descriptor: address not 8-byte aligned", ma);
            if (CheckedMode.On)
            {
                DescriptorVerdict v = Descriptor.Check(desc, out _);
                if (!Descriptor.Accepted(v)) { CheckLog.Refuse(Descriptor.Site(v), desc); return -XenErrno.EINVAL; }
            }
            if ((ma >> 12) >= Host.FrameCount) return Refuse("do_update_descriptor: frame not valid (get_page_from_gfn)", ma);
            if (CheckedMode.On)
            {
                // Xen: a seg_desc page keeps its type (get_page_type(PGT_seg_desc_page)); any other
                // page must be able to become writable for the write (get_page_type(PGT_writable_page)).
                ulong mfn = ma >> 12;
                if (PageTypes.GetPageAndType(mfn, PageType.Writable) != 0 && PageTypes.GetPageAndType(mfn, PageType.SegDesc) != 0)
                    return Refuse("do_update_descriptor: frame is neither a descriptor page nor writable", ma);
                WriteBoth(ma, desc);
                PageTypes.PutPageAndType(mfn);
                return 0;
            }
            *(ulong*)Host.Mem.At(ma) = desc;
            return 0;
        }

        /// <summary>A refused request: logged once per site in checked mode; Xen's -EINVAL.</summary>
        static long Refuse(string site, ulong value)
        {
            if (CheckedMode.On) CheckLog.Refuse(site, value);
            return -XenErrno.EINVAL;
        }
    }
}
