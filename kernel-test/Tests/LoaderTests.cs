namespace KernelTest.Tests
{
    /// <summary>
    /// What the domain builder hands over (Xen 4.17's xen/arch/x86/pv/dom0_build.c): start_info's
    /// flags and magic, the access bits of the initial page tables, and what they allow (user
    /// mode running code of the kernel image). Both builds: kernel-test.elf (VIRT_BASE
    /// 0xffffffff80000000, PAE_MODE "yes") and kernel-test-low.elf (linked at 1 MiB, no
    /// VIRT_BASE, ENTRY or PAE_MODE note).
    /// </summary>
    public static unsafe class LoaderTests
    {
        /// <summary>
        /// start_info.flags of dom0: SIF_PRIVILEGED | SIF_INITDOMAIN, and in SIF_PM_MASK Xen's
        /// xen_processor_pmbits (PX by default, CX with cpuidle on): 0x303. No SIF_MOD_START_PFN
        /// (no initrd). The magic is "xen-3.0-x86_64", with "p" only when the kernel carries
        /// PAE_MODE (the kernel-half build does, the low build does not).
        /// </summary>
        public static bool StartInfoFlagsAndMagic()
        {
            StartInfo* si = Mm.Start;
            uint want = StartInfoFlags.SIF_PRIVILEGED | StartInfoFlags.SIF_INITDOMAIN | StartInfoFlags.Dom0PmBits;
            if (!Check.Eq("start_info.flags", si->Flags, want)) return false;
            string magic = Mm.VirtBase != 0 ? "xen-3.0-x86_64p" : "xen-3.0-x86_64";
            for (int i = 0; i <= magic.Length; i++)
            {
                ulong want1 = i < magic.Length ? (byte)magic[i] : 0UL;
                if (!Check.Eq("start_info.magic byte", si->Magic[i], want1)) return false;
            }
            return true;
        }

        /// <summary>
        /// Every entry on the way to the kernel image's first page and to the page-table page
        /// pt_base has _PAGE_USER, as Xen's dom0 builder writes them (BASE_PROT); the image page
        /// is writable, the page-table page read-only.
        /// </summary>
        public static bool InitialMappingsAreUserAccessible()
        {
            if (!UserBitsOnTheWayTo(Traps.Syms->HypercallPage, PageFlags.RW)) return false;
            return UserBitsOnTheWayTo(Mm.Start->PtBase, 0);
        }

        static bool UserBitsOnTheWayTo(ulong va, ulong rw)
        {
            ulong* table = (ulong*)Mm.Start->PtBase;
            for (int level = 4; level >= 1; level--)
            {
                ulong e = table[Mm.Index(va, level)];
                if (!Check.Eq("present", e & PageFlags.Present, PageFlags.Present)) return false;
                if (!Check.Eq("_PAGE_USER in the builder's entry", e & PageFlags.User, PageFlags.User)) return false;
                if (level == 1) return Check.Eq("leaf RW", e & PageFlags.RW, rw);
                table = Mm.VaOfMfn(Mm.EntryMfn(e));
            }
            return false;
        }

        /// <summary>
        /// User mode executes an instruction of the kernel image where it lies (no copy): the
        /// image's L4 entry is put in the user L4 too (the table user mode runs on under Xen), and
        /// since the builder's mappings carry _PAGE_USER, the fetch succeeds and the instruction
        /// (kt_user_code's final ud2) raises #UD in user mode at its image address; a mapping
        /// without USER would give #PF instead. The user L4 entry is removed afterwards.
        /// </summary>
        public static bool UserModeRunsKernelImagePage()
        {
            if (!UserSpace.Ensure()) return false;
            ulong ud2 = Traps.Syms->UserCodeEnd - 2;
            int slot = Mm.Index(ud2, 4);
            ulong pte = (UserSpace.UserL4Mfn << 12) + (ulong)slot * 8;
            if (!Check.Rc("mmu_update(user L4 slot of the image)", Hv.WritePte(pte, ((ulong*)Mm.Start->PtBase)[slot]))) return false;
            ProbeState* s = Traps.State;
            s->Vector = 0xff;
            s->UserTrapArmed = 1;       // the user-mode fault is recorded and kt_enter_user's caller resumed
            bool ok = Check.Rc("kt_enter_user(the image's ud2)",
                Native.EnterUser(ud2, UserSpace.StackTop, UserSpace.UserCs, UserSpace.UserSs, 0x2));
            s->UserTrapArmed = 0;
            ok = ok && Check.Eq("vector (6: #UD; 14: the page was not executable in user mode)", s->Vector, 6)
                    && Check.Eq("faulting RIP", s->FaultRip, ud2)
                    && Check.Eq("faulting CS RPL", s->UserCs & 3, 3)
                    && Check.Eq("faulting RSP", s->UserRsp, UserSpace.StackTop);
            return Check.Rc("mmu_update(user L4 slot of the image) = 0", Hv.WritePte(pte, 0)) && ok;
        }
    }
}
