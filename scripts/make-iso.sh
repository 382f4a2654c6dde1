#!/usr/bin/env bash
# Builds a GRUB 2 CD image that boots microxen with multiboot2, the PV kernel and its initramfs
# as modules (what a user does on hardware with the same grub.cfg lines).
#   scripts/make-iso.sh OUT.iso MICROXEN.bin KERNEL INITRD "SHIM ARGS" "GUEST CMDLINE"
# The certification image (make certify-iso): a root laid out by tools/Certify --iso-root (its
# grub.cfg runs the matrix), plus a small FAT partition holding certify/grubenv, the state of the
# "all in sequence" entry (GRUB's save_env needs a writable file system; ISO 9660 is not). The
# partition is written when the image is on a USB stick (dd) or a QEMU disk, not on a CD.
#   scripts/make-iso.sh --certify OUT.iso ROOT
# The A/B image (make ab-iso): the workload initramfs (scripts/ab-initramfs.sh) under native Linux,
# microxen fast and checked, and Xen 4.17 (multiboot2 xen.gz), one GRUB entry each (AB_DEFAULT picks
# the default entry, 0-3); results go to COM1 with an "ABCONFIG name console" line for make ab LOGS=.
#   scripts/make-iso.sh --ab OUT.iso INITRD
set -euo pipefail
command -v grub-mkrescue >/dev/null || { echo "make-iso: grub-mkrescue not found (apt-get install grub-pc-bin grub-common xorriso mtools)" >&2; exit 2; }

# grub-mkrescue ROOT into OUT, passing any further arguments to xorriso.
mkrescue() {
    local out=$1 root=$2 log
    shift 2
    mkdir -p "$(dirname "$out")"
    log=$(mktemp)
    if ! grub-mkrescue -o "$out" "$root" "$@" >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "make-iso: grub-mkrescue failed" >&2
        exit 1
    fi
    rm -f "$log"
    echo "make-iso: $out ($(stat -c %s "$out") bytes)"
}

if [ "${1:-}" = "--certify" ]; then
    out=${2:?usage: scripts/make-iso.sh --certify OUT.iso ROOT} root=${3:?usage: scripts/make-iso.sh --certify OUT.iso ROOT}
    [ -f "$root/boot/grub/grub.cfg" ] || { echo "make-iso: no $root/boot/grub/grub.cfg (tools/Certify --iso-root)" >&2; exit 2; }
    for t in mformat mmd mcopy grub-editenv; do
        command -v $t >/dev/null || { echo "make-iso: $t not found (apt-get install mtools grub-common)" >&2; exit 2; }
    done
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    grub-editenv "$work/grubenv" create
    mformat -i "$work/env.fat" -C -f 1440 -v CERTIFY ::
    mmd -i "$work/env.fat" ::/certify
    mcopy -i "$work/env.fat" "$work/grubenv" ::/certify/grubenv
    mkrescue "$out" "$root" -- -append_partition 3 0x0c "$work/env.fat"
    exit 0
fi

if [ "${1:-}" = "--ab" ]; then
    out=${2:?usage: scripts/make-iso.sh --ab OUT.iso INITRD} initrd=${3:?usage: scripts/make-iso.sh --ab OUT.iso INITRD}
    cd "$(dirname "$0")/.."
    vmlinuz=$(ls build/debian/boot/vmlinuz-* | head -n1)
    xen=$(scripts/fetch-xen.sh)
    for f in build/microxen.bin build/debian/vmlinux "$vmlinuz" "$initrd" build/xen/root/boot/xen-4.17-amd64.gz; do
        [ -f "$f" ] || { echo "make-iso: $f not found" >&2; exit 2; }
    done
    root=$(mktemp -d)
    trap 'rm -rf "$root"' EXIT
    mkdir -p "$root/boot/grub"
    cp build/microxen.bin "$root/boot/microxen.bin"
    cp build/debian/vmlinux "$root/boot/vmlinux"
    cp "$vmlinuz" "$root/boot/vmlinuz"
    cp build/xen/root/boot/xen-4.17-amd64.gz "$root/boot/xen.gz"
    cp "$initrd" "$root/boot/initrd.cpio"
    # Xen's options as scripts/run-xen.sh's, less its QEMU-only ones (noreboot, smap=0: XEN_AB_ARGS adds them).
    xenargs="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M ${XEN_AB_ARGS:-}"
    cat > "$root/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set default=${AB_DEFAULT:-0}
set timeout=10
menuentry "A/B: native Linux" {
    linux /boot/vmlinuz console=ttyS0,115200 ab_config=native
    initrd /boot/initrd.cpio
}
menuentry "A/B: microxen fast" {
    multiboot2 /boot/microxen.bin mode=fast loglevel=warn
    module2 /boot/vmlinux console=hvc0 ab_config=fast
    module2 /boot/initrd.cpio
}
menuentry "A/B: microxen checked" {
    multiboot2 /boot/microxen.bin mode=checked loglevel=warn
    module2 /boot/vmlinux console=hvc0 ab_config=checked
    module2 /boot/initrd.cpio
}
menuentry "A/B: Xen 4.17 dom0" {
    multiboot2 /boot/xen.gz $xenargs
    module2 /boot/vmlinux console=hvc0 ab_config=xen
    module2 /boot/initrd.cpio
}
CFG
    mkrescue "$out" "$root"
    exit 0
fi

out=$1 image=$2 kernel=$3 initrd=$4 shimargs=$5 cmdline=$6
for f in "$image" "$kernel" "$initrd"; do [ -f "$f" ] || { echo "make-iso: $f not found" >&2; exit 2; }; done
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub"
cp "$image" "$root/boot/microxen.bin"
cp "$kernel" "$root/boot/vmlinux"
cp "$initrd" "$root/boot/initrd.cpio"
cat > "$root/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
menuentry "microxen: Debian's Linux as a PV dom0" {
    multiboot2 /boot/microxen.bin $shimargs
    module2 /boot/vmlinux $cmdline
    module2 /boot/initrd.cpio
}
CFG
mkrescue "$out" "$root"
