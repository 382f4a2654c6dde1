namespace Microxen.Xen
{
    /// <summary>
    /// x86_64 PV address-space layout, flat segment selectors and VGCF_* flags.
    /// Addresses are canonical virtual addresses; selectors are 16-bit.
    /// Sources: xen/include/public/arch-x86/xen-x86_64.h, arch-x86/xen.h.
    /// </summary>
    public static class Layout
    {
        /// <summary>HYPERVISOR_VIRT_START: start of the hypervisor-reserved hole (L4 slot 256).</summary>
        public const ulong HYPERVISOR_VIRT_START = 0xFFFF800000000000ul;
        /// <summary>HYPERVISOR_VIRT_END: end of the hypervisor-reserved hole (L4 slot 272, exclusive).</summary>
        public const ulong HYPERVISOR_VIRT_END = 0xFFFF880000000000ul;
        /// <summary>MACH2PHYS_VIRT_START: read-only M2P table (8 bytes per machine frame).</summary>
        public const ulong MACH2PHYS_VIRT_START = 0xFFFF800000000000ul;
        /// <summary>MACH2PHYS_VIRT_END (exclusive); 256 GiB of M2P.</summary>
        public const ulong MACH2PHYS_VIRT_END = 0xFFFF804000000000ul;
        /// <summary>MACH2PHYS_NR_ENTRIES: machine frames the M2P can describe.</summary>
        public const ulong MACH2PHYS_NR_ENTRIES = (MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) >> 3;

        /// <summary>First L4 slot reserved for the hypervisor (256).</summary>
        public const int FirstReservedL4Slot = 256;
        /// <summary>Last L4 slot reserved for the hypervisor, inclusive (271).</summary>
        public const int LastReservedL4Slot = 271;

        // Flat selectors (Xen's reserved GDT entries, RPL 3 since Xen runs the PV kernel in ring 3).
        public const ushort FLAT_RING3_CS32 = 0xe023;
        public const ushort FLAT_RING3_CS64 = 0xe033;
        public const ushort FLAT_RING3_DS32 = 0xe02b;
        public const ushort FLAT_RING3_DS64 = 0x0000;
        public const ushort FLAT_RING3_SS32 = 0xe02b;
        public const ushort FLAT_RING3_SS64 = 0xe02b;

        public const ushort FLAT_KERNEL_DS64 = FLAT_RING3_DS64;
        public const ushort FLAT_KERNEL_DS32 = FLAT_RING3_DS32;
        public const ushort FLAT_KERNEL_DS = FLAT_KERNEL_DS64;
        public const ushort FLAT_KERNEL_CS64 = FLAT_RING3_CS64;
        public const ushort FLAT_KERNEL_CS32 = FLAT_RING3_CS32;
        public const ushort FLAT_KERNEL_CS = FLAT_KERNEL_CS64;
        public const ushort FLAT_KERNEL_SS64 = FLAT_RING3_SS64;
        public const ushort FLAT_KERNEL_SS32 = FLAT_RING3_SS32;
        public const ushort FLAT_KERNEL_SS = FLAT_KERNEL_SS64;

        public const ushort FLAT_USER_DS64 = FLAT_RING3_DS64;
        public const ushort FLAT_USER_DS32 = FLAT_RING3_DS32;
        public const ushort FLAT_USER_DS = FLAT_USER_DS64;
        public const ushort FLAT_USER_CS64 = FLAT_RING3_CS64;
        public const ushort FLAT_USER_CS32 = FLAT_RING3_CS32;
        public const ushort FLAT_USER_CS = FLAT_USER_CS64;
        public const ushort FLAT_USER_SS64 = FLAT_RING3_SS64;
        public const ushort FLAT_USER_SS32 = FLAT_RING3_SS32;
        public const ushort FLAT_USER_SS = FLAT_USER_SS64;

        /// <summary>FIRST_RESERVED_GDT_PAGE: GDT pages 14-15 are Xen's.</summary>
        public const int FIRST_RESERVED_GDT_PAGE = 14;
        /// <summary>FIRST_RESERVED_GDT_BYTE.</summary>
        public const int FIRST_RESERVED_GDT_BYTE = FIRST_RESERVED_GDT_PAGE * 4096;
        /// <summary>FIRST_RESERVED_GDT_ENTRY (7168).</summary>
        public const int FIRST_RESERVED_GDT_ENTRY = FIRST_RESERVED_GDT_BYTE / 8;

        /// <summary>XEN_LEGACY_MAX_VCPUS: vcpu_info slots in shared_info (the old MAX_VIRT_CPUS).</summary>
        public const int XEN_LEGACY_MAX_VCPUS = 32;
        /// <summary>MAX_VIRT_CPUS as exposed to guests (no longer in the 4.17 headers; = XEN_LEGACY_MAX_VCPUS).</summary>
        public const int MAX_VIRT_CPUS = XEN_LEGACY_MAX_VCPUS;

        // vcpu_guest_context flags (VGCF_*), arch-x86/xen.h.
        public const int _VGCF_i387_valid = 0;
        public const ulong VGCF_i387_valid = 1ul << _VGCF_i387_valid;
        public const ulong VGCF_I387_VALID = VGCF_i387_valid;
        public const int _VGCF_in_kernel = 2;
        public const ulong VGCF_in_kernel = 1ul << _VGCF_in_kernel;
        public const ulong VGCF_IN_KERNEL = VGCF_in_kernel;
        public const int _VGCF_failsafe_disables_events = 3;
        public const ulong VGCF_failsafe_disables_events = 1ul << _VGCF_failsafe_disables_events;
        public const int _VGCF_syscall_disables_events = 4;
        public const ulong VGCF_syscall_disables_events = 1ul << _VGCF_syscall_disables_events;
        public const int _VGCF_online = 5;
        public const ulong VGCF_online = 1ul << _VGCF_online;

        /// <summary>_VGCF_in_syscall: bit of the iret frame's flags word (xen-x86_64.h).</summary>
        public const int _VGCF_in_syscall = 8;
        /// <summary>VGCF_in_syscall: iret frame flag, the guest exited in syscall context (return like sysret).</summary>
        public const ulong VGCF_in_syscall = 1ul << _VGCF_in_syscall;
        public const ulong VGCF_IN_SYSCALL = VGCF_in_syscall;

        // Trap-table entry flags (trap_info.flags): bits 0-1 DPL, bit 2 clear event enable.
        /// <summary>trap_info.flags DPL mask (TI_GET_DPL).</summary>
        public const byte TI_DPL_MASK = 3;
        /// <summary>trap_info.flags bit 2 (TI_GET_IF): mask events on delivery.</summary>
        public const byte TI_IF = 4;

        // Event mask saved in CS bits 32-39 of the exception/iret frame.
        /// <summary>Bit position of saved_upcall_mask in the 64-bit CS slot of a bounce frame.</summary>
        public const int SavedUpcallMaskShift = 32;

        /// <summary>SEGBASE_* arguments to set_segment_base.</summary>
        public const int SEGBASE_FS = 0;
        public const int SEGBASE_GS_USER = 1;
        public const int SEGBASE_GS_KERNEL = 2;
        public const int SEGBASE_GS_USER_SEL = 3;
    }
}
