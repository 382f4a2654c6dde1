#!/usr/bin/env bash
# The hypercall cost table: kernel-test in bench mode (guest command line "bench=N",
# kernel-test/Bench/Bench.cs) on microxen with the inline entry (inline=on, the default), on
# microxen with the dispatcher entry (inline=off: every transfer-page entry and every LSTAR
# hypercall through the C# dispatcher), on microxen in checked mode (Xen's validation), and as dom0 of Debian's Xen 4.17 (scripts/run-xen.sh),
# each once under QEMU -icount shift=0,sleep=off and once without, in one session. Prints
# one row per operation.
#   scripts/bench-hypercalls.sh [N]        N iterations per batch (default 2000; 7 batches + warm-up)
#
# How to read the figures. Each is TSC ticks per call (per pair for the two-hypercall rows),
# the minimum over 7 batch averages (the median is in the raw COST lines, RAW=1 prints them),
# measured around a native loop that reloads the hypercall registers and calls the transfer
# page entry; "empty_call" is that loop calling an empty function (the loop's own cost,
# included in every other row).
#  - icount columns: with -icount shift=0 QEMU's virtual clock advances 1 ns per guest
#    instruction and rdtsc reads that clock, so a "cycle" is one guest instruction retired:
#    these are deterministic instruction counts (run to run identical), e.g. empty_call = 17 =
#    the loop's 17 instructions. They say how much code a path runs, not how long it takes.
#  - wall columns: without icount, TCG's rdtsc reads the host TSC: host cycles spent emulating
#    the path, which weights instructions by what they cost TCG (a TLB flush, a write to a page
#    holding translated code, a CR write are far dearer than under hardware). Noise on shared
#    machines reaches 2x between runs: compare columns of one run, not across runs.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
make -s build kernel-test >/dev/null
elf=build/kernel-test.elf
outdir=$(mktemp -d)
trap 'rm -rf "$outdir"' EXIT

mx() {   # mx SHIM_ARGS QEMU_EXTRA
    timeout 900 qemu-system-x86_64 -accel tcg -cpu max -m 1G -display none -no-reboot -serial stdio \
        -monitor none -device isa-debug-exit,iobase=0xf4,iosize=4 $2 -kernel build/microxen.bin \
        -append "mode=fast loglevel=warn $1" -initrd "$elf bench=$n" </dev/null 2>&1 || true
}
xen() {  # xen QEMU_EXTRA
    QEMU_EXTRA="$1" STOP_AT="Test result:" TIMEOUT=900 scripts/run-xen.sh "$elf" "bench=$n" 2>&1 || true
}

icount="-icount shift=0,sleep=off"
for clock in icount wall; do
    extra=$([ $clock = icount ] && echo "$icount" || true)
    start=$(date +%s)
    mx "inline=on" "$extra" >"$outdir/inline.$clock"
    mx "inline=off" "$extra" >"$outdir/dispatcher.$clock"
    mx "mode=checked" "$extra" >"$outdir/checked.$clock"
    xen "$extra" >"$outdir/xen.$clock"
    echo "# $clock runs: $(( $(date +%s) - start )) s" >&2
done

status=0
for f in "$outdir"/*; do
    grep -aq "Test result: SUCCESS" "$f" || { echo "bench-hypercalls: $(basename "$f") did not end with 'Test result: SUCCESS':" >&2; grep -a "FAIL\|result\|panic" "$f" >&2 || tail -5 "$f" >&2; status=1; }
    [ "${RAW:-0}" = 1 ] && { echo "== $(basename "$f")"; grep -a "COST" "$f"; }
done
# The same operations on every configuration?
for f in "$outdir"/*; do grep -a "COST " "$f" | sed 's/^(d0) //' | awk '{print $2}' | sort >"$f.ops"; done
for f in "$outdir"/*.ops; do
    cmp -s "$f" "$outdir/inline.icount.ops" || { echo "bench-hypercalls: $(basename "$f" .ops) has other COST lines than inline.icount" >&2; status=1; }
done

echo "kernel-test bench=$n: TSC ticks per call, min of 7 batches (icount: = guest instructions; wall: host cycles under TCG)"
awk '
    FNR == 1 { split(FILENAME, p, "/"); col = p[length(p)] }
    /COST / { sub(/^\(d0\) /, ""); if (!($2 in seen)) { seen[$2] = 1; order[++k] = $2; unit[$2] = $4 } v[$2, col] = $3 }
    END {
        printf "%-28s %-17s | %10s %10s %10s %10s | %10s %10s %10s %10s\n", "operation", "unit", "icount:", "", "", "", "wall:", "", "", ""
        printf "%-28s %-17s | %10s %10s %10s %10s | %10s %10s %10s %10s\n", "", "", "inline", "dispatcher", "checked", "xen-4.17", "inline", "dispatcher", "checked", "xen-4.17"
        for (i = 1; i <= k; i++) {
            o = order[i]
            printf "%-28s %-17s |", o, unit[o]
            split("inline.icount dispatcher.icount checked.icount xen.icount inline.wall dispatcher.wall checked.wall xen.wall", c, " ")
            for (j = 1; j <= 8; j++) { x = ((o, c[j]) in v) ? v[o, c[j]] : "-"; printf " %10s", x; if (j == 4) printf " |" }
            printf "\n"
        }
    }' "$outdir/inline.icount" "$outdir/dispatcher.icount" "$outdir/checked.icount" "$outdir/xen.icount" \
       "$outdir/inline.wall" "$outdir/dispatcher.wall" "$outdir/checked.wall" "$outdir/xen.wall"
exit $status
