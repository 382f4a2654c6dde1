#!/usr/bin/env bash
# Where each A/B operation's instructions go: user, guest kernel, and hypervisor (microxen's shim or
# Xen: L4 slots 256-271), counted by a QEMU TCG plugin (tools/Ab/profile/ab-profile.c) between
# tests/guest/bench.c's ab_mark() calls, under -icount shift=0 (so a BENCH figure in ns is
# instructions per iteration). Prints, per configuration and operation, the instructions per
# iteration and the share spent in each region.
#   scripts/ab-profile.sh [CONFIGS] [PERCENT]    (defaults "fast xen native", 20)
# TOP=N: also the N functions (shim symbols from build/microxen.elf, kernel ones from the kernel's
# /proc/kallsyms, scripts/kallsyms.sh; native boots with nokaslr) with the most kernel+hypervisor
# instructions per iteration of each operation, each with its region, "hyper" or "kernel"
# (OPS="syscall fork_wait ..." limits which operations; Xen's are unnamed).
# Run `make build kernel` first. Exit 2 when the plugin cannot be built (gcc) or a run fails.
set -euo pipefail
cd "$(dirname "$0")/.."
configs=${1:-fast xen native} percent=${2:-20}
mkdir -p build/ab
plugin=build/ab/ab-profile.so
gcc -shared -fPIC -O2 -Wall -fvisibility=hidden -o "$plugin" tools/Ab/profile/ab-profile.c \
    || { echo "ab-profile: building the QEMU plugin failed (gcc)" >&2; exit 2; }
scripts/ab-initramfs.sh >/dev/null
mark=0x$(nm build/guest/bench | awk '$3 == "ab_mark" {print $1}')
top=${TOP:-0} symargs="" guestargs=""
if [ "$top" -gt 0 ]; then
    nm -n build/microxen.elf > build/ab/microxen.syms
    scripts/kallsyms.sh build/ab/kallsyms >&2 || exit 2
    symargs=",syms=$PWD/build/ab/microxen.syms,syms=$PWD/build/ab/kallsyms"
    guestargs=" nokaslr"
fi
printf '%-8s %-14s %14s %7s %7s %7s %14s\n' config operation "instr/iter" user% kernel% hyper% "hyper/iter"
for cfg in $configs; do
    marks=build/ab/profile-$cfg.marks
    console=$(ICOUNT=1 AB_QEMU_EXTRA="-plugin $PWD/$plugin,mark=$mark,out=$PWD/$marks$symargs" \
        scripts/ab-boot.sh "$cfg" build/initramfs-ab.cpio "ab_percent=$percent$guestargs" 2>&1 || true)
    grep -q "BENCH done" <<<"$console" || { echo "ab-profile: $cfg did not finish" >&2; exit 2; }
    # Marks come in pairs around each operation, in the order of the BENCH lines: the last 2N of
    # them (other static programs, busybox before /bench starts, may run code at the same address).
    ops=$(tr -d '\r' <<<"$console" | grep -c '^BENCH [a-z]' || true)
    ops=$((ops - 1))
    awk -v cfg="$cfg" -v ops="$ops" -v top="$top" -v only="${OPS:-}" '
        FNR == NR { if ($1 == "MARK") { m = $2; u[m] = $3; k[m] = $4; h[m] = $5 }
                    else if ($1 == "SYM") { ns[$2]++; sc[$2, ns[$2]] = $3; sr[$2, ns[$2]] = $4; sn[$2, ns[$2]] = $5 }
                    next }
        FNR == 1 { first = m + 1 - 2 * ops }
        $1 == "BENCH" && $2 != "done" {
            s = first + 2 * n; e = s + 1; n++
            du = u[e] - u[s]; dk = k[e] - k[s]; dh = h[e] - h[s]; t = du + dk + dh
            scale = ($4 ~ /^us/) ? 1000 : ($4 ~ /^ms/) ? 1000000 : 1
            per = $3 * scale   # ns under -icount shift=0: instructions per iteration
            if (t == 0) next
            printf "%-8s %-14s %14.0f %6.1f%% %6.1f%% %6.1f%% %14.0f\n", cfg, $2, per, 100*du/t, 100*dk/t, 100*dh/t, per*dh/t
            if (top > 0 && (only == "" || index(" " only " ", " " $2 " "))) {
                # The functions run between marks s and e were written at mark e: the top N by count.
                for (i = 1; i <= ns[e]; i++) done[i] = 0
                for (j = 1; j <= top && j <= ns[e]; j++) {
                    best = 0
                    for (i = 1; i <= ns[e]; i++) if (!done[i] && (best == 0 || sc[e, i] + 0 > sc[e, best] + 0)) best = i
                    done[best] = 1
                    printf "    %12.1f  %-6s %s\n", sc[e, best] * per / t, sr[e, best], sn[e, best]
                }
            }
        }' "$marks" <(tr -d '\r' <<<"$console")
done
