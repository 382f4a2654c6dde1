#!/bin/sh
# /init of the ROOT=disk initramfs (scripts/make-rootdisk.sh): loads the virtio disk's modules
# (/lib/modules/VERSION/load-order), mounts the disk named by root= (default /dev/vda) read-write
# and hands over to its /init with busybox switch_root. A failure says why and leaves a shell
# (with rootdisk_check on the command line: prints "ROOTDISK end" and powers off).
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
v=$(uname -r)
while read -r m; do
    insmod "/lib/modules/$v/$m" 2>/tmp/insmod.err || echo "rootdisk: insmod $m: $(cat /tmp/insmod.err)"
done <"/lib/modules/$v/load-order"
root=/dev/vda
for w in $(cat /proc/cmdline); do case $w in root=/dev/*) root=${w#root=} ;; esac; done
i=0
while [ ! -b "$root" ] && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
mkdir -p /newroot
if [ -b "$root" ] && mount -t ext4 -o rw "$root" /newroot && [ -x /newroot/init ]; then
    echo "rootdisk: $root mounted, switch_root to its /init"
    umount /sys /proc
    umount /dev
    exec switch_root /newroot /init
fi
echo "rootdisk: cannot mount $root (ext4, with /init): a shell in the initramfs"
if grep -qw rootdisk_check /proc/cmdline; then echo "ROOTDISK failed: no root file system"; echo "ROOTDISK end"; poweroff -f; fi
exec sh
