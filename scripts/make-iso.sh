#!/usr/bin/env bash
# Builds a GRUB 2 CD image that boots microxen with multiboot2, the PV kernel and its initramfs
# as modules (what a user does on hardware with the same grub.cfg lines).
#   scripts/make-iso.sh OUT.iso MICROXEN.bin KERNEL INITRD "SHIM ARGS" "GUEST CMDLINE"
set -euo pipefail
out=$1 image=$2 kernel=$3 initrd=$4 shimargs=$5 cmdline=$6
for f in "$image" "$kernel" "$initrd"; do [ -f "$f" ] || { echo "make-iso: $f not found" >&2; exit 2; }; done
command -v grub-mkrescue >/dev/null || { echo "make-iso: grub-mkrescue not found (apt-get install grub-pc-bin grub-common xorriso mtools)" >&2; exit 2; }
mkdir -p "$(dirname "$out")"
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
log=$(mktemp)
if ! grub-mkrescue -o "$out" "$root" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "make-iso: grub-mkrescue failed" >&2
    exit 1
fi
rm -f "$log"
echo "make-iso: $out ($(stat -c %s "$out") bytes)"
