using Iced.Intel;
using Microxen.Arch;
using static Iced.Intel.AssemblerRegisters;

namespace Microxen.Native;

/// <summary>
/// fpu_taskswitch(set)'s CR0 work, shared by the transfer page's inline sequence (Generator's
/// FpuTaskswitch, one vCPU) and its helper with several vCPUs (FastPaths.Smp.asm.cs
/// smp_page_fpu_taskswitch): clts, then CR0.TS set again when set (edi) != 0. Uses rax; flags
/// changed (the callers keep the guest's with pushfq/popfq).
/// </summary>
public static class TaskswitchCode
{
    public static void Emit(Assembler a)
    {
        var done = a.CreateLabel();
        a.test(edi, edi);
        a.clts();
        a.jz(done);
        a.mov(rax, cr0);
        a.or(al, (int)X86.Cr0.TS);       // TS is in CR0's low byte
        a.mov(cr0, rax);
        a.Label(ref done);
    }
}
