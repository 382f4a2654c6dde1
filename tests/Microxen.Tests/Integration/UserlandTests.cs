using System.Text.RegularExpressions;

namespace Microxen.Tests.Integration;

/// <summary>
/// Debian's stock kernel on microxen boots an initramfs of Debian's busybox-static plus the
/// project's smoke program (tests/guest/smoke.c), runs /init (tests/guest/smoke-init.sh), runs
/// user programs that exercise fork/exec, page faults, copy-on-write, pipes, signals, threads,
/// timers and /proc, and powers off: QEMU exits with status 0.
/// The same initramfs under the same kernel booted natively is InitramfsTests' baseline.
/// </summary>
public class UserlandTests : QemuTest
{
    public UserlandTests(ITestOutputHelper log) : base(log) { }

    /// <summary>
    /// Hypercalls Linux (6.1, as a PV dom0 on one vCPU with no devices) copes without, whatever
    /// the sub-operation: an "unimplemented hypercall" line naming any other hypercall fails the
    /// test, unless its sub-operation is in <see cref="ToleratedSubOps"/>.
    /// </summary>
    static readonly Dictionary<ulong, string> ToleratedHypercalls = new()
    {
        [7] = "platform_op",     // dom0 platform queries (firmware, CPU info, microcode)
        [21] = "vm_assist",      // optional assists
        [34] = "hvm_op",         // HVM-only parameters
        [35] = "sysctl",
        [36] = "domctl",
        [40] = "xenpmu_op",      // Xen PMU passthrough: "PMU not available", software events
        [48] = "mca",            // machine-check reporting (__HYPERVISOR_arch_0)
    };

    /// <summary>
    /// Sub-operations (hypercall, first argument) Linux copes without: it falls back, or as a dom0
    /// with no devices only warns. Seen on the first full run (Debian 6.1.0-56) with all checks passing.
    /// </summary>
    static readonly Dictionary<(ulong nr, ulong cmd), string> ToleratedSubOps = new()
    {
        [(12, 11)] = "memory_op XENMEM_exchange",                // swiotlb-xen: 'Failed to remap', no DMA devices
        [(33, 8)] = "physdev_op PHYSDEVOP_apic_read",           // dom0 IO-APIC probing
        [(33, 13)] = "physdev_op PHYSDEVOP_map_pirq",           // 'xen map irq failed -38' for legacy IRQs
        [(33, 15)] = "physdev_op PHYSDEVOP_manage_pci_add",     // dom0 reporting PCI devices
        [(33, 21)] = "physdev_op PHYSDEVOP_setup_gsi",
        [(33, 25)] = "physdev_op PHYSDEVOP_pci_device_add",
        [(33, 28)] = "physdev_op PHYSDEVOP_pirq_eoi_gmfn_v2",   // Linux falls back to PHYSDEVOP_eoi
    };

    static bool Tolerated(ulong nr, ulong cmd) => ToleratedHypercalls.ContainsKey(nr) || ToleratedSubOps.ContainsKey((nr, cmd));

    const int TimeoutSeconds = 600; // TCG, and a full boot plus user programs

    /// <summary>
    /// 1 GiB, both user page-table modes, and checked mode; 6 GiB puts guest RAM above QEMU's PCI hole (3-4 GiB),
    /// as on most hardware: Linux then remaps the hole's pages (its p2m relies on writes to its
    /// read-only p2m pages faulting) and the initrd's pfn must stay below 4 GiB.
    /// </summary>
    [Theory]
    [InlineData("user_pt=shared", "1G")]
    [InlineData("user_pt=switch", "1G")]
    [InlineData("user_pt=shared", "6G")]
    [InlineData("mode=checked user_pt=switch", "1G")]   // checked mode (Xen 4.17's page types): the later mode= wins
    public void DebianKernelRunsInitAndUserProgramsThenPowersOff(string userPageTable, string mem)
    {
        string kernel = DebianKernel.EnsureFetched();
        string initrd = GuestImages.SmokeInitramfs;
        string what = $"Debian's kernel, {userPageTable}, {mem}";
        var r = Boot(what, kernel, "console=hvc0 earlyprintk=xen", "mode=fast loglevel=info " + userPageTable, TimeoutSeconds,
            mem: mem, initrd: initrd, timeAt: GuestImages.InitLine);
        string tail = r.Tail();

        // The shim's own log: no exception in the shim, no panic, no hypercall Linux needs left unimplemented.
        var shimLog = r.Output.Split('\n').Where(l => l.StartsWith("(XEN) ", StringComparison.Ordinal)).ToList();
        Assert.True(shimLog.Count > 0, "no '(XEN) ' lines: the shim did not run?\n" + tail);
        var bad = shimLog.Where(l => l.Contains("unexpected exception") || l.Contains("PANIC")).ToList();
        Assert.True(bad.Count == 0, "the shim failed:\n  " + string.Join("\n  ", bad) + "\nlast lines:\n" + tail);
        var missing = new List<string>();
        foreach (string line in shimLog)
        {
            // "(XEN) unimplemented hypercall NR (name) args 0xA1 0xA2 ...: -ENOSYS"
            var m = Regex.Match(line, @"unimplemented hypercall (\d+) \([^)]*\) args 0x([0-9a-fA-F]+)");
            if (!m.Success)
            {
                if (line.Contains("unimplemented hypercall")) missing.Add(line + "   <- not understood by the test");
                continue;
            }
            if (!Tolerated(ulong.Parse(m.Groups[1].Value), Convert.ToUInt64(m.Groups[2].Value, 16))) missing.Add(line);
        }
        Assert.True(missing.Count == 0, "hypercalls Linux needs are unimplemented:\n  " + string.Join("\n  ", missing));

        Assert.DoesNotContain("Kernel panic", r.Output);
        // The paths Linux takes under Xen 4.17 (DESIGN.md 7): FIFO event channels and a grant table.
        Assert.True(r.Output.Contains("xen:events: Using FIFO-based ABI"), $"no 'xen:events: Using FIFO-based ABI' line; last lines:\n{tail}");
        Assert.True(r.Output.Contains("Grant tables using version 1 layout"), $"no 'Grant tables using version 1 layout' line; last lines:\n{tail}");
        Assert.True(r.Output.Contains("Grant table initialized"), $"no 'Grant table initialized' line; last lines:\n{tail}");
        Assert.True(r.UntilPattern != null, $"/init never printed '{GuestImages.InitLine}'; last lines:\n{tail}");
        GuestImages.AssertSmokeSucceeded(r.Output, "on microxen");
        AssertPoweredOff(r, what);
    }
}
