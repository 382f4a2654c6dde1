using System.Text.RegularExpressions;

namespace Microxen.Tests.Integration;

/// <summary>
/// The shim starts every CPU of a -smp 4 machine (shim/Smp/ApBoot.cs: INIT-SIPI-SIPI through the
/// trampoline below 1 MiB, each AP on its own GDT, TSS and stacks) and the parked APs do not
/// disturb the guest: kernel-test's fast-mode result is the one-CPU result (its SMP rows aside); each AP answers the
/// shim's IPI. dom0_max_vcpus=
/// bounds the CPUs started.
/// </summary>
public class ApBootTests : QemuTest
{
    public ApBootTests(ITestOutputHelper log) : base(log) { }

    [Fact]
    public void EveryCpuComesUpAndKernelTestStillPasses()
    {
        // dom0 gets one vCPU per CPU by default (Xen 4.17's dom0_max_vcpus): kernel-test's SMP group
        // runs too, its pending rows expected to fail (KernelTestSmpTests), the hanging ones skipped.
        var r = Qemu.Run(KernelTestTests.KernelTestElf, KernelTestSmpTests.SkipHanging(), "mode=fast loglevel=info", 240, machineArgs: new[] { "-smp", "4" });
        Log.WriteLine($"QEMU -smp 4 ran {r.Elapsed.TotalSeconds:F1} s, exit status {r.ExitCode}");
        Log.WriteLine(r.Output);
        for (int cpu = 1; cpu < 4; cpu++)
            Assert.Contains($"(XEN) SMP: CPU {cpu} (APIC id {cpu}) up", r.Output);
        Assert.DoesNotContain("did not start", r.Output);
        // Each AP takes the shim's IPI on its own IDT/TSS and EOIs its own local APIC (shim/Smp/Ipi.cs).
        for (int cpu = 1; cpu < 4; cpu++)
            Assert.Matches(new Regex($@"\(XEN\) SMP: CPU {cpu} answers IPIs: round trip \d+ ns"), r.Output);
        Assert.DoesNotContain("did not answer an IPI", r.Output);
        Assert.Matches(new Regex(@"\(XEN\) SMP: per-CPU base: IA32_TSC_AUX = CPU index \((RDPID present|RDTSCP; no RDPID)\)"), r.Output);
        KernelTestTests.AssertFastModeResult(r.Output, "kernel-test, -smp 4", KernelTestTests.FastModeDifferences.Concat(KernelTestSmpTests.Pending));
        Assert.Contains("(XEN) SMP: dom0 gets 4 vCPUs, one per CPU", r.Output);
        Assert.Contains("(XEN) dom0 powered off", r.Output);
        AssertPoweredOff(r, "kernel-test, -smp 4");
    }

    [Fact]
    public void Dom0MaxVcpusBoundsTheCpusStarted()
    {
        var r = Qemu.Run(KernelTestTests.KernelTestElf, "", "mode=fast loglevel=info dom0_max_vcpus=2", 120,
            stopAt: "entering dom0 in ring 0", machineArgs: new[] { "-smp", "4" });
        Log.WriteLine(r.Output);
        Assert.Contains("(XEN) SMP: CPU 1 (APIC id 1) up", r.Output);
        Assert.DoesNotContain("SMP: CPU 2", r.Output);
        Assert.Contains("(XEN) entering dom0 in ring 0", r.Output);
    }
}
