using Iced.Intel;
using KernelTest.Arch;
using Microxen.Arch;
using Microxen.Tools.AsmGen;
using static Iced.Intel.AssemblerRegisters;

namespace Microxen.Tools.KernelTestGen;

/// <summary>kernel-test's issue 8 probes (selectors, int $N, ring-3-style iretq) and the register-ABI canary calls: part of <see cref="KernelCode"/>'s block.</summary>
static partial class KernelCode
{
    /// <summary>Emits them into <paramref name="b"/>; <paramref name="entry"/>: the transfer page's 128 entries.</summary>
    static void SelectorAndCanaryCode(Block b, Label[] entry)
    {
        var a = b.Asm;
        // Issue 8 (selectors, int $N, ring-3-style iretq): kernel-mode probes and helpers.
        foreach (int n in SoftIntProbes)
        {
            b.Global($"kt_probe_int_{n:x}");
            Probe(b, null, () => a.db(0xcd, (byte)n));   // int $n
            a.ret();
        }
        // kt_flat_load(ulong* out): 0xe02b (FLAT_RING3_DS32/SS) into DS, ES, FS and SS; out[0..4] =
        // DS, ES, FS, SS read back and CS; a push/pop on the new SS; DS, ES, SS restored, FS NUL.
        b.Global("kt_flat_load");
        a.xor(eax, eax);
        a.mov(ax, ds); a.mov(r8, rax);
        a.mov(ax, es); a.mov(r9, rax);
        a.mov(ax, ss); a.mov(r10, rax);
        a.mov(eax, (int)Microxen.Xen.Layout.FLAT_RING3_DS32);
        a.mov(ds, ax); a.mov(es, ax); a.mov(fs, ax);
        a.mov(ss, eax);
        a.push(rax); a.pop(rcx);
        a.xor(eax, eax);
        a.mov(ax, ds); a.mov(__qword_ptr[rdi], rax);
        a.mov(ax, es); a.mov(__qword_ptr[rdi + 8], rax);
        a.mov(ax, fs); a.mov(__qword_ptr[rdi + 16], rax);
        a.mov(ax, ss); a.mov(__qword_ptr[rdi + 24], rax);
        a.mov(ax, cs); a.mov(__qword_ptr[rdi + 32], rax);
        a.mov(ds, r8w); a.mov(es, r9w); a.mov(ss, r10w);
        a.xor(eax, eax); a.mov(fs, ax);
        a.ret();
        // kt_ldt_probe(sel, ulong* out): out[0] = lsl(sel) (~0 when refused, then nothing else),
        // out[1] = lar(sel), out[2] = ES read back after loading sel into it, out[3] = the qword at
        // out[0] read through %es; ES restored.
        b.Global("kt_ldt_probe");
        var ldtRefused = a.CreateLabel();
        a.xor(eax, eax); a.mov(ecx, edi);
        a.lsl(eax, ecx);
        a.jnz(ldtRefused);
        a.mov(__qword_ptr[rsi], rax);
        a.xor(eax, eax); a.lar(eax, ecx); a.mov(__qword_ptr[rsi + 8], rax);
        a.xor(eax, eax); a.mov(ax, es); a.mov(r8, rax);
        a.mov(es, di);
        a.xor(eax, eax); a.mov(ax, es); a.mov(__qword_ptr[rsi + 16], rax);
        a.db(0x26, 0x48, 0x8b, 0x06);   // mov %es:(%rsi),%rax
        a.mov(__qword_ptr[rsi + 24], rax);
        a.mov(es, r8w);
        a.ret();
        a.Label(ref ldtRefused);
        a.mov(__qword_ptr[rsi], -1);
        a.ret();
        // kt_flat_lretq(cs, withImm) -> CS after a 64-bit far return to cs (lretq, or lretq $16
        // over two words pushed before the frame).
        b.Global("kt_flat_lretq");
        var lretNext = a.CreateLabel();
        var lretPlain = a.CreateLabel();
        a.test(rsi, rsi);
        a.jz(lretPlain);
        a.push(0x1111); a.push(0x2222);
        a.push(rdi);
        a.lea(rax, __[lretNext]); a.push(rax);
        a.db(0x48, 0xca, 16, 0);                                       // lretq $16
        a.Label(ref lretPlain);
        a.push(rdi);
        a.lea(rax, __[lretNext]); a.push(rax);
        a.db(0x48, 0xcb);                                              // lretq
        a.Label(ref lretNext);
        a.xor(eax, eax); a.mov(ax, cs);
        a.ret();
        // kt_flat_iretq(cs, ss, ulong* out) -> CF after: Mini-OS's direct return, iretq to
        // cs:next, ss:rsp (the stack as it was) with the current flags plus CF; out[0..1] = CS, SS after.
        b.Global("kt_flat_iretq");
        var iretqNext = a.CreateLabel();
        a.mov(rax, rsp);
        a.push(rsi);
        a.push(rax);
        a.pushfq();
        a.or(__qword_ptr[rsp], (int)X86.Rflags.CF);
        a.push(rdi);
        a.lea(rax, __[iretqNext]); a.push(rax);
        a.iretq();
        a.Label(ref iretqNext);
        a.mov(eax, 0);
        a.adc(eax, 0);
        a.xor(ecx, ecx);
        a.mov(cx, cs); a.mov(__qword_ptr[rdx], rcx);
        a.mov(cx, ss); a.mov(__qword_ptr[rdx + 8], rcx);
        a.ret();

        // kt_canary_call(target): every register but rsp loaded from kt_state.CanaryIn (rflags:
        // CanaryFlagBits from there, the rest as they are), then `call target` (0: a direct
        // `syscall`, RAX = the hypercall number, as Linux's xen_hypercall_pv), then every
        // register and rflags stored in kt_state.CanaryOut.
        if (CanaryRegs.Length != ProbeState.CanaryRflags || ProbeState.CanaryR15 != CanaryRegs.Length - 1)
            throw new InvalidOperationException("ProbeState's Canary* indices do not match kt_canary_call's register order");
        b.Global("kt_canary_call");
        var direct = a.CreateLabel();
        var haveTarget = a.CreateLabel();
        foreach (var r in CalleeSaved) a.push(r);
        State(b, rax, "kt_state");
        a.lea(rcx, __[direct]);
        a.test(rdi, rdi);
        a.jnz(haveTarget);
        a.mov(rdi, rcx);
        a.Label(ref haveTarget);
        a.push(rdi);                          // [rsp]: the target
        a.add(rcx, 2);                        // after the 2-byte syscall
        a.mov(__qword_ptr[rax + CanarySyscallReturn], rcx);
        a.pushfq();
        a.pop(rcx);
        a.and(rcx, unchecked((int)~ProbeState.CanaryFlagBits));
        a.mov(rdx, __qword_ptr[rax + CanaryIn + ProbeState.CanaryRflags * 8]);
        a.and(rdx, (int)ProbeState.CanaryFlagBits);
        a.or(rcx, rdx);
        a.mov(__qword_ptr[rax + CanaryIn + ProbeState.CanaryRflags * 8], rcx);
        a.push(rcx);
        a.popfq();                            // from here on only mov: the flags stay as loaded
        for (int i = 1; i < CanaryRegs.Length; i++) a.mov(CanaryRegs[i], __qword_ptr[rax + CanaryIn + i * 8]);
        a.mov(rax, __qword_ptr[rax + CanaryIn]);
        a.call(__qword_ptr[rsp]);
        var store = b.Here();
        a.pushfq();
        a.push(rax);
        State(b, rax, "kt_state");
        for (int i = 1; i < CanaryRegs.Length; i++) a.mov(__qword_ptr[rax + CanaryOut + i * 8], CanaryRegs[i]);
        a.pop(rcx);
        a.mov(__qword_ptr[rax + CanaryOut], rcx);
        a.pop(rcx);
        a.mov(__qword_ptr[rax + CanaryOut + ProbeState.CanaryRflags * 8], rcx);
        a.add(rsp, 8);
        foreach (var r in CalleeSaved.Reverse()) a.pop(r);
        a.ret();
        a.Label(ref direct);
        a.syscall();
        a.ret();

        // kt_canary_iret(cs, ss): an iret hypercall (entry 23, entered with jmp) to the next
        // instruction in kernel mode with every register loaded from kt_state.CanaryIn (rflags
        // in the frame: CanaryFlagBits and IF from there, the rest as they are), then every
        // register stored as kt_canary_call does. rax, r11, rcx come back from the frame (which
        // holds the values they had), the others must survive.
        b.Global("kt_canary_iret");
        var landed = a.CreateLabel();
        foreach (var r in CalleeSaved) a.push(r);
        a.push(0);                            // kt_canary_call's target slot, dropped the same way
        State(b, rax, "kt_state");
        a.mov(rcx, rsp);
        a.push(rsi);                          // ss
        a.push(rcx);                          // rsp: as before the frame
        a.pushfq();
        a.pop(rcx);
        a.and(rcx, unchecked((int)~(ProbeState.CanaryFlagBits | X86.Rflags.IF)));
        a.mov(rdx, __qword_ptr[rax + CanaryIn + ProbeState.CanaryRflags * 8]);
        a.and(rdx, (int)(ProbeState.CanaryFlagBits | X86.Rflags.IF));
        a.or(rcx, rdx);
        a.mov(__qword_ptr[rax + CanaryIn + ProbeState.CanaryRflags * 8], rcx);
        a.push(rcx);                          // rflags
        a.push(rdi);                          // cs
        a.lea(rcx, __[landed]);
        a.push(rcx);                          // rip
        a.push(0);                            // flags
        for (int i = 1; i < CanaryRegs.Length; i++) a.mov(CanaryRegs[i], __qword_ptr[rax + CanaryIn + i * 8]);
        a.mov(rax, __qword_ptr[rax + CanaryIn]);
        a.jmp(entry[Iret]);
        a.Label(ref landed);
        a.jmp(store);

        // kt_cli(), kt_sti(): hardware IF off, on (ring 0 only: microxen). kt_entry_syscall(nr, a1, sti): the
        // hypercall nr(a1) by a direct syscall, with `sti` right before it when sti != 0, so that
        // an interrupt held while IF was off is taken after the syscall, at the LSTAR entry's
        // first instruction (Tests/SyscallEntryTests.cs).
        b.Global("kt_cli"); a.cli(); a.ret();
        b.Global("kt_sti"); a.sti(); a.ret();
        b.Global("kt_entry_syscall");
        var plain = a.CreateLabel();
        a.mov(rax, rdi);
        a.mov(rdi, rsi);
        a.test(rdx, rdx);
        a.jz(plain);
        a.sti();
        a.syscall();
        a.ret();
        a.Label(ref plain);
        a.syscall();
        a.ret();
    }
}
