#!/bin/sh
# /init of the benchmark initramfs: mount, run /bench, power off.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "microxen initramfs: /init running"
dmesg -n 3
/bench ${BENCH_SCALE:-1}
poweroff -f
