namespace Microxen.Tests.Integration;

/// <summary>
/// QEMU's UEFI firmware (Debian's ovmf): OVMF_CODE_4M.fd read-only and a fresh copy of
/// OVMF_VARS_4M.fd per boot, as two pflash drives.
/// </summary>
public static class UefiFirmware
{
    public const string Code = "/usr/share/OVMF/OVMF_CODE_4M.fd";
    public const string Vars = "/usr/share/OVMF/OVMF_VARS_4M.fd";

    /// <summary>The pflash arguments, with a copy of the variable store at <paramref name="varsCopy"/>.</summary>
    public static string[] Args(string varsCopy)
    {
        Assert.True(File.Exists(Code), $"{Code} not found (make deps installs ovmf)");
        File.Copy(Vars, varsCopy, true);
        return new[]
        {
            "-drive", $"if=pflash,format=raw,readonly=on,file={Code}",
            "-drive", $"if=pflash,format=raw,file={varsCopy.Replace(",", ",,")}",
        };
    }
}
