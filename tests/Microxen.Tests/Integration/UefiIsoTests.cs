namespace Microxen.Tests.Integration;

/// <summary>
/// The UEFI hardware path: the same BIOS+UEFI GRUB image booted under OVMF, where GRUB x86_64-efi
/// loads microxen with multiboot2 after exiting boot services. The module2 command line must arrive
/// (GRUB EFI places its information where the shim allocates first) and dom0 must find the ACPI
/// tables through the EFI configuration table XENPF_firmware_info reports, as under Xen.
/// </summary>
[Collection("qemu")]
public class UefiIsoTests(ITestOutputHelper log)
{
    [Fact]
    public void GrubEfiBootsMicroxenAndDom0FindsAcpiThroughEfi()
    {
        string root = DebianKernel.RepoRoot;
        string kernel = DebianKernel.EnsureFetched();
        string initrd = GuestImages.SmokeInitramfs;
        string dir = Path.Combine(root, "build", "tests");
        string iso = Path.Combine(dir, "microxen-uefi.iso");
        Directory.CreateDirectory(dir);
        Assert.True(Directory.Exists("/usr/lib/grub/x86_64-efi"), "grub-efi-amd64-bin is not installed (make deps)");
        var (rc, output) = DebianKernel.Run(Path.Combine(root, "scripts", "make-iso.sh"),
            $"{iso} {Qemu.Image} {kernel} {initrd} \"mode=fast loglevel=info\" \"console=hvc0 earlyprintk=xen\"", 300);
        Assert.True(rc == 0, "make-iso failed:\n" + output);

        var r = Qemu.RunMachine(UefiFirmware.Args(Path.Combine(dir, "uefi-iso-vars.fd")).Concat(new[] { "-cdrom", iso }), "1G", 600);
        log.WriteLine($"UEFI boot to power-off: {r.Elapsed.TotalSeconds:F0} s");
        log.WriteLine(r.Output);
        Assert.False(r.TimedOut, "no power-off; console:\n" + r.Output);
        Assert.Contains("BdsDxe: starting", r.Output);                  // OVMF, not SeaBIOS, booted GRUB
        Assert.Contains("(multiboot2)", r.Output);
        Assert.Contains("(XEN) dom0: command line \"console=hvc0 earlyprintk=xen\"", r.Output);
        Assert.Contains("efi: EFI v2.", r.Output);                      // xen_efi_init took the firmware info
        Assert.Contains("ACPI: RSDP 0x", r.Output);
        Assert.DoesNotContain("A valid RSDP was not found", r.Output);
        Assert.Contains("SMOKE RESULT: SUCCESS", r.Output);
        Assert.Equal(0, r.ExitCode);
    }
}
