using Microxen.Native;

// Usage: InlineGen [REPO]   (default: the repository this tool is built in) — writes, from the
// hypercall table (shim/Hypercalls/HypercallTable.cs), the transfer page's sequence table
// (shim/Inline/InlineSequences.g.cs) and the C# dispatch switch (shim/Hypercalls/HypercallDispatch.g.cs).
string repo = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "../../../../..");
foreach (var (relative, text) in new[] { (Generator.RelativePath, Generator.Emit()), (DispatchGen.RelativePath, DispatchGen.Emit()) })
{
    string path = Path.Combine(repo, relative);
    File.WriteAllText(path, text);
    Console.WriteLine($"wrote {Path.GetFullPath(path)}");
}
return 0;
