using KernelTest.Arch;
using Microxen.Arch;
using Microxen.Xen;

namespace KernelTest.Smp
{
    /// <summary>
    /// The secondary vCPUs' own trap table, event callback and GDT, given in VCPUOP_initialise's
    /// vcpu_guest_context (trap_ctxt, event_callback_eip, gdt_frames/gdt_ents: Xen 4.17's
    /// arch_set_info_guest keeps them per vCPU). Their handlers are kt_isr stubs of reserved
    /// vectors, so the vector kt_trap_dispatch sees names the handler that ran: #UD enters at
    /// kt_isr_<see cref="OwnUd"/> (vCPU 0's table: kt_isr_6), #GP at kt_isr_<see cref="OwnGp"/>,
    /// the event callback at kt_isr_<see cref="OwnEvent"/> (vCPU 0's: kt_event_callback, 0x100).
    /// The GDT frame holds one data descriptor (DPL 3) at entry <see cref="GdtEntry"/>, which
    /// vCPU 0's GDT lacks; the LDT (ldt_base/ldt_ents) one at entry 1 (vCPU 0 has no LDT). kt_trap_dispatch hands every frame on a secondary's stack to
    /// <see cref="Dispatch"/>: upcalls are counted in the vCPU's mailbox, a probe's exception
    /// resumes the probe, anything else is recorded and restarts the vCPU's loop.
    /// </summary>
    public static unsafe class SecondaryTraps
    {
        /// <summary>Stub vectors (kt_isr_N; no error code for the event and #UD, one for #GP).</summary>
        public const int OwnEvent = 22, OwnUd = 23, SetUd = 24, SetEvent = 26, OwnGp = 17;
        public const int GdtEntry = 3;
        /// <summary>Selector of <see cref="GdtEntry"/> with RPL 3.</summary>
        public const ulong GdtSelector = GdtEntry << 3 | 3;
        /// <summary>Data, read/write, accessed, DPL 3, present, 32-bit, byte limit 0x1234 (lsl reads it back).</summary>
        public const ulong GdtDescriptor = 0x0040f30000001234;
        public const ulong GdtLimit = 0x1234;
        const ulong GdtEntries = 8;
        static ulong s_gdt;
        /// <summary>The secondaries' LDT (ldt_base/ldt_ents): entry 1 a data descriptor (DPL 3, byte limit 0x2345).</summary>
        public const ulong LdtSelector = (1 << 3) | 4 | 3, LdtDescriptor = 0x0040f30000002345, LdtLimit = 0x2345;
        const ulong LdtEntries = 2;
        struct TwoPages { public fixed byte B[2 * 4096]; }
        static TwoPages s_ldt;
        static ulong s_ldtVa;
        /// <summary>set_trap_table's list for <see cref="SetTrap"/> (one entry and the terminator; one secondary at a time uses it).</summary>
        struct TwoEntries { public fixed byte B[2 * 16]; }
        static TwoEntries s_set;

        /// <summary>The secondaries' GDT frame (made once, mapped nowhere); 0 when no frame could be made.</summary>
        public static ulong GdtFrame()
        {
            if (s_gdt != 0) return s_gdt;
            ulong g = Window.ClearedFrame();
            if (g == 0) return 0;
            ulong* p = Window.Scratch(g);
            if (p == null) return 0;
            p[GdtEntry] = GdtDescriptor;
            if (Window.EndScratch() != 0) return 0;
            s_gdt = g;
            return g;
        }

        /// <summary>The LDT page: a page of kernel-test's image holding <see cref="LdtDescriptor"/> at entry 1, mapped read-only from then on; 0 on failure.</summary>
        public static ulong LdtPage()
        {
            if (s_ldtVa != 0) return s_ldtVa;
            fixed (TwoPages* p = &s_ldt)
            {
                ulong va = ((ulong)p->B + 4095) & ~4095UL;
                ((ulong*)va)[1] = LdtDescriptor;
                if (Hv.UpdateVaMapping(va, (Mm.MfnOfVa(va) << 12) | Validation.KernelRo, UvmFlags.UVMF_INVLPG) != 0) return 0;
                s_ldtVa = va;
                return va;
            }
        }

        static void Set(TrapInfo* t, int v, int stub)
        {
            t->Vector = (byte)v;
            t->Flags = (byte)(v == X86.Vector.BP || v == X86.Vector.OF ? 3 : 0);
            t->Cs = Layout.FLAT_KERNEL_CS;
            t->Address = Traps.Syms->Isr[stub];
        }

        /// <summary>The context's trap_ctxt (every exception vector but NMI, #DF, #MC), callbacks, LDT and GDT.</summary>
        public static void Fill(VcpuGuestContext* c)
        {
            TrapInfo* t = (TrapInfo*)c->TrapCtxt;
            for (int v = 0; v < 32; v++)
                if (v != X86.Vector.NMI && v != X86.Vector.DF && v != X86.Vector.MC) Set(&t[v], v, v);
            Set(&t[X86.Vector.UD], X86.Vector.UD, OwnUd);
            Set(&t[X86.Vector.GP], X86.Vector.GP, OwnGp);
            c->EventCallbackEip = Traps.Syms->Isr[OwnEvent];
            c->FailsafeCallbackEip = Traps.Syms->FailsafeCallback;
            ulong l = LdtPage();
            if (l != 0) { c->LdtBase = l; c->LdtEnts = LdtEntries; }
            ulong g = GdtFrame();
            if (g == 0) return;
            c->GdtFrames[0] = g;
            c->GdtEnts = GdtEntries;
        }

        /// <summary>set_trap_table on the calling vCPU: vector <paramref name="v"/> enters kt_isr_<paramref name="stub"/>.</summary>
        public static long SetTrap(int v, int stub)
        {
            fixed (TwoEntries* e = &s_set)
            {
                TrapInfo* t = (TrapInfo*)e->B;
                Set(t, v, stub);
                t[1].Address = 0;
                return Hv.Call(Hypercall.SetTrapTable, (ulong)t);
            }
        }

        /// <summary>kt_trap_dispatch's first step: false when the frame is not on a secondary's stack.</summary>
        public static bool Dispatch(CpuFrame* f)
        {
            uint n = Secondary.StackOwner((ulong)f);
            if (n == 0) return false;
            ulong* w = Secondary.Word(n, 0);
            ulong v = f->Vector;
            if (v == OwnEvent || v == SetEvent || v == EntryVectors.EventCallback)
            {
                Upcall(n, w, v);
                return true;
            }
            ProbeState* s = Traps.State;
            if (s->RecoverRip != 0)
            {
                w[Secondary.WTrapVector] = v;
                w[Secondary.WTrapError] = f->ErrorCode;
                w[Secondary.WTrapFrame] = (f->Cs >> 32 & 0xff) | (f->Rflags & X86.Rflags.IF);
                w[Secondary.WTraps]++;
                f->Rip = s->RecoverRip;
                s->RecoverRip = 0;
                return true;
            }
            w[Secondary.WFaultVector] = v;
            w[Secondary.WFaultRip] = f->Rip;
            w[Secondary.WFaults]++;
            Secondary.Restart(n, f);
            return true;
        }

        /// <summary>An upcall on vCPU n: counted (own callback or vCPU 0's), the mask it ran with kept, the watched port handled.</summary>
        static void Upcall(uint n, ulong* w, ulong vector)
        {
            VcpuInfo* me = Secondary.Info(n);
            w[vector == EntryVectors.EventCallback ? Secondary.WForeignEvents : Secondary.WOwnEvents]++;
            w[Secondary.WEventVector] = vector;
            w[Secondary.WMaskInCallback] = me->EvtchnUpcallMask;
            me->EvtchnUpcallPending = 0;
            Native.Xchg(&me->EvtchnPendingSel, 0);
            uint port = (uint)w[Secondary.WWatch];
            if (port == 0 || !Ev.PendingBit(port)) return;
            Ev.ClearPendingBit(port);
            w[Secondary.WWatchAt] = w[Secondary.WSent];
            w[Secondary.WWatchHits]++;
        }
    }
}
