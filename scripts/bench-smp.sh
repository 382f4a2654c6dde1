#!/usr/bin/env bash
# Issue 11's SMP figures, printed (a loaded shared machine makes them noisy: compare rows of one run).
#  1. IPI round trip and remote TLB flush: kernel-test with "smpbench" (kernel-test/Smp/SmpBench.cs)
#     on 4 CPUs, under microxen and as dom0 of Xen 4.17 (dom0_max_vcpus=4); TSC ticks.
#  2. A CPU-bound parallel job (tests/guest/smp.c "bench": a fixed number of LCG steps split over
#     threads, one per CPU) with Debian's kernel on 1 and on 2 CPUs, QEMU's multi-threaded TCG
#     (-accel tcg,thread=multi: one host thread per CPU), natively, as dom0 of Xen 4.17 and under
#     microxen; wall-clock ms inside the guest, and the speed-up of 2 CPUs over 1.
#   scripts/bench-smp.sh [HOSTS]     HOSTS: any of "native xen microxen" (default all three)
#   PARTS="kt job" (default both): kt = part 1 only, job = part 2 only.
# microxen gives Linux one vCPU until its SMP is finished (README "SMP (issue 11)"): its -smp 2 row
# shows 1 CPU online. The kernel-test figures need only kernel-test's SMP (dom0_max_vcpus=4).
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-native xen microxen}
make -s build kernel-test >/dev/null
bash tests/guest/build.sh >/dev/null
initrd=build/initramfs-smp.cpio
dotnet run --project tools/Initramfs -v q -- --out "$initrd" --init tests/guest/smp-init.sh --add build/guest/smp:/smp >/dev/null
vmlinux=build/debian/vmlinux
bzimage=$(ls build/debian/boot/vmlinuz-* | head -1)
log=$(mktemp -d)
# Each console line prefixed with the host's time of arrival (s): the job's host-side duration is
# the time between "SMPBENCH begin" and its result line (the guest's clock under TCG may drift).
stamp() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }
trap 'rm -rf "$log"' EXIT

microxen() { # OUT SMP ACCEL KERNEL MODULE_ARGS [INITRD]: microxen in QEMU until power-off; MX_EXTRA: more shim options
    local out=$1 smp=$2 accel=$3 kernel=$4 args=$5 initrd=${6:-} modules
    modules="$kernel $args"
    [ -n "$initrd" ] && modules="$modules,$initrd"
    timeout 900 qemu-system-x86_64 -accel "$accel" -cpu max -m 1G -smp "$smp" -nographic -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel build/microxen.bin -append "mode=fast loglevel=info ${MX_EXTRA:-}" \
        -initrd "$modules" </dev/null 2>&1 | stamp >"$out" || true
}

parts=${PARTS:-kt job}
[[ " $parts " == *" kt "* ]] && echo "== IPI round trip and remote TLB flush (kernel-test smpbench, 4 CPUs, TSC ticks; min of 7 batches)"
for h in $hosts; do
    [[ " $parts " == *" kt "* ]] || break
    case $h in
        xen) SMP=4 STOP_AT="Test result:" TIMEOUT=600 scripts/run-xen.sh build/kernel-test.elf smpbench >"$log/kt-$h" 2>&1 || true ;;
        microxen) MX_EXTRA=dom0_max_vcpus=4 microxen "$log/kt-$h" 4 tcg build/kernel-test.elf smpbench ;;
        *) continue ;;
    esac
    grep -q "COST smp_" "$log/kt-$h" || { echo "$h: no figures ($(grep -m1 -E 'smpbench:|FAIL' "$log/kt-$h" || tail -1 "$log/kt-$h"))"; continue; }
    # microxen's lines carry stamp's time first, Xen's may carry "(d0) ".
    sed -n 's/^\([0-9.]* \)\{0,1\}\((d0) \)\{0,1\}COST \(smp_[a-z0-9_]*\) \([0-9]*\) .*/\3 \4/p' "$log/kt-$h" | tr -d '\r' |
        while read -r name ticks; do printf '%-10s %-32s %10s\n' "$h" "$name" "$ticks"; done
done

[[ " $parts " == *" job "* ]] || exit 0
echo "== CPU-bound parallel job (tests/guest/smp.c bench), -accel tcg,thread=multi; guest wall clock"
printf '%-10s %5s %8s %10s %10s\n' host -smp threads "guest ms" "host ms"
for h in $hosts; do
    for smp in 1 2; do
        out="$log/job-$h-$smp"
        case $h in
            native) timeout 900 qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m 1G -smp $smp -display none -no-reboot \
                        -serial stdio -monitor none -kernel "$bzimage" -initrd "$initrd" \
                        -append "console=ttyS0 quiet smp_bench=1" </dev/null 2>&1 | stamp >"$out" || true ;;
            xen) ACCEL=tcg,thread=multi SMP=$smp INITRD=$initrd STOP_AT="SMP RESULT" TIMEOUT=900 \
                     scripts/run-xen.sh "$vmlinux" "console=hvc0 quiet smp_bench=1" 2>&1 | stamp >"$out" || true ;;
            microxen) microxen "$out" $smp tcg,thread=multi "$vmlinux" "console=hvc0 quiet smp_bench=1" "$initrd" ;;
        esac
        grep -q SMPBENCH "$out" || { printf '%-10s %5s   no figures (%s)\n' "$h" $smp "$(tail -1 "$out" | tr -d '\r')"; continue; }
        awk '/SMPBENCH begin/ { t0 = $1 } /SMPBENCH threads/ { for (i = 2; i <= NF; i++) if ($i == "SMPBENCH") break;
                 printf "%-10s %5s %8s %10s %10.0f   (%s CPUs online)\n", h, smp, $(i + 2), $(i + 6), ($1 - t0) * 1000, $(i + 4) }' \
            h="$h" smp=$smp "$out" | tr -d '\r'
    done
    # 1 CPU: the faster of its two one-thread jobs (the first also pays for warming up the TCG translation cache).
    one=$(awk '/SMPBENCH begin threads 1/ { t0 = $1 } /SMPBENCH threads 1 / { t = ($1 - t0) * 1000; if (best == "" || t < best) best = t }
               END { if (best != "") printf "%.0f", best }' "$log/job-$h-1" 2>/dev/null)
    two=$(awk '/SMPBENCH begin threads 2/ { t0 = $1 } /SMPBENCH threads 2 cpus 2 / { printf "%.0f", ($1 - t0) * 1000; exit }' "$log/job-$h-2" 2>/dev/null)
    if [ -n "$one" ] && [ -n "$two" ]; then
        awk -v h="$h" -v a="$one" -v b="$two" 'BEGIN { printf "%-10s speed-up of 2 CPUs over 1 (host ms): %.2fx\n", h, a / b }'
    fi
done
