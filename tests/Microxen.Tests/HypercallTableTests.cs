using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microxen.Hypercalls;
using Microxen.Native;
using Xunit;

namespace Microxen.Tests;

/// <summary>The hypercall table (shim/Hypercalls/HypercallTable.cs) against Xen's public/xen.h, and what is generated from it.</summary>
public class HypercallTableTests
{
    [Fact]
    public void NamesAreXensForEveryNumberXenDefines()
    {
        Assert.True(File.Exists("/usr/include/xen/xen.h"), "Xen public headers missing: install libxen-dev (/usr/include/xen/xen.h)");
        var defined = Regex.Matches(File.ReadAllText("/usr/include/xen/xen.h"), @"^#define __HYPERVISOR_(\w+)\s+(\d+)\b", RegexOptions.Multiline)
            .Select(m => (Name: m.Groups[1].Value, Nr: int.Parse(m.Groups[2].Value)))
            .Where(d => !d.Name.StartsWith("arch_"))               // arch_0 is x86's mca (arch-x86/xen-mca.h)
            .ToList();
        Assert.True(defined.Count >= 40, $"only {defined.Count} __HYPERVISOR_ numbers found in xen.h");
        foreach (var (name, nr) in defined)
            Assert.Equal(name, HypercallTable.Row(nr).Name);
        for (int nr = 0; nr < HypercallTable.Size; nr++)
        {
            string name = HypercallTable.Row(nr).Name;
            if (name != null && name != "mca" && name != "paging_domctl_cont") Assert.Contains((name, nr), defined);
        }
        Assert.Equal("mca", HypercallTable.Row(48).Name);
        Assert.Equal("paging_domctl_cont", HypercallTable.Row(49).Name);   // arch_1 (arch-x86/xen.h)
        Assert.Null(HypercallTable.Row(11).Name);
        Assert.Equal("unknown", HypercallTable.Name(11));
        Assert.Equal("unknown", HypercallTable.Name(1000));
    }

    /// <summary>
    /// The args column against the C# handlers (a handler reads a1..aN only for N up to the
    /// row's Args) and spot values from Xen's xen/include/hypercall-defs.c (pv64).
    /// </summary>
    [Fact]
    public void ArgumentCountsCoverWhatEachHandlerReadsAndAreXens()
    {
        for (int nr = 0; nr < HypercallTable.Size; nr++)
        {
            var row = HypercallTable.Row(nr);
            if (row.Name == null) { Assert.Equal(0, HypercallTable.ArgRegisterMask((ulong)nr)); continue; }
            Assert.InRange(row.Args, 0, HypercallTable.MaxArgs);
            Assert.Equal((1 << row.Args) - 1, HypercallTable.ArgRegisterMask((ulong)nr));
            if (row.Handler == null) continue;
            int used = Regex.Matches(row.Handler, @"\ba([1-5])\b").Select(m => int.Parse(m.Groups[1].Value)).DefaultIfEmpty(0).Max();
            Assert.True(used <= row.Args, $"{row.Name}: its handler reads a{used}, the table says {row.Args} arguments");
        }
        Assert.Equal(0, HypercallTable.Row(Microxen.Xen.Hypercall.Iret).Args);
        Assert.Equal(3, HypercallTable.Row(Microxen.Xen.Hypercall.UpdateVaMapping).Args);
        Assert.Equal(4, HypercallTable.Row(Microxen.Xen.Hypercall.MmuextOp).Args);
        Assert.Equal(2, HypercallTable.Row(Microxen.Xen.Hypercall.Multicall).Args);
        Assert.Equal(0, HypercallTable.ArgRegisterMask(1000));
    }

    [Fact]
    public void RegeneratingTheDispatchSwitchReproducesTheCommittedFile()
    {
        string path = Path.Combine(DebianKernel.RepoRoot, DispatchGen.RelativePath);
        Assert.Equal(File.ReadAllText(path), DispatchGen.Emit());
    }

    [Fact]
    public void UnimplementedWarningsAreOncePerNumberAndCommandAndOnceForAllLargeNumbers()
    {
        var w = new WarnOnce();
        Assert.True(w.First(20, 3));
        Assert.False(w.First(20, 3));
        Assert.True(w.First(20, 4));
        Assert.True(w.First(21, 3));
        Assert.True(w.First(20, 100));       // commands from 63 on share one flag
        Assert.False(w.First(20, 63));
        Assert.True(w.First(64, 0));         // numbers from 64 on: one flag, so a guest cannot flood the log
        Assert.False(w.First(64, 1));
        Assert.False(w.First(ulong.MaxValue, 0));
        Assert.False(w.First(12345, 7));
    }
}
