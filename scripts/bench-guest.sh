#!/usr/bin/env bash
# Runs the in-guest benchmarks (tests/guest/bench.c, the A/B workload) on Debian's kernel: on
# microxen with each user page-table mode, and natively, alternating, in one session, one line per
# operation. A quick view beside `make ab` (tools/Ab: report, CSV and chart with Xen 4.17 too);
# both start runs with scripts/ab-boot.sh.
# CONFIGS picks the runs (default "shared switch native"; "dispatcher" is shared with inline=off,
# "checked" is mode=checked with user_pt=switch).
# With ICOUNT=1, QEMU runs with -icount shift=0,sleep=off: guest time counts instructions
# (1 ns each), so the figures are deterministic; without it they are wall-clock under TCG.
#   scripts/bench-guest.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
scripts/ab-initramfs.sh >/dev/null
for r in $(seq 1 "$rounds"); do
    for cfg in ${CONFIGS:-shared switch native}; do
        case $cfg in
            native) boot=native ;;
            shared|switch) boot="microxen:user_pt=$cfg" ;;
            dispatcher) boot="microxen:inline=off" ;;
            checked) boot="microxen:mode=checked user_pt=switch" ;;
            *) echo "unknown configuration $cfg" >&2; exit 2 ;;
        esac
        out=$(scripts/ab-boot.sh "$boot" build/initramfs-ab.cpio 2>&1 || true)
        echo "$out" | grep -a '^BENCH' | grep -v done | awk -v r="$r" -v c="$cfg" '{printf "round %s  %-7s %-14s %10s %s\n", r, c, $2, $3, $4}'
    done
done
