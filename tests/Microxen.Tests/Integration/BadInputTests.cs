namespace Microxen.Tests.Integration;

/// <summary>
/// Every class of bad input stops the shim with one line naming the problem and a distinct exit
/// code (shim/Boot/ExitCode.cs), before any guest code runs.
/// </summary>
[Collection("qemu")]
public class BadInputTests(ITestOutputHelper log)
{
    static string Temp(string name, byte[] bytes)
    {
        string dir = Path.Combine(Path.GetTempPath(), "microxen-badinput");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    QemuResult Boot(string kernel, string shimArgs = "loglevel=info", bool withModule = true)
    {
        var r = Qemu.Run(kernel, "console=hvc0", shimArgs, 120, withModule: withModule);
        log.WriteLine(r.Output);
        Assert.False(r.TimedOut, "QEMU did not stop; console:\n" + r.Output);
        Assert.DoesNotContain("entering dom0", r.Output);
        return r;
    }

    void Expect(QemuResult r, int shimCode, string message)
    {
        Assert.Equal(Qemu.Status(shimCode), r.ExitCode);
        Assert.Contains(message, r.Output);
        Assert.Contains("(XEN) ERROR: ", r.Output);
    }

    [Fact]
    public void NotAnElf()
    {
        var r = Boot(Temp("text.bin", System.Text.Encoding.ASCII.GetBytes(new string('x', 8192))));
        Expect(r, 10, "ERROR: kernel: ");
    }

    [Fact]
    public void NotX86_64()
    {
        var elf = new TestElf().Build();
        TestElf.W16(elf, 18, 183);   // e_machine = EM_AARCH64
        Expect(Boot(Temp("aarch64.elf", elf)), 19, "ERROR: kernel: ");
    }

    [Fact]
    public void NoXenNotes()
    {
        var t = new TestElf();
        t.Notes.Clear();
        Expect(Boot(Temp("nonotes.elf", t.Build())), 11, "ERROR: kernel: ");
    }

    /// <summary>No ENTRY note and e_entry 0 in a kernel based at VIRT_BASE: libelf's "out of bounds".</summary>
    [Fact]
    public void EntryOutsideTheKernel()
    {
        var t = new TestElf { EEntry = 0 };
        t.Notes.RemoveAll(n => n.Type == 1);   // XEN_ELFNOTE_ENTRY
        Expect(Boot(Temp("noentry.elf", t.Build())), 12, "ERROR: kernel: kernel start, end or entry address out of bounds");
    }

    /// <summary>Xen 4.17's dom0 builder refuses (panics on) a kernel requiring supervisor_mode_kernel.</summary>
    [Fact]
    public void RequiresSupervisorModeKernel()
    {
        var t = new TestElf();
        t.Notes.RemoveAll(n => n.Type == 10);  // XEN_ELFNOTE_FEATURES
        t.Notes.Add(Note.Str(10, "!supervisor_mode_kernel"));
        var r = Boot(Temp("supervisor.elf", t.Build()));
        Expect(r, 13, "Dom0 requires supervisor-mode execution");
    }

    [Fact]
    public void KernelDoesNotFitInMemory()
    {
        string kernel = DebianKernel.EnsureFetched();
        Expect(Boot(kernel, "dom0_mem=16"), 14, "ERROR: dom0: ");
    }

    [Fact]
    public void TruncatedModule()
    {
        string kernel = DebianKernel.EnsureFetched();
        var bytes = File.ReadAllBytes(kernel);
        Expect(Boot(Temp("truncated.elf", bytes[..(1 << 20)])), 15, "ERROR: kernel: ");
    }

    [Fact]
    public void NoKernelModule()
    {
        Expect(Boot(null, withModule: false), 9, "ERROR: kernel: no module loaded");
    }

    [Fact]
    public void UnknownShimOption()
    {
        var r = Boot(new TestElfFile().Path, "loglevel=info frobnicate=1");
        Expect(r, 8, "unknown option");
        Assert.Contains("frobnicate=1", r.Output);
    }

    sealed class TestElfFile
    {
        public readonly string Path = Temp("valid.elf", new TestElf().Build());
    }
}
