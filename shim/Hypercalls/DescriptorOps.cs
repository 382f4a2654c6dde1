using Microxen.Arch;
using Microxen.Boot;
using Microxen.Xen;

namespace Microxen.Hypercalls
{
    /// <summary>set_gdt and update_descriptor (public/xen.h): the guest's GDT frames shown in the shim's GDT area.</summary>
    public static unsafe class DescriptorOps
    {
        /// <summary>HYPERVISOR_set_gdt(frame_list, entries): up to 14 pages (7168 entries).</summary>
        public static long SetGdt(ulong frameList, ulong entries)
        {
            if (entries > (ulong)Gdt.GuestEntries) return -XenErrno.EINVAL;
            int pages = (int)((entries + 511) / 512);
            ulong* frames = (ulong*)frameList;
            for (int i = 0; i < pages; i++)
                if (frames[i] >= Host.FrameCount) return -XenErrno.EINVAL;
            Gdt.SetGuestFrames(frames, pages);
            return 0;
        }

        /// <summary>HYPERVISOR_update_descriptor(ma, desc): writes one 8-byte descriptor at machine address ma.</summary>
        public static long UpdateDescriptor(ulong ma, ulong desc)
        {
            if ((ma & 7) != 0 || (ma >> 12) >= Host.FrameCount) return -XenErrno.EINVAL;
            *(ulong*)Host.Mem.At(ma) = desc;
            return 0;
        }
    }
}
