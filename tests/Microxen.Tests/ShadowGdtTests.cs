using Microxen.Checked;

namespace Microxen.Tests;

/// <summary>
/// Checked mode's shadow GDT (shim/Checked/ShadowGdt.cs): the guest's GDT frames get Xen 4.17's
/// fixed-up descriptors (check_descriptor), the shadow frames the hardware GDT shows keep the
/// ring-0 view, per GDT position, across a copy of the fixed-up GDT into a new frame.
/// </summary>
public unsafe class ShadowGdtTests
{
    const ulong Code64Dpl0 = 0x00af9a000000ffff, Code64Dpl3 = 0x00affa000000ffff;
    const ulong DataDpl0 = 0x00cf92000000ffff, DataDpl3 = 0x00cff2000000ffff;
    const ulong GateDpl3 = 0x1234ec00e0335678, GateFixed = 0x12348c00e0335678;   // kernel-test's val_*_call_gate
    // A DPL-3 gate to the guest's 0x10: Xen stores DPL 0 with the target's RPL 3; the ring-0 view keeps 0x10.
    const ulong GateTo10 = 0x1234ec0000105678, GateTo10Fixed = 0x12348c0000135678, GateTo10RingZero = 0x12348c0000105678;

    [Fact]
    public void MergeGivesTheGuestXensValuesAndTheShadowTheRingZeroView()
    {
        ulong* guest = stackalloc ulong[Descriptor.PerPage];
        ulong* shadow = stackalloc ulong[Descriptor.PerPage];
        guest[2] = Code64Dpl0; guest[3] = DataDpl0; guest[4] = GateDpl3; guest[6] = Code64Dpl3; guest[7] = GateTo10;
        ShadowGdt.Merge(guest, shadow);
        Assert.Equal(Code64Dpl3, guest[2]);
        Assert.Equal(DataDpl3, guest[3]);
        Assert.Equal(GateFixed, guest[4]);
        Assert.Equal(Code64Dpl3, guest[6]);
        Assert.Equal(GateTo10Fixed, guest[7]);
        Assert.Equal(Code64Dpl0, shadow[2]);
        Assert.Equal(DataDpl0, shadow[3]);
        Assert.Equal(GateFixed, shadow[4]);          // a gate to 0xe033: DPL 0 in both views
        Assert.Equal(Code64Dpl3, shadow[6]);
        Assert.Equal(GateTo10RingZero, shadow[7]);
        Assert.Equal(0UL, shadow[5]);
    }

    [Fact]
    public void ACopyOfTheFixedUpGdtKeepsTheRingZeroViewOfEachPosition()
    {
        ulong* first = stackalloc ulong[Descriptor.PerPage];
        ulong* shadow = stackalloc ulong[Descriptor.PerPage];
        first[2] = Code64Dpl0; first[3] = DataDpl0; first[6] = Code64Dpl3;
        ShadowGdt.Merge(first, shadow);
        shadow[2] |= ShadowGdt.Accessed;             // the CPU marks a loaded segment accessed in the shadow
        ulong* copy = stackalloc ulong[Descriptor.PerPage];
        for (int i = 0; i < Descriptor.PerPage; i++) copy[i] = first[i];   // Linux: the per-CPU GDT copied from the fixed-up one
        copy[5] = Code64Dpl0;                        // a new entry takes its own ring-0 view
        ShadowGdt.Merge(copy, shadow);
        Assert.Equal(Code64Dpl0 | ShadowGdt.Accessed, shadow[2]);
        Assert.Equal(DataDpl0, shadow[3]);
        Assert.Equal(Code64Dpl0, shadow[5]);
        Assert.Equal(Code64Dpl3, shadow[6]);
        Assert.Equal(Code64Dpl3, copy[2]);
        Assert.Equal(Code64Dpl3, copy[5]);
        copy[3] = 0x00cf93000000fff0;               // a different segment at a position replaces the shadow's
        ShadowGdt.Merge(copy, shadow);
        Assert.Equal(0x00cf93000000fff0UL, shadow[3]);
        Assert.Equal(0x00cff3000000fff0UL, copy[3]);
    }

    [Fact]
    public void WriteUpdatesBothViewsOrOnlyTheGuestFrame()
    {
        ulong g = 0, s = 0;
        ShadowGdt.Write(&g, &s, DataDpl0);
        Assert.Equal(DataDpl3, g);
        Assert.Equal(DataDpl0, s);
        ShadowGdt.Write(&g, &s, GateTo10);
        Assert.Equal(GateTo10Fixed, g);
        Assert.Equal(GateTo10RingZero, s);
        ShadowGdt.Write(&g, null, Code64Dpl0);
        Assert.Equal(Code64Dpl3, g);
        Assert.Equal(GateTo10RingZero, s);
    }
}
