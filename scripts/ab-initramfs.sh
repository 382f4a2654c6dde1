#!/usr/bin/env bash
# Builds the A/B workload initramfs (tools/Ab, make ab, make ab-iso, scripts/bench-guest.sh):
# tests/guest/bench as /bench, tests/guest/bench-init.sh as /init, and Debian's xz as /xz with the
# shared libraries ldd names (each at the path ldd resolved, so the dynamic loader finds them).
#   scripts/ab-initramfs.sh [OUT]     (default build/initramfs-ab.cpio)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/initramfs-ab.cpio}
tests/guest/build.sh >/dev/null
xz=$(command -v xz) || { echo "ab-initramfs: xz not found (apt-get install xz-utils)" >&2; exit 2; }
adds=(--add build/guest/bench:/bench --add "$xz:/xz")
# ldd lines: "name => /path (addr)" or "/lib64/ld-linux-x86-64.so.2 (addr)"; the vDSO has no file.
for lib in $(ldd "$xz" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
    adds+=(--add "$(readlink -f "$lib"):$lib")
done
# Written beside and renamed: a QEMU run starting meanwhile reads the old archive or the new, whole.
dotnet run --project tools/Initramfs -v q -- --out "$out.new" --root "$out.root" --init tests/guest/bench-init.sh "${adds[@]}" >/dev/null
mv "$out.new" "$out"
echo "ab-initramfs: $out"
