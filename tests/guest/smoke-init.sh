#!/bin/sh
# /init of the smoke initramfs (tests/Microxen.Tests/Integration/UserlandTests.cs): mount the
# kernel's filesystems, run /smoke, power off. QEMU then exits with status 0.
echo "microxen initramfs: /init running"
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=linux
mount -t proc proc /proc || echo "init: mount proc failed"
mount -t sysfs sysfs /sys || echo "init: mount sysfs failed"
mount -t devtmpfs devtmpfs /dev || echo "init: mount devtmpfs failed"
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
mount -t tmpfs tmpfs /tmp || echo "init: mount tmpfs failed"
# Only kernel errors on the console from here, so that they do not split the smoke lines.
dmesg -n 3
echo "init: $(uname -srm); running /smoke"
/smoke
echo "init: /smoke exited with status $?; powering off"
sync
poweroff -f
# poweroff -f does not return; if it does, say so and stop here rather than let init exit (panic).
echo "init: poweroff -f failed"
while :; do sleep 3600; done
