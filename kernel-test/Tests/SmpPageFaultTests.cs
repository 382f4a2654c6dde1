using KernelTest.Smp;
using Microxen.Xen;

namespace KernelTest.Tests
{
    /// <summary>
    /// A page fault on each secondary vCPU is delivered with Xen's frame, the vCPU's own (Xen
    /// 4.17 xen/arch/x86/traps.c do_page_fault: the fault address in that vCPU's
    /// vcpu_info.arch.cr2, the guest-kernel fault's error code without PFEC_user_mode;
    /// xen/arch/x86/pv/traps.c pv_inject_event, x86_64/entry.S create_bounce_frame: the saved
    /// evtchn_upcall_mask in bits 32-39 of the frame's CS, RFLAGS.IF = events were enabled).
    /// Each secondary reads a never-mapped kernel address with its upcall mask 1, then 0, through
    /// its own trap table's #PF handler (SecondaryTraps); vCPU 0's arch.cr2 is left alone.
    /// microxen delivers these natively on each CPU (Traps/FastPageFault.asm.cs, per CPU since
    /// Traps/FastPageFaultHandler.cs publishes every vCPU's entry). One vCPU: SKIP.
    /// </summary>
    public static unsafe class SmpPageFaultTests
    {
        const ulong Sentinel = 0x5a5a000;
        static ulong s_va, s_mask;

        public static bool SecondaryFrame()
        {
            if (!SmpRemoteTests.Ready()) return SmpRemoteTests.Skipped("smp_page_fault_frame");
            s_va = Window.Va(500) + 0x28;
            VcpuInfo* v0 = Window.Vcpu0;
            v0->Arch.Cr2 = Sentinel;
            bool ok = true;
            ulong fn = (ulong)(delegate* unmanaged<uint, ulong*, void>)&Probe;
            for (uint n = 1; n < SmpTests.Driven && ok; n++)
            {
                if (!SmpTests.IsStarted(n)) continue;
                for (ulong pass = 0; pass < 2 && ok; pass++)
                {
                    s_mask = 1 - pass;
                    if (!Check.True(Secondary.Ask(n, Secondary.CmdCall, fn, 0, 0, 5 * Pvclock.Second), "a secondary did not answer")) return false;
                    ulong frame = *Secondary.Word(n, Secondary.WTrapFrame);
                    ok = Check.Eq("page faults taken by the probe", Secondary.Result(n, 0) >> 8, 1)
                        && Check.Eq("vector", Secondary.Result(n, 0) & 0xff, X86.Vector.PF)
                        && Check.Eq("the secondary's vcpu_info.arch.cr2", Secondary.Result(n, 1), s_va)
                        && Check.Eq("error code (P, W/R, U/S bits)", Secondary.Result(n, 2) & 7, 0)
                        && Check.Eq("saved upcall mask (frame CS bits 32-39)", frame & 0xff, s_mask)
                        && Check.Eq("frame RFLAGS.IF (events were enabled)", frame & X86.Rflags.IF, s_mask == 0 ? X86.Rflags.IF : 0);
                }
            }
            return Check.Eq("vCPU 0's vcpu_info.arch.cr2 (untouched)", v0->Arch.Cr2, Sentinel) && ok;
        }

        /// <summary>
        /// fpu_taskswitch through the transfer page on each secondary (microxen: the SMP page's
        /// smp_page_fpu_taskswitch on that CPU's pv_state): set, then two SSE instructions take
        /// one #NM on that vCPU (its handler; Xen's do_device_not_available clears the virtual
        /// TS); set then clear, none.
        /// </summary>
        public static bool SecondaryTaskswitch()
        {
            if (!SmpRemoteTests.Ready()) return SmpRemoteTests.Skipped("smp_fpu_taskswitch_page");
            ulong fn = (ulong)(delegate* unmanaged<uint, ulong*, void>)&Fpu;
            for (uint n = 1; n < SmpTests.Driven; n++)
            {
                if (!SmpTests.IsStarted(n)) continue;
                if (!Check.True(Secondary.Ask(n, Secondary.CmdCall, fn, 0, 0, 5 * Pvclock.Second), "a secondary did not answer")) return false;
                if (!Check.Eq("#NM over two SSE instructions after fpu_taskswitch(1)", Secondary.Result(n, 0), 1)
                    || !Check.Eq("vector", Secondary.Result(n, 1), X86.Vector.NM)
                    || !Check.Eq("#NM after fpu_taskswitch(1), fpu_taskswitch(0)", Secondary.Result(n, 2), 0)) return false;
            }
            return true;
        }

        /// <summary>On vCPU n: r[0] = traps over kt_probe_fpu(1, 0), r[1] = the last one's vector, r[2] = traps over kt_probe_fpu(1, 1).</summary>
        [UnmanagedCallersOnly(EntryPoint = "kt_smp_fpu_probe")]
        static void Fpu(uint n, ulong* r)
        {
            ulong* traps = Secondary.Word(n, Secondary.WTraps);
            ulong before = *traps;
            *Secondary.Word(n, Secondary.WTrapVector) = 0;
            Native.ProbeFpu(1, 0);
            r[0] = *traps - before;
            r[1] = *Secondary.Word(n, Secondary.WTrapVector);
            before = *traps;
            Native.ProbeFpu(1, 1);
            r[2] = *traps - before;
        }

        /// <summary>On vCPU n: upcall mask s_mask, a read of s_va; r[0] = the vector | page faults taken &lt;&lt; 8, r[1] = arch.cr2, r[2] = error code.</summary>
        [UnmanagedCallersOnly(EntryPoint = "kt_smp_pf_probe")]
        static void Probe(uint n, ulong* r)
        {
            VcpuInfo* me = Secondary.Info(n);
            ulong* traps = Secondary.Word(n, Secondary.WTraps);
            ulong before = *traps;
            *Secondary.Word(n, Secondary.WTrapVector) = 0;
            me->Arch.Cr2 = 0;
            *(byte*)&me->EvtchnUpcallMask = (byte)s_mask;
            Native.ProbeRead(s_va);
            *(byte*)&me->EvtchnUpcallMask = 1;
            r[0] = (*traps - before) << 8 | *Secondary.Word(n, Secondary.WTrapVector);
            r[1] = me->Arch.Cr2;
            r[2] = *Secondary.Word(n, Secondary.WTrapError);
        }
    }
}
