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
                    if (!MemoryOpChecks.Can(arg, 2, false)) return -XenErrno.EFAULT;
                    if (!MemoryOpChecks.AnyId(*(ushort*)arg)) return -XenErrno.ESRCH;
                    if (cmd == XenMemOp.XENMEM_current_reservation) return (long)MemoryReservation.TotPages;
                    if (cmd == XenMemOp.XENMEM_maximum_reservation) return (long)MemoryReservation.MaxPages;
                    {
                        // domain_get_maximum_gpfn of a PV domain: the max_pfn the guest wrote to shared_info, less one.
                        ulong maxPfn = Guest.Vcpu.Shared->Arch.MaxPfn;
                        return (long)((maxPfn == 0 ? 1 : maxPfn) - 1);
                    }
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
                    if (!MemoryOpChecks.Can(arg, 16, false)) return -XenErrno.EFAULT;
                    return MachineMemoryMap((XenMemoryMap*)arg);
                case XenMemOp.XENMEM_exchange:
                    return MemoryExchange.Op(cmdWord >> XenMemOp.MEMOP_EXTENT_SHIFT, (XenMemoryExchange*)arg);
                case XenMemOp.XENMEM_decrease_reservation:
                case XenMemOp.XENMEM_populate_physmap:
                case XenMemOp.XENMEM_increase_reservation:
                    return MemoryReservation.Op((int)cmd, startExtent, arg);
                default:
                {
                    bool handled;
                    long rc = MemoryOpChecks.Op((int)cmd, startExtent, arg, out handled);
                    if (handled) return rc;
                    return HypercallStats.Unimplemented("memory_op", Hypercall.MemoryOp, cmdWord, arg, 0, 0, 0);
                }
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
        /// reported reserved. As Xen's arch_memory_op: a NULL buffer only counts (0); a buffer of
        /// fewer than the firmware map's entries + 1, or of no more than the entries written (Xen
        /// checks nr_entries &gt; n + entries left before each copy: one slot stays spare), -EINVAL;
        /// a buffer outside the guest's addresses -EFAULT.
        /// </summary>
        static long MachineMemoryMap(XenMemoryMap* map)
        {
            E820Entry* out_ = (E820Entry*)map->Buffer;
            uint max = map->NrEntries;
            BootInfo* bi = Host.Boot;
            bool store = out_ != null;
            if (store && max < (uint)bi->MemoryRegionCount + 1) return -XenErrno.EINVAL;
            if (store && !MemoryOpChecks.ArrayOk((ulong)out_, max, XenMemoryMap.E820EntrySize)) return -XenErrno.EFAULT;
            Run run = default;
            for (int r = 0; r < bi->MemoryRegionCount; r++)
            {
                E820Entry* e = bi->Region(r);
                if (e->Type != E820Entry.Ram) { if (!Add(out_, ref run, max, e->Addr, e->Size, e->Type)) return -XenErrno.EINVAL; continue; }
                ulong first = (e->Addr + 4095) >> 12, end = (e->Addr + e->Size) >> 12;
                ulong runStart = first;
                bool runRam = first < end && Usable(first);
                for (ulong f = first; f <= end; f++)
                {
                    bool ram = f < end && Usable(f);
                    if (f == end || ram != runRam)
                    {
                        if (f > runStart && !Add(out_, ref run, max, runStart << 12, (f - runStart) << 12, runRam ? E820Entry.Ram : E820Entry.Reserved))
                            return -XenErrno.EINVAL;
                        runStart = f;
                        runRam = ram;
                    }
                }
            }
            if (store && run.N > 0 && !MemoryOpChecks.Can((ulong)(out_ + run.N - 1), XenMemoryMap.E820EntrySize, true)) return -XenErrno.EFAULT;
            map->NrEntries = run.N;
            return 0;
        }

        /// <summary>The map being built: entries so far and the last one (merged while contiguous and of one type).</summary>
        struct Run { public uint N; public ulong Addr, Size; public uint Type; }

        static bool Usable(ulong mfn) => mfn < Host.FrameCount && (Host.IsGuestFrame(mfn) || Host.Frames.IsFree(mfn) || Checked.PageTypes.Stolen(mfn));

        static bool Add(E820Entry* out_, ref Run run, uint max, ulong addr, ulong size, uint type)
        {
            if (run.N > 0 && run.Type == type && run.Addr + run.Size == addr)
            {
                run.Size += size;
                if (out_ != null) out_[run.N - 1].Size = run.Size;
                return true;
            }
            if (out_ != null && run.N + 1 >= max) return false;     // Xen keeps one entry spare: nr_entries > entries written
            run.Addr = addr; run.Size = size; run.Type = type;
            if (out_ != null) { out_[run.N].Addr = addr; out_[run.N].Size = size; out_[run.N].Type = type; }
            run.N++;
            return true;
        }
    }
}
