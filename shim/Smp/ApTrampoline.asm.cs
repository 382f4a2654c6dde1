using Microxen.Smp;
using Microxen.Xen;

namespace Microxen.Native;

/// <summary>
/// An application processor's way from the SIPI to C# (the page's layout: shim/Smp/ApBootData.cs).
/// <c>ap_trampoline</c> is a template in .rodata that the BSP copies below 1 MiB: real mode loads
/// the trampoline GDT and enters 32-bit protected mode; 32-bit code enables long mode as the BSP's
/// boot does (BootCode.EnableLongMode, CR3 = the boot L4), then far-returns into 64-bit code that
/// loads the AP's stack, CPU index and the shim's CR3 from the data and jumps to
/// <c>ap_start</c> in the image window (mapped by both L4s), which loads the shim's CR3 and calls
/// <c>ap_main</c>(cpu). EBX = P (the page's physical address) throughout.
/// </summary>
static class ApTrampoline
{
    const int D = ApBootData.Offset;

    public static void Write(StringBuilder sb)
    {
        sb.AppendLine("\t.section .rodata.ap_trampoline,\"a\",@progbits");
        sb.AppendLine("\t.balign 4096\n\t.globl ap_trampoline\nap_trampoline:");
        RealMode().WriteTo(sb);
        sb.AppendLine($"\t.org ap_trampoline + 0x{ApBootData.Code32:x}");
        Protected().WriteTo(sb);
        sb.AppendLine($"\t.org ap_trampoline + 0x{ApBootData.Code64:x}");
        Long().WriteTo(sb);
        sb.AppendLine($"\t.org ap_trampoline + 0x{D:x}");
        // GDT: null, 32-bit code, data, 64-bit code (flat, DPL 0).
        sb.AppendLine("\t.quad 0, 0x00cf9a000000ffff, 0x00cf92000000ffff, 0x00af9a000000ffff");
        sb.AppendLine($"\t.short {4 * 8 - 1}\n\t.long 0");
        sb.AppendLine($"\t.org ap_trampoline + 0x{D + (int)Marshal.OffsetOf<ApBootData>(nameof(ApBootData.Far32Offset)):x}");
        sb.AppendLine($"\t.long 0\n\t.short 0x{ApBootData.Code32Selector:x}");
        sb.AppendLine($"\t.org ap_trampoline + 0x{ApBootData.PageBytes:x}");
        Check();

        sb.AppendLine($"\t.globl boot_pml4\n\t.set boot_pml4, 0x{BootCode.Pml4:x}");
        sb.AppendLine("\t.text");
        ApStart().WriteTo(sb);
    }

    static int Field(string name) => D + (int)Marshal.OffsetOf<ApBootData>(name);

    static void Check()
    {
        if (Field(nameof(ApBootData.GdtLimit)) != D + 4 * 8) throw new InvalidOperationException("ApBootData: the GDT limit must follow the four descriptors");
    }

    static Block RealMode()
    {
        var b = new Block(16, 0);
        var a = b.Asm;
        a.cli();
        a.cld();
        a.mov(ax, cs);
        a.mov(ds, ax);
        a.movzx(ebx, ax);
        a.shl(ebx, 4);                                           // EBX = P
        a.lgdt(__fword_ptr[Field(nameof(ApBootData.GdtLimit))]);
        a.mov(eax, cr0);
        a.or(eax, (int)X86.Cr0.PE);
        a.mov(cr0, eax);
        a.jmp(__fword_ptr[Field(nameof(ApBootData.Far32Offset))]);   // far: selector 0x08, P + Code32
        return b;
    }

    static Block Protected()
    {
        var b = new Block(32, ApBootData.Code32);
        var a = b.Asm;
        a.mov(eax, ApBootData.DataSelector);
        a.mov(ds, ax);
        a.mov(es, ax);
        a.mov(ss, ax);
        a.mov(edx, __dword_ptr[ebx + Field(nameof(ApBootData.BootCr3))]);
        BootCode.EnableLongMode(a);
        a.lea(esp, __dword_ptr[ebx + 4096]);                    // the page's free end: a stack for the far return
        a.push(ApBootData.Code64Selector);
        a.lea(eax, __dword_ptr[ebx + ApBootData.Code64]);
        a.push(eax);
        a.retf();
        return b;
    }

    static Block Long()
    {
        var b = new Block(64, ApBootData.Code64);
        var a = b.Asm;
        a.mov(ebx, ebx);                                         // upper halves are undefined after the switch
        a.mov(rsp, __qword_ptr[rbx + Field(nameof(ApBootData.StackTop))]);
        a.mov(rdi, __qword_ptr[rbx + Field(nameof(ApBootData.Cpu))]);
        a.mov(rax, __qword_ptr[rbx + Field(nameof(ApBootData.ShimCr3))]);
        a.mov(rcx, __qword_ptr[rbx + Field(nameof(ApBootData.ApStart))]);
        a.jmp(rcx);
        return b;
    }

    /// <summary>ap_start: in the image window; RAX = the shim's CR3, RDI = CPU index, RSP = the AP's stack.</summary>
    static Block ApStart()
    {
        var b = new Block(64);
        var a = b.Asm;
        b.Global("ap_start");
        a.mov(cr3, rax);
        b.WithSymbol("ap_main", 8, () => a.mov(rax, 0x1122334455667788UL));
        a.call(rax);
        var halt = b.Here();
        a.cli();
        a.hlt();
        a.jmp(halt);
        return b;
    }
}
