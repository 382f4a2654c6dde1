#!/bin/sh
# /init of the benchmark initramfs (tools/Ab, scripts/bench-guest.sh): mount, run /bench, power off.
# Kernel command-line words it reads: ab_config=NAME and ab_clock=CLOCK (echoed as "ABCONFIG NAME
# CLOCK", so a captured console log names its run; CLOCK defaults to "console") and ab_percent=N
# (iteration counts, % of bench.c's defaults).
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
echo "microxen initramfs: /init running"
dmesg -n 3
percent=${BENCH_SCALE:-100} config= clock=console
for w in $(cat /proc/cmdline); do
    case $w in
        ab_config=*) config=${w#ab_config=} ;;
        ab_clock=*) clock=${w#ab_clock=} ;;
        ab_percent=*) percent=${w#ab_percent=} ;;
    esac
done
[ -n "$config" ] && echo "ABCONFIG $config $clock"
/bench "$percent"
poweroff -f
