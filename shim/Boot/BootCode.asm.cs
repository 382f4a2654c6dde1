using Microxen.Xen;

namespace Microxen.Native;

/// <summary>
/// The .boot section, at physical 0x100000 (linker.ld asserts it): the multiboot v1 header with
/// the a.out kludge (QEMU -kernel), the multiboot2 header with address and entry tags (GRUB),
/// the 32-bit entry that builds boot page tables and enters long mode, and the low 64-bit stub
/// that jumps to the shim's C# entry in the high half.
/// Boot page tables: one PD of 512 2 MiB pages (physical 0..1 GiB) referenced three times:
/// identity (L4 slot 0, only for the switch), the image window at 0xffff82d080000000 (slot 261)
/// and the direct map at 0xffff830000000000 (slot 262). The C# side replaces them.
/// </summary>
static class BootCode
{
    public const uint Base = 0x100000;
    const uint Boot32 = Base + 0xc0;
    const uint LongEntry = Base + 0x200;
    const uint Gdt = Base + 0x300;
    const uint GdtPtr = Base + 0x320;
    /// <summary>The boot L4 (identity 0-1 GiB, image window, direct map): also the APs' first page table (shim/Smp).</summary>
    public const uint Pml4 = Base + 0x1000;
    const uint PdptLow = Base + 0x2000;
    const uint PdptHigh = Base + 0x3000;
    const uint PdptDirect = Base + 0x4000;
    const uint Pd = Base + 0x5000;
    public const uint Size = 0x6000;

    const uint Mb1Magic = 0x1BADB002;
    const uint Mb1Flags = 0x00010003; // page-align modules, memory info, address fields (a.out kludge)
    const uint Mb2Magic = 0xE85250D6;
    const uint Mb2Length = 112;
    /// <summary>A boot page-table entry that references a table: present, writable.</summary>
    const uint Table = (uint)(PageFlags.Present | PageFlags.RW);

    public static void Write(StringBuilder sb)
    {
        sb.AppendLine("\t.section .boot,\"awx\",@progbits");
        sb.AppendLine("\t.globl __boot_start").AppendLine("__boot_start:");
        // Multiboot v1 header (multiboot spec 3.1.1, with the address fields of 3.1.3).
        sb.AppendLine($"\t.long 0x{Mb1Magic:x}, 0x{Mb1Flags:x}, 0x{unchecked(0u - (Mb1Magic + Mb1Flags)):x}");
        sb.AppendLine($"\t.long __boot_start, __boot_start, __load_end_phys, __bss_end_phys, 0x{Boot32:x}");
        // Multiboot2 header (multiboot2 spec 3.1): address tag, entry tag, module alignment, then as
        // Xen's header: console flags (EGA text supported, optional) and a framebuffer with no
        // preference (optional: GRUB EFI passes its GOP framebuffer on); end. No EFI boot-services
        // tag: GRUB exits boot services before jumping to the 32-bit entry.
        sb.AppendLine($"\t.balign 8");
        sb.AppendLine($"\t.long 0x{Mb2Magic:x}, 0, {Mb2Length}, 0x{unchecked(0u - (Mb2Magic + Mb2Length)):x}");
        sb.AppendLine("\t.short 2, 0\n\t.long 24, __boot_start + 32, __boot_start, __load_end_phys, __bss_end_phys");
        sb.AppendLine($"\t.short 3, 0\n\t.long 12, 0x{Boot32:x}, 0");
        sb.AppendLine("\t.short 6, 0\n\t.long 8");
        sb.AppendLine("\t.short 4, 1\n\t.long 12, 2, 0");          // console flags: EGA text supported (+ pad)
        sb.AppendLine("\t.short 5, 1\n\t.long 20, 0, 0, 0, 0");    // framebuffer: width, height, depth 0 (+ pad)
        sb.AppendLine("\t.short 0, 0\n\t.long 8");

        sb.AppendLine($"\t.org 0x{Boot32 - Base:x}");
        Entry32().WriteTo(sb);
        sb.AppendLine($"\t.org 0x{LongEntry - Base:x}");
        Entry64().WriteTo(sb);
        sb.AppendLine($"\t.org 0x{Gdt - Base:x}");
        sb.AppendLine("\t.quad 0, 0x00af9a000000ffff, 0x00cf92000000ffff");
        sb.AppendLine($"\t.org 0x{GdtPtr - Base:x}");
        sb.AppendLine($"\t.short 23\n\t.long 0x{Gdt:x}");
        sb.AppendLine($"\t.org 0x{Size:x}");
    }

    static Block Entry32()
    {
        var b = new Block(32, Boot32);
        var a = b.Asm;
        a.cli();
        a.mov(edi, eax);             // multiboot magic
        a.mov(esi, ebx);             // multiboot information (physical)
        a.mov(__dword_ptr[Pml4 + 0 * 8], PdptLow | Table);
        a.mov(__dword_ptr[Pml4 + 261 * 8], PdptHigh | Table);
        a.mov(__dword_ptr[Pml4 + 262 * 8], PdptDirect | Table);
        a.mov(__dword_ptr[PdptLow + 0], Pd | Table);
        a.mov(__dword_ptr[PdptHigh + 322 * 8], Pd | Table);
        a.mov(__dword_ptr[PdptDirect + 0], Pd | Table);
        a.xor(ecx, ecx);
        var fill = b.Here();
        a.mov(eax, ecx);
        a.shl(eax, 21);
        a.or(eax, Table | (uint)PageFlags.PSE);   // present, writable, 2 MiB page
        a.mov(__dword_ptr[ecx * 8 + Pd], eax);
        a.inc(ecx);
        a.cmp(ecx, 512);
        a.jb(fill);
        a.mov(edx, Pml4);
        EnableLongMode(a);
        a.lgdt(__fword_ptr[GdtPtr]);
        a.jmp(0x08, LongEntry);
        return b;
    }

    /// <summary>
    /// 32-bit code, paging off: CR3 = EDX, CR4.PAE and SSE (the C# code uses SSE), EFER.LME|NXE,
    /// then CR0.PG|WP|MP|PE (WP: supervisor writes to read-only pages fault): long mode is active
    /// once a far jump loads a 64-bit CS. The BSP's boot and the APs' trampoline (shim/Smp).
    /// Clobbers EAX, ECX, EDX.
    /// </summary>
    public static void EnableLongMode(Assembler a)
    {
        a.mov(cr3, edx);
        a.mov(eax, cr4);
        a.or(eax, (int)(X86.Cr4.PAE | X86.Cr4.OSFXSR | X86.Cr4.OSXMMEXCPT));
        a.mov(cr4, eax);
        a.mov(ecx, X86.Msr.IA32_EFER);
        a.rdmsr();
        a.or(eax, (int)(X86.Efer.LME | X86.Efer.NXE));
        a.wrmsr();
        a.mov(eax, cr0);
        a.and(eax, ~(int)X86.Cr0.EM);
        a.or(eax, unchecked((int)(X86.Cr0.PG | X86.Cr0.WP | X86.Cr0.MP | X86.Cr0.PE)));
        a.mov(cr0, eax);
    }

    static Block Entry64()
    {
        var b = new Block(64, LongEntry);
        var a = b.Asm;
        a.mov(eax, 0x10);
        a.mov(ds, ax);
        a.mov(es, ax);
        a.mov(ss, ax);
        a.xor(eax, eax);
        a.mov(fs, ax);
        a.mov(gs, ax);
        a.mov(edi, edi);             // zero-extend: upper halves are undefined after the mode switch
        a.mov(esi, esi);
        b.WithSymbol("boot_stack_top", 8, () => a.mov(rsp, 0x1122334455667788UL));
        b.WithSymbol("shim_main", 8, () => a.mov(rax, 0x1122334455667788UL));
        a.call(rax);
        var halt = b.Here();
        a.cli();
        a.hlt();
        a.jmp(halt);
        return b;
    }
}
