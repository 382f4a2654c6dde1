#!/usr/bin/env bash
# Boots a PV kernel as dom0 of Debian's Xen 4.17 in QEMU (TCG only: DESIGN.md section 6), the
# serial console on this terminal. The reference run beside microxen's scripts/run-qemu.sh.
#   scripts/run-xen.sh KERNEL [GUEST ARGS]
# Environment: MEM (default 1G), INITRD (a second module: dom0's initramfs), XEN_ARGS (Xen's command line), STOP_AT (a pattern: QEMU is
# stopped once a console line contains it and the script exits 0; Xen only halts when dom0
# powers off), TIMEOUT (seconds, with STOP_AT; default 600), QEMU_EXTRA (more QEMU options, e.g.
# "-icount shift=0,sleep=off"), ACCEL (QEMU -accel, default tcg; tcg,thread=multi for one host thread per
# CPU), SMP (CPUs: QEMU -smp N and, with the default XEN_ARGS, dom0_max_vcpus=N with
# dom0_vcpus_pin: vCPU n on CPU n, as microxen binds them;
# default 1). Without STOP_AT, Ctrl-A X leaves.
# Xen comes from `apt-get download xen-hypervisor-4.17-amd64` into build/xen (once).
set -euo pipefail
cd "$(dirname "$0")/.."
kernel=${1:?usage: scripts/run-xen.sh KERNEL [GUEST ARGS]}
guestargs=${2:-}
[ -f "$kernel" ] || { echo "run-xen: no kernel at $kernel" >&2; exit 2; }
xen=$(scripts/fetch-xen.sh)
# smap=0: QEMU 7.2's TCG needs it, else dom0 crashes in Xen's bounce-frame code (DESIGN.md 6).
xenargs=${XEN_ARGS:-console=com1 com1=115200,8n1 dom0_mem=512M,max:512M noreboot smap=0 dom0_max_vcpus=${SMP:-1} dom0_vcpus_pin}
# QEMU's -initrd separates modules with commas: a comma in an argument is written twice.
module="$kernel${guestargs:+ ${guestargs//,/,,}}"
if [ -n "${INITRD:-}" ]; then
    [ -f "$INITRD" ] || { echo "run-xen: no initrd at $INITRD" >&2; exit 2; }
    module="$module,${INITRD//,/,,}"
fi
qemu=(qemu-system-x86_64 -accel "${ACCEL:-tcg}" -cpu max -m "${MEM:-1G}" -smp "${SMP:-1}" -nographic -no-reboot ${QEMU_EXTRA:-}
      -kernel "$xen" -append "$xenargs" -initrd "$module")
if [ -z "${STOP_AT:-}" ]; then exec "${qemu[@]}"; fi
# STOP_AT: run in the background, follow the console, stop QEMU at the first matching line.
log=$(mktemp)
"${qemu[@]}" </dev/null >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
deadline=$(( $(date +%s) + ${TIMEOUT:-600} ))
shown=0
while kill -0 $pid 2>/dev/null; do
    lines=$(wc -l <"$log")
    if [ "$lines" -gt "$shown" ]; then sed -n "$((shown + 1)),${lines}p" "$log"; shown=$lines; fi
    if grep -q -- "$STOP_AT" "$log"; then sleep 1; sed -n "$((shown + 1)),\$p" "$log"; exit 0; fi
    [ "$(date +%s)" -lt "$deadline" ] || { echo "run-xen: timed out waiting for '$STOP_AT'" >&2; exit 124; }
    sleep 0.5
done
sed -n "$((shown + 1)),\$p" "$log"
wait $pid
