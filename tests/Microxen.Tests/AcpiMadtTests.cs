using System.Runtime.InteropServices;
using Microxen.Acpi;
using Microxen.Irq;

namespace Microxen.Tests;

/// <summary>
/// shim/Acpi on synthetic firmware memory (a zeroed buffer standing for physical 0..2 MiB): the
/// RSDP scan (EBDA, BIOS area), XSDT and RSDT walks, checksum refusal, MADT parsing; shim/Irq's
/// Xen-derived pirq limits and get_free_pirq order.
/// </summary>
public unsafe class AcpiMadtTests : IDisposable
{
    const int MemBytes = 2 << 20;
    readonly byte* _mem = (byte*)NativeMemory.AllocZeroed(MemBytes);
    ulong Map => (ulong)_mem;

    public void Dispose() => NativeMemory.Free(_mem);

    void Fix(ulong at, int sumLen, int sumAt)
    {
        _mem[at + (ulong)sumAt] = 0;
        _mem[at + (ulong)sumAt] = (byte)(0 - AcpiTables.Sum(_mem + at, (uint)sumLen));
    }

    void Rsdp(ulong at, byte rev, uint rsdt, ulong xsdt)
    {
        *(ulong*)(_mem + at) = AcpiTables.RsdpSignature;
        _mem[at + 15] = rev;
        *(uint*)(_mem + at + 16) = rsdt;
        *(uint*)(_mem + at + 20) = AcpiTables.RsdpV2Size;
        *(ulong*)(_mem + at + 24) = xsdt;
        Fix(at, (int)AcpiTables.RsdpV1Size, 8);
        if (rev >= 2) Fix(at, (int)AcpiTables.RsdpV2Size, 32);
    }

    /// <summary>A table: header with signature and length, body copied after it, checksum fixed.</summary>
    void Table(ulong at, uint sig, byte[] body)
    {
        *(uint*)(_mem + at) = sig;
        *(uint*)(_mem + at + 4) = AcpiTables.HeaderSize + (uint)body.Length;
        Marshal.Copy(body, 0, (IntPtr)(_mem + at + AcpiTables.HeaderSize), body.Length);
        Fix(at, (int)AcpiTables.HeaderSize + body.Length, 9);
    }

    static byte[] Words(int size, params ulong[] entries)
    {
        var b = new byte[entries.Length * size];
        for (int i = 0; i < entries.Length; i++)
            for (int k = 0; k < size; k++) b[i * size + k] = (byte)(entries[i] >> (8 * k));
        return b;
    }

    static readonly byte[] MadtBody = new byte[]
    {
        0x00, 0x00, 0xe0, 0xfe, 0x01, 0, 0, 0,                 // local APIC 0xfee00000, PCAT_COMPAT
        0, 8, 0, 0, 1, 0, 0, 0,                                // CPU uid 0, APIC id 0, enabled
        0, 8, 1, 1, 0, 0, 0, 0,                                // CPU uid 1, APIC id 1, disabled: not listed
        9, 16, 0, 0, 0x00, 0x01, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, // x2APIC id 0x100, enabled, uid 7
        1, 12, 0, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0,       // IO-APIC 0 at 0xfec00000, GSI 0
        1, 12, 1, 0, 0x00, 0x10, 0xc0, 0xfe, 24, 0, 0, 0,      // IO-APIC 1 at 0xfec01000, GSI 24
        2, 10, 0, 0, 2, 0, 0, 0, 0, 0,                         // ISA 0 -> GSI 2
        2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0,                      // ISA 9 -> GSI 9, level, active high
        3, 8, 0x0d, 0, 40, 0, 0, 0,                            // NMI source GSI 40
        4, 6, 0xff, 0x05, 0, 1,                                // LAPIC NMI, all CPUs, LINT1
        5, 12, 0, 0, 0x00, 0x00, 0xd0, 0xfe, 0, 0, 0, 0,       // LAPIC address override 0xfed00000
    };

    [Fact]
    public void XsdtPathFindsMadtAndParsesEveryEntryType()
    {
        Rsdp(0xf0010, 2, 0, 0x100000);
        Table(0x100000, AcpiTables.Xsdt, Words(8, 0x100800, 0x101000));
        Table(0x100800, 0x50434146 /* FACP */, new byte[80]);
        Table(0x101000, AcpiTables.Madt, MadtBody);
        ulong rsdp = AcpiTables.FindRsdp(Map);
        Assert.Equal(0xf0010UL, rsdp);
        ulong madt = AcpiTables.FindTable(Map, rsdp, AcpiTables.Madt);
        Assert.Equal(0x101000UL, madt);
        MadtInfo m;
        Madt.Parse(_mem + madt, &m);
        Assert.False(m.Truncated);
        Assert.Equal(0, m.Dropped);
        Assert.Equal(0xfed00000UL, m.LocalApicAddress);
        Assert.True(m.PcAtCompat);
        Assert.Equal(2, m.CpuCount);
        Assert.Equal(0u, m.CpuApicId[0]);
        Assert.Equal(0x100u, m.CpuApicId[1]);
        Assert.Equal(7u, m.CpuUid[1]);
        Assert.Equal(2, m.IoApicCount);
        Assert.Equal(0xfec01000u, m.IoApic(1)->Address);
        Assert.Equal(24u, m.IoApic(1)->GsiBase);
        Assert.Equal(1, m.IoApic(1)->Id);
        Assert.Equal(2, m.OverrideCount);
        Assert.Equal(2u, m.IsaToGsi(0, out ushort f0));
        Assert.Equal(0, f0);
        Assert.Equal(9u, m.IsaToGsi(9, out ushort f9));
        Assert.Equal(0x0d, f9);
        Assert.Equal(1u, m.IsaToGsi(1, out _));
        Assert.Equal(1, m.NmiSourceCount);
        Assert.Equal(40u, m.NmiSourceGsi[0]);
        Assert.Equal(1, m.LapicNmiCount);
        Assert.Equal(0xffffffffu, m.LapicNmi(0)->ProcessorUid);
        Assert.Equal(1, m.LapicNmi(0)->Lint);
        Assert.Equal(5, m.LapicNmi(0)->Flags);
    }

    [Fact]
    public void RsdtPathAndEbdaScan()
    {
        *(ushort*)(_mem + AcpiTables.EbdaSegmentWord) = 0x9fc0;
        Rsdp(0x9fc20, 0, 0x102000, 0);
        Table(0x102000, AcpiTables.Rsdt, Words(4, 0x101000));
        Table(0x101000, AcpiTables.Madt, MadtBody);
        ulong rsdp = AcpiTables.FindRsdp(Map);
        Assert.Equal(0x9fc20UL, rsdp);
        Assert.Equal(0x101000UL, AcpiTables.FindTable(Map, rsdp, AcpiTables.Madt));
        Assert.Equal(0UL, AcpiTables.FindTable(Map, rsdp, 0x54455048 /* HPET: not listed */));
    }

    [Fact]
    public void BadChecksumsAreRefused()
    {
        Rsdp(0xe0000, 2, 0, 0x100000);
        Table(0x100000, AcpiTables.Xsdt, Words(8, 0x101000));
        Table(0x101000, AcpiTables.Madt, MadtBody);
        _mem[0x101000 + 50]++;
        Assert.Equal(0UL, AcpiTables.FindTable(Map, AcpiTables.FindRsdp(Map), AcpiTables.Madt));
        _mem[0xe0000 + 24]++;   // the XSDT address: extended checksum now wrong
        Assert.Equal(0UL, AcpiTables.FindRsdp(Map));
    }

    [Fact]
    public void EntryRunningPastTheTableEndsParsing()
    {
        var body = (byte[])MadtBody.Clone();
        body[8 + 1] = 200;   // the first CPU entry claims 200 bytes
        Table(0x101000, AcpiTables.Madt, body);
        MadtInfo m;
        Madt.Parse(_mem + 0x101000, &m);
        Assert.True(m.Truncated);
        Assert.Equal(0, m.CpuCount);
    }

    /// <summary>Xen 4.17's limits: 24 IO-APIC pins and 1 CPU give dom0 208 pirqs (Xen's "Dom0 has maximum 208 PIRQs").</summary>
    [Theory]
    [InlineData(24u, 24u, 1u, 1u, 24u, 208u)]
    [InlineData(24u, 24u, 2u, 1u, 24u, 232u)]
    [InlineData(24u, 24u, 4u, 4u, 24u, 648u)]
    [InlineData(0u, 0u, 1u, 1u, 16u, 208u)]
    [InlineData(48u, 56u, 1u, 1u, 56u, 264u)]
    public void PirqLimitsFollowXen(uint pins, uint highest, uint cpus, uint vcpus, uint gsis, uint pirqs)
    {
        Assert.Equal(gsis, IrqLimits.GsiCount(pins, highest));
        uint irqs = IrqLimits.IrqCount(gsis, cpus);
        Assert.Equal(pirqs, Math.Min(IrqLimits.Dom0Pirqs(gsis, cpus, vcpus), irqs));
        Assert.Equal(pirqs, IrqLimits.Dom0Pirqs(gsis, cpus, vcpus));
    }

    [Fact]
    public void GetFreePirqOrderIsXens()
    {
        IoApics.GsiCount = 24;
        IoApics.Dom0Pirqs = 208;
        Assert.Equal(207, Pirqs.AllocateFree(Microxen.Xen.PhysdevOp.MAP_PIRQ_TYPE_MSI));
        Assert.Equal(206, Pirqs.AllocateFree(Microxen.Xen.PhysdevOp.MAP_PIRQ_TYPE_MSI));
        Assert.Equal(16, Pirqs.AllocateFree(Microxen.Xen.PhysdevOp.MAP_PIRQ_TYPE_GSI));
        Assert.True(Pirqs.HasInfo(207) && !Pirqs.HasInfo(205));
        for (int i = 17; i < 24; i++) Assert.Equal(i, Pirqs.AllocateFree(Microxen.Xen.PhysdevOp.MAP_PIRQ_TYPE_GSI));
        Assert.Equal(205, Pirqs.AllocateFree(Microxen.Xen.PhysdevOp.MAP_PIRQ_TYPE_GSI));   // GSI range full: from the top
    }

    /// <summary>A mapped pirq answers both ways (domain_pirq_to_irq, domain_irq_to_pirq); unmapping frees it for get_free_pirq and keeps its info.</summary>
    [Fact]
    public void PirqMapsBothWaysUntilUnmapped()
    {
        IoApics.GsiCount = 24;
        IoApics.Dom0Pirqs = 208;
        Pirqs.Map(100, 30);
        Assert.Equal(30, Pirqs.ToIrq(100));
        Assert.Equal(100, Pirqs.FromIrq(30));
        Assert.Equal(0, Pirqs.FromIrq(31));
        Assert.Equal(0, Pirqs.ToIrq(101));
        Pirqs.Unmap(100);
        Assert.Equal(0, Pirqs.ToIrq(100));
        Assert.Equal(0, Pirqs.FromIrq(30));
        Assert.True(Pirqs.HasInfo(100));
        Assert.Equal(Pirqs.Free, Pirqs.State(100));
    }
}
