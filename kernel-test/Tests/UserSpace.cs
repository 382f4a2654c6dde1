namespace KernelTest.Tests
{
    /// <summary>
    /// A minimal user address space for the user-mode tests, built once on first use:
    /// <list type="bullet">
    /// <item>at <see cref="Base"/> (L4 slot 2, 0x0000010000000000) a code page (the program
    /// kt_user_code, read-only) and a data/stack page, both _PAGE_USER, through an L3/L2/L1
    /// chain with _PAGE_USER at every level;</item>
    /// <item>that L3 hooked into the kernel's L4 (mmu_update) — what a ring-0 kernel under
    /// microxen runs user code on — and into a separate user L4 given to MMUEXT_NEW_USER_BASEPTR,
    /// which Xen switches to on the way to user mode (toggle_guest_mode);</item>
    /// <item>a GDT frame (set_gdt) with Linux's user selectors: 0x2b data and 0x33 64-bit code,
    /// DPL 3.</item>
    /// </list>
    /// </summary>
    public static unsafe class UserSpace
    {
        public const ulong Base = 0x0000010000000000;
        public const ulong Code = Base, Data = Base + 0x1000, StackTop = Base + 0x2000;
        /// <summary>The second code page: the user snippets [UserInt41, UserSnippetsEnd) of the native blob (issue 8).</summary>
        public const ulong Snippets = Base + 0x3000;
        /// <summary>A lower-half address in user space's L1 that tests may map (supervisor-only) and unmap.</summary>
        public const ulong TestVa = Base + 0x10000;
        public const ulong UserCs = Microxen.Arch.X86.LinuxSelector.UserCs, UserSs = Microxen.Arch.X86.LinuxSelector.UserDs;
        /// <summary>What the data page holds at offsets 0 and 8 (the user GS tests read them).</summary>
        public const ulong DataWord0 = 0x5553455244415441, DataWord1 = 0x0123456776543210;
        const ulong UserRw = PageFlags.Present | PageFlags.RW | PageFlags.User | PageFlags.Accessed | PageFlags.Dirty;
        const ulong UserRo = PageFlags.Present | PageFlags.User | PageFlags.Accessed;

        /// <summary>Machine frame of the user L4 (MMUEXT_NEW_USER_BASEPTR), once <see cref="Ensure"/> succeeded.</summary>
        public static ulong UserL4Mfn;
        /// <summary>Machine frame of the GDT set_gdt installed (entries <see cref="GdtEntries"/>), once <see cref="Ensure"/> succeeded.</summary>
        public static ulong GdtMfn;
        public const ulong GdtEntries = 8;
        static bool s_ready;
        struct GdtFrames { public fixed ulong F[1]; }
        static GdtFrames s_gdt;

        public static bool Ensure()
        {
            if (s_ready) return true;
            int slot = Mm.Index(Base, 4);
            if (!Check.Eq("kernel L4 slot for user space", ((ulong*)Mm.Start->PtBase)[slot], 0)) return false;
            ulong code = Window.ClearedFrame(), data = Window.ClearedFrame(), l1 = Window.ClearedFrame(),
                l2 = Window.ClearedFrame(), l3 = Window.ClearedFrame(), ul4 = Window.ClearedFrame(), gdt = Window.ClearedFrame(),
                snippets = Window.ClearedFrame();
            if (!Check.True(code != 0 && data != 0 && l1 != 0 && l2 != 0 && l3 != 0 && ul4 != 0 && gdt != 0 && snippets != 0, "no free frames")) return false;
            Copy(snippets, Traps.Syms->UserInt41, Traps.Syms->UserSnippetsEnd);

            Copy(code, Traps.Syms->UserCode, Traps.Syms->UserCodeEnd);
            ulong* q = Window.Scratch(data);
            q[0] = DataWord0;
            q[1] = DataWord1;
            Window.EndScratch();
            q = Window.Scratch(l1);
            q[Mm.Index(Code, 1)] = (code << 12) | UserRo;
            q[Mm.Index(Data, 1)] = (data << 12) | UserRw;
            q[Mm.Index(Snippets, 1)] = (snippets << 12) | UserRo;
            Window.EndScratch();
            q = Window.Scratch(l2);
            q[Mm.Index(Base, 2)] = (l1 << 12) | UserRw;
            Window.EndScratch();
            q = Window.Scratch(l3);
            q[Mm.Index(Base, 3)] = (l2 << 12) | UserRw;
            Window.EndScratch();
            q = Window.Scratch(ul4);
            q[slot] = (l3 << 12) | UserRw;
            Window.EndScratch();
            q = Window.Scratch(gdt);
            q[Microxen.Arch.X86.LinuxSelector.UserDs >> 3] = 0x00cff2000000ffff;   // data, DPL 3
            q[Microxen.Arch.X86.LinuxSelector.UserCs >> 3] = 0x00affa000000ffff;   // 64-bit code, DPL 3
            Window.EndScratch();

            if (!Check.Rc("mmu_update(kernel L4 slot 2)", Hv.WritePte((Mm.KernelL4Mfn << 12) + (ulong)slot * 8, (l3 << 12) | UserRw))) return false;
            if (!Check.Rc("MMUEXT_PIN_L4_TABLE(user L4)", Hv.Mmuext(MmuextCmd.MMUEXT_PIN_L4_TABLE, ul4))) return false;
            if (!Check.Rc("MMUEXT_NEW_USER_BASEPTR", Hv.Mmuext(MmuextCmd.MMUEXT_NEW_USER_BASEPTR, ul4))) return false;
            fixed (GdtFrames* g = &s_gdt)
            {
                g->F[0] = gdt;
                if (!Check.Rc("set_gdt", Hv.Call(Hypercall.SetGdt, (ulong)g->F, GdtEntries))) return false;
            }
            GdtMfn = gdt;
            UserL4Mfn = ul4;
            s_ready = true;
            return true;
        }

        static void Copy(ulong frame, ulong from, ulong end)
        {
            byte* p = (byte*)Window.Scratch(frame);
            for (ulong i = 0; i < end - from; i++) p[i] = ((byte*)from)[i];
            Window.EndScratch();
        }

        /// <summary>The user address of snippet <paramref name="symbol"/> (a KtSymbols.User* snippet address).</summary>
        public static ulong SnippetVa(ulong symbol) => Snippets + (symbol - Traps.Syms->UserInt41);

        /// <summary>
        /// Runs the user snippet at <paramref name="symbol"/> (events masked) until it traps to the
        /// kernel (recorded in ProbeState: Vector, ErrorCode, FaultRip, UserCs) or comes back with syscall.
        /// </summary>
        public static bool RunSnippet(ulong symbol, ulong cs = UserCs, ulong ss = UserSs)
        {
            Traps.State->UserTrapArmed = 1;
            bool ok = Check.Rc("kt_enter_user", Native.EnterUser(SnippetVa(symbol), StackTop, cs, ss, 0x2));
            Traps.State->UserTrapArmed = 0;
            return ok;
        }

        /// <summary>Runs kt_user_code in user mode (events masked) until its syscall returns to the kernel; false if it did not come back.</summary>
        public static bool Run()
        {
            return Check.Rc("kt_enter_user", Native.EnterUser(Code, StackTop, UserCs, UserSs, 0x2));
        }

        /// <summary>Where the user program's syscall returns to (RCX / the syscall frame's RIP): after its syscall, before its final ud2.</summary>
        public static ulong AfterSyscall => Code + (Traps.Syms->UserCodeEnd - Traps.Syms->UserCode) - 2;
    }
}
