#!/usr/bin/env bash
# Time from QEMU start to the initramfs's "/init running" line: Debian's kernel on microxen
# (fast mode with each user_pt, and checked mode) and the same kernel booted natively (QEMU -kernel
# vmlinuz), alternating, all under TCG in one session. Prints one line per run and the medians.
# Runs start with scripts/ab-boot.sh (make ab reports the same time as its "boot" row).
#   scripts/bench-boot.sh [ROUNDS] [INITRD]     (defaults: 3, build/initramfs-smoke.cpio)
# Run `make build kernel` and build the smoke initramfs first (tests/guest/build.sh; see README).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
initrd=${2:-build/initramfs-smoke.cpio}
line="microxen initramfs: /init running"
time_to_init() {   # prints seconds from start to $line, or "timeout"
    local start end
    start=$(date +%s.%N)
    if "$@" 2>&1 | grep -m1 -q -a "$line"; then
        end=$(date +%s.%N)
        echo "$end - $start" | bc
    else
        echo timeout
    fi
}

configs=("microxen user_pt=shared" "microxen user_pt=switch" "microxen mode=checked" native)
declare -A all
for r in $(seq 1 "$rounds"); do
    for cfg in "${configs[@]}"; do
        if [ "$cfg" = native ]; then boot=native; else boot="microxen:${cfg#microxen }"; fi
        t=$(TIMEOUT=300 time_to_init scripts/ab-boot.sh "$boot" "$initrd")
        printf 'round %d  %-26s %s s\n' "$r" "$cfg" "$t"
        all[$cfg]+="$t "
    done
done
for cfg in "${configs[@]}"; do
    med=$(echo ${all[$cfg]} | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf 'median  %-26s %s s\n' "$cfg" "$med"
done
