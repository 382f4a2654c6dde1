#!/usr/bin/env bash
# Device benchmarks (issue 10 item 7; printed figures, not tests): per host (microxen, Xen 4.17
# dom0, native: the same Debian kernel), on q35, in one session, scripts/devices-run.sh with
# DEVTEST_BENCH=1: the guest's /randio (tests/guest/randio.c, O_DIRECT on the raw disk: sequential
# 1 MiB write/read MB/s, 4 KiB random write/read IOPS) on the virtio-blk, NVMe and AHCI disks, and
# TCP throughput: the host fetching BYTES (default 16 MiB) from the guest over each NIC's QEMU
# user-net forward on 127.0.0.1 (MB/s from the host's clock; the guest serves once the link
# has its carrier, so the e1000e link-up wait is not counted).
# QEMU is TCG: the figures compare hosts on one machine, not hardware; a device a host cannot
# drive yet prints its failure instead of figures.
#   scripts/bench-devices.sh            HOSTS="microxen xen native" MACHINE=q35 BYTES=16777216
set -euo pipefail
cd "$(dirname "$0")/.."
bytes=${BYTES:-16777216}
printf "%-8s %-11s %-14s %12s %s\n" host device test figure unit
for host in ${HOSTS:-microxen xen native}; do
    echo "--- $host: scripts/devices-run.sh $host ${MACHINE:-q35} (DEVTEST_BENCH=1)" >&2
    out=$(DEVTEST_BENCH=1 DEVTEST_BYTES=$bytes scripts/devices-run.sh "$host" "${MACHINE:-q35}" 2>&1 | tr -d "\r" || true)
    { echo "$out" | grep -a '^DEVTEST bench ' || true; } | while read -r _ _ disk what unit fig rest; do
        case $disk in vda) dev=virtio-blk ;; nvme0n1) dev=nvme ;; sda) dev=ahci ;; *) dev=$disk ;; esac
        if [ "$what" = FAIL ]; then printf "%-8s %-11s %-14s %12s %s\n" "$host" "$dev" disk - "FAIL $unit $fig $rest"; continue; fi
        printf "%-8s %-11s %-14s %12s %s\n" "$host" "$dev" "$what" "$fig" "$unit"
        [ -n "$rest" ] && printf "%-8s %-11s %-14s %12s %s\n" "$host" "$dev" "$what" "${rest#* }" "${rest%% *}"
    done
    { echo "$out" | grep -a '^DEVTEST nic [0-9] FAIL' || true; } | while read -r _ _ n _ rest; do
        case $n in 2) dev=e1000e ;; 3) dev=virtio-net ;; *) dev=nic$n ;; esac
        printf "%-8s %-11s %-14s %12s %s\n" "$host" "$dev" tcp - "FAIL $rest"
    done
    { echo "$out" | grep -a '^HOST nic ' || true; } | while read -r _ _ n _ got _ sum _ secs _; do
        case $n in 2) dev=e1000e ;; 3) dev=virtio-net ;; *) dev=nic$n ;; esac
        served=$(echo "$out" | grep -a "^DEVTEST nic $n .* serving" | sed 's/.*sha256=//')
        if [ "$got" != "$bytes" ] || [ "sha256=$served" != "$sum" ]; then
            printf "%-8s %-11s %-14s %12s %s\n" "$host" "$dev" tcp-to-host - "FAIL got $got bytes"
        else
            printf "%-8s %-11s %-14s %12s %s\n" "$host" "$dev" tcp-to-host "$(echo "scale=1; $bytes / 1000000 / $secs" | bc)" MB/s
        fi
    done
done
