namespace Microxen.Tests;

/// <summary>
/// 2-level event channels as Xen's xen/common/event_2l.c defines them: pending and mask bits in
/// shared_info, the selector word in vcpu_info.evtchn_pending_sel, evtchn_upcall_pending.
/// The shim's static state points at PvState and shared_info blocks in host memory here; the
/// tests of this class run one at a time.
/// </summary>
[Collection(EvtchnFifoTests.SharedState)]
public unsafe class EvtchnTests : ShimEventState
{
    bool Pending(uint port) => (_shared->EvtchnPending[port >> 6] & (1UL << (int)(port & 63))) != 0;

    [Fact]
    public void AnUnmaskedPortRaisesTheSelectorAndTheUpcall()
    {
        int port = Evtchn.Alloc(Evtchn.PortState.Ipi, 0);
        Assert.Equal(1, port);
        Evtchn.SetPending(70);
        Assert.True(Pending(70));
        Assert.Equal(1UL << 1, Vcpu.Info->EvtchnPendingSel);
        Assert.Equal(1, Vcpu.Info->EvtchnUpcallPending);
    }

    [Fact]
    public void AMaskedPortIsOnlyMarkedPendingUntilUnmasked()
    {
        _shared->EvtchnMask[0] = 1UL << 5;
        Evtchn.SetPending(5);
        Assert.True(Pending(5));
        Assert.Equal(0UL, Vcpu.Info->EvtchnPendingSel);
        Assert.Equal(0, Vcpu.Info->EvtchnUpcallPending);
        Evtchn.Unmask(5);
        Assert.Equal(0UL, _shared->EvtchnMask[0]);
        Assert.Equal(1UL, Vcpu.Info->EvtchnPendingSel);
        Assert.Equal(1, Vcpu.Info->EvtchnUpcallPending);
    }

    [Fact]
    public void UnmaskingAPortThatIsNotPendingRaisesNothing()
    {
        _shared->EvtchnMask[0] = 1UL << 9;
        Evtchn.Unmask(9);
        Assert.Equal(0, Vcpu.Info->EvtchnUpcallPending);
    }

    [Fact]
    public void AnAlreadyPendingPortDoesNotRaiseAgain()
    {
        Evtchn.SetPending(3);
        Vcpu.Info->EvtchnUpcallPending = 0;      // the guest consumed the upcall, not the port
        Vcpu.Info->EvtchnPendingSel = 0;
        Evtchn.SetPending(3);
        Assert.Equal(0, Vcpu.Info->EvtchnUpcallPending);
    }

    [Fact]
    public void VirqBindingFindsItsPortAndCloseUnbindsAndClearsPending()
    {
        int port = Evtchn.Alloc(Evtchn.PortState.Virq, Virq.VIRQ_TIMER);
        Assert.Equal((uint)port, Evtchn.VirqPort(Virq.VIRQ_TIMER));
        Assert.True(Evtchn.RaiseVirq(Virq.VIRQ_TIMER));
        Assert.True(Pending((uint)port));
        Assert.False(Evtchn.RaiseVirq(Virq.VIRQ_CONSOLE));
        Evtchn.Close((uint)port);
        Assert.Equal(0u, Evtchn.VirqPort(Virq.VIRQ_TIMER));
        Assert.False(Pending((uint)port));
        Assert.Equal(port, Evtchn.Alloc(Evtchn.PortState.Ipi, 0));   // the lowest free port again
    }

    [Fact]
    public void AnUpcallIsDeliverableOnlyWhenPendingUnmaskedAndACallbackExists()
    {
        Evtchn.SetPending(2);
        Assert.True(Evtchn.UpcallDeliverable());
        Vcpu.Info->EvtchnUpcallMask = 1;
        Assert.False(Evtchn.UpcallDeliverable());
        Vcpu.Info->EvtchnUpcallMask = 0;
        Vcpu.EventCallback = 0;
        Assert.False(Evtchn.UpcallDeliverable());
    }
}

/// <summary>
/// The shim's static event state pointed at a zeroed PvState and shared_info in host memory,
/// every port closed and the FIFO ABI off; freed after the test.
/// </summary>
public abstract unsafe class ShimEventState : IDisposable
{
    protected readonly PvState* _pv = (PvState*)NativeMemory.AllocZeroed((nuint)sizeof(PvState));
    protected readonly SharedInfo* _shared = (SharedInfo*)NativeMemory.AllocZeroed(4096);

    protected ShimEventState()
    {
        ShimCpu.Pv = _pv;
        Vcpu.Shared = _shared;
        Vcpu.Info = SharedInfo.Vcpu(_shared, 0);
        Vcpu.EventCallback = 0xffffffff81000000UL;
        EvtchnFifo.Disable();
        for (uint p = 1; p < Evtchn.MaxPorts; p++) if (Evtchn.State(p) != Evtchn.PortState.Free) Evtchn.Close(p);
    }

    public virtual void Dispose()
    {
        EvtchnFifo.Disable();
        ShimCpu.Pv = null;
        Vcpu.Shared = null;
        NativeMemory.Free(_pv);
        NativeMemory.Free(_shared);
    }
}
