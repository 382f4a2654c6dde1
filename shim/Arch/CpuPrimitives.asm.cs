using System.Reflection;

namespace Microxen.Native;

/// <summary>
/// Instructions C# cannot express, as System V functions (args rdi, rsi, rdx; result rax) that
/// the shim calls through <c>[DllImport("*")]</c> direct calls (shim/Arch/Cpu.cs), plus the
/// symbols NativeAOT's generated code expects of its runtime.
/// </summary>
static class CpuPrimitives
{
    public static void Write(StringBuilder sb)
    {
        sb.AppendLine("\t.section .text.cpu,\"ax\",@progbits");
        var b = new Block(64);
        var a = b.Asm;

        b.Global("cpu_outb"); a.mov(edx, edi); a.mov(eax, esi); a.@out(dx, al); a.ret();
        b.Global("cpu_outw"); a.mov(edx, edi); a.mov(eax, esi); a.@out(dx, ax); a.ret();
        b.Global("cpu_outl"); a.mov(edx, edi); a.mov(eax, esi); a.@out(dx, eax); a.ret();
        b.Global("cpu_inb"); a.mov(edx, edi); a.xor(eax, eax); a.@in(al, dx); a.ret();
        b.Global("cpu_inw"); a.mov(edx, edi); a.xor(eax, eax); a.@in(ax, dx); a.ret();
        b.Global("cpu_inl"); a.mov(edx, edi); a.@in(eax, dx); a.ret();

        b.Global("cpu_read_cr0"); a.mov(rax, cr0); a.ret();
        b.Global("cpu_read_cr2"); a.mov(rax, cr2); a.ret();
        b.Global("cpu_read_cr3"); a.mov(rax, cr3); a.ret();
        b.Global("cpu_read_cr4"); a.mov(rax, cr4); a.ret();
        b.Global("cpu_write_cr0"); a.mov(cr0, rdi); a.ret();
        b.Global("cpu_write_cr3"); a.mov(cr3, rdi); a.ret();
        b.Global("cpu_write_cr4"); a.mov(cr4, rdi); a.ret();
        b.Global("cpu_flush_tlb"); a.mov(rax, cr3); a.mov(cr3, rax); a.ret();
        b.Global("cpu_invlpg"); a.invlpg(__byte_ptr[rdi]); a.ret();

        b.Global("cpu_rdmsr"); a.mov(ecx, edi); a.rdmsr(); a.shl(rdx, 32); a.or(rax, rdx); a.ret();
        b.Global("cpu_wrmsr"); a.mov(ecx, edi); a.mov(eax, esi); a.mov(rdx, rsi); a.shr(rdx, 32); a.wrmsr(); a.ret();
        b.Global("cpu_rdtsc"); a.rdtsc(); a.shl(rdx, 32); a.or(rax, rdx); a.ret();

        // cpu_cpuid(leaf, subleaf, uint* out4): eax, ebx, ecx, edx into out4[0..3].
        b.Global("cpu_cpuid");
        a.push(rbx); a.mov(eax, edi); a.mov(ecx, esi); a.mov(r8, rdx); a.cpuid();
        a.mov(__dword_ptr[r8], eax); a.mov(__dword_ptr[r8 + 4], ebx);
        a.mov(__dword_ptr[r8 + 8], ecx); a.mov(__dword_ptr[r8 + 12], edx);
        a.pop(rbx); a.ret();

        b.Global("cpu_lgdt"); a.lgdt(__fword_ptr[rdi]); a.ret();
        b.Global("cpu_lidt"); a.lidt(__fword_ptr[rdi]); a.ret();
        b.Global("cpu_ltr"); a.ltr(di); a.ret();
        b.Global("cpu_lldt"); a.lldt(di); a.ret();
        // cpu_load_segments(cs, ds): reload CS with a far return, and DS/ES/SS. FS/GS are left
        // alone: loading them would clear the bases the guest set.
        b.Global("cpu_load_segments");
        a.mov(ds, si); a.mov(es, si); a.mov(ss, si);
        a.pop(rax); a.push(rdi); a.push(rax); a.db(0x48, 0xcb); // retfq

        // cpu_load_user_gs(sel): loads the user GS selector without losing the kernel GS base.
        b.Global("cpu_load_user_gs"); a.swapgs();
        FaultFixups.Around(b, "load_user_gs_c", FaultFixupKind.RetryNullSelector, FaultFixups.CpuFrameOffset("Rdi"), () => a.mov(gs, di));
        a.swapgs(); a.ret();
        // Debug registers: cpu_read_drN() / cpu_write_drN(value) for N = 0-3, 6, 7.
        foreach (int n in new[] { 0, 1, 2, 3, 6, 7 })
        {
            var dr = n switch { 0 => dr0, 1 => dr1, 2 => dr2, 3 => dr3, 6 => dr6, _ => dr7 };
            b.Global($"cpu_read_dr{n}"); a.mov(rax, dr); a.ret();
            b.Global($"cpu_write_dr{n}"); a.mov(dr, rdi); a.ret();
        }
        b.Global("cpu_swapgs"); a.swapgs(); a.ret();
        // cpu_read_segments(ushort* out4): the DS, ES, FS, GS selectors.
        b.Global("cpu_read_segments");
        a.mov(eax, ds); a.mov(__word_ptr[rdi], ax);
        a.mov(eax, es); a.mov(__word_ptr[rdi + 2], ax);
        a.mov(eax, fs); a.mov(__word_ptr[rdi + 4], ax);
        a.mov(eax, gs); a.mov(__word_ptr[rdi + 6], ax);
        a.ret();
        b.Global("cpu_read_rflags"); a.pushfq(); a.pop(rax); a.ret();
        b.Global("cpu_cli"); a.cli(); a.ret();
        b.Global("cpu_sti"); a.sti(); a.ret();
        b.Global("cpu_hlt"); a.hlt(); a.ret();
        b.Global("cpu_sti_hlt"); a.sti(); a.hlt(); a.cli(); a.ret();
        b.Global("cpu_halt_forever"); var h = b.Here(); a.cli(); a.hlt(); a.jmp(h);
        b.Global("cpu_pause"); a.pause(); a.ret();
        // cpu_index(): IA32_TSC_AUX through rdtscp (the shim's CPU index, shim/Smp).
        b.Global("cpu_index"); a.rdtscp(); a.mov(eax, ecx); a.ret();
        // cpu_gdt_base(): the loaded GDT's base (sgdt): each CPU's GDT is its own (Smp.Cpus.Current).
        b.Global("cpu_gdt_base"); a.sub(rsp, 16); a.sgdt(__[rsp]); a.mov(rax, __qword_ptr[rsp + 2]); a.add(rsp, 16); a.ret();
        // cpu_cmpxchg(ulong* p, ulong expected, ulong value): lock cmpxchg; returns the old value.
        b.Global("cpu_cmpxchg"); a.mov(rax, rsi); a.@lock.cmpxchg(__qword_ptr[rdi], rdx); a.ret();

        // cpu_symbols(NativeSymbols* out): copies the link-time addresses NativeSymbols names
        // (shim/Arch/NativeSymbols.cs), in its field order.
        var symbols = NativeSymbolList();
        var table = a.CreateLabel();
        b.Global("cpu_symbols");
        a.lea(rsi, __[table]); a.mov(ecx, symbols.Count); a.rep.movsq(); a.ret();
        a.Label(ref table);
        foreach (var sym in symbols) b.WithSymbol(sym, 8, () => a.dq(0UL));

        // NativeAOT runtime symbols: no GC, no threads, no stack probing needed.
        b.Global("RhpGcPoll"); a.ret();
        b.Global("RhpStackProbe"); a.ret();
        b.WriteTo(sb);

        sb.AppendLine("\t.section .data.cpu,\"aw\",@progbits");
        sb.AppendLine("\t.balign 8");
        sb.AppendLine("\t.globl RhpTrapThreads\nRhpTrapThreads:\n\t.long 0, 0");
        sb.AppendLine("\t.globl __security_cookie\n__security_cookie:\n\t.quad 0x2b992ddfa23249d6");
    }

    /// <summary>The symbols of NativeSymbols' fields by offset; refuses a layout that is not one quad a field.</summary>
    static List<string> NativeSymbolList()
    {
        var fields = typeof(NativeSymbols).GetFields().Where(f => !f.IsLiteral)
            .OrderBy(f => (int)Marshal.OffsetOf<NativeSymbols>(f.Name)).ToList();
        for (int i = 0; i < fields.Count; i++)
            if ((int)Marshal.OffsetOf<NativeSymbols>(fields[i].Name) != i * 8 || fields[i].FieldType != typeof(ulong))
                throw new InvalidOperationException($"NativeSymbols.{fields[i].Name}: not the ulong at offset {i * 8}");
        if (fields.Count != NativeSymbols.Count || Marshal.SizeOf<NativeSymbols>() != fields.Count * 8)
            throw new InvalidOperationException($"NativeSymbols: {fields.Count} fields, Count says {NativeSymbols.Count}");
        return fields.Select(f => f.GetCustomAttribute<NativeSymbolAttribute>()?.Name
            ?? throw new InvalidOperationException($"NativeSymbols.{f.Name} names no symbol")).ToList();
    }
}
