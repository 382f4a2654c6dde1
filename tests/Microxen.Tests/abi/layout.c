/*
 * Prints the layout of the Xen public ABI structures and the values of its constants, as
 * compiled from the real headers in /usr/include/xen (package libxen-dev), for
 * XenAbiLayoutTests.cs to compare with the C# definitions in shim/Xen/.
 *
 * Output, one item per line (names are the C# names):
 *   size  <Struct> <sizeof>
 *   field <Struct>.<Field> <offsetof> <sizeof field>
 *   const <Class>.<Name> <value as unsigned 64-bit decimal>
 */
#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#define __XEN_TOOLS__ 1   /* memory.h: the structures XenMemOpArgs sizes (xen_pod_target, ...) */
#include <xen/xen.h>
#include <xen/platform.h>
#include <xen/errno.h>
#include <xen/memory.h>
#include <xen/vcpu.h>
#include <xen/event_channel.h>
#include <xen/sched.h>
#include <xen/callback.h>
#include <xen/features.h>
#include <xen/version.h>
#include <xen/physdev.h>
#include <xen/platform.h>
#include <xen/elfnote.h>
#include <xen/grant_table.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>
#include <xen/arch-x86/xen-mca.h>

/* A struct: its size, then the offset and size of each field F(C# name, C member) listed. */
struct field { const char *name; size_t offset, size; };
#define STRUCT(cs, ct, ...) do { \
        typedef ct T; \
        const struct field fields[] = { __VA_ARGS__ }; \
        print_struct(#cs, sizeof(T), fields, sizeof fields / sizeof fields[0]); \
    } while (0)
#define F(csf, cf) { #csf, offsetof(T, cf), sizeof(((T *)0)->cf) }

/* The constants of one C# class: C(C# name, C value), or S(name) where C and C# share the name
   (stringified by S itself, before the argument is macro-expanded). */
struct constant { const char *name; unsigned long long value; };
#define CONSTS(cls, ...) do { \
        const struct constant consts[] = { __VA_ARGS__ }; \
        print_consts(#cls, consts, sizeof consts / sizeof consts[0]); \
    } while (0)
#define C(name, val) { #name, (unsigned long long)(val) }
#define S(name) { #name, (unsigned long long)(name) }
/* C with the C name's common prefix left out: H(cs, c) is __HYPERVISOR_c, N(cs, c)
   XEN_ELFNOTE_c, FEAT(cs, c) XENFEAT_c; E(name) is XEN_name under the C# name `name`. */
#define H(cs, c) C(cs, __HYPERVISOR_##c)
#define N(cs, c) C(cs, XEN_ELFNOTE_##c)
#define FEAT(cs, c) C(cs, XENFEAT_##c)
#define E(name) { #name, (unsigned long long)(XEN_##name) }

static void print_struct(const char *name, size_t size, const struct field *f, size_t n)
{
    printf("size %s %zu\n", name, size);
    for (size_t i = 0; i < n; i++)
        printf("field %s.%s %zu %zu\n", name, f[i].name, f[i].offset, f[i].size);
}

static void print_consts(const char *cls, const struct constant *c, size_t n)
{
    for (size_t i = 0; i < n; i++) printf("const %s.%s %llu\n", cls, c[i].name, c[i].value);
}

static void structs(void)
{
    STRUCT(StartInfo, struct start_info,
        F(Magic, magic), F(NrPages, nr_pages), F(SharedInfo, shared_info), F(Flags, flags),
        F(StoreMfn, store_mfn), F(StoreEvtchn, store_evtchn), F(ConsoleDomUMfn, console.domU.mfn),
        F(ConsoleDomUEvtchn, console.domU.evtchn), F(ConsoleDom0InfoOff, console.dom0.info_off),
        F(ConsoleDom0InfoSize, console.dom0.info_size), F(PtBase, pt_base),
        F(NrPtFrames, nr_pt_frames), F(MfnList, mfn_list), F(ModStart, mod_start),
        F(ModLen, mod_len), F(CmdLine, cmd_line), F(FirstP2mPfn, first_p2m_pfn),
        F(NrP2mFrames, nr_p2m_frames));
    STRUCT(SharedInfo, struct shared_info,
        F(VcpuInfo, vcpu_info), F(EvtchnPending, evtchn_pending), F(EvtchnMask, evtchn_mask),
        F(WcVersion, wc_version), F(WcSec, wc_sec), F(WcNsec, wc_nsec), F(WcSecHi, wc_sec_hi),
        F(Arch, arch));
    STRUCT(ArchSharedInfo, struct arch_shared_info,
        F(MaxPfn, max_pfn), F(PfnToMfnFrameListList, pfn_to_mfn_frame_list_list),
        F(NmiReason, nmi_reason), F(P2mCr3, p2m_cr3), F(P2mVaddr, p2m_vaddr),
        F(P2mGeneration, p2m_generation));
    STRUCT(VcpuInfo, struct vcpu_info,
        F(EvtchnUpcallPending, evtchn_upcall_pending), F(EvtchnUpcallMask, evtchn_upcall_mask),
        F(EvtchnPendingSel, evtchn_pending_sel), F(Arch, arch), F(Time, time));
    STRUCT(ArchVcpuInfo, struct arch_vcpu_info, F(Cr2, cr2), F(Pad, pad));
    STRUCT(VcpuTimeInfo, struct vcpu_time_info,
        F(Version, version), F(Pad0, pad0), F(TscTimestamp, tsc_timestamp),
        F(SystemTime, system_time), F(TscToSystemMul, tsc_to_system_mul), F(TscShift, tsc_shift),
        F(Flags, flags), F(Pad1, pad1));
    STRUCT(TrapInfo, struct trap_info,
        F(Vector, vector), F(Flags, flags), F(Cs, cs), F(Address, address));
    STRUCT(IretContext, struct iret_context,
        F(Rax, rax), F(R11, r11), F(Rcx, rcx), F(Flags, flags), F(Rip, rip), F(Cs, cs),
        F(Rflags, rflags), F(Rsp, rsp), F(Ss, ss));
    STRUCT(MmuUpdate, struct mmu_update, F(Ptr, ptr), F(Val, val));
    STRUCT(MmuextOp, struct mmuext_op,
        F(Cmd, cmd), F(Mfn, arg1.mfn), F(LinearAddr, arg1.linear_addr), F(NrEnts, arg2.nr_ents),
        F(Vcpumask, arg2.vcpumask), F(SrcMfn, arg2.src_mfn));
    STRUCT(MulticallEntry, struct multicall_entry, F(Op, op), F(Result, result), F(Args, args));
    STRUCT(CallbackRegister, struct callback_register,
        F(Type, type), F(Flags, flags), F(Address, address));
    STRUCT(CallbackUnregister, struct callback_unregister, F(Type, type), F(Unused, _unused));
    STRUCT(XenMemoryMap, struct xen_memory_map, F(NrEntries, nr_entries), F(Buffer, buffer));
    STRUCT(XenMachphysMapping, struct xen_machphys_mapping,
        F(VStart, v_start), F(VEnd, v_end), F(MaxMfn, max_mfn));
    STRUCT(XenMemoryReservation, struct xen_memory_reservation,
        F(ExtentStart, extent_start), F(NrExtents, nr_extents), F(ExtentOrder, extent_order),
        F(MemFlags, mem_flags), F(Domid, domid));
    STRUCT(XenMc, struct xen_mc, F(Cmd, cmd), F(InterfaceVersion, interface_version),
        F(FetchFlags, u.mc_fetch.flags), F(FetchId, u.mc_fetch.fetch_id), F(FetchData, u.mc_fetch.data),
        F(NotifyDomid, u.mc_notifydomain.mc_domid), F(NotifyVcpuid, u.mc_notifydomain.mc_vcpuid),
        F(NotifyFlags, u.mc_notifydomain.flags), F(Ncpus, u.mc_physcpuinfo.ncpus), F(Info, u.mc_physcpuinfo.info),
        F(InjCpunr, u.mc_msrinject.mcinj_cpunr), F(InjFlags, u.mc_msrinject.mcinj_flags),
        F(InjCount, u.mc_msrinject.mcinj_count), F(InjDomid, u.mc_msrinject.mcinj_domid),
        F(InjMsr, u.mc_msrinject.mcinj_msr), F(MceinjCpunr, u.mc_mceinject.mceinj_cpunr),
        F(V2Flags, u.mc_inject_v2.flags), F(V2Bitmap, u.mc_inject_v2.cpumap.bitmap),
        F(V2NrBits, u.mc_inject_v2.cpumap.nr_bits));
    STRUCT(McinfoLogicalCpu, struct mcinfo_logical_cpu, F(Cpunr, mc_cpunr), F(Chipid, mc_chipid),
        F(Coreid, mc_coreid), F(Threadid, mc_threadid), F(Apicid, mc_apicid), F(Clusterid, mc_clusterid),
        F(Ncores, mc_ncores), F(NcoresActive, mc_ncores_active), F(Nthreads, mc_nthreads),
        F(CpuidLevel, mc_cpuid_level), F(Family, mc_family), F(Vendor, mc_vendor), F(Model, mc_model),
        F(Step, mc_step), F(VendorId, mc_vendorid), F(BrandId, mc_brandid), F(CpuCaps, mc_cpu_caps),
        F(CacheSize, mc_cache_size), F(CacheAlignment, mc_cache_alignment), F(Nmsrvals, mc_nmsrvals),
        F(MsrValues, mc_msrvalues));
    STRUCT(XenPlatformOp, struct xen_platform_op, F(Cmd, cmd), F(Version, interface_version),
        F(Settime32Secs, u.settime32.secs), F(Settime32Nsecs, u.settime32.nsecs), F(Settime32SystemTime, u.settime32.system_time),
        F(Settime64Secs, u.settime64.secs), F(Settime64Nsecs, u.settime64.nsecs), F(Settime64Mbz, u.settime64.mbz),
        F(Settime64SystemTime, u.settime64.system_time), F(QuirkId, u.platform_quirk.quirk_id),
        F(FwType, u.firmware_info.type), F(FwIndex, u.firmware_info.index), F(FwKbdShiftFlags, u.firmware_info.u.kbd_shift_flags),
        F(EfiVersion, u.firmware_info.u.efi_info.version), F(CfgAddr, u.firmware_info.u.efi_info.cfg.addr),
        F(CfgNent, u.firmware_info.u.efi_info.cfg.nent), F(VendorRevision, u.firmware_info.u.efi_info.vendor.revision),
        F(VendorBufsz, u.firmware_info.u.efi_info.vendor.bufsz), F(VendorName, u.firmware_info.u.efi_info.vendor.name),
        F(MemAddr, u.firmware_info.u.efi_info.mem.addr), F(MemSize, u.firmware_info.u.efi_info.mem.size),
        F(MemAttr, u.firmware_info.u.efi_info.mem.attr), F(MemType, u.firmware_info.u.efi_info.mem.type),
        F(SleepValA, u.enter_acpi_sleep.val_a), F(SleepValB, u.enter_acpi_sleep.val_b),
        F(SleepState, u.enter_acpi_sleep.sleep_state), F(SleepFlags, u.enter_acpi_sleep.flags),
        F(PminfoId, u.set_pminfo.id), F(PminfoType, u.set_pminfo.type), F(PminfoPdc, u.set_pminfo.u.pdc),
        F(PcpuMaxPresent, u.pcpu_info.max_present), F(PcpuXenCpuid, u.pcpu_info.xen_cpuid), F(PcpuApicId, u.pcpu_info.apic_id),
        F(PcpuAcpiId, u.pcpu_info.acpi_id), F(PcpuFlags, u.pcpu_info.flags),
        F(VerXenCpuid, u.pcpu_version.xen_cpuid), F(VerMaxPresent, u.pcpu_version.max_present),
        F(VerVendor, u.pcpu_version.vendor_id[0]),
        F(VerFamily, u.pcpu_version.family), F(VerModel, u.pcpu_version.model), F(VerStepping, u.pcpu_version.stepping),
        F(CpuOlCpuid, u.cpu_ol.cpuid));
    STRUCT(XenMemoryExchange, struct xen_memory_exchange, F(In, in), F(Out, out), F(NrExchanged, nr_exchanged));
    STRUCT(XenFeatureInfo, struct xen_feature_info, F(SubmapIdx, submap_idx), F(Submap, submap));
    STRUCT(XenPlatformParameters, struct xen_platform_parameters, F(VirtStart, virt_start));
    STRUCT(VcpuRegisterVcpuInfo, struct vcpu_register_vcpu_info,
        F(Mfn, mfn), F(Offset, offset), F(Rsvd, rsvd));
    STRUCT(VcpuRegisterRunstateMemoryArea, struct vcpu_register_runstate_memory_area,
        F(Addr, addr.p), F(Addr, addr.v), F(Addr, addr.h));
    STRUCT(VcpuGuestContext, struct vcpu_guest_context,
        F(Flags, flags), F(R15, user_regs.r15), F(R14, user_regs.r14), F(R13, user_regs.r13), F(R12, user_regs.r12),
        F(Rbp, user_regs.rbp), F(Rbx, user_regs.rbx), F(R11, user_regs.r11), F(R10, user_regs.r10), F(R9, user_regs.r9),
        F(R8, user_regs.r8), F(Rax, user_regs.rax), F(Rcx, user_regs.rcx), F(Rdx, user_regs.rdx), F(Rsi, user_regs.rsi),
        F(Rdi, user_regs.rdi), F(Rip, user_regs.rip), F(Cs, user_regs.cs), F(Rflags, user_regs.rflags), F(Rsp, user_regs.rsp),
        F(Ss, user_regs.ss), F(Es, user_regs.es), F(Ds, user_regs.ds), F(TrapCtxt, trap_ctxt), F(LdtBase, ldt_base), F(LdtEnts, ldt_ents),
        F(GdtFrames, gdt_frames), F(GdtEnts, gdt_ents), F(KernelSs, kernel_ss), F(KernelSp, kernel_sp), F(UserCr3, ctrlreg[1]), F(Cr3, ctrlreg[3]), F(EventCallbackEip, event_callback_eip),
        F(FailsafeCallbackEip, failsafe_callback_eip), F(SyscallCallbackEip, syscall_callback_eip), F(FsBase, fs_base),
        F(GsBaseKernel, gs_base_kernel), F(GsBaseUser, gs_base_user));
    STRUCT(VcpuRunstateInfo, struct vcpu_runstate_info,
        F(State, state), F(StateEntryTime, state_entry_time), F(Time, time));
    STRUCT(VcpuSetSingleshotTimer, struct vcpu_set_singleshot_timer,
        F(TimeoutAbsNs, timeout_abs_ns), F(Flags, flags));
    STRUCT(VcpuSetPeriodicTimer, struct vcpu_set_periodic_timer, F(PeriodNs, period_ns));
    STRUCT(Dom0VgaConsoleInfo, struct dom0_vga_console_info,
        F(VideoType, video_type), F(TextFontHeight, u.text_mode_3.font_height),
        F(TextCursorX, u.text_mode_3.cursor_x), F(TextCursorY, u.text_mode_3.cursor_y),
        F(TextRows, u.text_mode_3.rows), F(TextColumns, u.text_mode_3.columns),
        F(VesaRedPos, u.vesa_lfb.red_pos), F(VesaRedSize, u.vesa_lfb.red_size),
        F(VesaGreenPos, u.vesa_lfb.green_pos), F(VesaGreenSize, u.vesa_lfb.green_size),
        F(VesaBluePos, u.vesa_lfb.blue_pos), F(VesaBlueSize, u.vesa_lfb.blue_size),
        F(VesaRsvdPos, u.vesa_lfb.rsvd_pos), F(VesaRsvdSize, u.vesa_lfb.rsvd_size),
        F(VesaGblCaps, u.vesa_lfb.gbl_caps),
        F(VesaWidth, u.vesa_lfb.width), F(VesaHeight, u.vesa_lfb.height),
        F(VesaBytesPerLine, u.vesa_lfb.bytes_per_line),
        F(VesaBitsPerPixel, u.vesa_lfb.bits_per_pixel), F(VesaLfbBase, u.vesa_lfb.lfb_base),
        F(VesaLfbSize, u.vesa_lfb.lfb_size), F(VesaExtLfbBase, u.vesa_lfb.ext_lfb_base));
    STRUCT(EvtchnBindVirq, struct evtchn_bind_virq, F(Virq, virq), F(Vcpu, vcpu), F(Port, port));
    STRUCT(EvtchnBindIpi, struct evtchn_bind_ipi, F(Vcpu, vcpu), F(Port, port));
    STRUCT(EvtchnSend, struct evtchn_send, F(Port, port));
    STRUCT(EvtchnClose, struct evtchn_close, F(Port, port));
    STRUCT(EvtchnUnmask, struct evtchn_unmask, F(Port, port));
    STRUCT(EvtchnAllocUnbound, struct evtchn_alloc_unbound,
        F(Dom, dom), F(RemoteDom, remote_dom), F(Port, port));
    STRUCT(EvtchnBindInterdomain, struct evtchn_bind_interdomain,
        F(RemoteDom, remote_dom), F(RemotePort, remote_port), F(LocalPort, local_port));
    STRUCT(EvtchnBindPirq, struct evtchn_bind_pirq, F(Pirq, pirq), F(Flags, flags), F(Port, port));
    STRUCT(EvtchnBindVcpu, struct evtchn_bind_vcpu, F(Port, port), F(Vcpu, vcpu));
    STRUCT(EvtchnStatus, struct evtchn_status,
        F(Dom, dom), F(Port, port), F(Status, status), F(Vcpu, vcpu), F(UDom, u.unbound.dom),
        F(UDom, u.interdomain.dom), F(UPort, u.interdomain.port), F(UPirq, u.pirq),
        F(UVirq, u.virq));
    STRUCT(EvtchnInitControl, struct evtchn_init_control,
        F(ControlGfn, control_gfn), F(Offset, offset), F(Vcpu, vcpu), F(LinkBits, link_bits));
    STRUCT(EvtchnExpandArray, struct evtchn_expand_array, F(ArrayGfn, array_gfn));
    STRUCT(EvtchnSetPriority, struct evtchn_set_priority, F(Port, port), F(Priority, priority));
    STRUCT(EvtchnReset, struct evtchn_reset, F(Dom, dom));
    STRUCT(EvtchnFifoControlBlock, struct evtchn_fifo_control_block,
        F(Ready, ready), F(Rsvd, _rsvd), F(Head, head));
    STRUCT(GrantEntryV1, struct grant_entry_v1, F(Flags, flags), F(Domid, domid), F(Frame, frame));
    STRUCT(GrantEntryV2, union grant_entry_v2,
        F(Flags, hdr.flags), F(Domid, hdr.domid), F(Frame, full_page.frame));
    STRUCT(GnttabSetupTable, struct gnttab_setup_table,
        F(Dom, dom), F(NrFrames, nr_frames), F(Status, status), F(FrameList, frame_list));
    STRUCT(GnttabQuerySize, struct gnttab_query_size,
        F(Dom, dom), F(NrFrames, nr_frames), F(MaxNrFrames, max_nr_frames), F(Status, status));
    STRUCT(GnttabSetVersion, struct gnttab_set_version, F(Version, version));
    STRUCT(GnttabGetVersion, struct gnttab_get_version, F(Dom, dom), F(Version, version));
    STRUCT(GnttabGetStatusFrames, struct gnttab_get_status_frames,
        F(NrFrames, nr_frames), F(Dom, dom), F(Status, status), F(FrameList, frame_list));
    STRUCT(GnttabMapGrantRef, struct gnttab_map_grant_ref,
        F(HostAddr, host_addr), F(Flags, flags), F(Ref, ref), F(Dom, dom), F(Status, status),
        F(Handle, handle), F(DevBusAddr, dev_bus_addr));
    STRUCT(GnttabUnmapGrantRef, struct gnttab_unmap_grant_ref,
        F(HostAddr, host_addr), F(DevBusAddr, dev_bus_addr), F(Handle, handle), F(Status, status));
    STRUCT(GnttabCopyPtr, struct gnttab_copy_ptr, F(RefOrGmfn, u.gmfn), F(Domid, domid), F(Offset, offset));
    STRUCT(GnttabCopy, struct gnttab_copy,
        F(Source, source), F(Dest, dest), F(Len, len), F(Flags, flags), F(Status, status));
    STRUCT(GnttabSwapGrantRef, struct gnttab_swap_grant_ref, F(RefA, ref_a), F(RefB, ref_b), F(Status, status));
    STRUCT(GnttabCacheFlush, struct gnttab_cache_flush,
        F(DevBusAddr, a.dev_bus_addr), F(Offset, offset), F(Length, length), F(Op, op));
    STRUCT(SchedShutdown, struct sched_shutdown, F(Reason, reason));
    STRUCT(SchedPoll, struct sched_poll,
        F(Ports, ports), F(NrPorts, nr_ports), F(Timeout, timeout));
    STRUCT(SchedRemoteShutdown, struct sched_remote_shutdown,
        F(DomainId, domain_id), F(Reason, reason));
    /* domU: the console ring and the xenstore page (shim/Console, shim/XenStore) */
    STRUCT(XenconsInterface, struct xencons_interface, F(In, in), F(Out, out), F(InCons, in_cons),
        F(InProd, in_prod), F(OutCons, out_cons), F(OutProd, out_prod));
    STRUCT(XenstoreDomainInterface, struct xenstore_domain_interface, F(Req, req), F(Rsp, rsp),
        F(ReqCons, req_cons), F(ReqProd, req_prod), F(RspCons, rsp_cons), F(RspProd, rsp_prod),
        F(ServerFeatures, server_features), F(Connection, connection), F(Error, error));
    STRUCT(XsdSockmsg, struct xsd_sockmsg, F(Type, type), F(ReqId, req_id), F(TxId, tx_id), F(Len, len));
}

static void constants(void)
{
    /* Hypercall numbers, xen.h */
    CONSTS(Hypercall,
        H(SetTrapTable, set_trap_table), H(MmuUpdate, mmu_update), H(SetGdt, set_gdt),
        H(StackSwitch, stack_switch), H(SetCallbacks, set_callbacks),
        H(FpuTaskswitch, fpu_taskswitch), H(SchedOpCompat, sched_op_compat),
        H(PlatformOp, platform_op), H(SetDebugreg, set_debugreg), H(GetDebugreg, get_debugreg),
        H(UpdateDescriptor, update_descriptor), H(MemoryOp, memory_op), H(Multicall, multicall),
        H(UpdateVaMapping, update_va_mapping), H(SetTimerOp, set_timer_op),
        H(EventChannelOpCompat, event_channel_op_compat), H(XenVersion, xen_version),
        H(ConsoleIo, console_io), H(PhysdevOpCompat, physdev_op_compat),
        H(GrantTableOp, grant_table_op), H(VmAssist, vm_assist),
        H(UpdateVaMappingOtherdomain, update_va_mapping_otherdomain), H(Iret, iret),
        H(VcpuOp, vcpu_op), H(SetSegmentBase, set_segment_base), H(MmuextOp, mmuext_op),
        H(XsmOp, xsm_op), H(NmiOp, nmi_op), H(SchedOp, sched_op), H(CallbackOp, callback_op),
        H(XenoprofOp, xenoprof_op), H(EventChannelOp, event_channel_op), H(PhysdevOp, physdev_op),
        H(HvmOp, hvm_op), H(Sysctl, sysctl), H(Domctl, domctl), H(KexecOp, kexec_op),
        H(TmemOp, tmem_op), H(ArgoOp, argo_op), H(XenpmuOp, xenpmu_op), H(DmOp, dm_op),
        H(HypfsOp, hypfs_op), H(Arch0, arch_0), H(Arch1, arch_1), H(Arch2, arch_2),
        H(Arch3, arch_3), H(Arch4, arch_4), H(Arch5, arch_5), H(Arch6, arch_6), H(Arch7, arch_7));

    /* errno.h (guest-visible values; EINTR and ERESTART exist only inside Xen) */
    CONSTS(XenErrno,
        E(EPERM), E(ENOENT), E(ESRCH), E(EIO), E(ENXIO), E(E2BIG), E(ENOEXEC), E(EBADF), E(ECHILD),
        E(EAGAIN), E(EWOULDBLOCK), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST), E(EXDEV),
        E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOSPC), E(EROFS),
        E(EMLINK), E(EDOM), E(ERANGE), E(EDEADLK), E(EDEADLOCK), E(ENAMETOOLONG), E(ENOLCK),
        E(ENOSYS), E(ENOTEMPTY), E(ENODATA), E(ETIME), E(EBADMSG), E(EOVERFLOW), E(EILSEQ),
        E(ENOTSOCK), E(EMSGSIZE), E(EOPNOTSUPP), E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENOBUFS),
        E(EISCONN), E(ENOTCONN), E(ETIMEDOUT), E(ECONNREFUSED));

    /* start_info flags */
    CONSTS(StartInfoFlags,
        C(Privileged, SIF_PRIVILEGED), C(InitDomain, SIF_INITDOMAIN),
        C(MultibootMod, SIF_MULTIBOOT_MOD), C(ModStartPfn, SIF_MOD_START_PFN),
        C(VirtP2m4Tools, SIF_VIRT_P2M_4TOOLS), C(PmMask, SIF_PM_MASK), S(SIF_PRIVILEGED),
        S(SIF_INITDOMAIN), S(SIF_MULTIBOOT_MOD), S(SIF_MOD_START_PFN), S(SIF_VIRT_P2M_4TOOLS),
        S(SIF_PM_MASK));
    CONSTS(StartInfo, C(MaxGuestCmdline, MAX_GUEST_CMDLINE));

    /* features.h */
    CONSTS(XenFeature,
        FEAT(WritablePageTables, writable_page_tables),
        FEAT(WritableDescriptorTables, writable_descriptor_tables),
        FEAT(AutoTranslatedPhysmap, auto_translated_physmap),
        FEAT(SupervisorModeKernel, supervisor_mode_kernel),
        FEAT(PaePgdirAbove4gb, pae_pgdir_above_4gb),
        FEAT(MmuPtUpdatePreserveAd, mmu_pt_update_preserve_ad), FEAT(HighmemAssist, highmem_assist),
        FEAT(GnttabMapAvailBits, gnttab_map_avail_bits),
        FEAT(HvmCallbackVector, hvm_callback_vector), FEAT(HvmSafePvclock, hvm_safe_pvclock),
        FEAT(HvmPirqs, hvm_pirqs), FEAT(Dom0, dom0),
        FEAT(MemoryOpVnodeSupported, memory_op_vnode_supported),
        FEAT(ArmSmcccSupported, ARM_SMCCC_supported),
        FEAT(LinuxRsdpUnrestricted, linux_rsdp_unrestricted),
        FEAT(NotDirectMapped, not_direct_mapped), FEAT(DirectMapped, direct_mapped),
        FEAT(NrSubmaps, NR_SUBMAPS));

    /* elfnote.h */
    CONSTS(ElfNote,
        N(Info, INFO), N(Entry, ENTRY), N(HypercallPage, HYPERCALL_PAGE), N(VirtBase, VIRT_BASE),
        N(PaddrOffset, PADDR_OFFSET), N(XenVersion, XEN_VERSION), N(GuestOs, GUEST_OS),
        N(GuestVersion, GUEST_VERSION), N(Loader, LOADER), N(PaeMode, PAE_MODE),
        N(Features, FEATURES), N(BsdSymtab, BSD_SYMTAB), N(HvStartLow, HV_START_LOW),
        N(L1MfnValid, L1_MFN_VALID), N(SuspendCancel, SUSPEND_CANCEL), N(InitP2m, INIT_P2M),
        N(ModStartPfn, MOD_START_PFN), N(SupportedFeatures, SUPPORTED_FEATURES),
        N(Phys32Entry, PHYS32_ENTRY), N(Max, MAX), N(CrashInfo, CRASH_INFO),
        N(CrashRegs, CRASH_REGS), N(DumpcoreNone, DUMPCORE_NONE),
        N(DumpcoreHeader, DUMPCORE_HEADER), N(DumpcoreXenVersion, DUMPCORE_XEN_VERSION),
        N(DumpcoreFormatVersion, DUMPCORE_FORMAT_VERSION));

    /* mmu_update / mmuext_op / update_va_mapping / vm_assist, xen.h */
    CONSTS(MmuCmd,
        S(MMU_NORMAL_PT_UPDATE), S(MMU_MACHPHYS_UPDATE), S(MMU_PT_UPDATE_PRESERVE_AD),
        S(MMU_PT_UPDATE_NO_TRANSLATE));
    CONSTS(MmuextCmd,
        S(MMUEXT_PIN_L1_TABLE), S(MMUEXT_PIN_L2_TABLE), S(MMUEXT_PIN_L3_TABLE),
        S(MMUEXT_PIN_L4_TABLE), S(MMUEXT_UNPIN_TABLE), S(MMUEXT_NEW_BASEPTR),
        S(MMUEXT_TLB_FLUSH_LOCAL), S(MMUEXT_INVLPG_LOCAL), S(MMUEXT_TLB_FLUSH_MULTI),
        S(MMUEXT_INVLPG_MULTI), S(MMUEXT_TLB_FLUSH_ALL), S(MMUEXT_INVLPG_ALL),
        S(MMUEXT_FLUSH_CACHE), S(MMUEXT_SET_LDT), S(MMUEXT_NEW_USER_BASEPTR), S(MMUEXT_CLEAR_PAGE),
        S(MMUEXT_COPY_PAGE), S(MMUEXT_FLUSH_CACHE_GLOBAL), S(MMUEXT_MARK_SUPER),
        S(MMUEXT_UNMARK_SUPER));
    CONSTS(UvmFlags,
        S(UVMF_NONE), S(UVMF_TLB_FLUSH), S(UVMF_INVLPG), S(UVMF_FLUSHTYPE_MASK), S(UVMF_MULTI),
        S(UVMF_LOCAL), S(UVMF_ALL));
    CONSTS(VmAssist,
        S(VMASST_CMD_enable), S(VMASST_CMD_disable), S(VMASST_TYPE_4gb_segments),
        S(VMASST_TYPE_4gb_segments_notify), S(VMASST_TYPE_writable_pagetables),
        S(VMASST_TYPE_pae_extended_cr3), S(VMASST_TYPE_architectural_iopl),
        S(VMASST_TYPE_runstate_update_flag), S(VMASST_TYPE_m2p_strict));
    CONSTS(ConsoleIoCmd, S(CONSOLEIO_write), S(CONSOLEIO_read));

    /* version.h */
    CONSTS(XenVersionCmd,
        S(XENVER_version), S(XENVER_extraversion), S(XENVER_compile_info), S(XENVER_capabilities),
        S(XENVER_changeset), S(XENVER_platform_parameters), S(XENVER_get_features),
        S(XENVER_pagesize), S(XENVER_guest_handle), S(XENVER_commandline), S(XENVER_build_id),
        C(ExtraversionSize, sizeof(xen_extraversion_t)),
        C(CompileInfoSize, sizeof(xen_compile_info_t)),
        C(CapabilitiesInfoSize, sizeof(xen_capabilities_info_t)),
        C(ChangesetInfoSize, sizeof(xen_changeset_info_t)),
        C(DomainHandleSize, sizeof(xen_domain_handle_t)),
        C(CommandlineSize, sizeof(xen_commandline_t)));

    /* memory.h (the guest-visible commands; the rest are tools-only) */
    CONSTS(XenMemOp,
        S(XENMEM_increase_reservation), S(XENMEM_decrease_reservation), S(XENMEM_maximum_ram_page),
        S(XENMEM_current_reservation), S(XENMEM_maximum_reservation), S(XENMEM_machphys_mfn_list),
        S(XENMEM_populate_physmap), S(XENMEM_add_to_physmap), S(XENMEM_memory_map),
        S(XENMEM_machine_memory_map), S(XENMEM_exchange), S(XENMEM_machphys_mapping),
        S(XENMEM_set_memory_map), S(XENMEM_maximum_gpfn), S(XENMEM_remove_from_physmap),
        S(XENMEM_add_to_physmap_batch), S(XENMEM_machphys_compat_mfn_list), S(XENMEM_get_vnumainfo),
        S(XENMEM_acquire_resource), S(DOMID_SELF), S(DOMID_IO), S(DOMID_XEN), S(DOMID_COW),
        S(DOMID_INVALID), S(DOMID_IDLE));

    CONSTS(XenMemOpArgs,
        C(AddToPhysmapSize, sizeof(struct xen_add_to_physmap)),
        C(AddToPhysmapBatchSize, sizeof(struct xen_add_to_physmap_batch)),
        C(RemoveFromPhysmapSize, sizeof(struct xen_remove_from_physmap)),
        C(ForeignMemoryMapSize, sizeof(struct xen_foreign_memory_map)),
        C(VnumaTopologyInfoSize, sizeof(struct xen_vnuma_topology_info)),
        C(AcquireResourceSize, sizeof(struct xen_mem_acquire_resource)),
        C(ReservedDeviceMemoryMapSize, sizeof(struct xen_reserved_device_memory_map)),
        C(ReservedDeviceMemorySize, sizeof(struct xen_reserved_device_memory)),
        C(PodTargetSize, sizeof(struct xen_pod_target)), C(MemAccessOpSize, sizeof(struct xen_mem_access_op)),
        S(XENMAPSPACE_gmfn_range), S(XENMAPSPACE_gmfn_foreign), S(XENMEMF_populate_on_demand),
        S(XENMEMF_vnode), S(XENMEM_RDM_ALL));

    /* vcpu.h */
    CONSTS(VcpuOp,
        S(VCPUOP_initialise), S(VCPUOP_up), S(VCPUOP_down), S(VCPUOP_is_up),
        S(VCPUOP_get_runstate_info), S(VCPUOP_register_runstate_memory_area),
        S(VCPUOP_set_periodic_timer), S(VCPUOP_stop_periodic_timer), S(VCPUOP_set_singleshot_timer),
        S(VCPUOP_stop_singleshot_timer), S(VCPUOP_register_vcpu_info), S(VCPUOP_send_nmi),
        S(VCPUOP_get_physid), S(VCPUOP_register_vcpu_time_memory_area), S(RUNSTATE_running),
        S(RUNSTATE_runnable), S(RUNSTATE_blocked), S(RUNSTATE_offline), S(XEN_RUNSTATE_UPDATE),
        S(VCPU_SSHOTTMR_future), C(VcpuGuestContextSize, sizeof(struct vcpu_guest_context)));

    /* sched.h */
    CONSTS(SchedOp,
        S(SCHEDOP_yield), S(SCHEDOP_block), S(SCHEDOP_shutdown), S(SCHEDOP_poll),
        S(SCHEDOP_remote_shutdown), S(SCHEDOP_shutdown_code), S(SCHEDOP_watchdog),
        S(SCHEDOP_pin_override), S(SHUTDOWN_poweroff), S(SHUTDOWN_reboot), S(SHUTDOWN_suspend),
        S(SHUTDOWN_crash), S(SHUTDOWN_watchdog), S(SHUTDOWN_soft_reset), S(SHUTDOWN_MAX));

    /* callback.h */
    CONSTS(CallbackType,
        S(CALLBACKTYPE_event), S(CALLBACKTYPE_failsafe), S(CALLBACKTYPE_syscall),
        S(CALLBACKTYPE_sysenter_deprecated), S(CALLBACKTYPE_nmi), S(CALLBACKTYPE_sysenter),
        S(CALLBACKTYPE_syscall32), S(_CALLBACKF_mask_events), S(CALLBACKF_mask_events),
        S(CALLBACKOP_register), S(CALLBACKOP_unregister));

    /* event_channel.h */
    CONSTS(EvtchnOp,
        S(EVTCHNOP_bind_interdomain), S(EVTCHNOP_bind_virq), S(EVTCHNOP_bind_pirq),
        S(EVTCHNOP_close), S(EVTCHNOP_send), S(EVTCHNOP_status), S(EVTCHNOP_alloc_unbound),
        S(EVTCHNOP_bind_ipi), S(EVTCHNOP_bind_vcpu), S(EVTCHNOP_unmask), S(EVTCHNOP_reset),
        S(EVTCHNOP_init_control), S(EVTCHNOP_expand_array), S(EVTCHNOP_set_priority),
        S(EVTCHN_2L_NR_CHANNELS), C(EvtchnOpCompatSize, sizeof(struct evtchn_op)));
    CONSTS(EvtchnFifoAbi,
        C(PriorityMax, EVTCHN_FIFO_PRIORITY_MAX), C(PriorityDefault, EVTCHN_FIFO_PRIORITY_DEFAULT),
        C(PriorityMin, EVTCHN_FIFO_PRIORITY_MIN), C(MaxQueues, EVTCHN_FIFO_MAX_QUEUES),
        C(Pending, EVTCHN_FIFO_PENDING), C(Masked, EVTCHN_FIFO_MASKED), C(Linked, EVTCHN_FIFO_LINKED),
        C(Busy, EVTCHN_FIFO_BUSY), C(LinkBits, EVTCHN_FIFO_LINK_BITS), C(LinkMask, EVTCHN_FIFO_LINK_MASK),
        C(NrChannels, EVTCHN_FIFO_NR_CHANNELS));

    /* grant_table.h */
    CONSTS(GnttabOp,
        S(GNTTABOP_map_grant_ref), S(GNTTABOP_unmap_grant_ref), S(GNTTABOP_setup_table),
        S(GNTTABOP_dump_table), S(GNTTABOP_transfer), S(GNTTABOP_copy), S(GNTTABOP_query_size),
        S(GNTTABOP_unmap_and_replace), S(GNTTABOP_set_version), S(GNTTABOP_get_status_frames),
        S(GNTTABOP_get_version), S(GNTTABOP_swap_grant_ref), S(GNTTABOP_cache_flush),
        C(NrReservedEntries, GNTTAB_NR_RESERVED_ENTRIES));
    CONSTS(Gtf,
        C(Invalid, GTF_invalid), C(PermitAccess, GTF_permit_access), C(AcceptTransfer, GTF_accept_transfer),
        C(Transitive, GTF_transitive), C(TypeMask, GTF_type_mask), C(Readonly, GTF_readonly),
        C(Reading, GTF_reading), C(Writing, GTF_writing), C(Pwt, GTF_PWT), C(Pcd, GTF_PCD),
        C(Pat, GTF_PAT), C(SubPage, GTF_sub_page));
    CONSTS(GntMap,
        C(DeviceMap, GNTMAP_device_map), C(HostMap, GNTMAP_host_map), C(Readonly, GNTMAP_readonly),
        C(ApplicationMap, GNTMAP_application_map), C(ContainsPte, GNTMAP_contains_pte), C(GuestAvail0, _GNTMAP_guest_avail0),
        C(CopySourceGref, GNTCOPY_source_gref), C(CopyDestGref, GNTCOPY_dest_gref));
    CONSTS(Gntst,
        C(Okay, GNTST_okay), C(GeneralError, GNTST_general_error), C(BadDomain, GNTST_bad_domain),
        C(BadGntref, GNTST_bad_gntref), C(BadHandle, GNTST_bad_handle), C(BadVirtAddr, GNTST_bad_virt_addr),
        C(BadDevAddr, GNTST_bad_dev_addr), C(NoDeviceSpace, GNTST_no_device_space),
        C(PermissionDenied, GNTST_permission_denied), C(BadPage, GNTST_bad_page),
        C(BadCopyArg, GNTST_bad_copy_arg), C(AddressTooBig, GNTST_address_too_big),
        C(Eagain, GNTST_eagain), C(NoSpace, GNTST_no_space));
    CONSTS(SharedInfo,
        C(Evtchn2lNrChannels, EVTCHN_2L_NR_CHANNELS), C(LegacyMaxVcpus, XEN_LEGACY_MAX_VCPUS));
    CONSTS(EvtchnBindPirq, S(BIND_PIRQ__WILL_SHARE));
    CONSTS(EvtchnStatus,
        S(EVTCHNSTAT_closed), S(EVTCHNSTAT_unbound), S(EVTCHNSTAT_interdomain), S(EVTCHNSTAT_pirq),
        S(EVTCHNSTAT_virq), S(EVTCHNSTAT_ipi));

    /* VIRQs, xen.h */
    CONSTS(Virq,
        S(VIRQ_TIMER), S(VIRQ_DEBUG), S(VIRQ_CONSOLE), S(VIRQ_DOM_EXC), S(VIRQ_TBUF),
        S(VIRQ_DEBUGGER), S(VIRQ_XENOPROF), S(VIRQ_CON_RING), S(VIRQ_PCPU_STATE), S(VIRQ_MEM_EVENT),
        S(VIRQ_ARGO), S(VIRQ_ENOMEM), S(VIRQ_XENPMU), S(VIRQ_ARCH_0), S(VIRQ_ARCH_1),
        S(VIRQ_ARCH_2), S(VIRQ_ARCH_3), S(VIRQ_ARCH_4), S(VIRQ_ARCH_5), S(VIRQ_ARCH_6),
        S(VIRQ_ARCH_7), S(NR_VIRQS));

    /* physdev.h */
    CONSTS(PhysdevOp,
        S(PHYSDEVOP_IRQ_UNMASK_NOTIFY), S(PHYSDEVOP_irq_status_query), S(PHYSDEVOP_set_iopl),
        S(PHYSDEVOP_set_iobitmap), S(PHYSDEVOP_apic_read), S(PHYSDEVOP_apic_write),
        S(PHYSDEVOP_alloc_irq_vector), S(PHYSDEVOP_free_irq_vector), S(PHYSDEVOP_eoi),
        S(PHYSDEVOP_map_pirq), S(PHYSDEVOP_unmap_pirq), S(PHYSDEVOP_manage_pci_add),
        S(PHYSDEVOP_manage_pci_remove), S(PHYSDEVOP_pirq_eoi_gmfn_v1), S(PHYSDEVOP_restore_msi),
        S(PHYSDEVOP_manage_pci_add_ext), S(PHYSDEVOP_setup_gsi), S(PHYSDEVOP_get_free_pirq),
        S(PHYSDEVOP_pci_mmcfg_reserved), S(PHYSDEVOP_pci_device_add),
        S(PHYSDEVOP_pci_device_remove), S(PHYSDEVOP_restore_msi_ext), S(PHYSDEVOP_pirq_eoi_gmfn_v2),
        S(PHYSDEVOP_dbgp_op), S(PHYSDEVOP_prepare_msix), S(PHYSDEVOP_release_msix),
        S(XENIRQSTAT_needs_eoi), S(XENIRQSTAT_shared), S(MAP_PIRQ_TYPE_MSI), S(MAP_PIRQ_TYPE_GSI),
        S(MAP_PIRQ_TYPE_UNKNOWN), S(MAP_PIRQ_TYPE_MSI_SEG), S(MAP_PIRQ_TYPE_MULTI_MSI));

    /* Layout: arch-x86/xen-x86_64.h, arch-x86/xen.h */
    CONSTS(Layout,
        S(HYPERVISOR_VIRT_START), S(HYPERVISOR_VIRT_END), S(MACH2PHYS_VIRT_START),
        S(MACH2PHYS_VIRT_END), S(MACH2PHYS_NR_ENTRIES), S(FLAT_RING3_CS32), S(FLAT_RING3_CS64),
        S(FLAT_RING3_DS32), S(FLAT_RING3_DS64), S(FLAT_RING3_SS32), S(FLAT_RING3_SS64),
        S(FLAT_KERNEL_DS64), S(FLAT_KERNEL_DS32), S(FLAT_KERNEL_DS), S(FLAT_KERNEL_CS64),
        S(FLAT_KERNEL_CS32), S(FLAT_KERNEL_CS), S(FLAT_KERNEL_SS64), S(FLAT_KERNEL_SS32),
        S(FLAT_KERNEL_SS), S(FLAT_USER_DS64), S(FLAT_USER_DS32), S(FLAT_USER_DS), S(FLAT_USER_CS64),
        S(FLAT_USER_CS32), S(FLAT_USER_CS), S(FLAT_USER_SS64), S(FLAT_USER_SS32), S(FLAT_USER_SS),
        S(FIRST_RESERVED_GDT_PAGE), S(FIRST_RESERVED_GDT_BYTE), S(FIRST_RESERVED_GDT_ENTRY),
        S(XEN_LEGACY_MAX_VCPUS), S(_VGCF_i387_valid), S(VGCF_i387_valid), S(VGCF_I387_VALID),
        S(_VGCF_in_kernel), S(VGCF_in_kernel), S(VGCF_IN_KERNEL), S(_VGCF_failsafe_disables_events),
        S(VGCF_failsafe_disables_events), S(_VGCF_syscall_disables_events),
        S(VGCF_syscall_disables_events), S(_VGCF_online), S(VGCF_online), S(_VGCF_in_syscall),
        S(VGCF_in_syscall), S(VGCF_IN_SYSCALL), S(SEGBASE_FS), S(SEGBASE_GS_USER),
        S(SEGBASE_GS_KERNEL), S(SEGBASE_GS_USER_SEL),
        C(SavedUpcallMaskShift, offsetof(struct cpu_user_regs, saved_upcall_mask) * 8
                                - offsetof(struct cpu_user_regs, cs) * 8));

    /* vcpu_time_info flags */
    CONSTS(VcpuTimeInfo,
        C(PvclockTscStableBit, XEN_PVCLOCK_TSC_STABLE_BIT),
        C(PvclockGuestStopped, XEN_PVCLOCK_GUEST_STOPPED));
    CONSTS(XenMca, S(XEN_MCA_INTERFACE_VERSION), S(XEN_MC_fetch), S(XEN_MC_notifydomain),
        S(XEN_MC_physcpuinfo), S(XEN_MC_msrinject), S(XEN_MC_mceinject), S(XEN_MC_inject_v2),
        S(XEN_MC_NONURGENT), S(XEN_MC_URGENT), S(XEN_MC_ACK), S(XEN_MC_OK), S(XEN_MC_FETCHFAILED),
        S(XEN_MC_NODATA), S(MC_MSRINJ_MAXMSRS), S(MC_MSRINJ_F_INTERPOSE), S(MC_MSRINJ_F_GPADDR),
        S(XEN_MC_INJECT_TYPE_MASK), S(XEN_MC_INJECT_TYPE_MCE), S(XEN_MC_INJECT_TYPE_CMCI),
        S(XEN_MC_INJECT_TYPE_LMCE), S(XEN_MC_INJECT_CPU_BROADCAST), S(MC_NCAPS), S(__MC_MSR_ARRAYSIZE));
    CONSTS(XenPlatformOp, C(InterfaceVersion, XENPF_INTERFACE_VERSION));
    CONSTS(XenPlatformOpCmd, S(XENPF_settime32), S(XENPF_efi_runtime_call), S(XENPF_firmware_info),
        S(XENPF_enter_acpi_sleep), S(XENPF_settime64), S(XEN_FW_DISK_INFO), S(XEN_FW_KBD_SHIFT_FLAGS),
        S(XEN_FW_EFI_INFO), S(XEN_FW_EFI_VERSION), S(XEN_FW_EFI_CONFIG_TABLE), S(XEN_FW_EFI_VENDOR),
        S(XEN_FW_EFI_MEM_INFO), S(XEN_FW_EFI_RT_VERSION), S(XEN_FW_EFI_PCI_ROM), S(XEN_FW_EFI_APPLE_PROPERTIES));
    CONSTS(Dom0VgaConsoleInfo,
        S(XEN_VGATYPE_TEXT_MODE_3), S(XEN_VGATYPE_VESA_LFB), S(XEN_VGATYPE_EFI_LFB));
    /* domU: xenstore (public/io/xs_wire.h) */
    CONSTS(XsType, S(XS_CONTROL), S(XS_DIRECTORY), S(XS_READ), S(XS_GET_PERMS), S(XS_WATCH),
        S(XS_UNWATCH), S(XS_TRANSACTION_START), S(XS_TRANSACTION_END), S(XS_INTRODUCE),
        S(XS_RELEASE), S(XS_GET_DOMAIN_PATH), S(XS_WRITE), S(XS_MKDIR), S(XS_RM), S(XS_SET_PERMS),
        S(XS_WATCH_EVENT), S(XS_ERROR), S(XS_IS_DOMAIN_INTRODUCED), S(XS_RESUME), S(XS_SET_TARGET),
        S(XS_RESET_WATCHES), S(XS_DIRECTORY_PART));
    CONSTS(XenstoreDomainInterface, C(RingSize, XENSTORE_RING_SIZE), C(PayloadMax, XENSTORE_PAYLOAD_MAX));
}

int main(void)
{
    structs();
    constants();
    return 0;
}
