#!/usr/bin/env bash
# Boots Debian's kernel with an initramfs in one A/B configuration under QEMU TCG and prints the
# console; the one place for how each configuration is started (tools/Ab, scripts/bench-guest.sh,
# scripts/bench-boot.sh use it).
#   scripts/ab-boot.sh CONFIG INITRD [GUEST ARGS]
# CONFIG: native (QEMU -kernel vmlinuz, on NATIVE_CPU below), native-max (the same on plain -cpu max),
#   native-4k (native with transparent_hugepage=never: 4 KiB user pages only, as a PV guest has),
#   fast (microxen mode=fast), checked (microxen mode=checked),
#   xen (Xen 4.17's dom0, scripts/run-xen.sh), or microxen:ARGS (shim ARGS, mode=fast unless they
#   name a mode; e.g. microxen:user_pt=switch). GUEST ARGS are appended to the kernel command line.
# Environment: ICOUNT=1 adds -icount shift=0,sleep=off (one guest ns per instruction);
#   TIMEOUT seconds (default 600); STOP_AT (default "BENCH done"): Xen is stopped at that line;
#   AB_QEMU_EXTRA: more QEMU options (scripts/ab-profile.sh's -plugin); AB_SHIM: the microxen
#   image (default build/microxen.bin; another build's, to compare two shims). No NIC unless
#   AB_QEMU_EXTRA adds one (scripts/devices-run.sh's device phase: user net, restrict=on).
# Exit status: QEMU's (or run-xen.sh's); 2 for an unknown CONFIG or a missing file.
set -euo pipefail
cd "$(dirname "$0")/.."
cfg=${1:?usage: scripts/ab-boot.sh CONFIG INITRD [GUEST ARGS]} initrd=${2:?usage: scripts/ab-boot.sh CONFIG INITRD [GUEST ARGS]}
guest=${3:-}
[ -f "$initrd" ] || { echo "ab-boot: no initrd at $initrd" >&2; exit 2; }
icount=()
[ "${ICOUNT:-0}" = 1 ] && icount=(-icount shift=0,sleep=off)
icount+=(${AB_QEMU_EXTRA:-})
timeout=${TIMEOUT:-600}
qemu=(qemu-system-x86_64 -accel tcg -cpu max -m 1G -display none -no-reboot -serial stdio -monitor none -nic none
      -device isa-debug-exit,iobase=0xf4,iosize=4 "${icount[@]}")
microxen() {
    exec timeout "$timeout" "${qemu[@]}" -kernel "${AB_SHIM:-build/microxen.bin}" -append "loglevel=warn $1" \
        -initrd "build/debian/vmlinux console=hvc0 $guest,$initrd" </dev/null
}
# Native Linux runs on the CPU a PV dom0 sees: -cpu max without the features Xen 4.17 never offers a
# PV guest (cpufeatureset.h: PKU is HVM-only, MPX and LA57 are not offered) that change the work a
# native kernel does per operation under TCG: PKU adds the PKRU xstate (Linux writes PKRU on every
# signal delivery and return, and QEMU's TCG flushes its whole TLB on each wrpkru: 4-5x the QEMU
# time per signal), MPX two more xstate components (2696-byte XSAVE area instead of PV's 832), LA57
# 5-level paging. native-max keeps them. tools/Ab's report prints what each kernel saw (ABCPU lines).
NATIVE_CPU=max,-pku,-mpx,-la57
native() {
    local vmlinuz
    vmlinuz=$(ls build/debian/boot/vmlinuz-* | head -n1)
    exec timeout "$timeout" "${qemu[@]}" -cpu "$1" -kernel "$vmlinuz" -initrd "$initrd" -append "console=ttyS0 $guest" </dev/null
}
case $cfg in
    native) native "$NATIVE_CPU" ;;
    native-max) native max ;;
    # A PV guest maps user memory with 4 KiB pages only (Xen 4.17 offers a PV guest no superpages).
    # With THP a native xz's heap sits in 2 MiB pages, and QEMU's TCG then flushes its whole user
    # TLB on each INVLPG inside them; those flushes also let QEMU's dynamic TLB grow back after a
    # quiet stretch shrank it. Without them (a PV guest, or native-4k) a CPU-bound process after an
    # idle-ish 100 ms runs on a small QEMU TLB: xz -3 ~690 ms wall instead of ~430 ms, at the same
    # guest instruction count (README, "A/B: xz wall clock").
    native-4k) guest="$guest transparent_hugepage=never"; native "$NATIVE_CPU" ;;
    fast) microxen "mode=fast" ;;
    checked) microxen "mode=checked" ;;
    microxen:*) a=${cfg#microxen:}; [[ $a == *mode=* ]] || a="mode=fast $a"; microxen "$a" ;;
    xen)
        STOP_AT=${STOP_AT:-BENCH done} TIMEOUT=$timeout QEMU_EXTRA="-nic none ${icount[*]}" INITRD=$initrd \
            exec scripts/run-xen.sh build/debian/vmlinux "console=hvc0 $guest" </dev/null ;;
    *) echo "ab-boot: unknown configuration '$cfg' (native, native-max, native-4k, fast, checked, xen, microxen:ARGS)" >&2; exit 2 ;;
esac
