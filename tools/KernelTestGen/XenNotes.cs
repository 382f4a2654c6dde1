using System.Text;
using Microxen.Xen;

namespace Microxen.Tools.KernelTestGen;

/// <summary>
/// The Xen ELF notes of kernel-test (public/elfnote.h), in two sections: .note.Xen for the
/// build linked in the kernel half (kernel-test/kernel-test.ld: VIRT_BASE, PADDR_OFFSET, ENTRY,
/// PAE_MODE, ... as Linux carries them) and .note.Xen.low for the build linked at 1 MiB
/// (kernel-test/kernel-test-low.ld), which carries only what such kernels carry: GUEST_OS,
/// LOADER "generic", HYPERCALL_PAGE, XEN_VERSION; Xen's libelf defaults the rest (VIRT_BASE 0,
/// entry = e_entry). Each linker script keeps its own section in a PT_NOTE segment and discards
/// the other. Each note is namesz, descsz, type, "Xen\0", then the descriptor padded to 4
/// bytes, as Linux's xen-head.S and XTF write them. Addresses are resolved by ld.
/// </summary>
static class XenNotes
{
    /// <summary>XEN_ELFNOTE_VIRT_BASE: the image is linked at VirtBase + physical offset (kernel-test.ld).</summary>
    public const ulong VirtBase = 0xffffffff80000000;

    public static void Write(StringBuilder sb)
    {
        sb.AppendLine("\t.section .note.Xen,\"a\",@note");
        sb.AppendLine("\t.balign 4");
        String(sb, ElfNote.GuestOs, "microxen-kernel-test");
        String(sb, ElfNote.GuestVersion, "1");
        String(sb, ElfNote.XenVersion, "xen-3.0");
        Quad(sb, ElfNote.VirtBase, $"0x{VirtBase:x}");
        Quad(sb, ElfNote.PaddrOffset, "0");
        Quad(sb, ElfNote.Entry, "kt_start");
        Quad(sb, ElfNote.HypercallPage, "hypercall_page");
        // No "!" requirement: kernel-test writes its page tables only through hypercalls.
        String(sb, ElfNote.Features, "pae_pgdir_above_4gb");
        String(sb, ElfNote.PaeMode, "yes");
        String(sb, ElfNote.Loader, "generic");

        sb.AppendLine("\t.section .note.Xen.low,\"a\",@note");
        sb.AppendLine("\t.balign 4");
        String(sb, ElfNote.GuestOs, "microxen-kernel-test");
        String(sb, ElfNote.Loader, "generic");
        Quad(sb, ElfNote.HypercallPage, "hypercall_page");
        String(sb, ElfNote.XenVersion, "xen-3.0");
    }

    static int _n;

    static void Note(StringBuilder sb, int type, string desc)
    {
        int n = _n++;
        sb.AppendLine($"\t.long 4, .Lnd_end{n} - .Lnd{n}, {type}");
        sb.AppendLine("\t.asciz \"Xen\"");
        sb.AppendLine($".Lnd{n}:");
        sb.AppendLine(desc);
        sb.AppendLine($".Lnd_end{n}:");
        sb.AppendLine("\t.balign 4");
    }

    static void String(StringBuilder sb, int type, string s) => Note(sb, type, $"\t.asciz \"{s}\"");
    static void Quad(StringBuilder sb, int type, string expr) => Note(sb, type, $"\t.quad {expr}");
}
