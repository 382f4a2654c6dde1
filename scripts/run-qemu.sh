#!/usr/bin/env bash
# Boots microxen with a PV kernel in QEMU (TCG; DESIGN.md section 6 says why not KVM), the
# serial console on this terminal.
#   scripts/run-qemu.sh IMAGE KERNEL "GUEST CMDLINE" "SHIM ARGS" MEM [INITRD]
# QEMU's exit status: 0 when the guest powers off; otherwise 2*code+1 for the shim's exit codes
# (shim/Boot/ExitCode.cs). Ctrl-A X leaves QEMU. QEMU_EXTRA: more QEMU options (devices, -M).
# SMP=N in the environment: N CPUs (-smp N).
set -euo pipefail
image=$1 kernel=$2 cmdline=$3 shimargs=$4 mem=$5 initrd=${6:-}
[ -f "$image" ] || { echo "run-qemu: no shim image at $image (make build)" >&2; exit 2; }
[ -f "$kernel" ] || { echo "run-qemu: no kernel at $kernel" >&2; exit 2; }
# QEMU's -initrd separates modules with commas: a comma in an argument is written twice.
modules="$kernel ${cmdline//,/,,}"
[ -n "$initrd" ] && modules="$modules,$initrd"
exec qemu-system-x86_64 -accel tcg -cpu max -smp "${SMP:-1}" -m "$mem" -nographic -no-reboot ${QEMU_EXTRA:-} \
    -device isa-debug-exit,iobase=0xf4,iosize=4 \
    -kernel "$image" -append "$shimargs" -initrd "$modules"
