using Microxen.Tools.AsmGen;
using Microxen.Tools.KernelTestGen;

// Usage: KernelTestGen OUT.s — writes kernel-test's native blob as GNU assembler source (bytes
// from Iced, symbols and relocations for ld, the Xen ELF notes). The Makefile assembles it with
// `as` and links it with the ilc object of kernel-test/ (kernel-test/kernel-test.ld).
return GasProgram.Run(args, "KernelTestGen", XenNotes.Write, KernelCode.Write);
