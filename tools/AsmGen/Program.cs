using Microxen.Native;

// Usage: AsmGen OUT.s — writes the shim's native blob as GNU assembler source (bytes from Iced,
// symbols and relocations for ld). The Makefile assembles it with `as` and links it with the
// ilc object.
return GasProgram.Run(args, "AsmGen", BootCode.Write, CpuPrimitives.Write, EntryStubs.Write, FaultFixups.Write, ApTrampoline.Write);
