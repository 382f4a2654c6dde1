using Microxen.Traps;
using Microxen.Tools.CpuidMaskGen;

namespace Microxen.Tests;

/// <summary>shim/Traps/CpuidPvMask.g.cs is what tools/CpuidMaskGen makes of libxen-dev's header.</summary>
public class CpuidPvMaskTests
{
    [Fact]
    public void RegeneratingReproducesTheCommittedFile()
    {
        string committed = File.ReadAllText(Path.Combine(DebianKernel.RepoRoot, "shim", "Traps", "CpuidPvMask.g.cs"));
        string regenerated = Generator.Generate(File.ReadAllText(Generator.DefaultHeader));
        Assert.Equal(committed, regenerated);
    }

    [Theory]
    [InlineData(1u, 0u, 3, 3, false)]    // PSE: shadow/HAP guests only
    [InlineData(1u, 0u, 3, 13, false)]   // PGE
    [InlineData(1u, 0u, 3, 4, true)]     // TSC
    [InlineData(1u, 0u, 2, 26, true)]    // XSAVE
    [InlineData(1u, 0u, 2, 5, false)]    // VMX
    [InlineData(0x80000001u, 0u, 3, 26, false)] // PDPE1GB: HAP only
    [InlineData(0x80000001u, 0u, 3, 29, true)]  // LM
    [InlineData(7u, 0u, 1, 7, false)]    // SMEP
    [InlineData(7u, 0u, 1, 20, false)]   // SMAP
    public void MatchesXensPvPolicy(uint leaf, uint sub, int reg, int bit, bool offered)
    {
        for (int i = 0; i < CpuidPvMask.Words; i++)
        {
            CpuidPvMask.Get(i, out uint l, out uint s, out int r, out uint mask);
            if (l == leaf && s == sub && r == reg)
            {
                Assert.Equal(offered, (mask & (1u << bit)) != 0);
                return;
            }
        }
        Assert.Fail($"no mask for CPUID {leaf:x}:{sub} register {reg}");
    }

    [Fact]
    public void NamesXensCommonLeaf1FeaturesAndSingleBits()
    {
        Assert.Equal(0x0183f3ffu, CpuidPvMask.CommonLeaf1Edx);   // Xen 4.17's generated CPUID_COMMON_1D_FEATURES
        Assert.Equal(1u << 11, CpuidPvMask.Feature.SEP);
        Assert.Equal(1u << 12, CpuidPvMask.Feature.MTRR);
        Assert.Equal(1u << 2, CpuidPvMask.Feature.LFENCE_DISPATCH);
        Assert.Equal(1u << 27, CpuidPvMask.Feature.RDTSCP);
    }
}
