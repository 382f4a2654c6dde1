using System.Globalization;
using System.Text.RegularExpressions;

namespace Microxen.Tests.Integration;

/// <summary>
/// kernel-test's bench mode (guest command line "bench=N", kernel-test/Bench/Bench.cs) on
/// microxen: with the inline entry (inline=on) and with the dispatcher entry (inline=off),
/// short runs, no icount. Every operation prints a COST line with a positive figure in both
/// modes, and for mmu_update and set_segment_base (where the dispatcher costs an order of
/// magnitude more) the inline figure is below the dispatcher's from the same test. No absolute
/// times are asserted.
/// </summary>
public class KernelTestBenchTests : QemuTest
{
    public KernelTestBenchTests(ITestOutputHelper log) : base(log) { }

    public static readonly string[] Operations =
    {
        "empty_call", "mmu_update_1pte", "update_va_mapping_none", "update_va_mapping_invlpg",
        "update_va_mapping_tlb_flush", "mmuext_new_baseptr", "mmuext_tlb_flush_local", "mmuext_invlpg_local",
        "mmuext_pin_l1_unpin", "set_segment_base_fs", "stack_switch", "fpu_taskswitch_set_clear",
        "xen_version_0_event_check", "xen_version_pagesize_null", "iret_kernel", "user_roundtrip",
    };

    /// <summary>The COST lines: operation -> the headline figure (TSC ticks per call).</summary>
    public static Dictionary<string, double> Costs(string output) =>
        Regex.Matches(output, @"^(?:\(d\d+\) )?COST (\S+) ([0-9]+\.[0-9]) (\S+)", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));

    Dictionary<string, double> Run(string inline)
    {
        string what = $"kernel-test bench, inline={inline}";
        var r = Boot(what, KernelTestTests.KernelTestElf, "bench=300", $"mode=fast loglevel=info inline={inline}", 240);
        Assert.DoesNotMatch(@"(?m)^FAIL ", r.Output);
        Assert.Contains("BENCH done: 0 failed", r.Output);
        Assert.Contains("Test result: SUCCESS", r.Output);
        AssertPoweredOff(r, what);
        var costs = Costs(r.Output);
        foreach (var op in Operations)
        {
            Assert.True(costs.ContainsKey(op), $"inline={inline}: no COST line for {op}");
            Assert.True(costs[op] > 0, $"inline={inline}: COST {op} is {costs[op]}");
        }
        return costs;
    }

    [Fact]
    public void InlineEntryIsCheaperThanTheDispatcher()
    {
        var inline = Run("on");
        var dispatcher = Run("off");
        Assert.Equal(inline.Keys.OrderBy(k => k), dispatcher.Keys.OrderBy(k => k));
        foreach (var op in new[] { "mmu_update_1pte", "set_segment_base_fs" })
            Assert.True(inline[op] < dispatcher[op],
                $"{op}: inline {inline[op]} is not below the dispatcher's {dispatcher[op]}");
    }
}
