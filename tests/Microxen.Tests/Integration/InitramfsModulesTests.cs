using System.Text;

namespace Microxen.Tests.Integration;

/// <summary>
/// tools/Initramfs --modules (Debian's modules with depmod's closure and a load order) and
/// --add-binary (a dynamic program with the libraries ldd names), on Debian's kernel package.
/// In the "qemu" collection: scripts/devices-run.sh builds tools/Initramfs too, never at the same time.
/// </summary>
[Collection("qemu")]
public class InitramfsModulesTests
{
    static string ModuleTree()
    {
        DebianKernel.EnsureFetched();
        string modules = Path.Combine(DebianKernel.Dir, "lib", "modules");
        return Directory.GetDirectories(modules).Single();
    }

    [Fact]
    public void ModulesComeWithTheirDependenciesInLoadOrder()
    {
        string tree = ModuleTree(), version = Path.GetFileName(tree);
        string outPath = Path.Combine(DebianKernel.RepoRoot, "build", "tests", "initramfs-modules.cpio");
        var (rc, output) = GuestImages.RunTool($"--out {GuestImages.Q(outPath)} --modules {GuestImages.Q(tree + ":ext4,virtio_blk")} --add-binary /usr/sbin/mke2fs:/bin/mkfs.ext4");
        Assert.True(rc == 0, $"tools/Initramfs failed (exit {rc}):\n{output}");
        var entries = CpioEntry.ReadNewc(File.ReadAllBytes(outPath)).ToDictionary(e => e.Name);
        string dir = $"lib/modules/{version}/";
        Assert.True(entries.ContainsKey(dir + "modules.dep"), "no modules.dep (depmod on the initramfs root)");
        var order = Encoding.UTF8.GetString(entries[dir + "load-order"].Data).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        int At(string name)
        {
            int i = order.FindIndex(p => Path.GetFileName(p) == name + ".ko");
            Assert.True(i >= 0, $"{name}.ko not in load-order:\n  " + string.Join("\n  ", order));
            return i;
        }
        // modules.dep: ext4 needs jbd2, mbcache and crc16; virtio_blk needs virtio and virtio_ring; ext4's softdep brings crc32c.
        foreach (string dep in new[] { "jbd2", "mbcache", "crc16" }) Assert.True(At(dep) < At("ext4"), $"{dep} after ext4 in load-order");
        foreach (string dep in new[] { "virtio", "virtio_ring" }) Assert.True(At(dep) < At("virtio_blk"), $"{dep} after virtio_blk in load-order");
        Assert.True(order.Any(p => Path.GetFileName(p).StartsWith("crc32c")), "ext4's soft dependency crc32c (an alias) is missing");
        foreach (string p in order) Assert.True(entries.ContainsKey(dir + p), $"load-order names {p}, not in the archive");
        Assert.Equal(order.Count, order.Distinct().Count());
        // --add-binary: the program and what ldd names (libc, the ELF interpreter).
        Assert.True(entries.ContainsKey("bin/mkfs.ext4"));
        Assert.Contains(entries.Keys, k => k.EndsWith("/libc.so.6"));
        Assert.Contains(entries.Keys, k => k.EndsWith("/libext2fs.so.2"));
        Assert.Contains(entries.Keys, k => k.StartsWith("lib64/ld-linux-x86-64.so"));
    }

    [Fact]
    public void BadModuleArgumentsGetDistinctExitCodes()
    {
        string tree = ModuleTree();
        string outPath = Path.Combine(DebianKernel.RepoRoot, "build", "tests", "initramfs-badmodules.cpio");
        var (rc, output) = GuestImages.RunTool($"--out {GuestImages.Q(outPath)} --modules {GuestImages.Q(tree + ":no_such_module")}");
        Assert.True(rc == 6 && output.Contains("no module 'no_such_module'"), $"unknown module: exit {rc}, expected 6:\n{output}");
        (rc, output) = GuestImages.RunTool($"--out {GuestImages.Q(outPath)} --modules {GuestImages.Q("/tmp:ext4")}");
        Assert.True(rc == 6 && output.Contains("lib/modules/VERSION"), $"not a module tree: exit {rc}, expected 6:\n{output}");
        (rc, output) = GuestImages.RunTool($"--out {GuestImages.Q(outPath)} --modules ext4");
        Assert.True(rc == 2, $"--modules without KDIR: exit {rc}, expected 2:\n{output}");
        (rc, output) = GuestImages.RunTool($"--out {GuestImages.Q(outPath)} --add-binary {GuestImages.Q(Path.Combine(DebianKernel.RepoRoot, "build", "busybox-static", "root", "bin", "busybox") + ":/bin/bb")}");
        Assert.True(rc == 6 && output.Contains("ldd"), $"--add-binary of a static program: exit {rc}, expected 6:\n{output}");
    }
}
