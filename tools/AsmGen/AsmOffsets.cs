using System.Runtime.InteropServices;
using Iced.Intel;
using Microxen.Arch;
using Microxen.Xen;
using static Iced.Intel.AssemblerRegisters;

namespace Microxen.Tools.AsmGen;

/// <summary>
/// The offsets and sizes the machine code (shim/**/*.asm.cs, tools/KernelTestGen) takes from the
/// C# structs, as Xen's asm-offsets.c: read with Marshal.OffsetOf/SizeOf from the very structs C#
/// uses (shim/Xen for the ABI, shim/Arch/CpuFrame.cs for the entry frame), so the two cannot
/// disagree. Byte offsets and sizes. A layout the code cannot use fails the generator (and the build).
/// </summary>
static class AsmOffsets
{
    static int Of<T>(string field) => (int)Marshal.OffsetOf<T>(field);

    /// <summary>log2 of a power-of-two size, for scaling an index with shl.</summary>
    static int Log2(int size) =>
        size > 0 && (size & (size - 1)) == 0 ? System.Numerics.BitOperations.Log2((uint)size)
            : throw new InvalidOperationException($"size {size} is not a power of two");

    // ---- multicall_entry (shim/Xen/MulticallEntry.cs) ---------------------------------------
    public static readonly int MulticallOp = Of<MulticallEntry>("Op");
    public static readonly int MulticallResult = Of<MulticallEntry>("Result");
    public static readonly int MulticallEntrySize = Marshal.SizeOf<MulticallEntry>();
    /// <summary>args[i] of a multicall_entry (8 bytes each).</summary>
    public static int MulticallArg(int i) => Of<MulticallEntry>("Args") + i * sizeof(ulong);

    // ---- mmu_update (shim/Xen/MmuUpdate.cs) -------------------------------------------------
    public static readonly int MmuUpdatePtr = Of<MmuUpdate>("Ptr");
    public static readonly int MmuUpdateVal = Of<MmuUpdate>("Val");
    /// <summary>log2 of sizeof(mmu_update_t): request i is at reqs + (i &lt;&lt; this).</summary>
    public static readonly int MmuUpdateShift = Log2(Marshal.SizeOf<MmuUpdate>());

    // ---- mmuext_op (shim/Xen/MmuextOp.cs) ---------------------------------------------------
    public static readonly int MmuextOpCmd = Of<MmuextOp>("Cmd");
    /// <summary>arg1 (mfn or linear_addr: one union).</summary>
    public static readonly int MmuextOpArg1 = Of<MmuextOp>("Mfn");
    public static readonly int MmuextOpSize = Marshal.SizeOf<MmuextOp>();

    // ---- vcpu_info (shim/Xen/VcpuInfo.cs) ---------------------------------------------------
    public static readonly int VcpuInfoUpcallPending = Of<VcpuInfo>("EvtchnUpcallPending");
    public static readonly int VcpuInfoUpcallMask = Of<VcpuInfo>("EvtchnUpcallMask");

    // ---- iret_context (shim/Xen/IretContext.cs): what HYPERVISOR_iret finds at the guest's rsp ----
    public static readonly int IretContextRax = Of<IretContext>("Rax");
    public static readonly int IretContextR11 = Of<IretContext>("R11");
    public static readonly int IretContextRcx = Of<IretContext>("Rcx");
    public static readonly int IretContextFlags = Of<IretContext>("Flags");
    /// <summary>Where the hardware iretq frame (rip, cs, rflags, rsp, ss) starts in iret_context.</summary>
    public static readonly int IretContextRip = Of<IretContext>("Rip");

    // ---- the hardware interrupt frame: rip, cs, rflags, rsp, ss (CpuFrame's tail) ----------
    /// <summary>Offsets in an iretq frame, relative to its rip (SDM vol. 3A 6.14.2, figure 6-9).</summary>
    public static readonly int IretCs = Of<CpuFrame>("Cs") - Of<CpuFrame>("Rip");
    public static readonly int IretRflags = Of<CpuFrame>("Rflags") - Of<CpuFrame>("Rip");
    public static readonly int IretRsp = Of<CpuFrame>("Rsp") - Of<CpuFrame>("Rip");
    public static readonly int IretSs = Of<CpuFrame>("Ss") - Of<CpuFrame>("Rip");

    static AsmOffsets()
    {
        if (MmuextOpCmd != 0 || MulticallOp != 0)
            throw new InvalidOperationException("mmuext_op.cmd and multicall_entry.op are read at offset 0");
        if (Of<IretContext>("Cs") - IretContextRip != IretCs || Of<IretContext>("Rflags") - IretContextRip != IretRflags
            || Of<IretContext>("Rsp") - IretContextRip != IretRsp || Of<IretContext>("Ss") - IretContextRip != IretSs
            || Marshal.SizeOf<IretContext>() - IretContextRip != IretSs + 8)
            throw new InvalidOperationException("iret_context does not end with the iretq frame CpuFrame has");
        if (VcpuInfoUpcallPending != 0 || VcpuInfoUpcallMask != 1)
            throw new InvalidOperationException("vcpu_info: fast_xen_version reads pending | mask << 8 as one word at offset 0");
    }
}

/// <summary>
/// The entry frame (shim/Arch/CpuFrame.cs) as the stubs build it: the general registers are
/// pushed in the order of CpuFrame's fields from the highest offset down, then come the vector,
/// the error code and the hardware frame. Derived from CpuFrame's field offsets.
/// </summary>
static class FrameLayout
{
    static readonly (string Field, AssemblerRegister64 Register)[] Registers =
    {
        ("Rax", rax), ("Rcx", rcx), ("Rdx", rdx), ("Rbx", rbx), ("Rbp", rbp), ("Rsi", rsi), ("Rdi", rdi),
        ("R8", r8), ("R9", r9), ("R10", r10), ("R11", r11), ("R12", r12), ("R13", r13), ("R14", r14), ("R15", r15),
    };

    static int Of(string field) => (int)Marshal.OffsetOf<CpuFrame>(field);

    /// <summary>sizeof(CpuFrame), bytes.</summary>
    public static readonly int Size = Marshal.SizeOf<CpuFrame>();
    /// <summary>Offset of CpuFrame.Vector: where the stub's pushed vector sits above the registers.</summary>
    public static readonly int VectorOffset = Of("Vector");
    /// <summary>Bytes of vector and error code between the general registers and the hardware frame.</summary>
    public static readonly int VectorAndErrorCode = Of("Rip") - Of("Vector");

    /// <summary>The general registers in push order (the first pushed is at the highest offset).</summary>
    public static readonly AssemblerRegister64[] Pushed = Derive();

    static AssemblerRegister64[] Derive()
    {
        var byOffset = Registers.OrderByDescending(r => Of(r.Field)).ToArray();
        for (int i = 0; i < byOffset.Length; i++)
            if (Of(byOffset[i].Field) != (byOffset.Length - 1 - i) * 8)
                throw new InvalidOperationException($"CpuFrame.{byOffset[i].Field} is not where a push sequence puts it");
        string[] above = { "Vector", "ErrorCode", "Rip", "Cs", "Rflags", "Rsp", "Ss" };
        for (int i = 0; i < above.Length; i++)
            if (Of(above[i]) != (byOffset.Length + i) * 8)
                throw new InvalidOperationException($"CpuFrame.{above[i]} is not at {(byOffset.Length + i) * 8}: the stubs push vector, error code under the hardware frame");
        if (Size != (byOffset.Length + above.Length) * 8)
            throw new InvalidOperationException($"sizeof(CpuFrame) = {Size}: the stubs' frame is {(byOffset.Length + above.Length) * 8} bytes");
        return byOffset.Select(r => r.Register).ToArray();
    }
}
