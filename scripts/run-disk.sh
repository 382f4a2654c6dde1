#!/usr/bin/env bash
# Boots build/debian-disk.img (make disk-image) in QEMU: GRUB -> ENTRY -> Debian's kernel and
# initramfs -> root from the virtio disk -> systemd -> a login prompt on the serial console.
#   scripts/run-disk.sh IMAGE FIRMWARE ENTRY
# FIRMWARE: bios (SeaBIOS) or uefi (OVMF, a fresh copy of its variable store). ENTRY: microxen,
# xen (Debian's Xen 4.17) or linux (Debian's kernel alone): the image's GRUB reads
# ESP:/microxen-test/entry.cfg, written here with mtools. The guest's writes are discarded
# (-snapshot). Environment: MEM (default 2G), STOP_AT (a console pattern: QEMU is stopped once a
# line contains it, exit 0), TIMEOUT (seconds, default 900), LOG (a file for the console).
# `poweroff` in the guest ends QEMU with status 0.
set -euo pipefail
image=${1:?usage: run-disk.sh IMAGE bios|uefi microxen|xen|linux} firmware=${2:?} entry=${3:?}
[ -f "$image" ] || { echo "run-disk: $image not found (make disk-image)" >&2; exit 2; }
case $firmware in bios|uefi) ;; *) echo "run-disk: FIRMWARE must be bios or uefi, not '$firmware'" >&2; exit 2 ;; esac
case $entry in microxen|xen|linux) ;; *) echo "run-disk: ENTRY must be microxen, xen or linux, not '$entry'" >&2; exit 2 ;; esac
command -v mcopy >/dev/null || { echo "run-disk: mcopy not found (apt-get install mtools)" >&2; exit 2; }
# The ESP is partition 2: its byte offset from the GPT.
esp=$(sgdisk -i 2 "$image" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
[ -n "$esp" ] || { echo "run-disk: no partition 2 (ESP) in $image" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mcopy -n -o -i "$image@@$((esp * 512))" "::/microxen-test/entry-$entry.cfg" "$tmp/entry.cfg"
mcopy -o -i "$image@@$((esp * 512))" "$tmp/entry.cfg" ::/microxen-test/entry.cfg
args=(-accel tcg -cpu max -m "${MEM:-2G}" -display none -serial stdio -monitor none -no-reboot
      -drive "file=${image//,/,,},format=raw,if=virtio" -snapshot)
if [ "$firmware" = uefi ]; then
    cp /usr/share/OVMF/OVMF_VARS_4M.fd "$tmp/vars.fd"
    args+=(-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd -drive "if=pflash,format=raw,file=$tmp/vars.fd")
fi
if [ -z "${STOP_AT:-}" ]; then
    exec qemu-system-x86_64 "${args[@]}"
fi
log=${LOG:-$tmp/console.log}
qemu-system-x86_64 "${args[@]}" </dev/null >"$log" 2>&1 &
pid=$!
end=$((SECONDS + ${TIMEOUT:-900}))
while kill -0 $pid 2>/dev/null; do
    if grep -q -- "$STOP_AT" "$log"; then kill $pid; wait $pid 2>/dev/null || true; echo "run-disk: '$STOP_AT' after ${SECONDS} s"; exit 0; fi
    if [ $SECONDS -ge $end ]; then kill $pid; wait $pid 2>/dev/null || true; echo "run-disk: timeout (${TIMEOUT:-900} s) before '$STOP_AT'" >&2; exit 1; fi
    sleep 1
done
wait $pid
