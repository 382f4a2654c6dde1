using Microxen.Native;

// Usage: InlineGen [OUTDIR]   (default: <repo>/shim/Inline) — writes one NAME.g.cs per sequence.
string dir = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "../../../../../shim/Inline");
foreach (var s in Generator.All())
{
    string path = Path.Combine(dir, s.Name + ".g.cs");
    File.WriteAllText(path, Generator.Emit(s));
    Console.WriteLine($"wrote {Path.GetFullPath(path)} ({s.Bytes.Length} bytes)");
}
return 0;
