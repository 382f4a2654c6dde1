using Microxen.Tools.CpuidMaskGen;

// Usage: CpuidMaskGen [HEADER] [OUT] (defaults: libxen-dev's header, shim/Traps/CpuidPvMask.g.cs)
string header = args.Length > 0 ? args[0] : Generator.DefaultHeader;
string output = args.Length > 1 ? args[1] : Path.Combine(AppContext.BaseDirectory, "../../../../../shim/Traps/CpuidPvMask.g.cs");
if (!File.Exists(header))
{
    Console.Error.WriteLine($"CpuidMaskGen: {header} not found (apt-get install libxen-dev)");
    return 1;
}
File.WriteAllText(output, Generator.Generate(File.ReadAllText(header)));
Console.WriteLine($"wrote {Path.GetFullPath(output)}");
return 0;
