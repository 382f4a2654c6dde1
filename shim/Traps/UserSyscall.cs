namespace Microxen.Traps
{
    /// <summary>
    /// A user process's <c>syscall</c> (user_syscall_dispatch, the LSTAR stub's user half: the
    /// vCPU is in guest user mode, PvState.UserMode): sent
    /// to the guest's CALLBACKTYPE_syscall entry with Xen's frame (rcx, r11, rip, cs, rflags,
    /// rsp, ss) on the stack_switch stack, GS swapped to the kernel's, events masked when the
    /// callback asked for it. The guest returns with the iret hypercall (VGCF_in_syscall).
    /// </summary>
    public static unsafe class UserSyscall
    {
        public const ushort UserCs = X86.LinuxSelector.UserCs, UserSs = X86.LinuxSelector.UserDs;   // Linux reports these itself
        public static ulong Count;

        [UnmanagedCallersOnly(EntryPoint = "user_syscall_dispatch")]
        static void Dispatch(CpuFrame* f)
        {
            Smp.ShimLock.Enter();
            Deliver(f);
            Smp.ShimLock.Exit();
        }

        static void Deliver(CpuFrame* f)
        {
            Count++;
            // syscall records neither CS nor SS: the frames given to the guest name the user
            // selectors (Linux reports these itself); a crash dump shows the 0 the stub pushed.
            f->Cs = UserCs;
            f->Ss = UserSs;
            if (Vcpu.SyscallCallback == 0)
            {
                // Xen injects #UD when no syscall callback is registered, at the syscall
                // instruction itself (entry.S syscall_no_callback: rip - 2, its length).
                f->Rip -= 2;
                if (TrapDispatch.Deliver(f, X86.Vector.UD, false)) return;
                f->Cs = 0; f->Ss = 0;
                TrapDispatch.CrashGuest(f, X86.Vector.UD, "syscall in guest user mode with no syscall callback");
                return;
            }
            BounceFrame.Push(f, Vcpu.SyscallCallback, Gdt.KernelCs, false, Vcpu.SyscallMasksEvents);
        }
    }
}
