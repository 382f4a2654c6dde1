namespace Microxen.Tests.Integration;

/// <summary>
/// The loader takes what Xen 4.17 takes (issue 8): a PV kernel linked at address 0 with only
/// GUEST_OS, LOADER "generic", HYPERCALL_PAGE and XEN_VERSION notes (e_entry 0, no ENTRY,
/// VIRT_BASE or PAE_MODE) is built and entered at 0, where its first instruction (ud2, with no
/// trap table registered) crashes it: status 5, not a loader refusal.
/// </summary>
public class LowLinkedKernelTests(ITestOutputHelper log) : QemuTest(log)
{
    [Theory]
    [InlineData(0UL)]
    [InlineData(0x100000UL)]
    public void KernelLinkedLowIsLoadedAndEnteredAtItsEntry(ulong at)
    {
        var t = TestElf.LowLinked(at);
        t.Text = new byte[] { 0x0f, 0x0b };   // ud2
        string dir = Path.Combine(Path.GetTempPath(), "microxen-lowlinked");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"at{at:x}.elf");
        File.WriteAllBytes(path, t.Build());
        var r = Boot($"kernel linked at {at:x}", path, "", "loglevel=info", 120);
        Assert.DoesNotContain("ERROR: kernel", r.Output);
        Assert.Contains($"dom0: entry 0x{at:x} ", r.Output);
        Assert.Contains("entering dom0", r.Output);
        Assert.Contains($"rip 0x{at:x16} ", r.Output);   // the crash dump: #UD at the entry
        Assert.Equal(Qemu.Status(2), r.ExitCode);     // ExitCode.GuestCrash: its #UD has no handler
    }
}
