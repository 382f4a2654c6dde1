using KernelTest.Arch;
using KernelTest.Hypervisor;
using KernelTest.Memory;
using Microxen.Xen;

namespace KernelTest.Fuzz
{
    /// <summary>The storm's memory groups: mmu (mmu_update), uvm (update_va_mapping), ext (mmuext_op), desc (set_gdt, update_descriptor).</summary>
    public static unsafe partial class FuzzGroups
    {
        static void GenMmu()
        {
            MmuUpdate* u = (MmuUpdate*)Fuzz.BufA;
            // A batch longer than the drawn requests ends at a request both Xen and microxen
            // refuse (-EINVAL: MACHPHYS_UPDATE of a frame beyond memory): past it lie random
            // words, which fast mode would apply to any host frame (README; modifier "bugs" drops it).
            if (!BugsOn) { u[4].Ptr = (WildFrame() << 12) | MmuCmd.MMU_MACHPHYS_UPDATE; u[4].Val = 0; }
            for (int k = 0; k < 4; k++)
            {
                ulong ptr, val;
                switch (FuzzRandom.Below(8))
                {
                    case 0: case 1: case 2: case 3:
                        ptr = Window.PteMa(Fuzz.FirstSlot + (int)FuzzRandom.Below(Fuzz.Slots)); val = Pte(); break;
                    case 4: case 5:
                        ptr = (Frame() << 12) + FuzzRandom.Below(512) * 8; val = Pte(); break;
                    case 6:
                        ptr = Frame() << 12; val = FuzzRandom.Chance(1, 2) ? FuzzRandom.Below(1UL << 20) : FuzzRandom.Next(); break;
                    default:
                        ptr = FuzzRandom.Next() & ~3UL; val = Pte(); break;     // a random machine address
                }
                ulong cmd = FuzzRandom.Chance(3, 4) ? (ulong)MmuCmd.MMU_NORMAL_PT_UPDATE : FuzzRandom.Below(4);
                u[k].Ptr = ptr | cmd;
                u[k].Val = val;
            }
            Set(Hypercall.MmuUpdate, Ptr(Fuzz.BufA), BatchCount(), Done(), Domid());
        }

        static void GenUvm()
        {
            ulong flags;
            switch (FuzzRandom.Below(6))
            {
                case 0: flags = UvmFlags.UVMF_NONE; break;
                case 1: flags = UvmFlags.UVMF_TLB_FLUSH; break;
                case 2: flags = UvmFlags.UVMF_INVLPG; break;
                case 3: flags = FuzzRandom.Below(8); break;
                case 4: flags = Ptr(Fuzz.BufB) | FuzzRandom.Below(3); break;     // UVMF_MULTI: vcpumask pointer
                default: flags = FuzzRandom.Next(); break;
            }
            Set(Hypercall.UpdateVaMapping, Va(), Pte(), flags);
        }

        static void GenExt()
        {
            MmuextOp* op = (MmuextOp*)Fuzz.BufA;
            // As in GenMmu: the batch ends at an unknown command (-ENOSYS on both) unless "bugs".
            if (!BugsOn) { op[3].Cmd = 0xffffffff; op[3].Mfn = 0; op[3].SrcMfn = 0; }
            for (int k = 0; k < 3; k++)
            {
                uint cmd = FuzzRandom.Chance(15, 16) ? (uint)FuzzRandom.Below(21) : (uint)FuzzRandom.Next();
                ulong arg1, arg2 = 0;
                switch (cmd)
                {
                    case MmuextCmd.MMUEXT_NEW_BASEPTR: arg1 = Mm.KernelL4Mfn; break;
                    case MmuextCmd.MMUEXT_NEW_USER_BASEPTR: arg1 = FuzzRandom.Chance(1, 2) ? 0 : Frame(); break;
                    case MmuextCmd.MMUEXT_INVLPG_LOCAL:
                    case MmuextCmd.MMUEXT_INVLPG_ALL: arg1 = Va(); break;
                    case MmuextCmd.MMUEXT_TLB_FLUSH_MULTI: arg1 = 0; arg2 = Ptr(Fuzz.BufB); break;
                    case MmuextCmd.MMUEXT_INVLPG_MULTI: arg1 = Va(); arg2 = Ptr(Fuzz.BufB); break;
                    case MmuextCmd.MMUEXT_SET_LDT:
                        arg1 = FuzzRandom.Chance(1, 4) ? 0 : Va();
                        arg2 = FuzzRandom.Chance(3, 4) ? FuzzRandom.Below(600) : FuzzRandom.Next() & 0xffffffff;
                        break;
                    case MmuextCmd.MMUEXT_COPY_PAGE: arg1 = Frame(); arg2 = Frame(); break;
                    default: arg1 = Frame(); break;
                }
                op[k].Cmd = cmd;
                op[k].Mfn = arg1;
                op[k].SrcMfn = arg2;
            }
            Set(Hypercall.MmuextOp, Ptr(Fuzz.BufA), BatchCount(), Done(), Domid());
        }

        static ulong Descriptor()
        {
            switch (FuzzRandom.Below(9))
            {
                case 0: return 0x00affb000000ffff;        // 64-bit code, DPL 3
                case 1: return 0x00af9b000000ffff;        // 64-bit code, DPL 0
                case 2: return 0x00cff3000000ffff;        // data, DPL 3
                case 3: return 0x00cf93000000ffff;        // data, DPL 0
                case 4: return 0x0000ec0000e00000 | (FuzzRandom.Next() & 0xffff0000ffff);   // call gate, DPL 3
                case 5: return 0x0000890000000067;        // TSS
                case 6: return 0x0000820000000fff;        // LDT
                case 7: return 0;
                default: return FuzzRandom.Next();
            }
        }

        static void GenDesc()
        {
            if (FuzzRandom.Chance(3, 4))
            {
                ulong ma = (Frame() << 12) + (FuzzRandom.Chance(7, 8) ? FuzzRandom.Below(512) * 8 : FuzzRandom.Below(4096));
                Set(Hypercall.UpdateDescriptor, ma, Descriptor());
                return;
            }
            ulong* frames = (ulong*)Fuzz.BufB;
            frames[0] = Frame(); frames[1] = Frame();
            ulong entries = FuzzRandom.Chance(3, 4) ? FuzzRandom.Below(1024) : FuzzRandom.Next() & 0xffff;
            Set(Hypercall.SetGdt, Ptr(Fuzz.BufB), entries);
        }
    }
}
