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

#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/memory.h>
#include <xen/vcpu.h>
#include <xen/event_channel.h>
#include <xen/sched.h>
#include <xen/callback.h>
#include <xen/features.h>
#include <xen/version.h>
#include <xen/physdev.h>
#include <xen/elfnote.h>

#define SIZE(cs, ct) printf("size %s %zu\n", #cs, sizeof(ct))
#define FIELD(cs, ct, csf, cf) \
    printf("field %s.%s %zu %zu\n", #cs, #csf, offsetof(ct, cf), sizeof(((ct *)0)->cf))
#define CONST(cls, name, val) \
    printf("const %s.%s %llu\n", #cls, #name, (unsigned long long)(val))
/* Same name in C and C# (stringified here, before the argument is macro-expanded). */
#define CONST_SAME(cls, name) \
    printf("const %s.%s %llu\n", #cls, #name, (unsigned long long)(name))

static void structs(void)
{
    SIZE(StartInfo, struct start_info);
    FIELD(StartInfo, struct start_info, Magic, magic);
    FIELD(StartInfo, struct start_info, NrPages, nr_pages);
    FIELD(StartInfo, struct start_info, SharedInfo, shared_info);
    FIELD(StartInfo, struct start_info, Flags, flags);
    FIELD(StartInfo, struct start_info, StoreMfn, store_mfn);
    FIELD(StartInfo, struct start_info, StoreEvtchn, store_evtchn);
    FIELD(StartInfo, struct start_info, ConsoleDomUMfn, console.domU.mfn);
    FIELD(StartInfo, struct start_info, ConsoleDomUEvtchn, console.domU.evtchn);
    FIELD(StartInfo, struct start_info, ConsoleDom0InfoOff, console.dom0.info_off);
    FIELD(StartInfo, struct start_info, ConsoleDom0InfoSize, console.dom0.info_size);
    FIELD(StartInfo, struct start_info, PtBase, pt_base);
    FIELD(StartInfo, struct start_info, NrPtFrames, nr_pt_frames);
    FIELD(StartInfo, struct start_info, MfnList, mfn_list);
    FIELD(StartInfo, struct start_info, ModStart, mod_start);
    FIELD(StartInfo, struct start_info, ModLen, mod_len);
    FIELD(StartInfo, struct start_info, CmdLine, cmd_line);
    FIELD(StartInfo, struct start_info, FirstP2mPfn, first_p2m_pfn);
    FIELD(StartInfo, struct start_info, NrP2mFrames, nr_p2m_frames);

    SIZE(SharedInfo, struct shared_info);
    FIELD(SharedInfo, struct shared_info, VcpuInfo, vcpu_info);
    FIELD(SharedInfo, struct shared_info, EvtchnPending, evtchn_pending);
    FIELD(SharedInfo, struct shared_info, EvtchnMask, evtchn_mask);
    FIELD(SharedInfo, struct shared_info, WcVersion, wc_version);
    FIELD(SharedInfo, struct shared_info, WcSec, wc_sec);
    FIELD(SharedInfo, struct shared_info, WcNsec, wc_nsec);
    FIELD(SharedInfo, struct shared_info, WcSecHi, wc_sec_hi);
    FIELD(SharedInfo, struct shared_info, Arch, arch);

    SIZE(ArchSharedInfo, struct arch_shared_info);
    FIELD(ArchSharedInfo, struct arch_shared_info, MaxPfn, max_pfn);
    FIELD(ArchSharedInfo, struct arch_shared_info, PfnToMfnFrameListList, pfn_to_mfn_frame_list_list);
    FIELD(ArchSharedInfo, struct arch_shared_info, NmiReason, nmi_reason);
    FIELD(ArchSharedInfo, struct arch_shared_info, P2mCr3, p2m_cr3);
    FIELD(ArchSharedInfo, struct arch_shared_info, P2mVaddr, p2m_vaddr);
    FIELD(ArchSharedInfo, struct arch_shared_info, P2mGeneration, p2m_generation);

    SIZE(VcpuInfo, struct vcpu_info);
    FIELD(VcpuInfo, struct vcpu_info, EvtchnUpcallPending, evtchn_upcall_pending);
    FIELD(VcpuInfo, struct vcpu_info, EvtchnUpcallMask, evtchn_upcall_mask);
    FIELD(VcpuInfo, struct vcpu_info, EvtchnPendingSel, evtchn_pending_sel);
    FIELD(VcpuInfo, struct vcpu_info, Arch, arch);
    FIELD(VcpuInfo, struct vcpu_info, Time, time);

    SIZE(ArchVcpuInfo, struct arch_vcpu_info);
    FIELD(ArchVcpuInfo, struct arch_vcpu_info, Cr2, cr2);
    FIELD(ArchVcpuInfo, struct arch_vcpu_info, Pad, pad);

    SIZE(VcpuTimeInfo, struct vcpu_time_info);
    FIELD(VcpuTimeInfo, struct vcpu_time_info, Version, version);
    FIELD(VcpuTimeInfo, struct vcpu_time_info, Pad0, pad0);
    FIELD(VcpuTimeInfo, struct vcpu_time_info, TscTimestamp, tsc_timestamp);
    FIELD(VcpuTimeInfo, struct vcpu_time_info, SystemTime, system_time);
    FIELD(VcpuTimeInfo, struct vcpu_time_info, TscToSystemMul, tsc_to_system_mul);
    FIELD(VcpuTimeInfo, struct vcpu_time_info, TscShift, tsc_shift);
    FIELD(VcpuTimeInfo, struct vcpu_time_info, Flags, flags);
    FIELD(VcpuTimeInfo, struct vcpu_time_info, Pad1, pad1);

    SIZE(TrapInfo, struct trap_info);
    FIELD(TrapInfo, struct trap_info, Vector, vector);
    FIELD(TrapInfo, struct trap_info, Flags, flags);
    FIELD(TrapInfo, struct trap_info, Cs, cs);
    FIELD(TrapInfo, struct trap_info, Address, address);

    SIZE(IretContext, struct iret_context);
    FIELD(IretContext, struct iret_context, Rax, rax);
    FIELD(IretContext, struct iret_context, R11, r11);
    FIELD(IretContext, struct iret_context, Rcx, rcx);
    FIELD(IretContext, struct iret_context, Flags, flags);
    FIELD(IretContext, struct iret_context, Rip, rip);
    FIELD(IretContext, struct iret_context, Cs, cs);
    FIELD(IretContext, struct iret_context, Rflags, rflags);
    FIELD(IretContext, struct iret_context, Rsp, rsp);
    FIELD(IretContext, struct iret_context, Ss, ss);

    SIZE(MmuUpdate, struct mmu_update);
    FIELD(MmuUpdate, struct mmu_update, Ptr, ptr);
    FIELD(MmuUpdate, struct mmu_update, Val, val);

    SIZE(MmuextOp, struct mmuext_op);
    FIELD(MmuextOp, struct mmuext_op, Cmd, cmd);
    FIELD(MmuextOp, struct mmuext_op, Mfn, arg1.mfn);
    FIELD(MmuextOp, struct mmuext_op, LinearAddr, arg1.linear_addr);
    FIELD(MmuextOp, struct mmuext_op, NrEnts, arg2.nr_ents);
    FIELD(MmuextOp, struct mmuext_op, Vcpumask, arg2.vcpumask);
    FIELD(MmuextOp, struct mmuext_op, SrcMfn, arg2.src_mfn);

    SIZE(MulticallEntry, struct multicall_entry);
    FIELD(MulticallEntry, struct multicall_entry, Op, op);
    FIELD(MulticallEntry, struct multicall_entry, Result, result);
    FIELD(MulticallEntry, struct multicall_entry, Args, args);

    SIZE(CallbackRegister, struct callback_register);
    FIELD(CallbackRegister, struct callback_register, Type, type);
    FIELD(CallbackRegister, struct callback_register, Flags, flags);
    FIELD(CallbackRegister, struct callback_register, Address, address);

    SIZE(CallbackUnregister, struct callback_unregister);
    FIELD(CallbackUnregister, struct callback_unregister, Type, type);
    FIELD(CallbackUnregister, struct callback_unregister, Unused, _unused);

    SIZE(XenMemoryMap, struct xen_memory_map);
    FIELD(XenMemoryMap, struct xen_memory_map, NrEntries, nr_entries);
    FIELD(XenMemoryMap, struct xen_memory_map, Buffer, buffer);

    SIZE(XenMachphysMapping, struct xen_machphys_mapping);
    FIELD(XenMachphysMapping, struct xen_machphys_mapping, VStart, v_start);
    FIELD(XenMachphysMapping, struct xen_machphys_mapping, VEnd, v_end);
    FIELD(XenMachphysMapping, struct xen_machphys_mapping, MaxMfn, max_mfn);

    SIZE(XenMemoryReservation, struct xen_memory_reservation);
    FIELD(XenMemoryReservation, struct xen_memory_reservation, ExtentStart, extent_start);
    FIELD(XenMemoryReservation, struct xen_memory_reservation, NrExtents, nr_extents);
    FIELD(XenMemoryReservation, struct xen_memory_reservation, ExtentOrder, extent_order);
    FIELD(XenMemoryReservation, struct xen_memory_reservation, MemFlags, mem_flags);
    FIELD(XenMemoryReservation, struct xen_memory_reservation, Domid, domid);

    SIZE(XenFeatureInfo, struct xen_feature_info);
    FIELD(XenFeatureInfo, struct xen_feature_info, SubmapIdx, submap_idx);
    FIELD(XenFeatureInfo, struct xen_feature_info, Submap, submap);

    SIZE(XenPlatformParameters, struct xen_platform_parameters);
    FIELD(XenPlatformParameters, struct xen_platform_parameters, VirtStart, virt_start);

    SIZE(VcpuRegisterVcpuInfo, struct vcpu_register_vcpu_info);
    FIELD(VcpuRegisterVcpuInfo, struct vcpu_register_vcpu_info, Mfn, mfn);
    FIELD(VcpuRegisterVcpuInfo, struct vcpu_register_vcpu_info, Offset, offset);
    FIELD(VcpuRegisterVcpuInfo, struct vcpu_register_vcpu_info, Rsvd, rsvd);

    SIZE(VcpuRegisterRunstateMemoryArea, struct vcpu_register_runstate_memory_area);
    FIELD(VcpuRegisterRunstateMemoryArea, struct vcpu_register_runstate_memory_area, Addr, addr.p);
    FIELD(VcpuRegisterRunstateMemoryArea, struct vcpu_register_runstate_memory_area, Addr, addr.v);
    FIELD(VcpuRegisterRunstateMemoryArea, struct vcpu_register_runstate_memory_area, Addr, addr.h);

    SIZE(VcpuRunstateInfo, struct vcpu_runstate_info);
    FIELD(VcpuRunstateInfo, struct vcpu_runstate_info, State, state);
    FIELD(VcpuRunstateInfo, struct vcpu_runstate_info, StateEntryTime, state_entry_time);
    FIELD(VcpuRunstateInfo, struct vcpu_runstate_info, Time, time);

    SIZE(VcpuSetSingleshotTimer, struct vcpu_set_singleshot_timer);
    FIELD(VcpuSetSingleshotTimer, struct vcpu_set_singleshot_timer, TimeoutAbsNs, timeout_abs_ns);
    FIELD(VcpuSetSingleshotTimer, struct vcpu_set_singleshot_timer, Flags, flags);

    SIZE(VcpuSetPeriodicTimer, struct vcpu_set_periodic_timer);
    FIELD(VcpuSetPeriodicTimer, struct vcpu_set_periodic_timer, PeriodNs, period_ns);

    SIZE(Dom0VgaConsoleInfo, struct dom0_vga_console_info);
    FIELD(Dom0VgaConsoleInfo, struct dom0_vga_console_info, VideoType, video_type);
    FIELD(Dom0VgaConsoleInfo, struct dom0_vga_console_info, TextFontHeight, u.text_mode_3.font_height);
    FIELD(Dom0VgaConsoleInfo, struct dom0_vga_console_info, TextCursorX, u.text_mode_3.cursor_x);
    FIELD(Dom0VgaConsoleInfo, struct dom0_vga_console_info, TextCursorY, u.text_mode_3.cursor_y);
    FIELD(Dom0VgaConsoleInfo, struct dom0_vga_console_info, TextRows, u.text_mode_3.rows);
    FIELD(Dom0VgaConsoleInfo, struct dom0_vga_console_info, TextColumns, u.text_mode_3.columns);
    FIELD(Dom0VgaConsoleInfo, struct dom0_vga_console_info, VesaWidth, u.vesa_lfb.width);
    FIELD(Dom0VgaConsoleInfo, struct dom0_vga_console_info, VesaHeight, u.vesa_lfb.height);
    FIELD(Dom0VgaConsoleInfo, struct dom0_vga_console_info, VesaBytesPerLine, u.vesa_lfb.bytes_per_line);
    FIELD(Dom0VgaConsoleInfo, struct dom0_vga_console_info, VesaBitsPerPixel, u.vesa_lfb.bits_per_pixel);
    FIELD(Dom0VgaConsoleInfo, struct dom0_vga_console_info, VesaLfbBase, u.vesa_lfb.lfb_base);
    FIELD(Dom0VgaConsoleInfo, struct dom0_vga_console_info, VesaLfbSize, u.vesa_lfb.lfb_size);
    FIELD(Dom0VgaConsoleInfo, struct dom0_vga_console_info, VesaExtLfbBase, u.vesa_lfb.ext_lfb_base);

    SIZE(EvtchnBindVirq, struct evtchn_bind_virq);
    FIELD(EvtchnBindVirq, struct evtchn_bind_virq, Virq, virq);
    FIELD(EvtchnBindVirq, struct evtchn_bind_virq, Vcpu, vcpu);
    FIELD(EvtchnBindVirq, struct evtchn_bind_virq, Port, port);

    SIZE(EvtchnBindIpi, struct evtchn_bind_ipi);
    FIELD(EvtchnBindIpi, struct evtchn_bind_ipi, Vcpu, vcpu);
    FIELD(EvtchnBindIpi, struct evtchn_bind_ipi, Port, port);

    SIZE(EvtchnSend, struct evtchn_send);
    FIELD(EvtchnSend, struct evtchn_send, Port, port);

    SIZE(EvtchnClose, struct evtchn_close);
    FIELD(EvtchnClose, struct evtchn_close, Port, port);

    SIZE(EvtchnUnmask, struct evtchn_unmask);
    FIELD(EvtchnUnmask, struct evtchn_unmask, Port, port);

    SIZE(EvtchnAllocUnbound, struct evtchn_alloc_unbound);
    FIELD(EvtchnAllocUnbound, struct evtchn_alloc_unbound, Dom, dom);
    FIELD(EvtchnAllocUnbound, struct evtchn_alloc_unbound, RemoteDom, remote_dom);
    FIELD(EvtchnAllocUnbound, struct evtchn_alloc_unbound, Port, port);

    SIZE(EvtchnBindInterdomain, struct evtchn_bind_interdomain);
    FIELD(EvtchnBindInterdomain, struct evtchn_bind_interdomain, RemoteDom, remote_dom);
    FIELD(EvtchnBindInterdomain, struct evtchn_bind_interdomain, RemotePort, remote_port);
    FIELD(EvtchnBindInterdomain, struct evtchn_bind_interdomain, LocalPort, local_port);

    SIZE(EvtchnBindPirq, struct evtchn_bind_pirq);
    FIELD(EvtchnBindPirq, struct evtchn_bind_pirq, Pirq, pirq);
    FIELD(EvtchnBindPirq, struct evtchn_bind_pirq, Flags, flags);
    FIELD(EvtchnBindPirq, struct evtchn_bind_pirq, Port, port);

    SIZE(EvtchnBindVcpu, struct evtchn_bind_vcpu);
    FIELD(EvtchnBindVcpu, struct evtchn_bind_vcpu, Port, port);
    FIELD(EvtchnBindVcpu, struct evtchn_bind_vcpu, Vcpu, vcpu);

    SIZE(EvtchnStatus, struct evtchn_status);
    FIELD(EvtchnStatus, struct evtchn_status, Dom, dom);
    FIELD(EvtchnStatus, struct evtchn_status, Port, port);
    FIELD(EvtchnStatus, struct evtchn_status, Status, status);
    FIELD(EvtchnStatus, struct evtchn_status, Vcpu, vcpu);
    FIELD(EvtchnStatus, struct evtchn_status, UDom, u.unbound.dom);
    FIELD(EvtchnStatus, struct evtchn_status, UDom, u.interdomain.dom);
    FIELD(EvtchnStatus, struct evtchn_status, UPort, u.interdomain.port);
    FIELD(EvtchnStatus, struct evtchn_status, UPirq, u.pirq);
    FIELD(EvtchnStatus, struct evtchn_status, UVirq, u.virq);

    SIZE(SchedShutdown, struct sched_shutdown);
    FIELD(SchedShutdown, struct sched_shutdown, Reason, reason);

    SIZE(SchedPoll, struct sched_poll);
    FIELD(SchedPoll, struct sched_poll, Ports, ports);
    FIELD(SchedPoll, struct sched_poll, NrPorts, nr_ports);
    FIELD(SchedPoll, struct sched_poll, Timeout, timeout);

    SIZE(SchedRemoteShutdown, struct sched_remote_shutdown);
    FIELD(SchedRemoteShutdown, struct sched_remote_shutdown, DomainId, domain_id);
    FIELD(SchedRemoteShutdown, struct sched_remote_shutdown, Reason, reason);
}

static void constants(void)
{
    /* Hypercall numbers, xen.h */
    CONST(Hypercall, SetTrapTable, __HYPERVISOR_set_trap_table);
    CONST(Hypercall, MmuUpdate, __HYPERVISOR_mmu_update);
    CONST(Hypercall, SetGdt, __HYPERVISOR_set_gdt);
    CONST(Hypercall, StackSwitch, __HYPERVISOR_stack_switch);
    CONST(Hypercall, SetCallbacks, __HYPERVISOR_set_callbacks);
    CONST(Hypercall, FpuTaskswitch, __HYPERVISOR_fpu_taskswitch);
    CONST(Hypercall, SchedOpCompat, __HYPERVISOR_sched_op_compat);
    CONST(Hypercall, PlatformOp, __HYPERVISOR_platform_op);
    CONST(Hypercall, SetDebugreg, __HYPERVISOR_set_debugreg);
    CONST(Hypercall, GetDebugreg, __HYPERVISOR_get_debugreg);
    CONST(Hypercall, UpdateDescriptor, __HYPERVISOR_update_descriptor);
    CONST(Hypercall, MemoryOp, __HYPERVISOR_memory_op);
    CONST(Hypercall, Multicall, __HYPERVISOR_multicall);
    CONST(Hypercall, UpdateVaMapping, __HYPERVISOR_update_va_mapping);
    CONST(Hypercall, SetTimerOp, __HYPERVISOR_set_timer_op);
    CONST(Hypercall, EventChannelOpCompat, __HYPERVISOR_event_channel_op_compat);
    CONST(Hypercall, XenVersion, __HYPERVISOR_xen_version);
    CONST(Hypercall, ConsoleIo, __HYPERVISOR_console_io);
    CONST(Hypercall, PhysdevOpCompat, __HYPERVISOR_physdev_op_compat);
    CONST(Hypercall, GrantTableOp, __HYPERVISOR_grant_table_op);
    CONST(Hypercall, VmAssist, __HYPERVISOR_vm_assist);
    CONST(Hypercall, UpdateVaMappingOtherdomain, __HYPERVISOR_update_va_mapping_otherdomain);
    CONST(Hypercall, Iret, __HYPERVISOR_iret);
    CONST(Hypercall, VcpuOp, __HYPERVISOR_vcpu_op);
    CONST(Hypercall, SetSegmentBase, __HYPERVISOR_set_segment_base);
    CONST(Hypercall, MmuextOp, __HYPERVISOR_mmuext_op);
    CONST(Hypercall, XsmOp, __HYPERVISOR_xsm_op);
    CONST(Hypercall, NmiOp, __HYPERVISOR_nmi_op);
    CONST(Hypercall, SchedOp, __HYPERVISOR_sched_op);
    CONST(Hypercall, CallbackOp, __HYPERVISOR_callback_op);
    CONST(Hypercall, XenoprofOp, __HYPERVISOR_xenoprof_op);
    CONST(Hypercall, EventChannelOp, __HYPERVISOR_event_channel_op);
    CONST(Hypercall, PhysdevOp, __HYPERVISOR_physdev_op);
    CONST(Hypercall, HvmOp, __HYPERVISOR_hvm_op);
    CONST(Hypercall, Sysctl, __HYPERVISOR_sysctl);
    CONST(Hypercall, Domctl, __HYPERVISOR_domctl);
    CONST(Hypercall, KexecOp, __HYPERVISOR_kexec_op);
    CONST(Hypercall, TmemOp, __HYPERVISOR_tmem_op);
    CONST(Hypercall, ArgoOp, __HYPERVISOR_argo_op);
    CONST(Hypercall, XenpmuOp, __HYPERVISOR_xenpmu_op);
    CONST(Hypercall, DmOp, __HYPERVISOR_dm_op);
    CONST(Hypercall, HypfsOp, __HYPERVISOR_hypfs_op);
    CONST(Hypercall, Arch0, __HYPERVISOR_arch_0);
    CONST(Hypercall, Arch1, __HYPERVISOR_arch_1);
    CONST(Hypercall, Arch2, __HYPERVISOR_arch_2);
    CONST(Hypercall, Arch3, __HYPERVISOR_arch_3);
    CONST(Hypercall, Arch4, __HYPERVISOR_arch_4);
    CONST(Hypercall, Arch5, __HYPERVISOR_arch_5);
    CONST(Hypercall, Arch6, __HYPERVISOR_arch_6);
    CONST(Hypercall, Arch7, __HYPERVISOR_arch_7);

    /* errno.h (guest-visible values; EINTR and ERESTART exist only inside Xen) */
    CONST(XenErrno, EPERM, XEN_EPERM);
    CONST(XenErrno, ENOENT, XEN_ENOENT);
    CONST(XenErrno, ESRCH, XEN_ESRCH);
    CONST(XenErrno, EIO, XEN_EIO);
    CONST(XenErrno, ENXIO, XEN_ENXIO);
    CONST(XenErrno, E2BIG, XEN_E2BIG);
    CONST(XenErrno, ENOEXEC, XEN_ENOEXEC);
    CONST(XenErrno, EBADF, XEN_EBADF);
    CONST(XenErrno, ECHILD, XEN_ECHILD);
    CONST(XenErrno, EAGAIN, XEN_EAGAIN);
    CONST(XenErrno, EWOULDBLOCK, XEN_EWOULDBLOCK);
    CONST(XenErrno, ENOMEM, XEN_ENOMEM);
    CONST(XenErrno, EACCES, XEN_EACCES);
    CONST(XenErrno, EFAULT, XEN_EFAULT);
    CONST(XenErrno, EBUSY, XEN_EBUSY);
    CONST(XenErrno, EEXIST, XEN_EEXIST);
    CONST(XenErrno, EXDEV, XEN_EXDEV);
    CONST(XenErrno, ENODEV, XEN_ENODEV);
    CONST(XenErrno, ENOTDIR, XEN_ENOTDIR);
    CONST(XenErrno, EISDIR, XEN_EISDIR);
    CONST(XenErrno, EINVAL, XEN_EINVAL);
    CONST(XenErrno, ENFILE, XEN_ENFILE);
    CONST(XenErrno, EMFILE, XEN_EMFILE);
    CONST(XenErrno, ENOSPC, XEN_ENOSPC);
    CONST(XenErrno, EROFS, XEN_EROFS);
    CONST(XenErrno, EMLINK, XEN_EMLINK);
    CONST(XenErrno, EDOM, XEN_EDOM);
    CONST(XenErrno, ERANGE, XEN_ERANGE);
    CONST(XenErrno, EDEADLK, XEN_EDEADLK);
    CONST(XenErrno, EDEADLOCK, XEN_EDEADLOCK);
    CONST(XenErrno, ENAMETOOLONG, XEN_ENAMETOOLONG);
    CONST(XenErrno, ENOLCK, XEN_ENOLCK);
    CONST(XenErrno, ENOSYS, XEN_ENOSYS);
    CONST(XenErrno, ENOTEMPTY, XEN_ENOTEMPTY);
    CONST(XenErrno, ENODATA, XEN_ENODATA);
    CONST(XenErrno, ETIME, XEN_ETIME);
    CONST(XenErrno, EBADMSG, XEN_EBADMSG);
    CONST(XenErrno, EOVERFLOW, XEN_EOVERFLOW);
    CONST(XenErrno, EILSEQ, XEN_EILSEQ);
    CONST(XenErrno, ENOTSOCK, XEN_ENOTSOCK);
    CONST(XenErrno, EMSGSIZE, XEN_EMSGSIZE);
    CONST(XenErrno, EOPNOTSUPP, XEN_EOPNOTSUPP);
    CONST(XenErrno, EADDRINUSE, XEN_EADDRINUSE);
    CONST(XenErrno, EADDRNOTAVAIL, XEN_EADDRNOTAVAIL);
    CONST(XenErrno, ENOBUFS, XEN_ENOBUFS);
    CONST(XenErrno, EISCONN, XEN_EISCONN);
    CONST(XenErrno, ENOTCONN, XEN_ENOTCONN);
    CONST(XenErrno, ETIMEDOUT, XEN_ETIMEDOUT);
    CONST(XenErrno, ECONNREFUSED, XEN_ECONNREFUSED);

    /* start_info flags */
    CONST(StartInfoFlags, Privileged, SIF_PRIVILEGED);
    CONST(StartInfoFlags, InitDomain, SIF_INITDOMAIN);
    CONST(StartInfoFlags, MultibootMod, SIF_MULTIBOOT_MOD);
    CONST(StartInfoFlags, ModStartPfn, SIF_MOD_START_PFN);
    CONST(StartInfoFlags, VirtP2m4Tools, SIF_VIRT_P2M_4TOOLS);
    CONST(StartInfoFlags, PmMask, SIF_PM_MASK);
    CONST_SAME(StartInfoFlags, SIF_PRIVILEGED);
    CONST_SAME(StartInfoFlags, SIF_INITDOMAIN);
    CONST_SAME(StartInfoFlags, SIF_MULTIBOOT_MOD);
    CONST_SAME(StartInfoFlags, SIF_MOD_START_PFN);
    CONST_SAME(StartInfoFlags, SIF_VIRT_P2M_4TOOLS);
    CONST_SAME(StartInfoFlags, SIF_PM_MASK);
    CONST(StartInfo, MaxGuestCmdline, MAX_GUEST_CMDLINE);

    /* features.h */
    CONST(XenFeature, WritablePageTables, XENFEAT_writable_page_tables);
    CONST(XenFeature, WritableDescriptorTables, XENFEAT_writable_descriptor_tables);
    CONST(XenFeature, AutoTranslatedPhysmap, XENFEAT_auto_translated_physmap);
    CONST(XenFeature, SupervisorModeKernel, XENFEAT_supervisor_mode_kernel);
    CONST(XenFeature, PaePgdirAbove4gb, XENFEAT_pae_pgdir_above_4gb);
    CONST(XenFeature, MmuPtUpdatePreserveAd, XENFEAT_mmu_pt_update_preserve_ad);
    CONST(XenFeature, HighmemAssist, XENFEAT_highmem_assist);
    CONST(XenFeature, GnttabMapAvailBits, XENFEAT_gnttab_map_avail_bits);
    CONST(XenFeature, HvmCallbackVector, XENFEAT_hvm_callback_vector);
    CONST(XenFeature, HvmSafePvclock, XENFEAT_hvm_safe_pvclock);
    CONST(XenFeature, HvmPirqs, XENFEAT_hvm_pirqs);
    CONST(XenFeature, Dom0, XENFEAT_dom0);
    CONST(XenFeature, MemoryOpVnodeSupported, XENFEAT_memory_op_vnode_supported);
    CONST(XenFeature, ArmSmcccSupported, XENFEAT_ARM_SMCCC_supported);
    CONST(XenFeature, LinuxRsdpUnrestricted, XENFEAT_linux_rsdp_unrestricted);
    CONST(XenFeature, NotDirectMapped, XENFEAT_not_direct_mapped);
    CONST(XenFeature, DirectMapped, XENFEAT_direct_mapped);
    CONST(XenFeature, NrSubmaps, XENFEAT_NR_SUBMAPS);

    /* elfnote.h */
    CONST(ElfNote, Info, XEN_ELFNOTE_INFO);
    CONST(ElfNote, Entry, XEN_ELFNOTE_ENTRY);
    CONST(ElfNote, HypercallPage, XEN_ELFNOTE_HYPERCALL_PAGE);
    CONST(ElfNote, VirtBase, XEN_ELFNOTE_VIRT_BASE);
    CONST(ElfNote, PaddrOffset, XEN_ELFNOTE_PADDR_OFFSET);
    CONST(ElfNote, XenVersion, XEN_ELFNOTE_XEN_VERSION);
    CONST(ElfNote, GuestOs, XEN_ELFNOTE_GUEST_OS);
    CONST(ElfNote, GuestVersion, XEN_ELFNOTE_GUEST_VERSION);
    CONST(ElfNote, Loader, XEN_ELFNOTE_LOADER);
    CONST(ElfNote, PaeMode, XEN_ELFNOTE_PAE_MODE);
    CONST(ElfNote, Features, XEN_ELFNOTE_FEATURES);
    CONST(ElfNote, BsdSymtab, XEN_ELFNOTE_BSD_SYMTAB);
    CONST(ElfNote, HvStartLow, XEN_ELFNOTE_HV_START_LOW);
    CONST(ElfNote, L1MfnValid, XEN_ELFNOTE_L1_MFN_VALID);
    CONST(ElfNote, SuspendCancel, XEN_ELFNOTE_SUSPEND_CANCEL);
    CONST(ElfNote, InitP2m, XEN_ELFNOTE_INIT_P2M);
    CONST(ElfNote, ModStartPfn, XEN_ELFNOTE_MOD_START_PFN);
    CONST(ElfNote, SupportedFeatures, XEN_ELFNOTE_SUPPORTED_FEATURES);
    CONST(ElfNote, Phys32Entry, XEN_ELFNOTE_PHYS32_ENTRY);
    CONST(ElfNote, Max, XEN_ELFNOTE_MAX);
    CONST(ElfNote, CrashInfo, XEN_ELFNOTE_CRASH_INFO);
    CONST(ElfNote, CrashRegs, XEN_ELFNOTE_CRASH_REGS);
    CONST(ElfNote, DumpcoreNone, XEN_ELFNOTE_DUMPCORE_NONE);
    CONST(ElfNote, DumpcoreHeader, XEN_ELFNOTE_DUMPCORE_HEADER);
    CONST(ElfNote, DumpcoreXenVersion, XEN_ELFNOTE_DUMPCORE_XEN_VERSION);
    CONST(ElfNote, DumpcoreFormatVersion, XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION);

    /* mmu_update / mmuext_op / update_va_mapping / vm_assist, xen.h */
    CONST_SAME(MmuCmd, MMU_NORMAL_PT_UPDATE);
    CONST_SAME(MmuCmd, MMU_MACHPHYS_UPDATE);
    CONST_SAME(MmuCmd, MMU_PT_UPDATE_PRESERVE_AD);
    CONST_SAME(MmuCmd, MMU_PT_UPDATE_NO_TRANSLATE);
    CONST_SAME(MmuextCmd, MMUEXT_PIN_L1_TABLE);
    CONST_SAME(MmuextCmd, MMUEXT_PIN_L2_TABLE);
    CONST_SAME(MmuextCmd, MMUEXT_PIN_L3_TABLE);
    CONST_SAME(MmuextCmd, MMUEXT_PIN_L4_TABLE);
    CONST_SAME(MmuextCmd, MMUEXT_UNPIN_TABLE);
    CONST_SAME(MmuextCmd, MMUEXT_NEW_BASEPTR);
    CONST_SAME(MmuextCmd, MMUEXT_TLB_FLUSH_LOCAL);
    CONST_SAME(MmuextCmd, MMUEXT_INVLPG_LOCAL);
    CONST_SAME(MmuextCmd, MMUEXT_TLB_FLUSH_MULTI);
    CONST_SAME(MmuextCmd, MMUEXT_INVLPG_MULTI);
    CONST_SAME(MmuextCmd, MMUEXT_TLB_FLUSH_ALL);
    CONST_SAME(MmuextCmd, MMUEXT_INVLPG_ALL);
    CONST_SAME(MmuextCmd, MMUEXT_FLUSH_CACHE);
    CONST_SAME(MmuextCmd, MMUEXT_SET_LDT);
    CONST_SAME(MmuextCmd, MMUEXT_NEW_USER_BASEPTR);
    CONST_SAME(MmuextCmd, MMUEXT_CLEAR_PAGE);
    CONST_SAME(MmuextCmd, MMUEXT_COPY_PAGE);
    CONST_SAME(MmuextCmd, MMUEXT_FLUSH_CACHE_GLOBAL);
    CONST_SAME(MmuextCmd, MMUEXT_MARK_SUPER);
    CONST_SAME(MmuextCmd, MMUEXT_UNMARK_SUPER);
    CONST_SAME(UvmFlags, UVMF_NONE);
    CONST_SAME(UvmFlags, UVMF_TLB_FLUSH);
    CONST_SAME(UvmFlags, UVMF_INVLPG);
    CONST_SAME(UvmFlags, UVMF_FLUSHTYPE_MASK);
    CONST_SAME(UvmFlags, UVMF_MULTI);
    CONST_SAME(UvmFlags, UVMF_LOCAL);
    CONST_SAME(UvmFlags, UVMF_ALL);
    CONST_SAME(VmAssist, VMASST_CMD_enable);
    CONST_SAME(VmAssist, VMASST_CMD_disable);
    CONST_SAME(VmAssist, VMASST_TYPE_4gb_segments);
    CONST_SAME(VmAssist, VMASST_TYPE_4gb_segments_notify);
    CONST_SAME(VmAssist, VMASST_TYPE_writable_pagetables);
    CONST_SAME(VmAssist, VMASST_TYPE_pae_extended_cr3);
    CONST_SAME(VmAssist, VMASST_TYPE_architectural_iopl);
    CONST_SAME(VmAssist, VMASST_TYPE_runstate_update_flag);
    CONST_SAME(VmAssist, VMASST_TYPE_m2p_strict);
    CONST_SAME(ConsoleIoCmd, CONSOLEIO_write);
    CONST_SAME(ConsoleIoCmd, CONSOLEIO_read);

    /* version.h */
    CONST_SAME(XenVersionCmd, XENVER_version);
    CONST_SAME(XenVersionCmd, XENVER_extraversion);
    CONST_SAME(XenVersionCmd, XENVER_compile_info);
    CONST_SAME(XenVersionCmd, XENVER_capabilities);
    CONST_SAME(XenVersionCmd, XENVER_changeset);
    CONST_SAME(XenVersionCmd, XENVER_platform_parameters);
    CONST_SAME(XenVersionCmd, XENVER_get_features);
    CONST_SAME(XenVersionCmd, XENVER_pagesize);
    CONST_SAME(XenVersionCmd, XENVER_guest_handle);
    CONST_SAME(XenVersionCmd, XENVER_commandline);
    CONST_SAME(XenVersionCmd, XENVER_build_id);
    CONST(XenVersionCmd, ExtraversionSize, sizeof(xen_extraversion_t));
    CONST(XenVersionCmd, CompileInfoSize, sizeof(xen_compile_info_t));
    CONST(XenVersionCmd, CapabilitiesInfoSize, sizeof(xen_capabilities_info_t));
    CONST(XenVersionCmd, ChangesetInfoSize, sizeof(xen_changeset_info_t));
    CONST(XenVersionCmd, DomainHandleSize, sizeof(xen_domain_handle_t));
    CONST(XenVersionCmd, CommandlineSize, sizeof(xen_commandline_t));

    /* memory.h (the guest-visible commands; the rest are tools-only) */
    CONST_SAME(XenMemOp, XENMEM_increase_reservation);
    CONST_SAME(XenMemOp, XENMEM_decrease_reservation);
    CONST_SAME(XenMemOp, XENMEM_maximum_ram_page);
    CONST_SAME(XenMemOp, XENMEM_current_reservation);
    CONST_SAME(XenMemOp, XENMEM_maximum_reservation);
    CONST_SAME(XenMemOp, XENMEM_machphys_mfn_list);
    CONST_SAME(XenMemOp, XENMEM_populate_physmap);
    CONST_SAME(XenMemOp, XENMEM_add_to_physmap);
    CONST_SAME(XenMemOp, XENMEM_memory_map);
    CONST_SAME(XenMemOp, XENMEM_machine_memory_map);
    CONST_SAME(XenMemOp, XENMEM_exchange);
    CONST_SAME(XenMemOp, XENMEM_machphys_mapping);
    CONST_SAME(XenMemOp, XENMEM_set_memory_map);
    CONST_SAME(XenMemOp, XENMEM_maximum_gpfn);
    CONST_SAME(XenMemOp, XENMEM_remove_from_physmap);
    CONST_SAME(XenMemOp, XENMEM_add_to_physmap_batch);
    CONST_SAME(XenMemOp, XENMEM_machphys_compat_mfn_list);
    CONST_SAME(XenMemOp, XENMEM_get_vnumainfo);
    CONST_SAME(XenMemOp, XENMEM_acquire_resource);
    CONST_SAME(XenMemOp, DOMID_SELF);
    CONST_SAME(XenMemOp, DOMID_IO);
    CONST_SAME(XenMemOp, DOMID_XEN);
    CONST_SAME(XenMemOp, DOMID_COW);
    CONST_SAME(XenMemOp, DOMID_INVALID);
    CONST_SAME(XenMemOp, DOMID_IDLE);

    /* vcpu.h */
    CONST_SAME(VcpuOp, VCPUOP_initialise);
    CONST_SAME(VcpuOp, VCPUOP_up);
    CONST_SAME(VcpuOp, VCPUOP_down);
    CONST_SAME(VcpuOp, VCPUOP_is_up);
    CONST_SAME(VcpuOp, VCPUOP_get_runstate_info);
    CONST_SAME(VcpuOp, VCPUOP_register_runstate_memory_area);
    CONST_SAME(VcpuOp, VCPUOP_set_periodic_timer);
    CONST_SAME(VcpuOp, VCPUOP_stop_periodic_timer);
    CONST_SAME(VcpuOp, VCPUOP_set_singleshot_timer);
    CONST_SAME(VcpuOp, VCPUOP_stop_singleshot_timer);
    CONST_SAME(VcpuOp, VCPUOP_register_vcpu_info);
    CONST_SAME(VcpuOp, VCPUOP_send_nmi);
    CONST_SAME(VcpuOp, VCPUOP_get_physid);
    CONST_SAME(VcpuOp, VCPUOP_register_vcpu_time_memory_area);
    CONST_SAME(VcpuOp, RUNSTATE_running);
    CONST_SAME(VcpuOp, RUNSTATE_runnable);
    CONST_SAME(VcpuOp, RUNSTATE_blocked);
    CONST_SAME(VcpuOp, RUNSTATE_offline);
    CONST_SAME(VcpuOp, XEN_RUNSTATE_UPDATE);
    CONST_SAME(VcpuOp, VCPU_SSHOTTMR_future);

    /* sched.h */
    CONST_SAME(SchedOp, SCHEDOP_yield);
    CONST_SAME(SchedOp, SCHEDOP_block);
    CONST_SAME(SchedOp, SCHEDOP_shutdown);
    CONST_SAME(SchedOp, SCHEDOP_poll);
    CONST_SAME(SchedOp, SCHEDOP_remote_shutdown);
    CONST_SAME(SchedOp, SCHEDOP_shutdown_code);
    CONST_SAME(SchedOp, SCHEDOP_watchdog);
    CONST_SAME(SchedOp, SCHEDOP_pin_override);
    CONST_SAME(SchedOp, SHUTDOWN_poweroff);
    CONST_SAME(SchedOp, SHUTDOWN_reboot);
    CONST_SAME(SchedOp, SHUTDOWN_suspend);
    CONST_SAME(SchedOp, SHUTDOWN_crash);
    CONST_SAME(SchedOp, SHUTDOWN_watchdog);
    CONST_SAME(SchedOp, SHUTDOWN_soft_reset);
    CONST_SAME(SchedOp, SHUTDOWN_MAX);

    /* callback.h */
    CONST_SAME(CallbackType, CALLBACKTYPE_event);
    CONST_SAME(CallbackType, CALLBACKTYPE_failsafe);
    CONST_SAME(CallbackType, CALLBACKTYPE_syscall);
    CONST_SAME(CallbackType, CALLBACKTYPE_sysenter_deprecated);
    CONST_SAME(CallbackType, CALLBACKTYPE_nmi);
    CONST_SAME(CallbackType, CALLBACKTYPE_sysenter);
    CONST_SAME(CallbackType, CALLBACKTYPE_syscall32);
    CONST_SAME(CallbackType, _CALLBACKF_mask_events);
    CONST_SAME(CallbackType, CALLBACKF_mask_events);
    CONST_SAME(CallbackType, CALLBACKOP_register);
    CONST_SAME(CallbackType, CALLBACKOP_unregister);

    /* event_channel.h */
    CONST_SAME(EvtchnOp, EVTCHNOP_bind_interdomain);
    CONST_SAME(EvtchnOp, EVTCHNOP_bind_virq);
    CONST_SAME(EvtchnOp, EVTCHNOP_bind_pirq);
    CONST_SAME(EvtchnOp, EVTCHNOP_close);
    CONST_SAME(EvtchnOp, EVTCHNOP_send);
    CONST_SAME(EvtchnOp, EVTCHNOP_status);
    CONST_SAME(EvtchnOp, EVTCHNOP_alloc_unbound);
    CONST_SAME(EvtchnOp, EVTCHNOP_bind_ipi);
    CONST_SAME(EvtchnOp, EVTCHNOP_bind_vcpu);
    CONST_SAME(EvtchnOp, EVTCHNOP_unmask);
    CONST_SAME(EvtchnOp, EVTCHNOP_reset);
    CONST_SAME(EvtchnOp, EVTCHNOP_init_control);
    CONST_SAME(EvtchnOp, EVTCHNOP_expand_array);
    CONST_SAME(EvtchnOp, EVTCHNOP_set_priority);
    CONST_SAME(EvtchnOp, EVTCHN_2L_NR_CHANNELS);
    CONST(EvtchnOp, EvtchnOpCompatSize, sizeof(struct evtchn_op));
    CONST(SharedInfo, Evtchn2lNrChannels, EVTCHN_2L_NR_CHANNELS);
    CONST(SharedInfo, LegacyMaxVcpus, XEN_LEGACY_MAX_VCPUS);
    CONST_SAME(EvtchnBindPirq, BIND_PIRQ__WILL_SHARE);
    CONST_SAME(EvtchnStatus, EVTCHNSTAT_closed);
    CONST_SAME(EvtchnStatus, EVTCHNSTAT_unbound);
    CONST_SAME(EvtchnStatus, EVTCHNSTAT_interdomain);
    CONST_SAME(EvtchnStatus, EVTCHNSTAT_pirq);
    CONST_SAME(EvtchnStatus, EVTCHNSTAT_virq);
    CONST_SAME(EvtchnStatus, EVTCHNSTAT_ipi);

    /* VIRQs, xen.h */
    CONST_SAME(Virq, VIRQ_TIMER);
    CONST_SAME(Virq, VIRQ_DEBUG);
    CONST_SAME(Virq, VIRQ_CONSOLE);
    CONST_SAME(Virq, VIRQ_DOM_EXC);
    CONST_SAME(Virq, VIRQ_TBUF);
    CONST_SAME(Virq, VIRQ_DEBUGGER);
    CONST_SAME(Virq, VIRQ_XENOPROF);
    CONST_SAME(Virq, VIRQ_CON_RING);
    CONST_SAME(Virq, VIRQ_PCPU_STATE);
    CONST_SAME(Virq, VIRQ_MEM_EVENT);
    CONST_SAME(Virq, VIRQ_ARGO);
    CONST_SAME(Virq, VIRQ_ENOMEM);
    CONST_SAME(Virq, VIRQ_XENPMU);
    CONST_SAME(Virq, VIRQ_ARCH_0);
    CONST_SAME(Virq, VIRQ_ARCH_1);
    CONST_SAME(Virq, VIRQ_ARCH_2);
    CONST_SAME(Virq, VIRQ_ARCH_3);
    CONST_SAME(Virq, VIRQ_ARCH_4);
    CONST_SAME(Virq, VIRQ_ARCH_5);
    CONST_SAME(Virq, VIRQ_ARCH_6);
    CONST_SAME(Virq, VIRQ_ARCH_7);
    CONST_SAME(Virq, NR_VIRQS);

    /* physdev.h */
    CONST_SAME(PhysdevOp, PHYSDEVOP_IRQ_UNMASK_NOTIFY);
    CONST_SAME(PhysdevOp, PHYSDEVOP_irq_status_query);
    CONST_SAME(PhysdevOp, PHYSDEVOP_set_iopl);
    CONST_SAME(PhysdevOp, PHYSDEVOP_set_iobitmap);
    CONST_SAME(PhysdevOp, PHYSDEVOP_apic_read);
    CONST_SAME(PhysdevOp, PHYSDEVOP_apic_write);
    CONST_SAME(PhysdevOp, PHYSDEVOP_alloc_irq_vector);
    CONST_SAME(PhysdevOp, PHYSDEVOP_free_irq_vector);
    CONST_SAME(PhysdevOp, PHYSDEVOP_eoi);
    CONST_SAME(PhysdevOp, PHYSDEVOP_map_pirq);
    CONST_SAME(PhysdevOp, PHYSDEVOP_unmap_pirq);
    CONST_SAME(PhysdevOp, PHYSDEVOP_manage_pci_add);
    CONST_SAME(PhysdevOp, PHYSDEVOP_manage_pci_remove);
    CONST_SAME(PhysdevOp, PHYSDEVOP_pirq_eoi_gmfn_v1);
    CONST_SAME(PhysdevOp, PHYSDEVOP_restore_msi);
    CONST_SAME(PhysdevOp, PHYSDEVOP_manage_pci_add_ext);
    CONST_SAME(PhysdevOp, PHYSDEVOP_setup_gsi);
    CONST_SAME(PhysdevOp, PHYSDEVOP_get_free_pirq);
    CONST_SAME(PhysdevOp, PHYSDEVOP_pci_mmcfg_reserved);
    CONST_SAME(PhysdevOp, PHYSDEVOP_pci_device_add);
    CONST_SAME(PhysdevOp, PHYSDEVOP_pci_device_remove);
    CONST_SAME(PhysdevOp, PHYSDEVOP_restore_msi_ext);
    CONST_SAME(PhysdevOp, PHYSDEVOP_pirq_eoi_gmfn_v2);
    CONST_SAME(PhysdevOp, PHYSDEVOP_dbgp_op);
    CONST_SAME(PhysdevOp, PHYSDEVOP_prepare_msix);
    CONST_SAME(PhysdevOp, PHYSDEVOP_release_msix);
    CONST_SAME(PhysdevOp, XENIRQSTAT_needs_eoi);
    CONST_SAME(PhysdevOp, XENIRQSTAT_shared);
    CONST_SAME(PhysdevOp, MAP_PIRQ_TYPE_MSI);
    CONST_SAME(PhysdevOp, MAP_PIRQ_TYPE_GSI);
    CONST_SAME(PhysdevOp, MAP_PIRQ_TYPE_UNKNOWN);
    CONST_SAME(PhysdevOp, MAP_PIRQ_TYPE_MSI_SEG);
    CONST_SAME(PhysdevOp, MAP_PIRQ_TYPE_MULTI_MSI);

    /* Layout: arch-x86/xen-x86_64.h, arch-x86/xen.h */
    CONST_SAME(Layout, HYPERVISOR_VIRT_START);
    CONST_SAME(Layout, HYPERVISOR_VIRT_END);
    CONST_SAME(Layout, MACH2PHYS_VIRT_START);
    CONST_SAME(Layout, MACH2PHYS_VIRT_END);
    CONST_SAME(Layout, MACH2PHYS_NR_ENTRIES);
    CONST_SAME(Layout, FLAT_RING3_CS32);
    CONST_SAME(Layout, FLAT_RING3_CS64);
    CONST_SAME(Layout, FLAT_RING3_DS32);
    CONST_SAME(Layout, FLAT_RING3_DS64);
    CONST_SAME(Layout, FLAT_RING3_SS32);
    CONST_SAME(Layout, FLAT_RING3_SS64);
    CONST_SAME(Layout, FLAT_KERNEL_DS64);
    CONST_SAME(Layout, FLAT_KERNEL_DS32);
    CONST_SAME(Layout, FLAT_KERNEL_DS);
    CONST_SAME(Layout, FLAT_KERNEL_CS64);
    CONST_SAME(Layout, FLAT_KERNEL_CS32);
    CONST_SAME(Layout, FLAT_KERNEL_CS);
    CONST_SAME(Layout, FLAT_KERNEL_SS64);
    CONST_SAME(Layout, FLAT_KERNEL_SS32);
    CONST_SAME(Layout, FLAT_KERNEL_SS);
    CONST_SAME(Layout, FLAT_USER_DS64);
    CONST_SAME(Layout, FLAT_USER_DS32);
    CONST_SAME(Layout, FLAT_USER_DS);
    CONST_SAME(Layout, FLAT_USER_CS64);
    CONST_SAME(Layout, FLAT_USER_CS32);
    CONST_SAME(Layout, FLAT_USER_CS);
    CONST_SAME(Layout, FLAT_USER_SS64);
    CONST_SAME(Layout, FLAT_USER_SS32);
    CONST_SAME(Layout, FLAT_USER_SS);
    CONST_SAME(Layout, FIRST_RESERVED_GDT_PAGE);
    CONST_SAME(Layout, FIRST_RESERVED_GDT_BYTE);
    CONST_SAME(Layout, FIRST_RESERVED_GDT_ENTRY);
    CONST_SAME(Layout, XEN_LEGACY_MAX_VCPUS);
    CONST_SAME(Layout, _VGCF_i387_valid);
    CONST_SAME(Layout, VGCF_i387_valid);
    CONST_SAME(Layout, VGCF_I387_VALID);
    CONST_SAME(Layout, _VGCF_in_kernel);
    CONST_SAME(Layout, VGCF_in_kernel);
    CONST_SAME(Layout, VGCF_IN_KERNEL);
    CONST_SAME(Layout, _VGCF_failsafe_disables_events);
    CONST_SAME(Layout, VGCF_failsafe_disables_events);
    CONST_SAME(Layout, _VGCF_syscall_disables_events);
    CONST_SAME(Layout, VGCF_syscall_disables_events);
    CONST_SAME(Layout, _VGCF_online);
    CONST_SAME(Layout, VGCF_online);
    CONST_SAME(Layout, _VGCF_in_syscall);
    CONST_SAME(Layout, VGCF_in_syscall);
    CONST_SAME(Layout, VGCF_IN_SYSCALL);
    CONST_SAME(Layout, SEGBASE_FS);
    CONST_SAME(Layout, SEGBASE_GS_USER);
    CONST_SAME(Layout, SEGBASE_GS_KERNEL);
    CONST_SAME(Layout, SEGBASE_GS_USER_SEL);
    CONST(Layout, SavedUpcallMaskShift, offsetof(struct cpu_user_regs, saved_upcall_mask) * 8
          - offsetof(struct cpu_user_regs, cs) * 8);

    /* vcpu_time_info flags */
    CONST(VcpuTimeInfo, PvclockTscStableBit, XEN_PVCLOCK_TSC_STABLE_BIT);
    CONST(VcpuTimeInfo, PvclockGuestStopped, XEN_PVCLOCK_GUEST_STOPPED);
    CONST_SAME(Dom0VgaConsoleInfo, XEN_VGATYPE_TEXT_MODE_3);
    CONST_SAME(Dom0VgaConsoleInfo, XEN_VGATYPE_VESA_LFB);
    CONST_SAME(Dom0VgaConsoleInfo, XEN_VGATYPE_EFI_LFB);
}

int main(void)
{
    structs();
    constants();
    return 0;
}
