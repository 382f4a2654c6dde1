#!/bin/sh
# /init of the SMP initramfs (tests/Microxen.Tests/Integration/SmpTests.cs, scripts/bench-smp.sh):
# mount the kernel's filesystems, run /smp with the CPU count from the kernel command line
# (smp_cpus=N reaches init as an environment variable), or with smp_bench=1 the parallel
# workload on 1 thread and on every CPU; power off.
echo "microxen initramfs: /init running"
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=linux
for fs in proc:/proc sysfs:/sys devtmpfs:/dev; do
    mount -t "${fs%%:*}" "${fs%%:*}" "${fs#*:}" || echo "init: mount ${fs#*:} failed"
done
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
dmesg -n 3
echo "init: $(uname -srm), nproc $(nproc)"
if [ -n "${smp_bench:-}" ]; then
    /smp bench 1
    /smp bench "$(nproc)"
    echo "SMP RESULT: SUCCESS"
else
    /smp "${smp_cpus:-0}"
    echo "init: /smp exited with status $?"
fi
sync
poweroff -f
echo "init: poweroff -f failed"
while :; do sleep 3600; done
