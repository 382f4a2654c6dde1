namespace Microxen.Boot
{
    /// <summary>
    /// How the shim ends QEMU. Success powers the machine off (ACPI, QEMU exit status 0). Every
    /// other code is written to QEMU's isa-debug-exit device (port 0xf4), which ends QEMU with
    /// status 2*code+1: the status is listed beside each code. On hardware the shim halts.
    /// </summary>
    public enum ExitCode : uint
    {
        Success = 0,              // status 0 (ACPI poweroff)
        ShimPanic = 1,            // status 3: an unexpected exception or broken invariant in the shim
        GuestCrash = 2,           // status 5: the guest crashed (SCHEDOP_shutdown crash, fatal fault)
        BadCommandLine = 8,       // status 17: the shim's own command line is malformed
        NoKernel = 9,             // status 19: no kernel module was loaded
        BadKernel = 10,           // status 21: the kernel is not a usable x86-64 ELF
        NoXenNotes = 11,          // status 23: the ELF carries no Xen notes
        NoEntry = 12,             // status 25: no entry point
        UnsupportedKernel = 13,   // status 27: the kernel requires a feature the shim lacks
        KernelTooBig = 14,        // status 29: the domain does not fit in memory
        TruncatedModule = 15,     // status 31: a module is shorter than its headers say
        BadMultiboot = 16,        // status 33: not started by a multiboot loader, or no memory map
        BadGuestCommandLine = 17, // status 35: the guest's command line is too long
        NotAvailable = 18,        // status 37: an option asks for something not built yet (none today)
        NotX86_64 = 19,           // status 39: an ELF, but not a 64-bit little-endian x86-64 executable
        UnknownCompression = 20,  // status 41: a bzImage whose payload format is unknown or not decoded (bzip2, lzma, lzo, zstd)
        CorruptPayload = 21,      // status 43: a bzImage whose compressed payload is corrupt or cut short, or of the wrong size
    }
}
