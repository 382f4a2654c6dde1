using System.Text.RegularExpressions;
using Microxen.Xen;

namespace Microxen.Tests;

/// <summary>shim/Xen/XenCpuid.cs against libxen-dev's public/arch-x86/cpuid.h.</summary>
public class XenCpuidTests
{
    static uint Define(string name)
    {
        string h = File.ReadAllText("/usr/include/xen/arch-x86/cpuid.h");
        var m = Regex.Match(h, @"^#define " + name + @"\s+\(?(0x[0-9a-fA-F]+|\d+)u?(?:\s*<<\s*(\d+))?\)?", RegexOptions.Multiline);
        Assert.True(m.Success, $"{name} not in cpuid.h");
        string v = m.Groups[1].Value;
        uint x = v.StartsWith("0x") ? Convert.ToUInt32(v, 16) : uint.Parse(v);
        return m.Groups[2].Success ? x << int.Parse(m.Groups[2].Value) : x;
    }

    [Fact]
    public void ConstantsAreTheHeaders()
    {
        Assert.Equal(XenCpuid.MaxNumLeaves, Define("XEN_CPUID_MAX_NUM_LEAVES"));
        Assert.Equal(XenCpuid.SignatureEbx, Define("XEN_CPUID_SIGNATURE_EBX"));
        Assert.Equal(XenCpuid.SignatureEcx, Define("XEN_CPUID_SIGNATURE_ECX"));
        Assert.Equal(XenCpuid.SignatureEdx, Define("XEN_CPUID_SIGNATURE_EDX"));
        Assert.Equal(XenCpuid.Feat1MmuPtUpdatePreserveAd, Define("XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD"));
        Assert.Equal(XenCpuid.MachineAddressWidthMask, Define("XEN_CPUID_MACHINE_ADDRESS_WIDTH_MASK"));
        Assert.Equal(XenCpuid.Base, Define("XEN_CPUID_FIRST_LEAF"));
    }
}
