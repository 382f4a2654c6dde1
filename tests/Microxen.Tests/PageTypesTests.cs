using System.Runtime.InteropServices;
using Microxen.Checked;
using Microxen.Memory;
using Microxen.Xen;

namespace Microxen.Console
{
    /// <summary>The host's COM1 for Log.cs (compiled here for checked mode's CheckLog): the bytes are kept.</summary>
    public static class Serial
    {
        public static readonly System.Text.StringBuilder Out = new();
        public static void Put(byte c) { lock (Out) Out.Append((char)c); }
    }
}

namespace Microxen.Tests
{
    /// <summary>
    /// Checked mode's page types over a buffer standing for 2 MiB of machine RAM (frames 0-511):
    /// frames 300-511 are the guest's (identity M2P), 256-299 the shim's (260-261 the M2P table),
    /// 0-255 I/O (the first MiB). Expected results are Xen 4.17's (xen/arch/x86/mm.c).
    /// </summary>
    [Collection("PageTypes")]   // PageTypes is static state
    public unsafe class PageTypesTests : System.IDisposable
    {
        const ulong FrameCount = 512, GuestFirst = 300;
        const ulong P = PageFlags.Present, RW = PageFlags.RW, A = PageFlags.Accessed, D = PageFlags.Dirty;
        /// <summary>What adjust_guest_l1e adds to a kernel (non-USER) L1 entry.</summary>
        const ulong U = PageFlags.User, K = PageFlags.User | PageFlags.GuestKernel;
        const ulong Tab = P | RW | A | D;
        readonly byte* _ram;
        readonly ulong* _m2p;
        readonly E820Entry* _e820;
        ulong _next = GuestFirst;

        public PageTypesTests()
        {
            _ram = (byte*)NativeMemory.AllocZeroed((nuint)(FrameCount * 4096));
            _m2p = (ulong*)NativeMemory.Alloc((nuint)(FrameCount * 8));
            for (ulong i = 0; i < FrameCount; i++) _m2p[i] = i >= GuestFirst ? i : ulong.MaxValue;
            _e820 = (E820Entry*)NativeMemory.AllocZeroed((nuint)sizeof(E820Entry));
            _e820->Addr = 0; _e820->Size = FrameCount * 4096; _e820->Type = E820Entry.Ram;
            PageTypes.Info = (PageInfo*)NativeMemory.AllocZeroed((nuint)(FrameCount * (ulong)sizeof(PageInfo)));
            PageTypes.FrameCount = FrameCount;
            PageTypes.Mem = new PhysMem(_ram);
            PageTypes.M2p = _m2p;
            PageTypes.M2pEntries = FrameCount;
            PageTypes.M2pFirstMfn = 260; PageTypes.M2pFrames = 2;
            PageTypes.Ram = _e820; PageTypes.RamCount = 1;
            PageTypes.IoAllowed = true;
        }

        public void Dispose()
        {
            NativeMemory.Free(PageTypes.Info); PageTypes.Info = null;
            NativeMemory.Free(_ram); NativeMemory.Free(_m2p); NativeMemory.Free(_e820);
        }

        ulong Frame() => _next++;
        ulong* T(ulong mfn) => (ulong*)(_ram + mfn * 4096);
        static ulong E(ulong mfn, ulong flags) => (mfn << 12) | flags;

        /// <summary>An L4 -> L3 -> L2 -> L1 -> data chain at va 0; returns (l4, l3, l2, l1, data).</summary>
        (ulong l4, ulong l3, ulong l2, ulong l1, ulong data) Tree()
        {
            ulong l4 = Frame(), l3 = Frame(), l2 = Frame(), l1 = Frame(), data = Frame();
            T(l4)[0] = E(l3, Tab); T(l3)[0] = E(l2, Tab); T(l2)[0] = E(l1, Tab); T(l1)[0] = E(data, Tab);
            return (l4, l3, l2, l1, data);
        }

        /// <summary>alloc_segdesc_page: a frame takes PGT_seg_desc_page only when check_descriptor accepts all 512 entries.</summary>
        [Fact]
        public void ADescriptorFrameIsValidatedWhenItTakesItsType()
        {
            ulong good = Frame(), bad = Frame();
            T(good)[1] = 0x00af9a000000ffffUL;          // 64-bit code segment
            T(bad)[1] = 0x00af9a000000ffffUL;
            T(bad)[7] = 0x0000890000000067UL;           // an available 64-bit TSS: a system descriptor Xen refuses
            Assert.Equal(0, PageTypes.GetPageAndType(good, PageType.SegDesc));
            Assert.Equal(PageType.SegDesc, PageTypes.TypeOf(good));
            Assert.True(PageTypes.IsValidated(good));
            Assert.Equal(-XenErrno.EINVAL, PageTypes.GetPageAndType(bad, PageType.SegDesc));
            Assert.Equal(0u, PageTypes.TypeCount(bad));
            Assert.Equal(0u, PageTypes.RefCount(bad));
            PageTypes.PutPageAndType(good);
        }

        [Fact]
        public void AnL1IsValidatedAndItsWritableMappingTakesAWritableType()
        {
            ulong l1 = Frame(), data = Frame();
            T(l1)[5] = E(data, Tab);
            Assert.Equal(0, PageTypes.GetPageAndType(l1, PageType.L1));
            Assert.True(PageTypes.IsValidated(l1));
            Assert.Equal(PageType.Writable, PageTypes.TypeOf(data));
            Assert.Equal(1u, PageTypes.TypeCount(data));
            Assert.Equal(1u, PageTypes.RefCount(data));
            PageTypes.PutPageAndType(l1);
            Assert.False(PageTypes.IsValidated(l1));
            Assert.Equal(0u, PageTypes.TypeCount(data));
            Assert.Equal(0u, PageTypes.RefCount(data));
        }

        [Fact]
        public void AWholeTreeIsValidatedFromItsRootAndDevalidatedWhenTheLastReferenceGoes()
        {
            var t = Tree();
            Assert.Equal(0, PageTypes.Pin(t.l4, PageType.L4));
            Assert.Equal(PageType.L3, PageTypes.TypeOf(t.l3));
            Assert.Equal(PageType.L2, PageTypes.TypeOf(t.l2));
            Assert.Equal(PageType.L1, PageTypes.TypeOf(t.l1));
            Assert.Equal(1u, PageTypes.TypeCount(t.l1));
            Assert.Equal(1u, PageTypes.TypeCount(t.data));
            Assert.Equal(0, PageTypes.Unpin(t.l4));
            Assert.Equal(0u, PageTypes.TypeCount(t.l3));
            Assert.Equal(0u, PageTypes.TypeCount(t.l1));
            Assert.Equal(0u, PageTypes.TypeCount(t.data));
            Assert.Equal(0u, PageTypes.RefCount(t.l1));
        }

        [Fact]
        public void AWritableMappingOfAPinnedL1IsRefusedWithEbusyAndAReadOnlyOneAccepted()
        {
            ulong l1 = Frame(), other = Frame();
            Assert.Equal(0, PageTypes.Pin(l1, PageType.L1));
            Assert.Equal(0, PageTypes.Pin(other, PageType.L1));
            Assert.Equal(-XenErrno.EBUSY, PageTypes.ModEntry(other, 1, 3, E(l1, Tab), false));
            Assert.Equal(0UL, T(other)[3]);
            Assert.Equal(0, PageTypes.ModEntry(other, 1, 3, E(l1, P | A), false));
            Assert.Equal(E(l1, P | A) | K, T(other)[3]);   // adjust_guest_l1e: a kernel entry
            Assert.Equal(2u, PageTypes.RefCount(l1));   // the pin and the mapping
        }

        [Fact]
        public void PinningAFrameMappedWritableIsEinvalAndLeavesItsCounts()
        {
            ulong l1 = Frame(), target = Frame();
            T(l1)[0] = E(target, Tab);
            Assert.Equal(0, PageTypes.Pin(l1, PageType.L1));
            Assert.Equal(-XenErrno.EINVAL, PageTypes.Pin(target, PageType.L1));
            Assert.Equal(PageType.Writable, PageTypes.TypeOf(target));
            Assert.Equal(1u, PageTypes.TypeCount(target));
            Assert.Equal(1u, PageTypes.RefCount(target));
        }

        [Fact]
        public void PinTwiceAndUnpinOfAnUnpinnedTableAreEinval()
        {
            ulong l1 = Frame();
            Assert.Equal(-XenErrno.EINVAL, PageTypes.Unpin(l1));
            Assert.Equal(0, PageTypes.Pin(l1, PageType.L1));
            Assert.Equal(-XenErrno.EINVAL, PageTypes.Pin(l1, PageType.L1));
            Assert.Equal(1u, PageTypes.TypeCount(l1));
            Assert.Equal(-XenErrno.EINVAL, PageTypes.Pin(l1, PageType.L2));   // typed L1: wrong type
            Assert.Equal(0, PageTypes.Unpin(l1));
            Assert.Equal(0u, PageTypes.RefCount(l1));
        }

        [Theory]
        [InlineData(2, PageFlags.PSE)]           // no superpages for PV: L2_DISALLOW_MASK
        [InlineData(2, PageFlags.PWT)]
        [InlineData(3, PageFlags.Global)]
        [InlineData(4, PageFlags.PCD)]
        public void AnUpperEntryWithDisallowedFlagsIsEinval(int level, ulong flag)
        {
            ulong table = Frame(), next = Frame();
            Assert.Equal(-XenErrno.EINVAL, PageTypes.GetPageFromUpper(E(next, Tab | flag), level, table));
            Assert.Equal(0u, PageTypes.RefCount(next));
        }

        [Fact]
        public void AnL1EntryMayCarryGlobalAndAvailableBitsAndDom0CacheAttributes()
        {
            ulong data = Frame();
            // Bit 62 too: _PAGE_GNTTAB is 0 in a release build of Xen.
            Assert.Equal(0, PageTypes.GetPageFromL1e(E(data, P | PageFlags.Global | PageFlags.Avail | (1UL << 52) | (1UL << 62) | PageFlags.NX | PageFlags.PCD)));
            PageTypes.IoAllowed = false;
            Assert.Equal(-XenErrno.EINVAL, PageTypes.GetPageFromL1e(E(data, P | PageFlags.PCD)));
        }

        [Fact]
        public void AFailedValidationPutsBackTheReferencesItTook()
        {
            ulong l1 = Frame(), data = Frame();
            T(l1)[0] = E(data, Tab);
            T(l1)[1] = E(data, Tab | PageFlags.PCD);   // cache attributes: a domain without I/O memory
            PageTypes.IoAllowed = false;
            Assert.Equal(-XenErrno.EINVAL, PageTypes.GetPageAndType(l1, PageType.L1));
            Assert.Equal(0u, PageTypes.TypeCount(data));
            Assert.Equal(0u, PageTypes.RefCount(data));
            Assert.Equal(0u, PageTypes.RefCount(l1));
            Assert.False(PageTypes.IsValidated(l1));
            // Its type count is 0: it may become a writable page.
            Assert.Equal(0, PageTypes.GetPageAndType(l1, PageType.Writable));
        }

        [Fact]
        public void LinearMappingsAreAllowedReadOnlyOnly()
        {
            var t = Tree();
            Assert.Equal(0, PageTypes.Pin(t.l4, PageType.L4));
            Assert.Equal(0, PageTypes.ModEntry(t.l4, 4, 300, E(t.l4, P | A), false));          // self, read-only
            Assert.Equal(-XenErrno.EINVAL, PageTypes.ModEntry(t.l4, 4, 301, E(t.l4, Tab), false)); // self, writable
            Assert.Equal(0, PageTypes.ModEntry(t.l4, 4, 302, E(t.l4, 0), false));              // not present: anything
        }

        [Fact]
        public void XenSlotsOfAnL4AreNeitherValidatedNorWritable()
        {
            var t = Tree();
            T(t.l4)[256] = ulong.MaxValue;    // the shim's slots: never checked
            Assert.Equal(0, PageTypes.GetPageAndType(t.l4, PageType.L4));
            Assert.Equal(-XenErrno.EINVAL, PageTypes.ModEntry(t.l4, 4, 260, 0, false));
        }

        [Fact]
        public void IoFramesM2pAndShimMemory()
        {
            // The first MiB is I/O: dom0 maps it, WB made UC (flags to flip returned).
            Assert.Equal((long)(PageFlags.PWT | PageFlags.PCD), PageTypes.GetPageFromL1e(E(0x10, P | RW)));
            Assert.Equal((long)PageFlags.PCD, PageTypes.GetPageFromL1e(E(0x10, P | PageFlags.PWT)));
            Assert.Equal(0, PageTypes.GetPageFromL1e(E(0x10, P | PageFlags.PCD)));
            // The M2P is Xen's: refused by mfn even read-only (-EBUSY, measured under Xen 4.17); the shim's other frames too.
            Assert.Equal(-XenErrno.EBUSY, PageTypes.GetPageFromL1e(E(260, P)));
            Assert.Equal(-XenErrno.EBUSY, PageTypes.GetPageFromL1e(E(260, P | RW)));
            Assert.Equal(-XenErrno.EBUSY, PageTypes.GetPageFromL1e(E(270, P)));
            PageTypes.IoAllowed = false;
            Assert.Equal(-XenErrno.EPERM, PageTypes.GetPageFromL1e(E(0x10, P)));
        }

        [Fact]
        public void EntriesAreAdjustedAsXenDoesForA64BitGuest()
        {
            // adjust_guest_l1e: kernel entries gain USER and _PAGE_GUEST_KERNEL, user ones GLOBAL.
            Assert.Equal(E(5, P | RW) | K, PageTypes.Adjust(E(5, P | RW), 1));
            Assert.Equal(E(5, P | U | PageFlags.Global), PageTypes.Adjust(E(5, P | U), 1));
            Assert.Equal(E(5, P) | K, PageTypes.Adjust(E(5, P) | K, 1));
            // L2/L3: USER; L4: USER and ACCESSED; non-present entries as given.
            Assert.Equal(E(5, P | RW | U), PageTypes.Adjust(E(5, P | RW), 2));
            Assert.Equal(E(5, P | U), PageTypes.Adjust(E(5, P), 3));
            Assert.Equal(E(5, P | U | A), PageTypes.Adjust(E(5, P), 4));
            Assert.Equal(E(5, RW), PageTypes.Adjust(E(5, RW), 1));
            // Promotion writes the adjusted entries back; the shim's L4 slots stay as they are.
            ulong l4 = Frame(), l3 = Frame();
            T(l4)[0] = E(l3, P | RW);
            T(l4)[PageTypes.XenSlotFirst] = E(0x10, P | RW);
            Assert.Equal(0, PageTypes.Pin(l4, PageType.L4));
            Assert.Equal(E(l3, P | RW | U | A), T(l4)[0]);
            Assert.Equal(E(0x10, P | RW), T(l4)[PageTypes.XenSlotFirst]);
        }

        [Fact]
        public void ModEntryKeepsAccessedAndDirtyWhenAskedAndMovesTheReferences()
        {
            ulong l1 = Frame(), a = Frame(), b = Frame();
            T(l1)[7] = E(a, Tab);
            Assert.Equal(0, PageTypes.Pin(l1, PageType.L1));
            Assert.Equal(0, PageTypes.ModEntry(l1, 1, 7, E(b, P | RW), true));
            Assert.Equal(E(b, P | RW | A | D) | K, T(l1)[7]);
            Assert.Equal(0u, PageTypes.RefCount(a));
            Assert.Equal(1u, PageTypes.TypeCount(b));
        }

        [Fact]
        public void ASharedShimFrameIsTheGuestsToMap()
        {
            Assert.Equal(-XenErrno.EBUSY, PageTypes.GetPageFromL1e(E(280, P | RW)));
            PageTypes.Share(280);
            Assert.Equal(0, PageTypes.GetPageFromL1e(E(280, P | RW)));
            Assert.Equal(2u, PageTypes.TypeCount(280));
        }

        [Fact]
        public void AGrantMappingNeedsAnL1AndTakesTheFramesReferences()
        {
            ulong l1 = Frame(), data = Frame(), notTable = Frame(), table = Frame();
            Assert.Equal(0, PageTypes.Pin(l1, PageType.L1));
            Assert.False(PageTypes.GrantMapPte(T(notTable) + 1, E(data, P | RW)));
            Assert.True(PageTypes.GrantMapPte(T(l1) + 1, E(data, P | RW)));
            Assert.Equal(1u, PageTypes.TypeCount(data));
            Assert.Equal(0, PageTypes.Pin(table, PageType.L1));
            Assert.False(PageTypes.GrantMapPte(T(l1) + 2, E(table, P | RW)));   // a writable grant of a page table
            Assert.Equal(0UL, T(l1)[2]);
            PageTypes.GrantUnmapPte(T(l1) + 1);
            Assert.Equal(0u, PageTypes.TypeCount(data));
            Assert.Equal(0u, PageTypes.RefCount(data));
        }
    }
}
