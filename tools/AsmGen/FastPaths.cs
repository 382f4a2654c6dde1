using System.Runtime.InteropServices;
using Iced.Intel;
using Microxen.Arch;
using static Iced.Intel.AssemblerRegisters;

namespace Microxen.Tools.AsmGen;

/// <summary>
/// Fast mode's native hypercall paths, shared by the LSTAR entry (current Linux) and the
/// transfer page (shim/Inline): the high-frequency hypercalls done with native instructions,
/// no C#. Each routine <c>fast_NAME</c> is entered by a call: arguments in rdi, rsi, rdx, r10,
/// r8; it keeps every register but rax and the argument registers; it returns CF=0 with the
/// result in rax, or CF=1 having changed nothing ("declined": the caller takes the C# path,
/// which gives Xen's full semantics and error codes). The <c>pv_state</c> block
/// (shim/Arch/PvState.cs) is in the same section, so routines reach it RIP-relatively.
/// </summary>
static class FastPaths
{
    /// <summary>Hypercall numbers (public/xen.h) of the routines, in fast_path_table order.</summary>
    public const int MmuUpdate = 1, StackSwitch = 3, FpuTaskswitch = 5, UpdateDescriptor = 10, Multicall = 13,
        UpdateVaMapping = 14, XenVersion = 17, Iret = 23, SetSegmentBase = 25, MmuextOp = 26;

    public static readonly (int Nr, string Name)[] Routines =
    {
        (MmuUpdate, "mmu_update"), (StackSwitch, "stack_switch"), (FpuTaskswitch, "fpu_taskswitch"),
        (UpdateVaMapping, "update_va_mapping"), (XenVersion, "xen_version"), (SetSegmentBase, "set_segment_base"),
        (MmuextOp, "mmuext_op"), (UpdateDescriptor, "update_descriptor"), (Multicall, "multicall"),
    };

    static int Off(string field) => (int)Marshal.OffsetOf<PvState>(field);

    // Iced takes no label+displacement operand: each pv_state field used gets its own label,
    // placed on that field's dword when the block is emitted.
    static readonly Dictionary<int, Label> Fields = new();

    static Label F(Assembler a, string field) => F(a, Off(field));

    /// <summary>The label of a PvState field, for the other stubs of the same block.</summary>
    public static Label Field(Assembler a, string field) => F(a, Off(field));

    static Label PvLabel;

    static Label F(Assembler a, int offset)
    {
        if (offset == 0) return PvLabel;
        if (offset % 4 != 0) throw new InvalidOperationException($"pv_state offset {offset} is not dword aligned");
        if (!Fields.TryGetValue(offset, out var l)) Fields[offset] = l = a.CreateLabel();
        return l;
    }
    static int TssOff(string field) => Off("Tss") + (int)Marshal.OffsetOf<Tss>(field);
    static int CountOff(int nr) => Off("FastCount") + nr * 8;

    const ulong PaddrMask = 0x000ffffffffff000UL;
    const uint XenVersionValue = (4u << 16) | 17u;

    /// <summary>
    /// Emits pv_state, the routines, fast_path_table and the LSTAR dispatcher. The dispatcher
    /// is entered from syscall_entry (kernel half) with the syscall state untouched; it jumps
    /// to <paramref name="slow"/> (the C# path) with that state intact when no routine takes the call.
    /// </summary>
    public static Label Emit(Block b, Label slow)
    {
        var a = b.Asm;
        var pv = a.CreateLabel("pv_state");
        PvLabel = pv;
        UserEntry = a.CreateLabel("fast_user_syscall");
        var decline = a.CreateLabel();
        var table = a.CreateLabel();
        var dispatch = a.CreateLabel();

        // ---- LSTAR dispatcher --------------------------------------------------------------
        b.Place(ref dispatch);
        b.Global("fast_paths_begin");
        a.cmp(__qword_ptr[F(a, "FastPaths")], 0);
        a.je(slow);
        var notIret = a.CreateLabel();
        a.cmp(eax, Iret);
        a.jne(notIret);
        LstarIret(b, pv, slow);
        a.Label(ref notIret);
        var none = a.CreateLabel();
        a.cmp(rax, 63);
        a.ja(slow);
        a.push(rax);
        a.push(rbx);
        a.lea(rbx, __[table]);
        a.mov(rbx, __qword_ptr[rbx + rax * 8]);
        a.test(rbx, rbx);
        a.jz(none);
        a.call(rbx);
        a.pop(rbx);
        var declined = a.CreateLabel();
        a.jc(declined);
        a.lea(rsp, __[rsp + 8]);            // drop the saved number, flags kept
        a.push(r11);
        a.popfq();
        a.jmp(rcx);
        a.Label(ref none);
        a.pop(rbx);
        a.Label(ref declined);
        a.pop(rax);
        a.jmp(slow);

        // ---- the routines -----------------------------------------------------------------
        UserSyscall(b, pv);

        a.Label(ref decline);
        a.stc();
        a.ret();

        FpuTaskswitch_(b, pv);
        StackSwitch_(b, pv);
        SetSegmentBase_(b, pv, decline);
        XenVersion_(b, pv, decline);
        UpdateVaMapping_(b, pv, decline);
        UpdateDescriptor_(b, pv, decline);
        Multicall_(b, pv, table);
        b.Global("fast_batch_begin");        // mmu_update and mmuext_op: rbx, r12 pushed while they touch guest memory
        MmuUpdate_(b, pv, decline);
        MmuextOp_(b, pv, decline);
        b.Global("fast_batch_end");
        b.Global("fast_ret_efault");         // where a fault on a guest pointer in a batch routine returns
        a.mov(rax, -14L);
        a.clc();
        a.ret();
        PageIret(b, pv);

        // ---- fast_path_table: ulong[64], the routine per hypercall number or 0 --------------
        b.Place(ref table);
        b.Global("fast_paths_end");
        b.Global("fast_path_table");
        for (int nr = 0; nr < 64; nr++)
        {
            string name = Routines.FirstOrDefault(r => r.Nr == nr).Name;
            if (name == null) a.dq(0UL);
            else b.WithSymbol("fast_" + name, 8, () => a.dq(0UL));
        }

        // ---- pv_state: PvState.Size zero bytes, on pages of its own (EntryStubs.PageGap) ----
        EntryStubs.PageGap(a);
        b.Place(ref pv);
        b.Global("pv_state");
        for (int off = 0; off < PvState.Size; off += 4)
        {
            if (off > 0 && Fields.TryGetValue(off, out var field)) a.Label(ref field);
            a.dd(0u);
        }
        if (Fields.ContainsKey(0)) throw new InvalidOperationException("pv_state field at offset 0: use the pv label");
        return dispatch;
    }

    /// <summary>
    /// fast_user_syscall: a user process's syscall sent to the guest's syscall callback as
    /// Guest/BounceFrame.cs does, natively: on the stack_switch stack (after loading the kernel
    /// L4 with user_pt=switch), rcx, r11, rip, cs (__USER_CS, saved mask 0), rflags, rsp, ss
    /// (__USER_DS); GS swapped; events masked if the callback asked. Entered by jmp from the
    /// LSTAR stub with the syscall state untouched; declines (no callback, or fast paths off)
    /// by jumping to the C# path, <c>user_syscall_slow</c>.
    /// </summary>
    static void UserSyscall(Block b, Label pv)
    {
        var a = b.Asm;
        b.Place(ref UserEntry);
        b.Global("fast_user_syscall");
        var slow = a.CreateLabel("user_syscall_slow_ref");
        var noSwitch = a.CreateLabel();
        var noMask = a.CreateLabel();
        a.cmp(__qword_ptr[F(a, "FastPaths")], 0);
        a.je(slow);
        a.cmp(__qword_ptr[F(a, "SyscallCallback")], 0);
        a.je(slow);
        a.mov(__qword_ptr[F(a, "ScratchRsp")], rsp);
        a.cmp(__qword_ptr[F(a, "SwitchUserPt")], 0);
        a.je(noSwitch);
        a.mov(rsp, __qword_ptr[F(a, "KernelL4Ma")]);      // rsp is free: the user's is saved
        a.mov(cr3, rsp);
        a.Label(ref noSwitch);
        a.mov(rsp, __qword_ptr[F(a, "KernelSp")]);
        a.and(rsp, -16);
        a.push(0x2b);                                     // ss
        a.push(__qword_ptr[F(a, "ScratchRsp")]);         // rsp
        a.push(r11);                                      // rflags
        a.push(0x33);                                     // cs, saved upcall mask 0
        a.push(rcx);                                      // rip
        a.push(r11);
        a.push(rcx);
        a.swapgs();
        a.cmp(__qword_ptr[F(a, "SyscallMasksEvents")], 0);
        a.je(noMask);
        a.mov(rcx, __qword_ptr[F(a, "VcpuInfo")]);
        a.mov(__byte_ptr[rcx + 1], 1);                    // evtchn_upcall_mask
        a.Label(ref noMask);
        a.inc(__qword_ptr[F(a, "UserSyscalls")]);
        a.push(__qword_ptr[F(a, "SyscallCallback")]);
        a.sti();                                          // the guest kernel runs with IF on; sti's shadow covers the ret
        a.ret();
        a.Label(ref slow);
        a.jmp(UserSlow);
    }

    /// <summary>fast_user_syscall's label, for the LSTAR stub's user half.</summary>
    public static Label UserEntry;

    /// <summary>Where <see cref="UserSyscall"/> declines to: the C# user-syscall path (set by EntryStubs).</summary>
    public static Label UserSlow;

    static void Count(Assembler a, Label pv, int nr) => a.inc(__qword_ptr[F(a, CountOff(nr))]);

    /// <summary>fpu_taskswitch(set): CR0.TS set (set != 0) or cleared (clts).</summary>
    static void FpuTaskswitch_(Block b, Label pv)
    {
        var a = b.Asm;
        b.Global("fast_fpu_taskswitch");
        Count(a, pv, FpuTaskswitch);
        var clear = a.CreateLabel();
        a.test(edi, edi);
        a.jz(clear);
        a.mov(rax, cr0);
        a.or(rax, 8);
        a.mov(cr0, rax);
        a.xor(eax, eax);
        a.ret();
        a.Label(ref clear);
        a.clts();
        a.xor(eax, eax);
        a.ret();
    }

    /// <summary>stack_switch(ss, sp): the kernel stack for entries from user mode, TSS.RSP0 too.</summary>
    static void StackSwitch_(Block b, Label pv)
    {
        var a = b.Asm;
        b.Global("fast_stack_switch");
        Count(a, pv, StackSwitch);
        a.mov(__qword_ptr[F(a, "KernelSs")], rdi);
        a.mov(__qword_ptr[F(a, "KernelSp")], rsi);
        a.mov(__qword_ptr[F(a, TssOff("Rsp0"))], rsi);
        a.xor(eax, eax);
        a.ret();
    }

    /// <summary>set_segment_base(which, base): wrmsr FS / KERNEL_GS (the user's) / GS, or the user GS selector.</summary>
    static void SetSegmentBase_(Block b, Label pv, Label decline)
    {
        var a = b.Asm;
        b.Global("fast_set_segment_base");
        var sel = a.CreateLabel();
        var write = a.CreateLabel();
        var einval = a.CreateLabel();
        a.cmp(rdi, 3);
        a.je(sel);
        a.ja(decline);                       // unknown: the C# path answers -EINVAL
        a.mov(rax, rsi);                     // a base must be canonical (Xen: -EINVAL)
        a.sar(rax, 47);
        a.inc(rax);
        a.cmp(rax, 1);
        a.ja(einval);
        Count(a, pv, SetSegmentBase);
        a.mov(r10, rcx);                     // wrmsr needs ecx: keep the return address
        a.mov(ecx, 0xC0000100);              // 0: FS
        var notFs = a.CreateLabel();
        a.test(edi, edi);
        a.jnz(notFs);
        a.jmp(write);
        a.Label(ref notFs);
        a.mov(ecx, 0xC0000102);              // 1: user GS = KERNEL_GS_BASE while in kernel
        a.cmp(edi, 1);
        a.je(write);
        a.mov(ecx, 0xC0000101);              // 2: kernel GS = GS_BASE
        a.Label(ref write);
        a.mov(eax, esi);
        a.mov(rdx, rsi);
        a.shr(rdx, 32);
        a.wrmsr();
        a.mov(rcx, r10);
        a.xor(eax, eax);
        a.ret();
        a.Label(ref einval);
        a.mov(rax, -22L);
        a.clc();
        a.ret();
        a.Label(ref sel);
        Count(a, pv, SetSegmentBase);
        var nul = a.CreateLabel();
        a.cmp(esi, 3);                       // a non-NUL selector gets RPL 3 (Xen: no DPL 0 segments)
        a.jbe(nul);
        a.or(esi, 3);
        a.Label(ref nul);
        a.swapgs();
        b.Global("load_user_gs_native");     // a fault here retries with the NUL selector, as Xen
        a.mov(gs, si);
        a.swapgs();
        a.xor(eax, eax);
        a.ret();
    }

    /// <summary>
    /// xen_version(XENVER_version): the version, unless an event is pending and unmasked: then
    /// the C# path runs, whose exit delivers it (Linux calls xen_version 0 for exactly that).
    /// </summary>
    static void XenVersion_(Block b, Label pv, Label decline)
    {
        var a = b.Asm;
        b.Global("fast_xen_version");
        a.test(rdi, rdi);
        a.jnz(decline);
        a.mov(rax, __qword_ptr[F(a, "VcpuInfo")]);
        a.movzx(eax, __word_ptr[rax]);       // evtchn_upcall_pending | evtchn_upcall_mask << 8
        a.cmp(eax, 1);
        a.je(decline);
        Count(a, pv, XenVersion);
        a.mov(eax, XenVersionValue);
        a.clc();
        a.ret();
    }

    /// <summary>
    /// Walks the current CR3 to the L1 entry mapping rdi: its address in rax. Uses rax, rdx, r8;
    /// rdx (an argument) must have been saved in r10 by the caller: <paramref name="decline"/>
    /// restores it.
    /// </summary>
    static void WalkToL1(Assembler a, Label pv, Label decline)
    {
        a.mov(rax, cr3);
        a.mov(r8, PaddrMask);
        a.and(rax, r8);
        for (int level = 4; level >= 2; level--)
        {
            a.mov(rdx, rdi);
            a.shr(rdx, (byte)(12 + 9 * (level - 1)));
            a.and(edx, 511);
            a.add(rax, __qword_ptr[F(a, "DirectMap")]);
            a.mov(rax, __qword_ptr[rax + rdx * 8]);
            a.test(al, 1);
            a.jz(decline);
            if (level < 4)
            {
                a.test(al, 0x80);
                a.jnz(decline);
            }
            a.and(rax, r8);
        }
        a.mov(rdx, rdi);
        a.shr(rdx, 12);
        a.and(edx, 511);
        a.add(rax, __qword_ptr[F(a, "DirectMap")]);
        a.lea(rax, __[rax + rdx * 8]);
    }

    /// <summary>update_va_mapping(va, val, flags): the L1 entry rewritten, then invlpg (UVMF_INVLPG) or a TLB flush (UVMF_TLB_FLUSH).</summary>
    static void UpdateVaMapping_(Block b, Label pv, Label decline)
    {
        var a = b.Asm;
        b.Global("fast_update_va_mapping");
        var back = a.CreateLabel();
        var invlpg = a.CreateLabel();
        var done = a.CreateLabel();
        a.mov(r10, rdx);                     // flags
        WalkToL1(a, pv, back);
        Count(a, pv, UpdateVaMapping);
        a.mov(__qword_ptr[rax], rsi);
        a.mov(eax, r10d);
        a.and(eax, 3);
        a.cmp(eax, 2);
        a.je(invlpg);
        a.cmp(eax, 1);
        a.jne(done);
        a.mov(rax, cr3);
        a.mov(cr3, rax);
        a.jmp(done);
        a.Label(ref invlpg);
        a.invlpg(__byte_ptr[rdi]);
        a.Label(ref done);
        a.xor(eax, eax);
        a.ret();
        a.Label(ref back);
        a.mov(rdx, r10);
        a.jmp(decline);
    }

    /// <summary>update_descriptor(ma, desc): the 8-byte descriptor stored at machine address ma (8-aligned, in RAM).</summary>
    static void UpdateDescriptor_(Block b, Label pv, Label decline)
    {
        var a = b.Asm;
        b.Global("fast_update_descriptor");
        a.test(dil, 7);
        a.jnz(decline);                      // misaligned: the C# path answers -EINVAL
        a.mov(rax, rdi);
        a.shr(rax, 12);
        a.cmp(rax, __qword_ptr[F(a, "FrameCount")]);
        a.jae(decline);
        Count(a, pv, UpdateDescriptor);
        a.add(rdi, __qword_ptr[F(a, "DirectMap")]);
        a.mov(__qword_ptr[rdi], rsi);
        a.xor(eax, eax);
        a.ret();
    }

    /// <summary>
    /// multicall(entries, count): each multicall_entry (op, result, args[6]; 64 bytes) whose op has
    /// a native routine runs it with args[0..4] in rdi, rsi, rdx, r10, r8 and stores its result.
    /// At the first entry that has none (iret, a nested multicall, anything else) or whose
    /// routine declines, the rest is handed over: rdi and rsi point at the remaining entries and
    /// count, and the routine declines, so the C# multicall runs exactly those.
    /// </summary>
    static void Multicall_(Block b, Label pv, Label table)
    {
        var a = b.Asm;
        b.Global("fast_multicall");
        var loop = a.CreateLabel();
        var done = a.CreateLabel();
        var tail = a.CreateLabel();
        a.push(rbx);
        a.push(r12);
        a.push(r13);
        a.mov(rbx, rdi);                     // current entry
        a.mov(r12d, esi);                    // entries left (nr_calls is 32-bit)
        a.Label(ref loop);
        a.test(r12, r12);
        a.jz(done);
        a.mov(rax, __qword_ptr[rbx]);        // op
        a.cmp(rax, 63);
        a.ja(tail);
        a.cmp(eax, Iret);
        a.je(tail);
        a.cmp(eax, Multicall);
        a.je(tail);
        a.lea(r13, __[table]);
        a.mov(r13, __qword_ptr[r13 + rax * 8]);
        a.test(r13, r13);
        a.jz(tail);
        a.mov(rdi, __qword_ptr[rbx + 16]);
        a.mov(rsi, __qword_ptr[rbx + 24]);
        a.mov(rdx, __qword_ptr[rbx + 32]);
        a.mov(r10, __qword_ptr[rbx + 40]);
        a.mov(r8, __qword_ptr[rbx + 48]);
        a.call(r13);
        a.jc(tail);
        a.mov(__qword_ptr[rbx + 8], rax);    // result
        a.add(rbx, 64);
        a.dec(r12);
        a.jmp(loop);
        a.Label(ref done);
        Count(a, pv, Multicall);
        a.pop(r13);
        a.pop(r12);
        a.pop(rbx);
        a.xor(eax, eax);
        a.ret();
        a.Label(ref tail);                   // the C# multicall takes the remainder
        a.mov(rdi, rbx);
        a.mov(rsi, r12);
        a.pop(r13);
        a.pop(r12);
        a.pop(rbx);
        a.stc();
        a.ret();
    }

    /// <summary>
    /// The end of a batch routine (mmu_update, mmuext_op) that pushed rbx and r12: at
    /// <paramref name="finish"/> every request was applied (the count goes to *done when done is
    /// not null, result 0); at <paramref name="no"/> the checking pass refused the batch.
    /// </summary>
    static void BatchEpilogue(Assembler a, Label finish, Label no, Label decline)
    {
        a.Label(ref finish);
        a.test(rdx, rdx);
        var noDone = a.CreateLabel();
        a.jz(noDone);
        a.mov(__dword_ptr[rdx], esi);
        a.Label(ref noDone);
        a.pop(r12);
        a.pop(rbx);
        a.xor(eax, eax);
        a.ret();
        a.Label(ref no);
        a.pop(r12);
        a.pop(rbx);
        a.jmp(decline);
    }

    /// <summary>
    /// mmu_update(reqs, count, done, domid) for MMU_NORMAL_PT_UPDATE, MMU_PT_UPDATE_PRESERVE_AD
    /// and MMU_MACHPHYS_UPDATE: a first pass checks every request (command, frame in range), a
    /// second applies them all; anything else is declined whole.
    /// </summary>
    static void MmuUpdate_(Block b, Label pv, Label decline)
    {
        var a = b.Asm;
        b.Global("fast_mmu_update");
        var no = a.CreateLabel();
        var check = a.CreateLabel();
        var checkNext = a.CreateLabel();
        var machphys = a.CreateLabel();
        var apply = a.CreateLabel();
        var applyNext = a.CreateLabel();
        var applyM2p = a.CreateLabel();
        var plain = a.CreateLabel();
        var store = a.CreateLabel();
        var finish = a.CreateLabel();
        a.test(esi, 0x80000000);             // MMU_UPDATE_PREEMPTED: a continuation, C# path
        a.jnz(decline);
        a.push(rbx);
        a.push(r12);
        a.xor(r8d, r8d);                     // i
        a.Label(ref check);
        a.cmp(r8, rsi);
        a.jae(apply);
        a.mov(rax, r8);
        a.shl(rax, 4);
        a.mov(rbx, __qword_ptr[rdi + rax]);  // ptr
        a.mov(r12, rbx);
        a.shr(r12, 12);                      // frame
        a.mov(eax, ebx);
        a.and(eax, 3);
        a.cmp(eax, 3);
        a.je(no);
        a.cmp(eax, 1);
        a.je(machphys);
        a.cmp(r12, __qword_ptr[F(a, "FrameCount")]);
        a.jae(no);
        a.jmp(checkNext);
        a.Label(ref machphys);
        a.cmp(r12, __qword_ptr[F(a, "M2pEntries")]);
        a.jae(no);
        a.Label(ref checkNext);
        a.inc(r8);
        a.jmp(check);

        a.Label(ref apply);
        Count(a, pv, MmuUpdate);
        a.xor(r8d, r8d);
        a.Label(ref applyNext);
        a.cmp(r8, rsi);
        a.jae(finish);
        a.mov(rax, r8);
        a.shl(rax, 4);
        a.mov(rbx, __qword_ptr[rdi + rax]);  // ptr
        a.mov(r12, __qword_ptr[rdi + rax + 8]); // val
        a.mov(eax, ebx);
        a.and(eax, 3);
        a.cmp(eax, 1);
        a.je(applyM2p);
        a.and(rbx, -8);
        a.add(rbx, __qword_ptr[F(a, "DirectMap")]);
        a.cmp(eax, 2);
        a.jne(plain);
        a.mov(rax, __qword_ptr[rbx]);        // MMU_PT_UPDATE_PRESERVE_AD: keep the old A/D bits
        a.and(eax, 0x60);
        a.or(r12, rax);
        a.Label(ref plain);
        a.mov(__qword_ptr[rbx], r12);
        a.jmp(store);
        a.Label(ref applyM2p);
        a.shr(rbx, 12);
        a.mov(rax, __qword_ptr[F(a, "M2p")]);
        a.mov(__qword_ptr[rax + rbx * 8], r12);
        a.Label(ref store);
        a.inc(r8);
        a.jmp(applyNext);

        BatchEpilogue(a, finish, no, decline);
    }

    /// <summary>
    /// mmuext_op(ops, count, done, domid) for PIN_L1/L2/L3 and UNPIN (nothing to do in fast
    /// mode), PIN_L4 (the shim's 16 L4 entries copied in), NEW_BASEPTR and NEW_USER_BASEPTR of an
    /// L4 the shim already prepared (its slot 261 is the shim's), TLB_FLUSH_* and INVLPG_* (one
    /// CPU: local). Anything else is declined whole after the checking pass.
    /// </summary>
    static void MmuextOp_(Block b, Label pv, Label decline)
    {
        var a = b.Asm;
        b.Global("fast_mmuext_op");
        var no = a.CreateLabel();
        var check = a.CreateLabel();
        var checkNext = a.CreateLabel();
        var checkBase = a.CreateLabel();
        var apply = a.CreateLabel();
        var applyNext = a.CreateLabel();
        var next = a.CreateLabel();
        var finish = a.CreateLabel();
        var newBase = a.CreateLabel();
        var newUser = a.CreateLabel();
        var flush = a.CreateLabel();
        var invlpg = a.CreateLabel();
        a.test(esi, 0x80000000);
        a.jnz(decline);
        a.push(rbx);
        a.push(r12);
        a.xor(r8d, r8d);
        a.Label(ref check);
        a.cmp(r8, rsi);
        a.jae(apply);
        a.imul(rax, r8, 24);
        a.mov(ebx, __dword_ptr[rdi + rax]);          // cmd
        a.mov(r12, __qword_ptr[rdi + rax + 8]);      // mfn / linear_addr
        a.cmp(ebx, 15);
        a.je(checkBase);
        a.cmp(ebx, 11);
        a.ja(no);
        a.cmp(ebx, 5);
        a.je(checkBase);
        a.ja(checkNext);                             // 6-11: flushes, nothing to check
        a.cmp(r12, __qword_ptr[F(a, "FrameCount")]);
        a.jae(no);
        a.jmp(checkNext);
        a.Label(ref checkBase);                      // NEW_BASEPTR / NEW_USER_BASEPTR
        a.test(r12, r12);
        a.jz(checkNext);                             // user base 0: none
        a.cmp(r12, __qword_ptr[F(a, "FrameCount")]);
        a.jae(no);
        a.shl(r12, 12);
        a.add(r12, __qword_ptr[F(a, "DirectMap")]);
        a.mov(r12, __qword_ptr[r12 + 261 * 8]);
        a.cmp(r12, __qword_ptr[F(a, "ShimSlot261")]);
        a.jne(no);
        a.Label(ref checkNext);
        a.inc(r8);
        a.jmp(check);

        a.Label(ref apply);
        Count(a, pv, MmuextOp);
        a.xor(r8d, r8d);
        a.Label(ref applyNext);
        a.cmp(r8, rsi);
        a.jae(finish);
        a.imul(rax, r8, 24);
        a.mov(ebx, __dword_ptr[rdi + rax]);
        a.mov(r12, __qword_ptr[rdi + rax + 8]);
        a.cmp(ebx, 5);
        a.je(newBase);
        a.cmp(ebx, 15);
        a.je(newUser);
        var pinL4 = a.CreateLabel();
        a.cmp(ebx, 3);
        a.je(pinL4);
        a.cmp(ebx, 6);
        a.jb(next);                                  // other pins and unpin: nothing
        a.test(ebx, 1);
        a.jnz(invlpg);                               // 7, 9, 11
        a.Label(ref flush);                          // 6, 8, 10
        a.mov(rax, cr3);
        a.mov(cr3, rax);
        a.jmp(next);
        a.Label(ref invlpg);
        a.invlpg(__byte_ptr[r12]);
        a.jmp(next);
        a.Label(ref newBase);
        a.shl(r12, 12);
        a.mov(__qword_ptr[F(a, "KernelL4Ma")], r12);
        a.mov(cr3, r12);
        a.jmp(next);
        a.Label(ref newUser);
        a.shl(r12, 12);
        a.mov(__qword_ptr[F(a, "UserL4Ma")], r12);
        a.jmp(next);
        a.Label(ref pinL4);                          // copy the shim's L4 entries 256-271
        a.shl(r12, 12);
        a.add(r12, __qword_ptr[F(a, "DirectMap")]);
        a.mov(r10, __qword_ptr[F(a, "ShimL4Slots")]);
        for (int i = 0; i < 16; i++)
        {
            a.mov(rax, __qword_ptr[r10 + i * 8]);
            a.mov(__qword_ptr[r12 + (256 + i) * 8], rax);
        }
        a.Label(ref next);
        a.inc(r8);
        a.jmp(applyNext);

        BatchEpilogue(a, finish, no, decline);
    }

    /// <summary>
    /// The iret work once the frame rip, cs, rflags, rsp, ss sits at [rsp + frameAt] and rcx is
    /// free: the event mask from the frame's IF (Xen's do_iret), GS swapped (and the user L4
    /// loaded with user_pt=switch) when returning to user mode, hardware IF on and IOPL 0 in the
    /// frame, SS RPL 0 for the kernel. Jumps to <paramref name="pending"/> before changing
    /// anything but the mask when an event is pending and now unmasked.
    /// </summary>
    static void IretCommon(Assembler a, Label pv, int frameAt, Label pending)
    {
        var user = a.CreateLabel();
        var fix = a.CreateLabel();
        var masked = a.CreateLabel();
        a.mov(rcx, __qword_ptr[F(a, "VcpuInfo")]);
        a.bt(__qword_ptr[rsp + frameAt + 16], 9);       // CF = frame IF
        a.setae(al);                                     // mask = !IF
        a.mov(__byte_ptr[rcx + 1], al);
        a.jae(masked);
        a.cmp(__byte_ptr[rcx], 0);                       // evtchn_upcall_pending
        a.jne(pending);
        a.Label(ref masked);
        a.test(__byte_ptr[rsp + frameAt + 8], 3);
        a.jnz(user);
        a.and(__qword_ptr[rsp + frameAt + 32], -4);      // kernel SS: RPL 0
        a.jmp(fix);
        a.Label(ref user);
        // With user_pt=switch the frame (on the guest kernel stack) is not mapped in the user
        // L4: the C# path returns from the shim's own stack.
        a.cmp(__qword_ptr[F(a, "SwitchUserPt")], 0);
        a.jne(pending);
        a.swapgs();
        a.Label(ref fix);
        a.and(__qword_ptr[rsp + frameAt + 16], ~0x3000);  // IOPL 0
        a.or(__qword_ptr[rsp + frameAt + 16], 0x200);     // hardware IF stays on
        Count(a, pv, Iret);
    }

    /// <summary>iret from the LSTAR entry: iret_context (rax, r11, rcx, flags, rip, cs, rflags, rsp, ss) at [rsp].</summary>
    static void LstarIret(Block b, Label pv, Label slow)
    {
        var a = b.Asm;
        var pending = a.CreateLabel();
        IretCommon(a, pv, 32, pending);
        a.mov(rax, __qword_ptr[rsp]);
        a.mov(r11, __qword_ptr[rsp + 8]);
        a.mov(rcx, __qword_ptr[rsp + 16]);
        a.add(rsp, 32);
        b.Global("iretq_to_guest_lstar");
        a.iretq();
        a.Label(ref pending);
        a.mov(eax, Iret);                                // C#: iret, then the upcall
        a.jmp(slow);
    }

    /// <summary>
    /// iret from the transfer page (entered with jmp): flags, rip, cs, rflags, rsp, ss at [rsp],
    /// rax, r11, rcx live. Declines into the ordinary iret entry: push rcx; push r11; push rax;
    /// mov $23, %eax; syscall.
    /// </summary>
    static void PageIret(Block b, Label pv)
    {
        var a = b.Asm;
        b.Global("fast_page_iret");
        var pending = a.CreateLabel();
        a.push(rax);
        a.push(rcx);
        IretCommon(a, pv, 24, pending);
        a.pop(rcx);
        a.pop(rax);
        a.add(rsp, 8);                                   // flags (VGCF_in_syscall: iretq either way)
        b.Global("iretq_to_guest_page");
        a.iretq();
        a.Label(ref pending);
        a.pop(rcx);
        a.pop(rax);
        a.push(rcx);
        a.push(r11);
        a.push(rax);
        a.mov(eax, Iret);
        a.syscall();
    }
}
