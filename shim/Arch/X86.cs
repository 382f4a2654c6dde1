namespace Microxen.Arch
{
    /// <summary>
    /// x86-64 architectural facts, in one place for the shim's C#, its machine code
    /// (shim/**/*.asm.cs, run by tools/AsmGen and tools/InlineGen), kernel-test and the host tests.
    /// Source: Intel 64 and IA-32 Architectures Software Developer's Manual (SDM), sections named
    /// per group. Bits are masks (1 &lt;&lt; n) unless named <c>...Bit</c> (the bit number).
    /// Page-table entry bits are in shim/Xen/PageFlags.cs.
    /// </summary>
    public static class X86
    {
        /// <summary>RFLAGS (SDM vol. 1, 3.4.3 "EFLAGS Register", figure 3-8).</summary>
        public static class Rflags
        {
            public const ulong CF = 1ul << 0;
            /// <summary>Bit 1 reads as 1 (reserved): the value of RFLAGS with nothing set is 0x2.</summary>
            public const ulong Reserved1 = 1ul << 1;
            /// <summary>The status flags besides CF (SDM vol. 1 3.4.3.1): parity of the low byte, auxiliary carry (bit 3), zero, sign, overflow.</summary>
            public const ulong PF = 1ul << 2, AF = 1ul << 4, ZF = 1ul << 6, SF = 1ul << 7, OF = 1ul << 11;
            public const ulong TF = 1ul << 8;
            public const int IFBit = 9;
            public const ulong IF = 1ul << IFBit;
            public const ulong DF = 1ul << 10;
            /// <summary>I/O privilege level, bits 12-13.</summary>
            public const ulong IOPL = 3ul << 12;
            public const ulong NT = 1ul << 14;
            public const ulong RF = 1ul << 16;
            public const ulong VM = 1ul << 17;
            public const ulong AC = 1ul << 18;
        }

        /// <summary>CR0 (SDM vol. 3A, 2.5 "Control Registers").</summary>
        public static class Cr0
        {
            public const ulong PE = 1ul << 0;
            public const ulong MP = 1ul << 1;
            public const ulong EM = 1ul << 2;
            public const ulong TS = 1ul << 3;
            public const ulong WP = 1ul << 16;
            public const ulong PG = 1ul << 31;
        }

        /// <summary>CR4 (SDM vol. 3A, 2.5 "Control Registers").</summary>
        public static class Cr4
        {
            /// <summary>Debugging extensions: DR4/DR5 fault, I/O breakpoints allowed.</summary>
            public const ulong DE = 1ul << 3;
            public const ulong PAE = 1ul << 5;
            /// <summary>Global pages: G entries survive CR3 writes while set; clearing it flushes them.</summary>
            public const ulong PGE = 1ul << 7;
            public const ulong OSFXSR = 1ul << 9;
            public const ulong OSXMMEXCPT = 1ul << 10;
            public const ulong OSXSAVE = 1ul << 18;
        }

        /// <summary>DR6, the debug status register (SDM vol. 3A, 18.2.3 "Debug Status Register"): its bits are sticky.</summary>
        public static class Dr6
        {
            /// <summary>BS: the #DB came from a single step (RFLAGS.TF).</summary>
            public const ulong BS = 1ul << 14;
        }

        /// <summary>IA32_EFER bits (SDM vol. 3A, 2.2.1 "Extended Feature Enable Register").</summary>
        public static class Efer
        {
            /// <summary>SYSCALL/SYSRET enable.</summary>
            public const ulong SCE = 1ul << 0;
            /// <summary>IA-32e mode enable.</summary>
            public const ulong LME = 1ul << 8;
            /// <summary>Execute-disable (NX) bit enable.</summary>
            public const ulong NXE = 1ul << 11;
        }

        /// <summary>Model-specific register numbers (SDM vol. 4, 2.1 "Architectural MSRs", table 2-2).</summary>
        public static class Msr
        {
            public const uint IA32_APIC_BASE = 0x1b;
            public const uint IA32_TSC_DEADLINE = 0x6e0;
            /// <summary>Page attribute table (SDM vol. 3A 12.12.2): the same on every CPU.</summary>
            public const uint IA32_PAT = 0x277;
            /// <summary>What RDTSCP/RDPID return in ECX/the register: the shim's CPU index (shim/Smp).</summary>
            public const uint IA32_TSC_AUX = 0xC0000103;
            public const uint IA32_EFER = 0xC0000080;
            /// <summary>SYSCALL/SYSRET selectors: bits 32-47 the kernel CS (SS = CS + 8), 48-63 the user base.</summary>
            public const uint IA32_STAR = 0xC0000081;
            /// <summary>SYSCALL target in 64-bit mode.</summary>
            public const uint IA32_LSTAR = 0xC0000082;
            /// <summary>SYSCALL target in compatibility mode.</summary>
            public const uint IA32_CSTAR = 0xC0000083;
            /// <summary>RFLAGS bits SYSCALL clears.</summary>
            public const uint IA32_FMASK = 0xC0000084;
            public const uint IA32_FS_BASE = 0xC0000100;
            public const uint IA32_GS_BASE = 0xC0000101;
            /// <summary>Swapped with IA32_GS_BASE by swapgs.</summary>
            public const uint IA32_KERNEL_GS_BASE = 0xC0000102;
        }

        /// <summary>
        /// Exception vectors (SDM vol. 3A, 6.3.1 and table 6-1 "Protected-Mode Exceptions and
        /// Interrupts"; #VC and #HV are AMD's, APM vol. 2, 8.2).
        /// </summary>
        public static class Vector
        {
            public const int DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8,
                TS = 10, NP = 11, SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19, VE = 20,
                CP = 21, HV = 28, VC = 29, SX = 30;

            /// <summary>
            /// The vectors for which the processor pushes an error code (table 6-1): #DF, #TS, #NP,
            /// #SS, #GP, #PF, #AC, #CP, #VC, #SX; bit v set for vector v.
            /// </summary>
            public const uint WithErrorCode = (1u << DF) | (1u << TS) | (1u << NP) | (1u << SS) | (1u << GP)
                | (1u << PF) | (1u << AC) | (1u << CP) | (1u << VC) | (1u << SX);

            /// <summary>Whether the processor pushes an error code for exception <paramref name="v"/>.</summary>
            public static bool HasErrorCode(ulong v) => v < 32 && ((WithErrorCode >> (int)v) & 1) != 0;
        }

        /// <summary>Segment selectors (SDM vol. 3A, 3.4.2 "Segment Selectors").</summary>
        public static class Selector
        {
            /// <summary>Requested privilege level, bits 0-1.</summary>
            public const ulong RplMask = 3;
        }

        /// <summary>
        /// Linux's x86-64 GDT selectors (arch/x86/include/asm/segment.h), which a PV Linux also
        /// uses under Xen: the frames the shim builds for user mode carry them.
        /// </summary>
        public static class LinuxSelector
        {
            /// <summary>__USER32_CS (GDT entry 4, RPL 3): STAR's user base (SYSRET: CS = base + 16, SS = base + 8).</summary>
            public const ushort User32Cs = 4 * 8 + 3;
            /// <summary>__USER_DS (GDT entry 5, RPL 3).</summary>
            public const ushort UserDs = 5 * 8 + 3;
            /// <summary>__USER_CS (GDT entry 6, RPL 3).</summary>
            public const ushort UserCs = 6 * 8 + 3;
        }

        /// <summary>Size of the fxsave64/fxrstor64 area in bytes (SDM vol. 1, 10.5.1, table 10-2).</summary>
        public const int FxsaveSize = 512;

        /// <summary>CPUID feature bits (SDM vol. 2A, CPUID: leaf 1 ECX/EDX, leaf 5 ECX).</summary>
        public static class CpuidBits
        {
            /// <summary>Leaf 1 ECX: MONITOR/MWAIT (3), Enhanced SpeedStep (7).</summary>
            public const uint Leaf1EcxMonitor = 1u << 3, Leaf1EcxEist = 1u << 7;
            /// <summary>Leaf 1 EDX: thermal monitor and clock control (ACPI, 22).</summary>
            public const uint Leaf1EdxAcpi = 1u << 22;
            /// <summary>The MONITOR/MWAIT leaf; its ECX: extensions enumerated (0), interrupts break MWAIT (1).</summary>
            public const uint MwaitLeaf = 5, MwaitEcxExtensions = 1u << 0, MwaitEcxInterruptBreak = 1u << 1;
            /// <summary>Leaf 1 EDX: machine-check exception (7), CLFLUSH (19), machine-check architecture (14), HTT (28).</summary>
            public const uint Leaf1EdxMce = 1u << 7, Leaf1EdxMca = 1u << 14, Leaf1EdxClflush = 1u << 19, Leaf1EdxHtt = 1u << 28;
            /// <summary>Leaf 1 ECX: XSAVE/XRSTOR/XSETBV/XGETBV and XCR0 (26), OSXSAVE: CR4.OSXSAVE is set (27), hypervisor present (31).</summary>
            public const uint Leaf1EcxXsave = 1u << 26, Leaf1EcxOsxsave = 1u << 27, Leaf1EcxHypervisor = 1u << 31;
        }

        /// <summary>
        /// Machine-check MSRs (SDM vol. 3B, 16.3 "Machine-Check MSRs"; AMD APM vol. 2, 9.3; Xen
        /// 4.17 asm/msr-index.h): MCG_CAP's bank count is bits 0-7; bank i's CTL, STATUS, ADDR,
        /// MISC are MC0_CTL + 4i + 0..3.
        /// </summary>
        public static class McMsr
        {
            public const uint IA32_MCG_CAP = 0x179, IA32_MCG_STATUS = 0x17a, IA32_MC0_CTL = 0x400, McgCapCount = 0xff;
            /// <summary>AMD family 10h+ MC4 MISC1-3, and HWCR (its McStatusWrEn bit lets MCi_STATUS take writes).</summary>
            public const uint F10_MC4_MISC1 = 0xc0000408, F10_MC4_MISC3 = 0xc000040a, K8_HWCR = 0xc0010015;
        }
    }
}
