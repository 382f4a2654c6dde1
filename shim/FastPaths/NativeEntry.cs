namespace Microxen.Arch
{
    /// <summary>
    /// Publishes <see cref="PvState.NativeEntry"/>, the one flag the native entries test in place
    /// of the fields it is made of (shim/FastPaths/FastPaths.Entry.asm.cs): every writer of
    /// FastPaths, SwitchUserPt, SyscallCallback or SyscallMasksEvents calls <see cref="Publish"/>
    /// for that vCPU's pv_state afterwards (Guest/Vcpu.cs setters, Boot/ShimMain.cs, Smp/Vcpus.cs).
    /// </summary>
    public static unsafe class NativeEntry
    {
        /// <summary>Recomputes <paramref name="pv"/>'s NativeEntry from its fields.</summary>
        public static void Publish(PvState* pv)
        {
            ulong v = 0;
            if (pv->FastPaths != 0 && pv->SwitchUserPt == 0)
            {
                v = PvState.NativeIret;
                if (pv->SyscallCallback != 0 && pv->SyscallMasksEvents != 0) v |= PvState.NativeUserSyscall;
            }
            pv->NativeEntry = v;
            pv->SysretTop = (v & PvState.NativeIret) != 0 ? SysretExit.UserTop : 0;
        }
    }
}
