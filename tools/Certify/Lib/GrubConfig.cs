using System.Text;

namespace Microxen.Tools.Certify;

/// <summary>
/// The grub.cfg of `make certify-iso`: one entry per test kernel and microxen mode, and a default
/// entry that runs them all in sequence. GRUB cannot chain runs, and a run ends the boot, so the
/// sequence is a state machine across reboots: the shim gets on_exit=reboot (it resets after its
/// exit code line), and GRUB keeps the next step in certify/grubenv on the image's small FAT
/// partition (load_env/save_env; ISO 9660 is read-only, so booted from a CD the entries run one
/// by one by hand). After the last step GRUB prints "certify: sequence complete" and halts.
/// </summary>
public static class GrubConfig
{
    /// <summary>The env file GRUB searches for on the image's writable partition.</summary>
    public const string EnvFile = "/certify/grubenv";
    public const string Done = "certify: sequence complete";

    /// <summary>One boot of the sequence: a kernel on a microxen mode.</summary>
    public sealed record Step(TestKernel Kernel, HostKind Host, string ImagePath, string InitrdPath);

    /// <summary>The steps: every kernel on checked then fast mode; kernels and initrds under /boot/certify/.</summary>
    public static List<Step> Steps(IEnumerable<TestKernel> kernels)
    {
        var steps = new List<Step>();
        foreach (var k in kernels)
            foreach (var h in new[] { HostKind.Checked, HostKind.Fast })
                steps.Add(new Step(k, h, "/boot/certify/" + k.Name + ".kernel", k.Initrd == null ? null : "/boot/certify/" + k.Name + ".initrd"));
        return steps;
    }

    public static string Text(IReadOnlyList<Step> steps)
    {
        var sb = new StringBuilder();
        sb.Append("# make certify-iso (tools/Certify): capture COM1 and give it to `make certify LOG=serial.log`.\n");
        sb.Append("serial --unit=0 --speed=115200\nterminal_input serial console\nterminal_output serial console\n");
        sb.Append("set certify_env=\nset certify_next=\nset certify_exit=\n");
        sb.Append($"search --no-floppy --file --set=certify_env {EnvFile}\n");
        sb.Append($"if [ -n \"$certify_env\" ]; then load_env -f ($certify_env){EnvFile} certify_next; fi\n");
        sb.Append("export certify_env certify_exit\nset default=all\nset timeout=5\n");
        sb.Append("if [ -n \"$certify_next\" ]; then\n    set timeout=0\n    set certify_exit=on_exit=reboot\n");
        for (int i = 1; i <= steps.Count; i++)
        {
            sb.Append(i == 1 ? "    if" : "    elif").Append($" [ \"$certify_next\" = \"{i}\" ]; then\n");
            sb.Append($"        set default=step{i}\n        set certify_next={i + 1}\n");
            sb.Append($"        echo \"certify: step {i} of {steps.Count}: {What(steps[i - 1])}\"\n");
        }
        sb.Append("    else\n        set certify_next=\n    fi\n");
        sb.Append($"    save_env -f ($certify_env){EnvFile} certify_next\n");
        sb.Append($"    if [ -z \"$certify_next\" ]; then echo \"{Done}\"; halt; fi\nfi\n\n");

        sb.Append($"menuentry \"certify: all {steps.Count} runs in sequence (reboots between them)\" --id all {{\n");
        sb.Append("    if [ -z \"$certify_env\" ]; then\n");
        sb.Append($"        echo \"certify: no writable {EnvFile} (a CD is read-only): write the image to a USB stick, or pick the entries one by one\"\n");
        sb.Append("        sleep 10\n    else\n        set certify_next=1\n");
        sb.Append($"        save_env -f ($certify_env){EnvFile} certify_next\n        configfile $prefix/grub.cfg\n    fi\n}}\n");
        for (int i = 1; i <= steps.Count; i++)
        {
            var s = steps[i - 1];
            sb.Append($"menuentry \"{Title(s)}\" --id step{i} {{\n");
            sb.Append($"    multiboot2 /boot/microxen.bin mode={Hosts.ShimMode(s.Host)} loglevel=info $certify_exit\n");
            sb.Append($"    module2 {s.ImagePath} {s.Kernel.GuestCmdline}\n");
            if (s.InitrdPath != null) sb.Append($"    module2 {s.InitrdPath}\n");
            sb.Append("}\n");
        }
        return sb.ToString();
    }

    static string Title(Step s) => "certify: " + What(s);

    static string What(Step s) => $"{s.Kernel.Name} on microxen mode={Hosts.ShimMode(s.Host)}";

    /// <summary>
    /// Lays out the image's root: boot/microxen.bin, boot/certify/NAME.kernel (and .initrd),
    /// boot/grub/grub.cfg. Returns the steps.
    /// </summary>
    public static List<Step> LayOut(string root, string shimImage, IReadOnlyList<TestKernel> kernels)
    {
        var steps = Steps(kernels);
        Directory.CreateDirectory(Path.Combine(root, "boot", "grub"));
        Directory.CreateDirectory(Path.Combine(root, "boot", "certify"));
        File.Copy(shimImage, Path.Combine(root, "boot", "microxen.bin"), true);
        foreach (var s in steps)
        {
            File.Copy(s.Kernel.Image, root + s.ImagePath, true);
            if (s.InitrdPath != null) File.Copy(s.Kernel.Initrd, root + s.InitrdPath, true);
        }
        File.WriteAllText(Path.Combine(root, "boot", "grub", "grub.cfg"), Text(steps));
        return steps;
    }
}
