using System.Runtime.InteropServices;
using Microxen.Acpi;

namespace Microxen.Tests;

/// <summary>
/// shim/Acpi's one RSDP: the multiboot2 tag copy (UEFI machines have no RSDP in the BIOS area)
/// wins over the BIOS-area scan; an invalid copy is refused and the scan stays. Synthetic memory:
/// a zeroed buffer standing for physical 0..2 MiB.
/// </summary>
[Collection("acpi-rsdp")]   // AcpiTables' boot copy is one static
public unsafe class AcpiBootCopyTests : IDisposable
{
    const int MemBytes = 2 << 20;
    const ulong XsdtAt = 0x100000, MadtAt = 0x100800;
    readonly byte* _mem = (byte*)NativeMemory.AllocZeroed(MemBytes);
    readonly byte* _copy = (byte*)NativeMemory.AllocZeroed(64);
    ulong Map => (ulong)_mem;

    public AcpiBootCopyTests()
    {
        // An XSDT listing one MADT, both only reachable through the copy (no RSDP in memory).
        Header(XsdtAt, AcpiTables.Xsdt, 8);
        *(ulong*)(_mem + XsdtAt + AcpiTables.HeaderSize) = MadtAt;
        Checksum(_mem + XsdtAt, AcpiTables.HeaderSize + 8, 9);
        Header(MadtAt, AcpiTables.Madt, 8);
        Checksum(_mem + MadtAt, AcpiTables.HeaderSize + 8, 9);
    }

    public void Dispose()
    {
        AcpiTables.UseBootCopy(null, 0);
        NativeMemory.Free(_mem);
        NativeMemory.Free(_copy);
    }

    void Header(ulong at, uint sig, uint body)
    {
        *(uint*)(_mem + at) = sig;
        *(uint*)(_mem + at + 4) = AcpiTables.HeaderSize + body;
    }

    static void Checksum(byte* p, uint len, int at)
    {
        p[at] = 0;
        p[at] = (byte)(0 - AcpiTables.Sum(p, len));
    }

    /// <summary>A revision-2 RSDP in the copy buffer naming the XSDT.</summary>
    void Xsdp(uint length = AcpiTables.RsdpV2Size)
    {
        *(ulong*)_copy = AcpiTables.RsdpSignature;
        _copy[15] = 2;
        *(uint*)(_copy + 20) = length;
        *(ulong*)(_copy + 24) = XsdtAt;
        Checksum(_copy, AcpiTables.RsdpV1Size, 8);
        Checksum(_copy, length, 32);
    }

    [Fact]
    public void TheTagCopyIsTheRsdpWhenNoneIsInTheBiosArea()
    {
        Assert.Equal(0UL, AcpiTables.FindRsdp(Map));
        Assert.Equal(0UL, AcpiTables.Find(Map, AcpiTables.Madt));
        Xsdp();
        Assert.True(AcpiTables.UseBootCopy(_copy, (int)AcpiTables.RsdpV2Size));
        Assert.True(AcpiTables.FromBootLoader);
        Assert.True(AcpiTables.Rsdp(Map) == _copy);
        Assert.Equal(MadtAt, AcpiTables.Find(Map, AcpiTables.Madt));
    }

    [Fact]
    public void ACorruptOrShortCopyIsRefused()
    {
        Xsdp();
        _copy[30] ^= 1;   // extended checksum broken
        Assert.False(AcpiTables.UseBootCopy(_copy, (int)AcpiTables.RsdpV2Size));
        Assert.False(AcpiTables.FromBootLoader);
        Xsdp();
        Assert.False(AcpiTables.UseBootCopy(_copy, (int)AcpiTables.RsdpV1Size));   // revision 2 in a 20-byte tag
        Xsdp(40);
        Assert.False(AcpiTables.UseBootCopy(_copy, (int)AcpiTables.RsdpV2Size));   // length beyond the copy
        Assert.True(AcpiTables.Rsdp(Map) == null);
    }
}
