#!/usr/bin/env bash
# The ROOT=disk pieces (`make run ROOT=disk`, RootDiskTests): a root file system image and the
# initramfs that mounts it.
#   scripts/make-rootdisk.sh [OUTDIR]      (default build/rootdisk)
# OUTDIR/root.img: ext4 (SIZE, default 64M), made by e2fsprogs' `mke2fs -t ext4 -d` from the
#   busybox userland tools/Initramfs lays out (default /init: busybox init, a shell on the
#   console), plus /etc/microxen-root and tests/guest/rootdisk-profile.sh as /etc/profile;
# OUTDIR/initramfs.cpio: tests/guest/rootdisk-init.sh as /init with virtio_pci, virtio_blk and
#   ext4 from Debian's kernel package (build/debian) and their modules.dep closure.
# Both are rebuilt every run (the image is the disk the guest writes to).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/rootdisk}
mkdir -p "$out"
command -v mke2fs >/dev/null || PATH=$PATH:/usr/sbin:/sbin
command -v mke2fs >/dev/null || { echo "make-rootdisk: mke2fs not found (apt-get install e2fsprogs)" >&2; exit 3; }
kdir=$(ls -d build/debian/lib/modules/*/ 2>/dev/null | head -n1)
[ -n "$kdir" ] || { echo "make-rootdisk: no build/debian/lib/modules/VERSION (make kernel)" >&2; exit 2; }
echo "microxen root disk (scripts/make-rootdisk.sh)" >"$out/microxen-root"
dotnet run --project tools/Initramfs -v q -- --out "$out/rootfs.cpio" \
    --add "$out/microxen-root:/etc/microxen-root" --add tests/guest/rootdisk-profile.sh:/etc/profile
rm -f "$out/root.img"
mke2fs -q -F -t ext4 -L microxen-root -E root_owner=0:0 -d "$out/rootfs.cpio.root" "$out/root.img" "${SIZE:-64M}"
rm -f "$out/rootfs.cpio"
dotnet run --project tools/Initramfs -v q -- --out "$out/initramfs.cpio" --init tests/guest/rootdisk-init.sh \
    --modules "${kdir%/}:virtio_pci,virtio_blk,ext4"
echo "make-rootdisk: $out/root.img ($(stat -c %s "$out/root.img") bytes, ext4), $out/initramfs.cpio"
