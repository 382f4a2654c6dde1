#!/usr/bin/env bash
# One device run: Debian's kernel (build/debian) with a virtio-blk, an NVMe and an AHCI (SATA)
# disk, an e1000e and a virtio-net NIC, on HOST = xen (dom0 of Xen 4.17, scripts/run-xen.sh),
# microxen (scripts/run-qemu.sh) or native (the same kernel's bzImage booted by QEMU), machine
# MACHINE = q35 or pc (pc: the AHCI controller is `-device ahci`). The guest is
# tests/guest/devices-init.sh in build/devices/initramfs.cpio (tools/Initramfs: busybox, the
# modules and their modules.dep closure, Debian's mke2fs with its libraries, /randio).
# The console goes to stdout; when the guest prints "DEVTEST serving" the host fetches each NIC's
# file over QEMU user networking (restrict=on, hostfwd on 127.0.0.1 only) and prints
#   HOST nic N fetched BYTES bytes sha256=SUM in SECONDS s
#   scripts/devices-run.sh HOST MACHINE
# Environment: DEVTEST_BENCH=1 (disk benchmark instead of the ext4 checks; DEVTEST_BENCH_MB and
# DEVTEST_BENCH_SECONDS size it, tests/guest/devices-init.sh), DEVTEST_BYTES (bytes served per NIC,
# a multiple of 64 KiB, default 1 MiB), AB_CONFIG (tools/Ab's device phase: boot as
# scripts/ab-boot.sh boots that A/B configuration, e.g. native, fast, checked, xen; HOST then only
# names the disk images' folder), PORT (first host port, default from the PID; ports PORT+2 and
# PORT+3 are used), TIMEOUT (seconds, default 900), SHIM_ARGS (microxen, default "mode=fast loglevel=info"),
# KERNEL_ARGS (more kernel command-line words, e.g. pci=nomsi: every device on its IO-APIC GSI).
# Each run ends by itself: the guest powers off (microxen, native) or run-xen.sh stops QEMU at
# "DEVTEST end"; TIMEOUT bounds it.
# Exit status: 0 when the guest reached "DEVTEST end" (the checks themselves are in the lines),
# 1 when it did not, 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."
host=${1:-} machine=${2:-}
case "$host" in xen|microxen|native) ;; *) echo "usage: scripts/devices-run.sh xen|microxen|native q35|pc" >&2; exit 2 ;; esac
case "$machine" in q35|pc) ;; *) echo "usage: scripts/devices-run.sh xen|microxen|native q35|pc" >&2; exit 2 ;; esac
out=build/devices
mkdir -p "$out"
kdir=$(ls -d build/debian/lib/modules/*/ | head -n1)
kdir=${kdir%/}
# The drivers the run needs; their dependencies come from modules.dep (tools/Initramfs --modules).
modules=virtio_pci,virtio_blk,virtio_net,nvme,ahci,sd_mod,e1000e,ext4
initrd=$out/initramfs.cpio
tests/guest/build.sh >/dev/null
if [ ! -f "$initrd" ] || [ -n "$(find scripts/devices-run.sh tests/guest/devices-init.sh build/guest/randio tools/Initramfs "$kdir/modules.order" -newer "$initrd" -type f | head -n1)" ]; then
    dotnet run --project tools/Initramfs -v q -- --out "$initrd" --init tests/guest/devices-init.sh \
        --modules "$kdir:$modules" --add-binary /usr/sbin/mke2fs:/bin/mkfs.ext4 --add /etc/mke2fs.conf:/etc/mke2fs.conf \
        --add build/guest/randio:/randio >&2
fi

disks=$out/$host-$machine
mkdir -p "$disks"
for d in vd nvme sata; do rm -f "$disks/$d.img"; truncate -s 128M "$disks/$d.img"; done
port=${PORT:-$(( 20000 + ($$ % 4000) * 4 ))}
gport=8000   # the guest's base port: NIC N listens on 8000+N (devices-init.sh)
ahci_bus=ide.0
extra="-M $machine -nic none"
[ "$machine" = pc ] && { extra="$extra -device ahci,id=ahci0"; ahci_bus=ahci0.0; }
extra="$extra -drive file=$disks/vd.img,if=none,id=vd,format=raw -device virtio-blk-pci,drive=vd
 -drive file=$disks/nvme.img,if=none,id=nvme,format=raw -device nvme,drive=nvme,serial=microxen-nvme
 -drive file=$disks/sata.img,if=none,id=sata,format=raw -device ide-hd,drive=sata,bus=$ahci_bus
 -netdev user,id=n2,net=10.0.2.0/24,restrict=on,hostfwd=tcp:127.0.0.1:$((port + 2))-:$((gport + 2))
 -device e1000e,netdev=n2,mac=52:54:00:12:34:02
 -netdev user,id=n3,net=10.0.3.0/24,restrict=on,hostfwd=tcp:127.0.0.1:$((port + 3))-:$((gport + 3))
 -device virtio-net-pci,netdev=n3,mac=52:54:00:12:34:03"
extra=$(echo $extra)
guest="${KERNEL_ARGS:+$KERNEL_ARGS }DEVTEST_DISKS=vda:nvme0n1:sda DEVTEST_NICS=2:3 DEVTEST_PORT=$gport DEVTEST_BENCH=${DEVTEST_BENCH:-0} DEVTEST_BYTES=${DEVTEST_BYTES:-1048576}"
guest="$guest${DEVTEST_BENCH_MB:+ DEVTEST_BENCH_MB=$DEVTEST_BENCH_MB}${DEVTEST_BENCH_SECONDS:+ DEVTEST_BENCH_SECONDS=$DEVTEST_BENCH_SECONDS}"
timeout=${TIMEOUT:-900}
log=$(mktemp)
if [ -n "${AB_CONFIG:-}" ]; then
    ICOUNT=0 AB_QEMU_EXTRA="$extra" STOP_AT="DEVTEST end" TIMEOUT=$timeout \
        scripts/ab-boot.sh "$AB_CONFIG" "$initrd" "$guest" >"$log" 2>&1 &
else case $host in
    xen) QEMU_EXTRA="$extra" INITRD="$initrd" STOP_AT="DEVTEST end" TIMEOUT=$timeout \
            scripts/run-xen.sh build/debian/vmlinux "console=hvc0 $guest" >"$log" 2>&1 & ;;
    microxen) QEMU_EXTRA="$extra" timeout "$timeout" scripts/run-qemu.sh build/microxen.bin build/debian/vmlinux \
            "console=hvc0 $guest" "${SHIM_ARGS:-mode=fast loglevel=info}" 1G "$initrd" </dev/null >"$log" 2>&1 & ;;
    native) timeout "$timeout" qemu-system-x86_64 -accel tcg -cpu max -m 1G -nographic -no-reboot $extra \
            -kernel "$(ls build/debian/boot/vmlinuz-* | head -n1)" -initrd "$initrd" -append "console=ttyS0 $guest" \
            </dev/null >"$log" 2>&1 & ;;
esac; fi
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
shown=0 fetched=0
follow() {
    local lines
    lines=$(wc -l <"$log")
    if [ "$lines" -gt "$shown" ]; then sed -n "$((shown + 1)),${lines}p" "$log"; shown=$lines; fi
}
while kill -0 $pid 2>/dev/null; do
    follow
    if [ $fetched = 0 ] && grep -qa "^DEVTEST serving" "$log"; then
        fetched=1
        follow   # the console up to "DEVTEST serving" before the HOST lines
        for n in $(grep -a "^DEVTEST nic [0-9]* .* serving port" "$log" | awk '{print $3}'); do
            t0=$(date +%s.%N)
            sum=$(timeout 120 cat </dev/tcp/127.0.0.1/$((port + n)) | tee >(wc -c >"$log.bytes") | sha256sum | cut -d' ' -f1) || true
            t1=$(date +%s.%N)
            sleep 0.2
            echo "HOST nic $n fetched $(cat "$log.bytes" 2>/dev/null || echo 0) bytes sha256=$sum in $(echo "$t1 - $t0" | bc) s"
            rm -f "$log.bytes"
        done
    fi
    sleep 0.5
done
follow
grep -qa "^DEVTEST end" "$log"
