#!/bin/sh
# /init of the device test (scripts/devices-run.sh, DeviceTests, scripts/bench-devices.sh).
# Loads /lib/modules/VERSION/load-order (tools/Initramfs --modules), then per disk named in
# DEVTEST_DISKS (colon-separated, e.g. vda:nvme0n1:sda): makes ext4, writes a checksummed file
# with fsync, unmounts, mounts again and compares; per NIC number N in DEVTEST_NICS (the NIC
# whose MAC is 52:54:00:12:34:0N gets 10.0.N.15/24, QEMU user net N) serves DEVTEST_BYTES of
# random data once with nc on port DEVTEST_PORT+N for the host to fetch. DEVTEST_BENCH=1 runs
# the disk benchmark (/randio on DEVTEST_BENCH_MB MiB, default 64, random phases at most
# DEVTEST_BENCH_SECONDS each, default 2) instead of the checks. Every result is a "DEVTEST ..." line;
# /proc/interrupts is printed between "DEVTEST interrupts begin/end"; "DEVTEST end" last.
# The kernel hands unknown NAME=VALUE command-line words to /init as environment variables.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
v=$(uname -r)
echo "DEVTEST begin $v"
while read -r m; do
    insmod "/lib/modules/$v/$m" 2>/tmp/insmod.err || echo "DEVTEST insmod $m: $(cat /tmp/insmod.err)"
done <"/lib/modules/$v/load-order"

disk_check() { # NAME: ext4, a checksummed file, fsync, remount, compare
    d=$1 dev=/dev/$1 mnt=/mnt/$1
    [ -e "$dev" ] || { echo "DEVTEST disk $d FAIL no $dev (driver did not bind)"; return; }
    mkdir -p "$mnt"
    # Debian's mke2fs (e2fsprogs, ext4) is /bin/mkfs.ext4, run by path: busybox sh prefers its own mke2fs applet.
    /bin/mkfs.ext4 -q -F "$dev" >/tmp/mkfs.log 2>&1 || { echo "DEVTEST disk $d FAIL mkfs.ext4: $(tail -n1 /tmp/mkfs.log)"; return; }
    mount -t ext4 "$dev" "$mnt" || { echo "DEVTEST disk $d FAIL mount"; return; }
    dd if=/dev/urandom of="$mnt/data" bs=64k count=64 conv=fsync 2>/dev/null || { echo "DEVTEST disk $d FAIL write"; umount "$mnt"; return; }
    sum=$(sha256sum <"$mnt/data" | cut -d' ' -f1)
    umount "$mnt" || { echo "DEVTEST disk $d FAIL umount"; return; }
    echo 3 >/proc/sys/vm/drop_caches
    mount -t ext4 "$dev" "$mnt" || { echo "DEVTEST disk $d FAIL remount"; return; }
    back=$(sha256sum <"$mnt/data" | cut -d' ' -f1)
    umount "$mnt"
    if [ "$sum" = "$back" ]; then echo "DEVTEST disk $d PASS ext4 4 MiB sha256=$sum"
    else echo "DEVTEST disk $d FAIL read back sha256=$back, wrote $sum"; fi
}

disk_bench() { # NAME: sequential (dd, O_DIRECT) and 4 KiB random (randio) on the raw disk
    d=$1 dev=/dev/$1
    [ -e "$dev" ] || { echo "DEVTEST bench $d FAIL no $dev"; return; }
    /randio "$dev" "${DEVTEST_BENCH_MB:-64}" "${DEVTEST_BENCH_SECONDS:-2}" | sed "s/^/DEVTEST bench $d /"
}

# One wait for every device (drivers probe asynchronously): at most DEVTEST_WAIT seconds in all.
disks=$(echo "${DEVTEST_DISKS:-}" | tr ':' ' ') nics=$(echo "${DEVTEST_NICS:-}" | tr ':' ' ')
nic_if() { # N: the interface whose MAC is 52:54:00:12:34:0N, or nothing
    for a in /sys/class/net/*/address; do
        [ "$(cat "$a")" = "52:54:00:12:34:0$1" ] && basename "$(dirname "$a")"
    done
}
i=0
while [ $i -lt "${DEVTEST_WAIT:-30}" ]; do
    missing=0
    for d in $disks; do [ -e "/dev/$d" ] || missing=1; done
    for n in $nics; do [ -n "$(nic_if "$n")" ] || missing=1; done
    [ $missing = 0 ] && break
    sleep 1; i=$((i + 1))
done

for d in $disks; do
    if [ "${DEVTEST_BENCH:-0}" = 1 ]; then disk_bench "$d"; else disk_check "$d"; fi
done

port=${DEVTEST_PORT:-8000}
pids=""
dd if=/dev/urandom of=/tmp/served bs=64k count=$(( ${DEVTEST_BYTES:-1048576} / 65536 )) 2>/dev/null
sum=$(sha256sum </tmp/served | cut -d' ' -f1)
for n in $nics; do
    ifc=$(nic_if "$n")
    if [ -z "$ifc" ]; then echo "DEVTEST nic $n FAIL no interface with MAC 52:54:00:12:34:0$n"; continue; fi
    drv=$(basename "$(readlink "/sys/class/net/$ifc/device/driver")")
    ip link set "$ifc" up && ip addr add "10.0.$n.15/24" dev "$ifc" || { echo "DEVTEST nic $n FAIL ip on $ifc"; continue; }
    i=0   # the link comes up some seconds after "up" (e1000e's autonegotiation): serve once it has
    while [ "$(cat "/sys/class/net/$ifc/carrier" 2>/dev/null)" != 1 ] && [ $i -lt 20 ]; do sleep 1; i=$((i + 1)); done
    nc -l -p $((port + n)) </tmp/served >/dev/null &
    pids="$pids $!"
    echo "DEVTEST nic $n $ifc $drv serving port $((port + n)) bytes ${DEVTEST_BYTES:-1048576} sha256=$sum"
done
if [ -n "$pids" ]; then
    echo "DEVTEST serving"
    (sleep "${DEVTEST_NET_WAIT:-120}"; kill $pids 2>/dev/null) &
    for p in $pids; do wait "$p"; done
    echo "DEVTEST served"
fi

echo "DEVTEST interrupts begin"
cat /proc/interrupts
echo "DEVTEST interrupts end"
echo "DEVTEST end"
poweroff -f
