using System.Text;
using Microxen.XenStore;

namespace Microxen.Tests;

/// <summary>
/// The domU back ends' pure logic: the xenstore server answering through a real
/// xenstore_domain_interface page (requests framed as Linux's xenbus writes them), the console
/// ring, and the domU start_info rewrite.
/// </summary>
public unsafe class XenstoredTests : IDisposable
{
    readonly byte* _page = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(4096);
    XenstoreDomainInterface* Intf => (XenstoreDomainInterface*)_page;
    uint _reqId = 100;

    public XenstoredTests() => Xenstored.Init(1);
    public void Dispose() => System.Runtime.InteropServices.NativeMemory.Free(_page);

    /// <summary>Writes one request into the req ring (wrapping as the ring does), as xenbus's xb_write.</summary>
    void Send(uint type, string payload, uint txId = 0)
    {
        byte[] body = Encoding.ASCII.GetBytes(payload);
        var h = new XsdSockmsg { Type = type, ReqId = ++_reqId, TxId = txId, Len = (uint)body.Length };
        byte[] msg = new byte[16 + body.Length];
        fixed (byte* m = msg) { *(XsdSockmsg*)m = h; }
        body.CopyTo(msg, 16);
        foreach (byte b in msg)
        {
            Intf->Req[Intf->ReqProd & (XenstoreDomainInterface.RingSize - 1)] = b;
            Intf->ReqProd++;
        }
    }

    /// <summary>Reads every queued message from the rsp ring: (type, req_id, payload with NULs as '|').</summary>
    List<(uint Type, uint ReqId, string Body)> Receive()
    {
        var list = new List<(uint, uint, string)>();
        while (Intf->RspProd - Intf->RspCons >= 16)
        {
            XsdSockmsg h;
            byte* hp = (byte*)&h;
            for (int i = 0; i < 16; i++) hp[i] = Intf->Rsp[(Intf->RspCons + (uint)i) & (XenstoreDomainInterface.RingSize - 1)];
            if (Intf->RspProd - Intf->RspCons < 16 + h.Len) break;      // the rest is not in yet
            Take(16);
            string body = Encoding.ASCII.GetString(Take((int)h.Len)).Replace('\0', '|');
            list.Add((h.Type, h.ReqId, body));
        }
        return list;
    }

    byte[] Take(int n)
    {
        var b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = Intf->Rsp[(Intf->RspCons + (uint)i) & (XenstoreDomainInterface.RingSize - 1)];
        Intf->RspCons += (uint)n;
        return b;
    }

    (uint Type, string Body) Call(uint type, string payload)
    {
        Send(type, payload);
        Assert.True(Xenstored.Process(Intf));
        var r = Receive();
        Assert.Equal(_reqId, r[0].ReqId);
        return (r[0].Type, r[0].Body);
    }

    [Fact]
    public void ReadWriteAndDirectoryFollowXenstored()
    {
        Assert.Equal((XsType.XS_READ, "1"), Call(XsType.XS_READ, "domid\0"));                      // relative to /local/domain/1
        Assert.Equal((XsType.XS_READ, "1"), Call(XsType.XS_READ, "/local/domain/1/domid\0"));
        Assert.Equal((XsType.XS_ERROR, "ENOENT|"), Call(XsType.XS_READ, "device\0"));
        Assert.Equal((XsType.XS_ERROR, "ENOENT|"), Call(XsType.XS_DIRECTORY, "device\0"));
        Assert.Equal((XsType.XS_WRITE, "OK|"), Call(XsType.XS_WRITE, "control/feature-poweroff\01"));
        Assert.Equal((XsType.XS_READ, "1"), Call(XsType.XS_READ, "control/feature-poweroff\0"));
        Assert.Equal((XsType.XS_READ, ""), Call(XsType.XS_READ, "control\0"));                     // parent created, empty
        Assert.Equal((XsType.XS_DIRECTORY, "domid|control|"), Call(XsType.XS_DIRECTORY, "/local/domain/1\0"));   // creation order, as xenstored
        Assert.Equal((XsType.XS_DIRECTORY, "local|"), Call(XsType.XS_DIRECTORY, "/\0"));
        Assert.Equal((XsType.XS_MKDIR, "OK|"), Call(XsType.XS_MKDIR, "data\0"));
        Assert.Equal((XsType.XS_RM, "OK|"), Call(XsType.XS_RM, "control\0"));
        Assert.Equal((XsType.XS_ERROR, "ENOENT|"), Call(XsType.XS_READ, "control/feature-poweroff\0"));
        Assert.Equal((XsType.XS_RM, "OK|"), Call(XsType.XS_RM, "control\0"));                       // gone, parent exists
        Assert.Equal((XsType.XS_ERROR, "ENOENT|"), Call(XsType.XS_RM, "nothere/child\0"));
        Assert.Equal((XsType.XS_GET_PERMS, "n1|"), Call(XsType.XS_GET_PERMS, "data\0"));
        Assert.Equal((XsType.XS_GET_PERMS, "n0|"), Call(XsType.XS_GET_PERMS, "/local\0"));
        Assert.Equal((XsType.XS_SET_PERMS, "OK|"), Call(XsType.XS_SET_PERMS, "data\0n1\0r0\0"));
        Assert.Equal((XsType.XS_GET_DOMAIN_PATH, "/local/domain/7|"), Call(XsType.XS_GET_DOMAIN_PATH, "7\0"));
        Assert.Equal((XsType.XS_TRANSACTION_START, "1|"), Call(XsType.XS_TRANSACTION_START, "\0"));
        Assert.Equal((XsType.XS_TRANSACTION_END, "OK|"), Call(XsType.XS_TRANSACTION_END, "T\0"));
        Assert.Equal((XsType.XS_ERROR, "EACCES|"), Call(XsType.XS_INTRODUCE, "2\0123\04\0"));
        Assert.Equal((XsType.XS_ERROR, "EINVAL|"), Call(99, "x\0"));
    }

    [Fact]
    public void WatchGetsItsInitialEventThenFiresForChangesBelowIt()
    {
        Send(XsType.XS_WATCH, "device\0FFFF8880DEAD\0");
        Xenstored.Process(Intf);
        var r = Receive();
        Assert.Equal(2, r.Count);
        Assert.Equal((XsType.XS_WATCH, "OK|"), (r[0].Type, r[0].Body));
        Assert.Equal((XsType.XS_WATCH_EVENT, 0u, "device|FFFF8880DEAD|"), r[1]);   // relative as given

        Send(XsType.XS_WATCH, "/local/domain/1/memory\0abs\0");
        Xenstored.Process(Intf);
        Assert.Equal("/local/domain/1/memory|abs|", Receive()[1].Body);

        Send(XsType.XS_WRITE, "device/vif/0/state\04");
        Xenstored.Process(Intf);
        r = Receive();
        Assert.Equal(2, r.Count);                                   // the reply and one event (not the memory watch)
        Assert.Equal((XsType.XS_WATCH_EVENT, "device/vif/0/state|FFFF8880DEAD|"), (r[1].Type, r[1].Body));

        Send(XsType.XS_RM, "device\0");
        Xenstored.Process(Intf);
        Assert.Equal("device|FFFF8880DEAD|", Receive()[1].Body);

        Assert.Equal((XsType.XS_ERROR, "EEXIST|"), Call(XsType.XS_WATCH, "device\0FFFF8880DEAD\0"));
        Assert.Equal((XsType.XS_UNWATCH, "OK|"), Call(XsType.XS_UNWATCH, "device\0FFFF8880DEAD\0"));
        Send(XsType.XS_WRITE, "device/x\01");
        Xenstored.Process(Intf);
        Assert.Single(Receive());                                   // no watch left on device
        Assert.Equal((XsType.XS_ERROR, "ENOENT|"), Call(XsType.XS_UNWATCH, "device\0FFFF8880DEAD\0"));
    }

    [Fact]
    public void RequestsSplitAcrossNotificationsAndRingWrapAreReassembled()
    {
        // Push the indices near the wrap point, then send a request in two halves.
        Intf->ReqCons = Intf->ReqProd = 1020;
        Intf->RspCons = Intf->RspProd = 1015;
        uint prodBefore = Intf->ReqProd;
        Send(XsType.XS_WRITE, "name\0microxen-guest");
        uint full = Intf->ReqProd;
        Intf->ReqProd = prodBefore + 10;                            // only the first 10 bytes published
        Assert.True(Xenstored.Process(Intf));
        Assert.Equal(Intf->ReqProd, Intf->ReqCons);
        Assert.Empty(Receive());
        Intf->ReqProd = full;
        Assert.True(Xenstored.Process(Intf));
        var r = Receive();
        Assert.Equal((XsType.XS_WRITE, "OK|"), (r[0].Type, r[0].Body));
        Assert.Equal((XsType.XS_READ, "microxen-guest"), Call(XsType.XS_READ, "name\0"));
    }

    [Fact]
    public void RepliesWaitWhenTheRspRingIsFull()
    {
        Call(XsType.XS_WRITE, "big\0" + new string('v', 200));
        for (int i = 0; i < 8; i++) Send(XsType.XS_READ, "big\0");     // 8 replies of 216 bytes > 1024
        Xenstored.Process(Intf);
        Assert.Equal((uint)XenstoreDomainInterface.RingSize, Intf->RspProd - Intf->RspCons);
        Assert.NotEqual(0u, Xenstored.Pending);
        int got = Receive().Count;
        Assert.InRange(got, 1, 7);
        for (int round = 0; round < 8 && got < 8; round++)
        {
            Assert.True(Xenstored.Process(Intf));                  // the guest read: more follows
            got += Receive().Count;
        }
        Assert.Equal(8, got);
        Assert.Equal(0u, Xenstored.Pending);
    }

    [Fact]
    public void OversizedPayloadIsAProtocolError()
    {
        var h = new XsdSockmsg { Type = XsType.XS_READ, ReqId = 1, Len = XenstoreDomainInterface.PayloadMax + 1 };
        byte* p = (byte*)&h;
        for (int i = 0; i < 16; i++) { Intf->Req[Intf->ReqProd & 1023] = p[i]; Intf->ReqProd++; }
        Xenstored.Process(Intf);
        Assert.Equal(3u, Intf->Error);                             // XENSTORE_ERROR_PROTO
        Assert.Equal(Intf->ReqProd, Intf->ReqCons);
    }

    [Fact]
    public void ProducerMoreThanARingAheadIsARingIndexError()
    {
        Intf->ReqProd = Intf->ReqCons + XenstoreDomainInterface.RingSize + 1;
        Assert.False(Xenstored.Process(Intf));
        Assert.Equal(2u, Intf->Error);                             // XENSTORE_ERROR_RINGIDX
    }

    [Fact]
    public void ConsoleRingMovesOutputAndInputWithWrap()
    {
        var c = (XenconsInterface*)_page;
        c->OutCons = c->OutProd = 2040;
        byte[] text = Encoding.ASCII.GetBytes("hello, console");
        foreach (byte b in text) { c->Out[c->OutProd & 2047] = b; c->OutProd++; }
        byte* dst = stackalloc byte[64];
        Assert.Equal(5, ConsoleRing.TakeOutput(c, dst, 5));
        Assert.Equal(text.Length - 5, ConsoleRing.TakeOutput(c, dst + 5, 64));
        Assert.Equal("hello, console", Encoding.ASCII.GetString(dst, text.Length));
        Assert.Equal(c->OutProd, c->OutCons);
        Assert.Equal(0, ConsoleRing.TakeOutput(c, dst, 64));

        c->InCons = c->InProd = 1020;
        byte* src = stackalloc byte[2000];
        for (int i = 0; i < 2000; i++) src[i] = (byte)i;
        Assert.Equal(1024, ConsoleRing.PutInput(c, src, 2000));      // only a ring's worth
        Assert.Equal(0, ConsoleRing.InputRoom(c));
        Assert.Equal(0, ConsoleRing.PutInput(c, src, 1));
        Assert.Equal((byte)4, c->In[(1020 + 4) & 1023]);
        c->InCons += 10;
        Assert.Equal(10, ConsoleRing.InputRoom(c));
    }

    [Fact]
    public void DomUStartInfoDropsTheDom0FlagsAndNamesTheRings()
    {
        var si = new StartInfo();
        StartInfo* p = &si;
        string magic = "xen-3.0-x86_64p";
        for (int i = 0; i < magic.Length; i++) p->Magic[i] = (byte)magic[i];
        p->Flags = StartInfoFlags.SIF_PRIVILEGED | StartInfoFlags.SIF_INITDOMAIN | StartInfoFlags.SIF_MOD_START_PFN | (3u << 8);
        DomUStartInfo.Apply(p, 0x1234, 2, 0x1235, 1);
        Assert.Equal(StartInfoFlags.SIF_MOD_START_PFN, p->Flags);
        Assert.Equal("xen-3.0-x86_64", Encoding.ASCII.GetString(p->Magic, 32).TrimEnd('\0'));
        Assert.Equal(0x1234ul, p->ConsoleDomUMfn);
        Assert.Equal(2u, p->ConsoleDomUEvtchn);
        Assert.Equal(0x1235ul, p->StoreMfn);
        Assert.Equal(1u, p->StoreEvtchn);
    }
}
