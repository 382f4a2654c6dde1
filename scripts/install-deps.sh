#!/usr/bin/env bash
# Installs the Debian packages microxen's build, run and tests need, if they are missing.
set -euo pipefail
pkgs=()
need() { command -v "$1" >/dev/null 2>&1 || pkgs+=("$2"); }
need qemu-system-x86_64 qemu-system-x86
need as binutils
need gcc gcc
need xz xz-utils                # bzImage payloads (tools/BzImage): xz and lzma
need gzip gzip
need bzip2 bzip2
need lzop lzop
need lz4 lz4
need zstd zstd
need afl-fuzz afl++            # make fuzz (tools/Fuzz through SharpFuzz)
need dpkg-deb dpkg
need cpio cpio
need bc bc
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || pkgs+=(libc6-dev)    # static in-guest test programs
need grub-mkrescue grub-common
need xorriso xorriso
need debootstrap debootstrap; need sgdisk gdisk; need mkfs.vfat dosfstools; [ -d /usr/lib/grub/x86_64-efi ] || pkgs+=(grub-efi-amd64-bin); [ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || pkgs+=(ovmf); [ "${1:-}" != lintian ] || need lintian lintian   # UEFI, make deb (lintian: only `scripts/install-deps.sh lintian`), make disk-image
need mformat mtools
[ -d /usr/lib/grub/i386-pc ] || pkgs+=(grub-pc-bin)
[ -f /usr/include/xen/xen.h ] || pkgs+=(libxen-dev)
need depmod kmod; need mke2fs e2fsprogs   # device test, ROOT=disk: modules.dep, ext4 (scripts/devices-run.sh)
command -v dotnet >/dev/null 2>&1 || { echo "install-deps: the .NET SDK (dotnet) is required" >&2; exit 1; }
if [ ${#pkgs[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    echo "install-deps: installing ${pkgs[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi
echo "install-deps: ok"
