#!/usr/bin/env bash
# Debian's Xen 4.17 hypervisor into build/xen (once): build/xen/root is the package's files
# (boot/xen-4.17-amd64.gz: GRUB's multiboot2 image) and build/xen/xen-4.17-amd64 the uncompressed
# image QEMU's -kernel takes. Prints the latter's path.
set -euo pipefail
cd "$(dirname "$0")/.."
xen=build/xen/xen-4.17-amd64
if [ ! -f "$xen" ]; then
    mkdir -p build/xen
    (cd build/xen && apt-get download xen-hypervisor-4.17-amd64 >/dev/null)
    deb=$(ls build/xen/xen-hypervisor-4.17-amd64_*.deb | head -1)
    rm -rf build/xen/root && dpkg-deb -x "$deb" build/xen/root
    gunzip -c build/xen/root/boot/xen-4.17-amd64.gz > "$xen.tmp" && mv "$xen.tmp" "$xen"
fi
echo "$xen"
