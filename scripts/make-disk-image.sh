#!/usr/bin/env bash
# Builds build/debian-disk.img: Debian bookworm by debootstrap from the archive this machine's apt
# uses (first deb URI of /etc/apt/sources.list*), a GPT disk with a BIOS boot partition, an EFI
# system partition and an ext4 root; GRUB for BIOS (i386-pc) and UEFI (x86_64-efi, removable path);
# linux-image-amd64, xen-system-amd64 and the microxen package installed, update-grub run in the
# chroot, a root login on the serial console (empty password: a test image, never a real system).
#   scripts/make-disk-image.sh OUT.img MICROXEN.deb CACHE_DIR
# Needs root (debootstrap, mount, losetup). The debootstrap tree is cached in CACHE_DIR/root.tar.
set -euo pipefail
out=${1:?usage: make-disk-image.sh OUT.img MICROXEN.deb CACHE_DIR} deb=${2:?} cache=${3:?}
[ "$(id -u)" -eq 0 ] || { echo "make-disk-image: needs root (debootstrap, mount, losetup)" >&2; exit 2; }
for t in debootstrap sgdisk mkfs.ext4 mkfs.vfat losetup; do
    command -v $t >/dev/null || { echo "make-disk-image: $t not found (make deps)" >&2; exit 2; }
done
[ -f "$deb" ] || { echo "make-disk-image: $deb not found (make deb)" >&2; exit 2; }
mirror=$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)$/\1/p; s/^deb \(http[^ ]*\/debian\) bookworm .*/\1/p' $(ls /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null) | head -1)
[ -n "$mirror" ] || { echo "make-disk-image: no Debian mirror in /etc/apt/sources.list*" >&2; exit 2; }
mkdir -p "$cache"
pkgs=linux-image-amd64,xen-system-amd64,grub-pc-bin,grub-efi-amd64-bin,grub2-common,systemd-sysv,udev,kmod,initramfs-tools,e2fsprogs,dosfstools
if [ ! -f "$cache/root.tar" ]; then
    echo "make-disk-image: debootstrap bookworm from $mirror"
    rm -rf "$cache/root"
    debootstrap --variant=minbase --include=$pkgs bookworm "$cache/root" "$mirror" >"$cache/debootstrap.log" 2>&1 \
        || { tail -20 "$cache/debootstrap.log" >&2; echo "make-disk-image: debootstrap failed ($cache/debootstrap.log)" >&2; exit 1; }
    tar -C "$cache/root" -cf "$cache/root.tar.part" . && mv "$cache/root.tar.part" "$cache/root.tar"
    rm -rf "$cache/root"
fi

work=$(mktemp -d)
loop=""
cleanup() {
    for m in boot/efi dev/pts dev proc sys ""; do mountpoint -q "$work/mnt/$m" 2>/dev/null && umount "$work/mnt/$m"; done
    for l in $loop; do losetup -d "$l"; done
    rm -rf "$work"
}
trap cleanup EXIT
img="$out.part"
rm -f "$img"
truncate -s 3G "$img"
sgdisk -n 1:2048:+1M -t 1:ef02 -c 1:bios -n 2:0:+100M -t 2:ef00 -c 2:esp -n 3:0:0 -t 3:8300 -c 3:root "$img" >/dev/null
# No partition scanning on loop devices here: one loop device per partition, at its offset.
part_loop() {
    local first count
    first=$(sgdisk -i "$1" "$img" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
    count=$(sgdisk -i "$1" "$img" | sed -n 's/^Partition size: \([0-9]*\) sectors.*/\1/p')
    losetup -f --show -o $((first * 512)) --sizelimit $((count * 512)) "$img"
}
esp_loop=$(part_loop 2)
loop="$esp_loop"
root_loop=$(part_loop 3)
loop="$esp_loop $root_loop"
mkfs.vfat -n ESP "$esp_loop" >/dev/null
mkfs.ext4 -q -L debian-root "$root_loop"
mkdir -p "$work/mnt"
# Mounted through a node named like a disk partition (vda3), present at the same path inside the
# chroot: grub-mkconfig's scripts skip a root on /dev/loopN backed by a file.
devnum=$(stat -c '%t %T' "$root_loop")
mknod "$work/vda3" b $((16#${devnum% *})) $((16#${devnum#* }))
mount "$work/vda3" "$work/mnt"
tar -C "$work/mnt" -xf "$cache/root.tar"
mkdir -p "$work/mnt$work"
mknod "$work/mnt$work/vda3" b $((16#${devnum% *})) $((16#${devnum#* }))
mkdir -p "$work/mnt/boot/efi" "$work/esp/EFI/BOOT" "$work/esp/microxen-test"   # the ESP's files, copied with mtools (no vfat mount needed)
for m in proc sys; do mount --bind /$m "$work/mnt/$m"; done
root_uuid=$(blkid -p -s UUID -o value "$root_loop")
esp_uuid=$(blkid -p -s UUID -o value "$esp_loop")
# The chroot's own /dev: the few nodes grub-install and update-grub need, and the by-uuid link
# grub-mkconfig checks before writing root=UUID=... (no udev here).
mount -t tmpfs none "$work/mnt/dev"
cp -a /dev/null /dev/zero /dev/random /dev/urandom "$esp_loop" "$root_loop" "$work/mnt/dev/"
mkdir -p "$work/mnt/dev/pts" "$work/mnt/dev/disk/by-uuid"
ln -s "$work/vda3" "$work/mnt/dev/disk/by-uuid/$root_uuid"
ln -s "../../$(basename "$esp_loop")" "$work/mnt/dev/disk/by-uuid/$esp_uuid"
cat > "$work/mnt/etc/fstab" <<FSTAB
UUID=$root_uuid / ext4 errors=remount-ro 0 1
UUID=$esp_uuid /boot/efi vfat umask=0077,nofail 0 1
FSTAB
echo microxen-test > "$work/mnt/etc/hostname"
# A test image: root logs in on the serial console without a password.
chroot "$work/mnt" passwd -d root >/dev/null
# GRUB on the serial console. The entry each boot starts is chosen outside the guest: 06_test_entry
# sources ESP:/microxen-test/entry.cfg ("set default=ID"), which make run-disk writes with mtools.
cat > "$work/mnt/etc/default/grub.d/50-test-image.cfg" <<CFG
GRUB_DEFAULT=0
GRUB_TIMEOUT=1
GRUB_TERMINAL="serial console"
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
# systemd.default_timeout_start_sec: a test image under TCG on a loaded host (a Xen boot there
# waited past systemd's 90 s for /dev/hvc0 and the ESP and got no login prompt).
GRUB_CMDLINE_LINUX="console=ttyS0,115200 systemd.default_timeout_start_sec=600"
# smap=0: QEMU 7.2 TCG needs it under Xen (DESIGN.md 6; scripts/run-xen.sh), not hardware.
GRUB_CMDLINE_XEN="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M smap=0"
GRUB_CMDLINE_LINUX_XEN_REPLACE="console=hvc0 systemd.default_timeout_start_sec=600"
GRUB_CMDLINE_LINUX_MICROXEN="console=hvc0"
CFG
cat > "$work/mnt/etc/grub.d/06_test_entry" <<'SCRIPT'
#!/bin/sh
cat <<'CFG'
search --no-floppy --label --set=test_esp ESP
if [ -f ($test_esp)/microxen-test/entry.cfg ]; then source ($test_esp)/microxen-test/entry.cfg; fi
CFG
SCRIPT
chmod 755 "$work/mnt/etc/grub.d/06_test_entry"
cp "$deb" "$work/mnt/tmp/microxen.deb"
chroot "$work/mnt" dpkg -i /tmp/microxen.deb >/dev/null
rm "$work/mnt/tmp/microxen.deb"
# GRUB images made with grub-mkimage (grub-install cannot probe partitions of an image file here):
# both find the root by UUID and read /boot/grub/grub.cfg, as grub-install's would.
printf 'serial --unit=0 --speed=115200\nterminal_input serial console\nterminal_output serial console\nsearch --no-floppy --fs-uuid --set=root %s\nset prefix=($root)/boot/grub\n' "$root_uuid" > "$work/mnt/tmp/early.cfg"
mkdir -p "$work/mnt/boot/grub"
for t in i386-pc x86_64-efi; do cp -r "$work/mnt/usr/lib/grub/$t" "$work/mnt/boot/grub/"; done
chroot "$work/mnt" grub-mkimage -O i386-pc -o /tmp/core.img -c /tmp/early.cfg -p /boot/grub biosdisk part_gpt ext2 serial terminal search search_fs_uuid normal
chroot "$work/mnt" grub-mkimage -O x86_64-efi -o /tmp/BOOTX64.EFI -c /tmp/early.cfg -p /boot/grub part_gpt ext2 fat serial terminal search search_fs_uuid normal
# BIOS: boot.img in the MBR (its code only: the protective partition table stays), core.img in
# the BIOS boot partition; boot.img's kernel sector (0x5c) and diskboot's block list (the end of
# core.img's first sector: start u64, length u16) name where core.img lies.
bios_first=$(sgdisk -i 1 "$img" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
python3 - "$img" "$work/mnt/usr/lib/grub/i386-pc/boot.img" "$work/mnt/tmp/core.img" "$bios_first" <<'PY'
import struct, sys
img, boot, core, first = sys.argv[1], open(sys.argv[2], 'rb').read(), bytearray(open(sys.argv[3], 'rb').read()), int(sys.argv[4])
sectors = (len(core) + 511) // 512
core += b'\0' * (sectors * 512 - len(core))
struct.pack_into('<QH', core, 0x200 - 12, first + 1, sectors - 1)
mbr = bytearray(boot[:440])
struct.pack_into('<Q', mbr, 0x5c, first)
with open(img, 'r+b') as f:
    f.seek(0); f.write(mbr)
    f.seek(first * 512); f.write(core)
PY
mv "$work/mnt/tmp/BOOTX64.EFI" "$work/esp/EFI/BOOT/"
rm -f "$work/mnt/tmp/core.img" "$work/mnt/tmp/early.cfg"
chroot "$work/mnt" update-grub 2>&1 | sed 's/^/update-grub: /'
# One file per entry for make run-disk: the first menu entry id of each kind in grub.cfg.
for kind in microxen xen linux; do
    case $kind in
        microxen) pat='^microxen-gnulinux-' ;;
        xen) pat='^xen-gnulinux-simple-' ;;
        linux) pat='^gnulinux-simple-' ;;
    esac
    id=$(grep -o "menuentry_id_option '[^']*'" "$work/mnt/boot/grub/grub.cfg" | cut -d"'" -f2 | grep -m1 "$pat" || true)
    [ -n "$id" ] || { echo "make-disk-image: no $kind entry in grub.cfg" >&2; exit 1; }
    echo "set default=\"$id\"" > "$work/esp/microxen-test/entry-$kind.cfg"
    echo "make-disk-image: ENTRY=$kind: $id"
done
mcopy -s -i "$esp_loop" "$work/esp/EFI" "$work/esp/microxen-test" ::/
rm -rf "$work/mnt/tmp/$(basename "$work")"
# getty: systemd starts one on the kernel's console (ttyS0 for Linux, hvc0 for a Xen/microxen dom0).
sync
cleanup
trap - EXIT
mv "$img" "$out"
echo "make-disk-image: $out ($(du -h --apparent-size "$out" | cut -f1))"
