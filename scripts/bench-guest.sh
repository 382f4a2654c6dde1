#!/usr/bin/env bash
# Runs the in-guest microbenchmarks (tests/guest/bench.c) on Debian's kernel: on microxen with
# each user page-table mode, and natively (QEMU -kernel vmlinuz), alternating, in one session.
# CONFIGS picks the runs (default "shared switch native"; "dispatcher" is shared with inline=off,
# "checked" is mode=checked with user_pt=switch).
# With ICOUNT=1, QEMU runs with -icount shift=0,sleep=off: guest time counts instructions
# (1 ns each), so the figures are deterministic; without it they are wall-clock under TCG.
#   scripts/bench-guest.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
tests/guest/build.sh >/dev/null
dotnet run --project tools/Initramfs -v q -- --out build/initramfs-bench.cpio \
    --init tests/guest/bench-init.sh --add build/guest/bench:/bench >/dev/null
vmlinuz=$(ls build/debian/boot/vmlinuz-* | head -n1)
extra=()
[ "${ICOUNT:-0}" = 1 ] && extra=(-icount shift=0,sleep=off)
qemu=(qemu-system-x86_64 -accel tcg -cpu max -m 1G -display none -no-reboot -serial stdio -monitor none
      -device isa-debug-exit,iobase=0xf4,iosize=4 "${extra[@]}")
for r in $(seq 1 "$rounds"); do
    for cfg in ${CONFIGS:-shared switch native}; do
        if [ $cfg = native ]; then
            out=$(timeout 600 "${qemu[@]}" -kernel "$vmlinuz" -initrd build/initramfs-bench.cpio -append "console=ttyS0" 2>&1 || true)
        else
            case $cfg in
                shared|switch) args="user_pt=$cfg" ;;
                dispatcher) args="inline=off" ;;
                checked) args="mode=checked user_pt=switch" ;;
                *) echo "unknown configuration $cfg" >&2; exit 2 ;;
            esac
            out=$(timeout 600 "${qemu[@]}" -kernel build/microxen.bin -append "mode=fast loglevel=warn $args" \
                -initrd "build/debian/vmlinux console=hvc0,build/initramfs-bench.cpio" 2>&1 || true)
        fi
        echo "$out" | grep -a '^BENCH' | grep -v done | awk -v r="$r" -v c="$cfg" '{printf "round %s  %-7s %-14s %10s %s\n", r, c, $2, $3, $4}'
    done
done
