namespace Microxen.Xen
{
    /// <summary>
    /// Hypercall numbers (__HYPERVISOR_*), the value in RAX (syscall path) or the transfer-page
    /// entry index (entry N at page + N*32). Source: xen/include/public/xen.h. What the shim
    /// does with each: shim/Hypercalls/HypercallTable.cs.
    /// </summary>
    public static class Hypercall
    {
        public const int SetTrapTable = 0;
        public const int MmuUpdate = 1;
        public const int SetGdt = 2;
        public const int StackSwitch = 3;
        public const int SetCallbacks = 4;
        public const int FpuTaskswitch = 5;
        /// <summary>Compat since 0x00030101; arguments are (cmd, unsigned long).</summary>
        public const int SchedOpCompat = 6;
        public const int PlatformOp = 7;
        /// <summary>Old name of <see cref="PlatformOp"/> (public/xen.h defines it for interface versions &lt; 0x00030204).</summary>
        public const int Dom0Op = 7;
        public const int SetDebugreg = 8;
        public const int GetDebugreg = 9;
        public const int UpdateDescriptor = 10;
        // 11 is unused.
        public const int MemoryOp = 12;
        public const int Multicall = 13;
        public const int UpdateVaMapping = 14;
        public const int SetTimerOp = 15;
        /// <summary>Compat since 0x00030202; argument is a struct evtchn_op.</summary>
        public const int EventChannelOpCompat = 16;
        public const int XenVersion = 17;
        public const int ConsoleIo = 18;
        /// <summary>Compat since 0x00030202; argument is a struct physdev_op.</summary>
        public const int PhysdevOpCompat = 19;
        public const int GrantTableOp = 20;
        public const int VmAssist = 21;
        public const int UpdateVaMappingOtherdomain = 22;
        /// <summary>x86 only; entered with jmp, frame on the guest stack.</summary>
        public const int Iret = 23;
        public const int VcpuOp = 24;
        /// <summary>x86/64 only.</summary>
        public const int SetSegmentBase = 25;
        public const int MmuextOp = 26;
        public const int XsmOp = 27;
        public const int NmiOp = 28;
        public const int SchedOp = 29;
        public const int CallbackOp = 30;
        public const int XenoprofOp = 31;
        public const int EventChannelOp = 32;
        public const int PhysdevOp = 33;
        public const int HvmOp = 34;
        public const int Sysctl = 35;
        public const int Domctl = 36;
        public const int KexecOp = 37;
        public const int TmemOp = 38;
        public const int ArgoOp = 39;
        public const int XenpmuOp = 40;
        public const int DmOp = 41;
        public const int HypfsOp = 42;

        /// <summary>Architecture-specific hypercalls 48..55 (x86: arch_1 is paging_domctl_cont, arch_0 is mca).</summary>
        public const int Arch0 = 48;
        public const int Arch1 = 49;
        public const int Arch2 = 50;
        public const int Arch3 = 51;
        public const int Arch4 = 52;
        public const int Arch5 = 53;
        public const int Arch6 = 54;
        public const int Arch7 = 55;
        /// <summary>x86: __HYPERVISOR_mca == __HYPERVISOR_arch_0 (arch-x86/xen-mca.h).</summary>
        public const int Mca = 48;
        /// <summary>x86: __HYPERVISOR_paging_domctl_cont == __HYPERVISOR_arch_1 (public/arch-x86/xen.h; pv64 "do" in Xen 4.17's hypercall-defs.c).</summary>
        public const int PagingDomctlCont = 49;
    }
}
