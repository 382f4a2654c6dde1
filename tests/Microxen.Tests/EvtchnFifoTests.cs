namespace Microxen.Tests;

/// <summary>
/// The FIFO event-channel ABI as xen/common/event_fifo.c defines it: an event word per port
/// (PENDING, MASKED, LINKED, BUSY, LINK), per-priority queues whose heads are in the guest's
/// control block and whose tails Xen keeps, the ready bitmap, evtchn_upcall_pending. The control
/// block and the event array pages are host memory here. Shares the shim's static event state
/// with <see cref="EvtchnTests"/> (one collection: the tests run one at a time).
/// </summary>
[Collection(SharedState)]
public unsafe class EvtchnFifoTests : ShimEventState
{
    public const string SharedState = "shim event-channel state";

    const uint P = 1u << EvtchnFifoAbi.Pending, M = 1u << EvtchnFifoAbi.Masked,
        L = 1u << EvtchnFifoAbi.Linked, B = 1u << EvtchnFifoAbi.Busy;

    readonly byte* _control = (byte*)NativeMemory.AllocZeroed(4096);
    readonly uint* _array = (uint*)NativeMemory.AllocZeroed(4096);
    EvtchnFifoControlBlock* Cb => (EvtchnFifoControlBlock*)(_control + 64);

    public override void Dispose()
    {
        base.Dispose();
        NativeMemory.Free(_control);
        NativeMemory.Free(_array);
    }

    /// <summary>init_control and one array page (ports 0-1023), as Linux does before binding.</summary>
    void Fifo()
    {
        EvtchnFifo.Enable(Cb);
        Assert.Equal(0, EvtchnFifo.AddPage(_array));
    }

    uint Bind() => (uint)Evtchn.Alloc(Evtchn.PortState.Ipi, 0);

    /// <summary><see cref="Fifo"/>, two ports bound, the first (returned; <paramref name="b"/> the second) set pending.</summary>
    uint FifoWithFirstPending(out uint b)
    {
        Fifo();
        uint a = Bind();
        b = Bind();
        Evtchn.SetPending(a);
        return a;
    }

    [Fact]
    public void AnEventOnAnEmptyQueueBecomesItsHeadAndRaisesReadyAndTheUpcall()
    {
        Fifo();
        uint port = Bind();
        Evtchn.SetPending(port);
        Assert.Equal(P | L, _array[port]);
        Assert.Equal(port, Cb->Head[EvtchnFifoAbi.PriorityDefault]);
        Assert.Equal(1u << (int)EvtchnFifoAbi.PriorityDefault, Cb->Ready);
        Assert.Equal(1, Vcpu.Info->EvtchnUpcallPending);
        Assert.Equal(0UL, Vcpu.Info->EvtchnPendingSel);                // no 2-level selector
        Assert.Equal(0UL, _shared->EvtchnPending[0]);
        Assert.Equal(port, EvtchnFifo.Tail(EvtchnFifoAbi.PriorityDefault));
    }

    [Fact]
    public void ASecondEventIsLinkedFromTheTailWithoutAnotherUpcall()
    {
        uint a = FifoWithFirstPending(out uint b);
        Vcpu.Info->EvtchnUpcallPending = 0;
        _array[a] |= B;                                                  // BUSY is cleared by the link
        Evtchn.SetPending(b);
        Assert.Equal(P | L | b, _array[a]);
        Assert.Equal(a, Cb->Head[EvtchnFifoAbi.PriorityDefault]);
        Assert.Equal(0, Vcpu.Info->EvtchnUpcallPending);
        Assert.Equal(b, EvtchnFifo.Tail(EvtchnFifoAbi.PriorityDefault));
    }

    [Fact]
    public void WhenTheGuestHasUnlinkedTheTailTheNextEventStartsANewHead()
    {
        uint a = FifoWithFirstPending(out uint b);
        _array[a] = 0;                                                   // the guest consumed a
        Cb->Ready = 0;
        Vcpu.Info->EvtchnUpcallPending = 0;
        Evtchn.SetPending(b);
        Assert.Equal(0u, _array[a]);
        Assert.Equal(b, Cb->Head[EvtchnFifoAbi.PriorityDefault]);
        Assert.Equal(1u << (int)EvtchnFifoAbi.PriorityDefault, Cb->Ready);
        Assert.Equal(1, Vcpu.Info->EvtchnUpcallPending);
    }

    [Fact]
    public void AnEventAlreadyLinkedIsNotQueuedTwice()
    {
        Fifo();
        uint a = Bind();
        Evtchn.SetPending(a);
        Vcpu.Info->EvtchnUpcallPending = 0;
        Evtchn.SetPending(a);
        Assert.Equal(P | L, _array[a]);
        Assert.Equal(0, Vcpu.Info->EvtchnUpcallPending);
    }

    [Fact]
    public void AMaskedEventIsOnlyPendingUntilUnmasked()
    {
        Fifo();
        uint a = Bind();
        _array[a] = M;
        Evtchn.SetPending(a);
        Assert.Equal(P | M, _array[a]);
        Assert.Equal(0u, Cb->Ready);
        Assert.Equal(0, Vcpu.Info->EvtchnUpcallPending);
        Evtchn.Unmask(a);
        Assert.Equal(P | L, _array[a]);
        Assert.Equal(a, Cb->Head[EvtchnFifoAbi.PriorityDefault]);
        Assert.Equal(1, Vcpu.Info->EvtchnUpcallPending);
    }

    [Fact]
    public void SetPriorityChoosesTheQueueAndRefusesAbovePriorityMin()
    {
        Fifo();
        uint a = Bind();
        Assert.Equal(-XenErrno.EINVAL, EvtchnFifo.SetPriority(a, EvtchnFifoAbi.PriorityMin + 1));
        Assert.Equal(0, EvtchnFifo.SetPriority(a, 3));
        Evtchn.SetPending(a);
        Assert.Equal(a, Cb->Head[3]);
        Assert.Equal(1u << 3, Cb->Ready);
        Assert.Equal(0u, Cb->Head[EvtchnFifoAbi.PriorityDefault]);
    }

    [Fact]
    public void AnEventMovedToAnotherQueueInvalidatesTheOldTail()
    {
        uint a = FifoWithFirstPending(out uint b);                      // a: tail of queue 7
        _array[a] = 0;                                                   // consumed
        EvtchnFifo.SetPriority(a, 2);
        Evtchn.SetPending(a);                                            // a moves to queue 2
        Assert.Equal(0u, EvtchnFifo.Tail(EvtchnFifoAbi.PriorityDefault));
        Assert.Equal(a, EvtchnFifo.Tail(2));
        Cb->Ready = 0;
        Evtchn.SetPending(b);                                            // queue 7 is empty: b is its head
        Assert.Equal(P | L, _array[a]);
        Assert.Equal(b, Cb->Head[EvtchnFifoAbi.PriorityDefault]);
    }

    [Fact]
    public void AnEventWithoutItsArrayPageIsRaisedWhenThePageArrives()
    {
        EvtchnFifo.Enable(Cb);
        uint a = Bind();
        Evtchn.SetPending(a);
        Assert.Equal(0u, Cb->Ready);
        Assert.Equal(0, EvtchnFifo.AddPage(_array));
        Assert.Equal(P | L, _array[a]);
        Assert.Equal(a, Cb->Head[EvtchnFifoAbi.PriorityDefault]);
    }

    [Fact]
    public void SwitchingToFifoCarriesTheTwoLevelPendingBitsOfBoundPorts()
    {
        uint a = Bind();
        Evtchn.SetPending(a);                                            // 2-level
        Assert.True((_shared->EvtchnPending[0] & (1UL << (int)a)) != 0);
        Fifo();
        Assert.Equal(P | L, _array[a]);
        Assert.Equal(a, Cb->Head[EvtchnFifoAbi.PriorityDefault]);
    }

    [Fact]
    public void CloseClearsOnlyPendingAndALinkedPortIsNotReused()
    {
        Fifo();
        uint a = Bind();
        Evtchn.SetPending(a);
        Evtchn.Close(a);
        Assert.Equal(L, _array[a]);                                      // still on the queue: the guest unlinks it
        Assert.False(Evtchn.IsPending(a));
        uint next = Bind();
        Assert.NotEqual(a, next);                                        // get_free_port skips a busy port
        _array[a] = 0;
        Evtchn.Close(next);
        Assert.Equal(a, Bind());
    }

    [Fact]
    public void TheArrayGrowsToMaxArrayPagesThenRefuses()
    {
        EvtchnFifo.Enable(Cb);
        for (int i = 0; i < EvtchnFifoAbi.MaxArrayPages; i++) Assert.Equal(0, EvtchnFifo.AddPage(_array));
        Assert.Equal(-XenErrno.ENOSPC, EvtchnFifo.AddPage(_array));
        Assert.Equal(EvtchnFifoAbi.NrChannels, EvtchnFifo.NumEvtchns);
    }

    [Fact]
    public void NewPortsStartAtTheDefaultPriority()
    {
        Fifo();
        uint a = Bind();
        EvtchnFifo.SetPriority(a, 1);
        Evtchn.Close(a);
        Assert.Equal(a, Bind());
        Assert.Equal(EvtchnFifoAbi.PriorityDefault, EvtchnFifo.Priority(a));
    }
}
