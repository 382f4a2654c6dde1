using Microxen.Arch;
using Microxen.Guest;

namespace Microxen.Tests;

/// <summary>
/// PvState.NativeEntry (shim/FastPaths/NativeEntry.cs), the one flag the native syscall and
/// iret entries test instead of FastPaths, SwitchUserPt, SyscallCallback and
/// SyscallMasksEvents: it must follow every change of those made through Guest/Vcpu.cs, or a
/// native entry would run with a state it does not handle (a switched L4, no callback).
/// </summary>
[Collection(EvtchnFifoTests.SharedState)]   // ShimCpu.Pv is one static
public unsafe class NativeEntryTests : ShimEventState
{
    const ulong Both = PvState.NativeIret | PvState.NativeUserSyscall;

    [Fact]
    public void FollowsEachFieldThroughTheVcpuSetters()
    {
        Assert.Equal(0UL, _pv->NativeEntry);
        _pv->FastPaths = 1;
        NativeEntry.Publish(_pv);
        Assert.Equal((ulong)PvState.NativeIret, _pv->NativeEntry);       // no syscall callback yet
        Vcpu.SyscallCallback = 0xffffffff81e00000UL;
        Assert.Equal((ulong)PvState.NativeIret, _pv->NativeEntry);       // the callback does not mask events
        Vcpu.SyscallMasksEvents = true;
        Assert.Equal(Both, _pv->NativeEntry);
        Vcpu.SwitchUserPageTable = true;
        Assert.Equal(0UL, _pv->NativeEntry);
        Vcpu.SwitchUserPageTable = false;
        Assert.Equal(Both, _pv->NativeEntry);
        Vcpu.SyscallCallback = 0;
        Assert.Equal((ulong)PvState.NativeIret, _pv->NativeEntry);
        Vcpu.SyscallCallback = 0xffffffff81e00000UL;
        _pv->FastPaths = PvState.FastPathsSmp;
        NativeEntry.Publish(_pv);
        Assert.Equal(Both, _pv->NativeEntry);
        _pv->FastPaths = 0;
        NativeEntry.Publish(_pv);
        Assert.Equal(0UL, _pv->NativeEntry);
    }

    /// <summary>PvState.SysretTop, the LSTAR iret's sysretq RIP limit, is 0 whenever NativeIret is not published: the native iret's only test of user_pt=switch on its sysretq path.</summary>
    [Fact]
    public void SysretTopFollowsNativeIret()
    {
        _pv->FastPaths = 1;
        NativeEntry.Publish(_pv);
        Assert.Equal(SysretExit.UserTop, _pv->SysretTop);
        Vcpu.SwitchUserPageTable = true;
        Assert.Equal(0UL, _pv->SysretTop);
        Vcpu.SwitchUserPageTable = false;
        Assert.Equal(SysretExit.UserTop, _pv->SysretTop);
        _pv->FastPaths = 0;
        NativeEntry.Publish(_pv);
        Assert.Equal(0UL, _pv->SysretTop);
    }
}
