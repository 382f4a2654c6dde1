#!/usr/bin/env bash
# The hypercall storm at benchmark size: kernel-test "fuzz=SEED,COUNT[,GROUPS]"
# (kernel-test/Fuzz/Fuzz.cs) on microxen fast, microxen checked and as dom0 of Debian's Xen 4.17
# (scripts/run-xen.sh), one run per seed and host, no icount. Prints one row per seed and host:
# calls per second (the guest's own figure: COUNT over the storm's pvclock duration, so boot
# time is not in it) and the storm's digest; then whether the digests agree with Xen's.
#   scripts/bench-fuzz.sh [COUNT [SEEDS [GROUPS]]]     default: 1000000 "1 2" all
# Exit status 1 when a run did not finish its storm (no "FUZZ done" line, or no SUCCESS), so a
# shim panic or guest crash is never mistaken for a slow run. Differing digests are reported,
# not failed: checked mode's validation is being written (tests/.../FuzzTests.cs lists the
# groups that do not agree yet). RAW=1 also prints the per-group digest lines.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
seeds=${2:-1 2}
groups=${3:-}
make -s build kernel-test >/dev/null
elf=build/kernel-test.elf
outdir=$(mktemp -d)
trap 'rm -rf "$outdir"' EXIT
# A generous bound: Xen under TCG runs the storm at a few thousand calls per second.
limit=$(( 600 + count / 200 ))

mx() {   # mx MODE ARGS
    timeout "$limit" qemu-system-x86_64 -accel tcg -cpu max -m 1G -display none -no-reboot -serial stdio \
        -monitor none -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel build/microxen.bin \
        -append "mode=$1 loglevel=error" -initrd "$elf ${2//,/,,}" </dev/null 2>&1 || true
}
xen() {  # xen ARGS
    STOP_AT="Test result:" TIMEOUT=$limit scripts/run-xen.sh "$elf" "$1" 2>&1 || true
}

status=0
printf "%-6s %-16s %12s  %s\n" seed host calls/s digest
for seed in $seeds; do
    args="fuzz=$seed,$count${groups:+,$groups}"
    mx fast "$args" | tr -d '\r' | sed 's/^(d0) //' >"$outdir/fast.$seed"
    mx checked "$args" | tr -d '\r' | sed 's/^(d0) //' >"$outdir/checked.$seed"
    xen "$args" | tr -d '\r' | sed 's/^(d0) //' >"$outdir/xen.$seed"
    for host in fast checked xen; do
        f="$outdir/$host.$seed"
        digest=$(awk -v s="$seed" -v n="$count" '$1 == "FUZZ" && $2 == "done" && $3 == s && $4 == n { print $5 }' "$f")
        rate=$(awk '$1 == "FUZZ" && $2 == "time" { print $5 }' "$f")
        if [ -z "$digest" ] || ! grep -q "^Test result: SUCCESS" "$f"; then
            echo "bench-fuzz: $host, $args did not finish its storm:" >&2
            grep -a "FAIL\|PANIC\|crash\|Test result" "$f" >&2 || tail -5 "$f" >&2
            status=1
        fi
        case $host in xen) name=xen-4.17 ;; *) name=microxen-$host ;; esac
        printf "%-6s %-16s %12s  %s\n" "$seed" "$name" "${rate:--}" "${digest:--}"
        if [ "${RAW:-0}" = 1 ]; then grep "^FUZZ group" "$f" | sed "s/^/    /" || true; fi
        echo "$digest" >"$f.digest"
    done
    for host in fast checked; do
        if cmp -s "$outdir/$host.$seed.digest" "$outdir/xen.$seed.digest"; then same="equals"; else same="differs from"; fi
        echo "seed $seed: microxen $host's digest $same Xen 4.17's"
    done
done
exit $status
