using Microxen.Native;

// Usage: InlineGen [REPO]   (default: the repository this tool is built in) — writes, from the
// hypercall table (shim/Hypercalls/HypercallTable.cs), one shim/Inline/NAME.g.cs per transfer-page
// sequence and shim/Hypercalls/HypercallDispatch.g.cs (the C# dispatch switch).
string repo = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "../../../../..");
foreach (var s in Generator.All())
{
    string path = Path.Combine(repo, "shim/Inline", s.Name + ".g.cs");
    File.WriteAllText(path, Generator.Emit(s));
    Console.WriteLine($"wrote {Path.GetFullPath(path)} ({s.Bytes.Length} bytes)");
}
string dispatch = Path.Combine(repo, DispatchGen.RelativePath);
File.WriteAllText(dispatch, DispatchGen.Emit());
Console.WriteLine($"wrote {Path.GetFullPath(dispatch)}");
return 0;
