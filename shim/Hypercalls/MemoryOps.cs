namespace Microxen.Hypercalls
{
    /// <summary>
    /// HYPERVISOR_memory_op (public/memory.h) for the one PV dom0: reservations, the M2P's
    /// location and frames, and the machine memory map with the shim's own frames reserved.
    /// </summary>
    public static unsafe class MemoryOps
    {
        public static long Op(ulong cmdWord, ulong arg)
        {
            ulong cmd = cmdWord & XenMemOp.MEMOP_CMD_MASK;
            ulong startExtent = cmdWord >> XenMemOp.MEMOP_EXTENT_SHIFT;
            // Xen's do_memory_op passes the whole cmd (start_extent bits included) to
            // arch_memory_op, whose switch then matches nothing: -ENOSYS.
            if (startExtent != 0 && IsArchOp(cmd)) return -XenErrno.ENOSYS;
            switch (cmd)
            {
                case XenMemOp.XENMEM_maximum_ram_page:
                    if (startExtent != 0) return -XenErrno.EINVAL;
                    return (long)Host.FrameCount;   // Xen's max_page: one past the highest RAM frame
                case XenMemOp.XENMEM_current_reservation:
                case XenMemOp.XENMEM_maximum_reservation:
                case XenMemOp.XENMEM_maximum_gpfn:
                    if (startExtent != 0) return -XenErrno.EINVAL;
                    if (*(ushort*)arg != XenMemOp.DOMID_SELF && *(ushort*)arg != 0) return -XenErrno.ESRCH;
                    return (long)(cmd == XenMemOp.XENMEM_maximum_gpfn ? Host.NrPages - 1 : Host.NrPages);
                case XenMemOp.XENMEM_get_sharing_freed_pages:
                case XenMemOp.XENMEM_get_sharing_shared_pages:
                    return 0;   // mem_sharing_get_nr_saved_mfns / _shared_mfns: nothing is shared
                case XenMemOp.XENMEM_machphys_compat_mfn_list:
                    return -XenErrno.EOPNOTSUPP;   // no 32-bit PV (Xen: !opt_pv32), so no compat M2P
                case XenMemOp.XENMEM_machphys_mapping:
                {
                    XenMachphysMapping* m = (XenMachphysMapping*)arg;
                    m->VStart = Layout.MACH2PHYS_VIRT_START;
                    m->VEnd = Layout.MACH2PHYS_VIRT_START + Host.M2pFrames * 4096;
                    m->MaxMfn = Host.M2pEntries - 1;
                    return 0;
                }
                case XenMemOp.XENMEM_machphys_mfn_list:
                    return MachphysMfnList(arg);
                case XenMemOp.XENMEM_machine_memory_map:
                    if (Events.DomUBackend.Active) return -XenErrno.EPERM;   // Xen: privileged (XSM_PRIV)
                    return MachineMemoryMap((XenMemoryMap*)arg);
                case XenMemOp.XENMEM_memory_map:
                    // A PV domain without a map set by its builder gets -ENOSYS from Xen too;
                    // Linux then uses machine_memory_map (dom0) or a map of nr_pages.
                    return -XenErrno.ENOSYS;
                case XenMemOp.XENMEM_exchange:
                    return MemoryExchange.Op(cmdWord >> XenMemOp.MEMOP_EXTENT_SHIFT, (XenMemoryExchange*)arg);
                case XenMemOp.XENMEM_decrease_reservation:
                    return DecreaseReservation((XenMemoryReservation*)arg);
                case XenMemOp.XENMEM_populate_physmap:
                case XenMemOp.XENMEM_increase_reservation:
                    return PopulatePhysmap((XenMemoryReservation*)arg, cmd == XenMemOp.XENMEM_populate_physmap);
                default:
                    return HypercallStats.Unimplemented("memory_op", Hypercall.MemoryOp, cmdWord, arg, 0, 0, 0);
            }
        }

        /// <summary>Commands Xen 4.17 handles in arch_memory_op/subarch_memory_op (arch/x86/mm.c, x86_64/mm.c), not common/memory.c.</summary>
        static bool IsArchOp(ulong cmd)
        {
            switch (cmd)
            {
                case XenMemOp.XENMEM_machphys_mfn_list: case XenMemOp.XENMEM_memory_map: case XenMemOp.XENMEM_machine_memory_map:
                case XenMemOp.XENMEM_machphys_mapping: case XenMemOp.XENMEM_set_memory_map: case XenMemOp.XENMEM_set_pod_target:
                case XenMemOp.XENMEM_get_pod_target: case XenMemOp.XENMEM_get_sharing_freed_pages:
                case XenMemOp.XENMEM_get_sharing_shared_pages: case XenMemOp.XENMEM_paging_op: case XenMemOp.XENMEM_sharing_op:
                case XenMemOp.XENMEM_machphys_compat_mfn_list:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>
        /// XENMEM_machphys_mfn_list: the frames of the M2P in 2 MiB extents (the first frame of
        /// each; the shim allocates the table as one contiguous run).
        /// </summary>
        static long MachphysMfnList(ulong arg)
        {
            uint max = *(uint*)arg;
            ulong* list = *(ulong**)(arg + 8);
            uint n = 0;
            for (ulong f = 0; f < Host.M2pFrames && n < max; f += 512) list[n++] = Host.M2pFirstMfn + f;
            *(uint*)(arg + 16) = n;
            return 0;
        }

        /// <summary>
        /// XENMEM_machine_memory_map: the boot loader's e820 map in which every RAM frame that is
        /// neither the guest's nor free (the shim's image, tables, M2P, shared_info) is
        /// reported reserved.
        /// </summary>
        static long MachineMemoryMap(XenMemoryMap* map)
        {
            E820Entry* out_ = (E820Entry*)map->Buffer;
            uint max = map->NrEntries;
            uint n = 0;
            BootInfo* bi = Host.Boot;
            for (int r = 0; r < bi->MemoryRegionCount; r++)
            {
                E820Entry* e = bi->Region(r);
                if (e->Type != E820Entry.Ram) { if (!Add(out_, ref n, max, e->Addr, e->Size, e->Type)) return -XenErrno.E2BIG; continue; }
                ulong first = (e->Addr + 4095) >> 12, end = (e->Addr + e->Size) >> 12;
                ulong runStart = first;
                bool runRam = first < end && Usable(first);
                for (ulong f = first; f <= end; f++)
                {
                    bool ram = f < end && Usable(f);
                    if (f == end || ram != runRam)
                    {
                        if (f > runStart && !Add(out_, ref n, max, runStart << 12, (f - runStart) << 12, runRam ? E820Entry.Ram : E820Entry.Reserved))
                            return -XenErrno.E2BIG;
                        runStart = f;
                        runRam = ram;
                    }
                }
            }
            map->NrEntries = n;
            return 0;
        }

        static bool Usable(ulong mfn) => mfn < Host.FrameCount && (Host.IsGuestFrame(mfn) || Host.Frames.IsFree(mfn));

        static bool Add(E820Entry* out_, ref uint n, uint max, ulong addr, ulong size, uint type)
        {
            if (n > 0 && out_[n - 1].Type == type && out_[n - 1].Addr + out_[n - 1].Size == addr)
            {
                out_[n - 1].Size += size;
                return true;
            }
            if (n >= max) return false;
            out_[n].Addr = addr; out_[n].Size = size; out_[n].Type = type;
            n++;
            return true;
        }

        /// <summary>
        /// XENMEM_decrease_reservation: the guest gives back frames. For a PV guest extent_start
        /// lists machine frames (GMFN = MFN, xen/common/memory.c guest_remove_page).
        /// </summary>
        static long DecreaseReservation(XenMemoryReservation* r)
        {
            if (r->ExtentOrder != 0) return -XenErrno.EINVAL;
            ulong* mfns = (ulong*)r->ExtentStart;
            ulong i = 0;
            for (; i < r->NrExtents; i++)
            {
                ulong mfn = mfns[i];
                if (!Host.IsGuestFrame(mfn)) break;
                Host.M2p[mfn] = Host.InvalidM2p;
                Host.Frames.Free(mfn);
                Checked.PageTypes.Forget(mfn);
            }
            return (long)i;
        }

        /// <summary>XENMEM_populate_physmap / increase_reservation: new frames for the listed gpfns.</summary>
        static long PopulatePhysmap(XenMemoryReservation* r, bool populate)
        {
            if (r->ExtentOrder != 0) return -XenErrno.EINVAL;
            ulong* list = (ulong*)r->ExtentStart;
            ulong i = 0;
            for (; i < r->NrExtents; i++)
            {
                ulong mfn = Host.Frames.AllocHigh();
                if (mfn == FrameAllocator.None) break;
                Checked.PageTypes.Forget(mfn);   // a fresh page: no type, no references
                if (populate)
                {
                    ulong pfn = list[i];
                    if (pfn >= Host.M2pEntries) { Host.Frames.Free(mfn); break; }
                    Host.M2p[mfn] = pfn;
                    list[i] = mfn;
                }
                else list[i] = mfn;
            }
            return (long)i;
        }
    }
}
