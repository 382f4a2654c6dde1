#!/usr/bin/env bash
# Device benchmarks (issue 10 item 7; printed figures, not tests): per host (microxen, Xen 4.17
# dom0, native: the same Debian kernel) in one session, tools/Ab's device phase alone (`make ab`
# runs it after each round): scripts/devices-run.sh with DEVTEST_BENCH=1, each host booted as
# scripts/ab-boot.sh boots it: the guest's /randio (tests/guest/randio.c, O_DIRECT on the raw disk:
# sequential 1 MiB write/read MB/s, 4 KiB random write/read IOPS) on the virtio-blk, NVMe and AHCI
# disks, and TCP throughput: the host fetching BYTES (default 16 MiB) from the guest over each NIC's
# QEMU user-net forward on 127.0.0.1 (MB/s from the host's clock; the guest serves once the link
# has its carrier, so the e1000e link-up wait is not counted). tools/Ab (Devices.cs) reads the
# lines; its report's devices table (throughput: higher is better) is printed, and the whole
# report, results.csv and consoles are in build/bench-devices/.
# QEMU is TCG: the figures compare hosts on one machine, not hardware; a device a host cannot
# drive yet is listed under "Devices not measured".
#   scripts/bench-devices.sh    HOSTS="microxen xen native" MACHINE=q35 BYTES=16777216 MIB=64 PHASE_SECONDS=2
# HOSTS: microxen (fast mode; also fast, checked, microxen:ARGS), xen, native (tools/Ab's names);
# MIB: MiB per disk for the sequential figures; PHASE_SECONDS: at most per 4 KiB random phase.
set -euo pipefail
cd "$(dirname "$0")/.."
configs=
for host in ${HOSTS:-microxen xen native}; do
    [ "$host" = microxen ] && host=fast
    configs="${configs:+$configs,}$host"
done
out=build/bench-devices
rc=0
dotnet run --project tools/Ab -c Release -v q -- --devices only --rounds 1 --configs "$configs" --out "$out" \
    --device-machine "${MACHINE:-q35}" --device-bytes "${BYTES:-16777216}" --device-mib "${MIB:-64}" \
    --device-seconds "${PHASE_SECONDS:-2}" || rc=$?
[ -f "$out/report.md" ] && sed -n '/^## devices/,/^!\[/{/^!\[/!p}' "$out/report.md"
exit $rc
