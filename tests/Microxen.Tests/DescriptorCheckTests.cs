using Microxen.Checked;

namespace Microxen.Tests;

/// <summary>
/// Checked mode's check_descriptor (shim/Checked/Descriptor.cs) rule by rule against Xen 4.17's
/// xen/arch/x86/pv/descriptor-tables.c and asm/desc.h, for a 64-bit PV guest.
/// </summary>
public unsafe class DescriptorCheckTests
{
    const ulong Code64Dpl0 = 0x00af9a000000ffff, Code64Dpl3 = 0x00affa000000ffff, DataDpl0 = 0x00cf92000000ffff;
    const ulong Tss = 0x0000890000000067, Ldt = 0x0000820000000fff, IntGate = 0x00008e0000100000, TrapGate = 0x00008f0000100000;

    /// <summary>A present 64-bit call gate (type 12) to <paramref name="sel"/> with DPL <paramref name="dpl"/>.</summary>
    static ulong Gate(ulong sel, int dpl) => 0xffff8c0000001234UL & ~(3UL << 45) | ((ulong)dpl << 45) | (sel << 16);

    [Fact]
    public void NotPresentDescriptorsAreAcceptedUnchanged()
    {
        // "A not-present descriptor will always fault, so is safe": even a TSS type or a gate to Xen's selectors.
        ulong d = Tss & ~Descriptor.P;
        Assert.Equal(DescriptorVerdict.NotPresent, Descriptor.Check(d, out ulong f));
        Assert.Equal(d, f);
        Assert.Equal(DescriptorVerdict.NotPresent, Descriptor.Check(Gate(0xe008, 0) & ~Descriptor.P, out _));
    }

    [Theory]
    [InlineData(Code64Dpl0, Code64Dpl3)]        // DPL 0 code becomes DPL 3 (__fixup_guest_selector, GUEST_KERNEL_RPL 3)
    [InlineData(Code64Dpl3, Code64Dpl3)]        // DPL 3 stays
    [InlineData(DataDpl0, 0x00cff2000000ffff)]  // data too
    [InlineData(0x00cfb2000000ffff, 0x00cff2000000ffff)]   // DPL 1 becomes 3
    public void CodeAndDataSegmentsAreAcceptedWithDpl3(ulong given, ulong stored)
    {
        Assert.Equal(DescriptorVerdict.Segment, Descriptor.Check(given, out ulong f));
        Assert.Equal(stored, f);
    }

    [Fact]
    public void SegmentsGetNoBaseLimitOrLongBitChecks()
    {
        // 64-bit guests: "All code and data segments are okay. No base/limit checking." (L with D set too)
        Assert.Equal(DescriptorVerdict.Segment, Descriptor.Check(0xffeffa00ffffffff, out _));
    }

    [Fact]
    public void SystemTypeZeroIsTheGateUpperHalf()
    {
        ulong d = 0x0000800000000000 | 0x12345678;    // present, S clear, type 0
        Assert.Equal(DescriptorVerdict.GateUpperHalf, Descriptor.Check(d, out ulong f));
        Assert.Equal(d, f);                             // returned before the DPL write-back
    }

    [Theory]
    [InlineData(Tss)]
    [InlineData(0x00008b0000000067UL)]   // busy TSS
    [InlineData(Ldt)]
    [InlineData(IntGate)]
    [InlineData(TrapGate)]
    [InlineData(0x0000850000000000UL)]   // task gate
    [InlineData(0x0000840000000000UL)]   // 16-bit call gate
    [InlineData(0x0000810000000000UL)]   // 16-bit TSS
    public void OtherSystemDescriptorsAreRefused(ulong d)
    {
        Assert.Equal(DescriptorVerdict.BadSystemType, Descriptor.Check(d, out ulong f));
        Assert.Equal(d, f);
        Assert.False(Descriptor.Accepted(DescriptorVerdict.BadSystemType));
    }

    [Theory]
    [InlineData(0x10UL)]          // a guest GDT selector
    [InlineData(0xdff8UL)]        // the last guest GDT entry (7167)
    [InlineData(0xe033UL)]        // exactly FLAT_KERNEL_CS
    [InlineData(0xe00cUL)]        // an LDT selector (TI set) in the reserved range's numbers
    public void CallGatesToGuestSelectorsAreAcceptedWithDpl0(ulong sel)
    {
        ulong g = Gate(sel, 3);
        Assert.Equal(DescriptorVerdict.CallGate, Descriptor.Check(g, out ulong f));
        Assert.Equal(0UL, f & Descriptor.DplMask);                                  // DPL forced to 0
        Assert.Equal((sel & ~3UL) | 3, (f >> 16) & 0xffff);                        // the fixed-up DPL (3) in the target's RPL
        Assert.Equal(g & ~(Descriptor.DplMask | (0xffffUL << 16)), f & ~(Descriptor.DplMask | (0xffffUL << 16)));
    }

    [Theory]
    [InlineData(0xe000UL)]        // FIRST_RESERVED_GDT_ENTRY
    [InlineData(0xe030UL)]        // FLAT_KERNEL_CS with RPL 0: not the exact selector
    [InlineData(0xe008UL)]
    [InlineData(0xfff8UL)]
    public void CallGatesToXenSelectorsAreRefused(ulong sel)
    {
        Assert.Equal(DescriptorVerdict.BadGateSelector, Descriptor.Check(Gate(sel, 0), out _));
    }

    [Fact]
    public void CallGatesWithReservedBitsAreRefused()
    {
        ulong g = Gate(0x10, 0);
        Assert.Equal(DescriptorVerdict.CallGate, Descriptor.Check(g, out _));
        for (int bit = 32; bit < 40; bit++)
            Assert.Equal(DescriptorVerdict.GateReservedBits, Descriptor.Check(g | (1UL << bit), out _));
    }

    [Fact]
    public void FixupRplRaisesOnlyBelowThree()
    {
        Assert.Equal(0xe033u, Descriptor.FixupRpl(0xe030));
        Assert.Equal(0x13u, Descriptor.FixupRpl(0x11));
        Assert.Equal(0x2bu, Descriptor.FixupRpl(0x2b));
    }

    [Fact]
    public void APageIsRefusedAtItsFirstBadDescriptor()
    {
        ulong* page = stackalloc ulong[512];
        for (int i = 0; i < 512; i++) page[i] = 0;
        page[2] = Code64Dpl0;
        page[4] = Gate(0x10, 3);
        page[5] = 0;                                    // the gate's upper half
        Assert.Equal(-1, Descriptor.FirstRefused(page, out _));
        page[511] = Tss;                                // beyond any entry count: Xen checks all 512
        Assert.Equal(511, Descriptor.FirstRefused(page, out DescriptorVerdict v));
        Assert.Equal(DescriptorVerdict.BadSystemType, v);
        page[7] = Gate(0xe000, 0);
        Assert.Equal(7, Descriptor.FirstRefused(page, out v));
        Assert.Equal(DescriptorVerdict.BadGateSelector, v);
        Assert.Equal(Code64Dpl0, page[2]);              // the page itself is left as given
    }

    [Fact]
    public void EveryRefusingVerdictHasItsOwnSite()
    {
        var sites = new[] { DescriptorVerdict.BadSystemType, DescriptorVerdict.BadGateSelector, DescriptorVerdict.GateReservedBits }
            .Select(Descriptor.Site).ToList();
        Assert.Equal(3, sites.Distinct().Count());
        Assert.All(sites, s => Assert.StartsWith("check_descriptor: ", s));
    }
}

/// <summary>set_debugreg / get_debugreg's value rules (shim/Checked/DebugRegisters.cs) against Xen 4.17's pv/misc-hypercalls.c.</summary>
public class DebugRegisterCheckTests
{
    const long EPERM = -1, ENODEV = -19, EINVAL = -22;

    [Theory]
    [InlineData(0x0000000000401000UL, 0L)]
    [InlineData(0x00007fffffffffffUL, 0L)]
    [InlineData(0xffff880000000000UL, 0L)]       // HYPERVISOR_VIRT_END: above Xen's range
    [InlineData(0xffffffff80000000UL, 0L)]
    [InlineData(0xffff800000000000UL, EPERM)]    // Xen's range
    [InlineData(0xffff87ffffffffffUL, EPERM)]
    [InlineData(0x0000800000000000UL, EPERM)]    // non-canonical
    public void BreakpointAddresses(ulong address, long rc)
    {
        for (uint r = 0; r <= 3; r++)
        {
            Assert.Equal(rc, DebugRegisters.Set(r, address, false, out uint hw, out ulong v));
            Assert.Equal(r, hw);
            Assert.Equal(address, v);
        }
    }

    [Fact]
    public void Dr6KeepsItsReservedBits()
    {
        Assert.Equal(0L, DebugRegisters.Set(6, 0, false, out uint hw, out ulong v));
        Assert.Equal((6u, 0xffff0ff0UL), (hw, v));
        Assert.Equal(0L, DebugRegisters.Set(6, 0x100f, false, out _, out v));   // bit 12 reads as zero
        Assert.Equal(0xffff0fffUL, v);
        Assert.Equal(EINVAL, DebugRegisters.Set(6, 1UL << 32, false, out _, out _));
    }

    [Fact]
    public void Dr7ReservedBitsGeneralDetectAndIoBreakpoints()
    {
        Assert.Equal(0L, DebugRegisters.Set(7, 0, false, out uint hw, out ulong v));
        Assert.Equal((7u, 0x400UL), (hw, v));
        Assert.Equal(0L, DebugRegisters.Set(7, 0xd801, false, out _, out v));    // bits 11, 12, 14, 15 read as zero
        Assert.Equal(0x401UL, v);
        Assert.Equal(EPERM, DebugRegisters.Set(7, 0x2000, false, out _, out _)); // GD
        Assert.Equal(EINVAL, DebugRegisters.Set(7, 1UL << 40, false, out _, out _));
        Assert.Equal(EPERM, DebugRegisters.Set(7, 0x00200002, false, out _, out _));   // DR1 R/W = I/O, enabled, no CR4.DE
        Assert.Equal(0L, DebugRegisters.Set(7, 0x00200000, false, out _, out _));      // I/O type but nothing enabled
        Assert.Equal(0L, DebugRegisters.Set(7, 0x00200002, true, out _, out _));       // CR4.DE set
    }

    [Fact]
    public void Dr4AndDr5AliasDr6AndDr7WithoutCr4De()
    {
        Assert.Equal(0L, DebugRegisters.Set(4, 0, false, out uint hw, out _));
        Assert.Equal(6u, hw);
        Assert.Equal(0L, DebugRegisters.Set(5, 0, false, out hw, out _));
        Assert.Equal(7u, hw);
        Assert.Equal(ENODEV, DebugRegisters.Set(4, 0, true, out _, out _));
        Assert.Equal(ENODEV, DebugRegisters.Set(5, 0, true, out _, out _));
        Assert.Equal(0L, DebugRegisters.Get(4, false, out hw));
        Assert.Equal(6u, hw);
        Assert.Equal(0L, DebugRegisters.Get(5, false, out hw));
        Assert.Equal(7u, hw);
        Assert.Equal(ENODEV, DebugRegisters.Get(5, true, out _));
    }

    [Theory]
    [InlineData(8u)]
    [InlineData(15u)]
    [InlineData(0xffffffffu)]
    public void OtherRegistersAreNoDevice(uint reg)
    {
        Assert.Equal(ENODEV, DebugRegisters.Set(reg, 0, false, out _, out _));
        Assert.Equal(ENODEV, DebugRegisters.Get(reg, false, out _));
    }
}
